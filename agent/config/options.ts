/**
 * Every plaintap option, in one table: the YAML key, flag, env var, type,
 * default and meaning. --help, --print-config, validation and the README's
 * configuration table all come from here.
 */
import { LOG_LEVELS } from '../log';
import type { OptionSpec, OptionValue } from './option-spec';

const KIB = 1024;
const MIB = 1024 * KIB;

function powerOfTwo(value: OptionValue): string | undefined {
  const n = value as number;
  return n > 0 && (n & (n - 1)) === 0 ? undefined : 'must be a power of two (e.g. 16MiB)';
}

function commLength(value: OptionValue): string | undefined {
  const tooLong = (value as readonly string[]).find((comm) => Buffer.byteLength(comm) > 15 || comm.length === 0);
  return tooLong === undefined ? undefined : `"${tooLong}" is not a kernel comm (1 to 15 bytes, as in /proc/PID/comm)`;
}

export const OPTIONS: readonly OptionSpec[] = [
  {
    key: 'capture.pids',
    flag: 'pid',
    env: 'PLAINTAP_PIDS',
    type: 'integer-list',
    default: [],
    min: 1,
    argName: 'PID',
    description: 'Capture only these process ids (repeatable; with --comm, either matches). Filtered in the kernel.',
  },
  {
    key: 'capture.comms',
    flag: 'comm',
    env: 'PLAINTAP_COMMS',
    type: 'string-list',
    default: [],
    check: (value) =>
      commLength(value) ?? ((value as readonly string[]).length > 8 ? 'at most 8 comm filters' : undefined),
    argName: 'COMM',
    description: 'Capture only processes with this exact kernel comm (repeatable, at most 8). Filtered in the kernel.',
  },
  {
    key: 'capture.openssl_paths',
    flag: 'openssl-path',
    env: 'PLAINTAP_OPENSSL_PATHS',
    type: 'string-list',
    default: [],
    argName: 'FILE',
    description: 'Extra files exporting the OpenSSL API to probe (besides libssl found on the system and in processes).',
  },
  {
    key: 'capture.rescan_interval',
    flag: 'rescan-interval',
    env: 'PLAINTAP_RESCAN_INTERVAL',
    type: 'duration',
    default: 10_000,
    min: 0,
    argName: 'DURATION',
    description: 'How often to look for OpenSSL libraries mapped by processes started since (new containers); 0 disables.',
  },
  {
    key: 'capture.ring_buffer_size',
    flag: 'ring-buffer-size',
    env: 'PLAINTAP_RING_BUFFER_SIZE',
    type: 'bytes',
    default: 16 * MIB,
    min: 64 * KIB,
    max: 1024 * MIB,
    check: powerOfTwo,
    argName: 'BYTES',
    description: 'Kernel ring buffer size (power of two). When it is full, records are dropped and counted as lost.',
  },
  {
    key: 'capture.max_pending_batches',
    flag: 'max-pending-batches',
    env: 'PLAINTAP_MAX_PENDING_BATCHES',
    type: 'integer',
    default: 64,
    min: 1,
    max: 65536,
    argName: 'N',
    description: 'Batches read from the kernel and not yet processed; beyond it batches are dropped and counted.',
  },
  {
    key: 'processor.idle_timeout',
    flag: 'idle-timeout',
    env: 'PLAINTAP_IDLE_TIMEOUT',
    type: 'duration',
    default: 1000,
    min: 10,
    argName: 'DURATION',
    description: 'Silence after which a connection is flushed (and closed when its socket is unknown). e.g. 1s, 500ms.',
  },
  {
    key: 'processor.max_connections',
    flag: 'max-connections',
    env: 'PLAINTAP_MAX_CONNECTIONS',
    type: 'integer',
    default: 16384,
    min: 1,
    argName: 'N',
    description: 'Connections followed at once; data of further connections is dropped and counted.',
  },
  {
    key: 'output.format',
    flag: 'output',
    env: 'PLAINTAP_OUTPUT',
    type: 'enum',
    choices: ['console', 'json', 'none'],
    default: 'console',
    argName: 'FORMAT',
    description: 'stdout format: console (text), json (one object per line) or none.',
  },
  {
    key: 'output.hex',
    flag: 'hex',
    env: 'PLAINTAP_HEX',
    type: 'boolean',
    default: false,
    description: 'Print payloads as hex dumps even when they are text.',
  },
  {
    key: 'output.truncate',
    flag: 'truncate',
    env: 'PLAINTAP_TRUNCATE',
    type: 'bytes',
    default: 64 * KIB,
    min: 0,
    argName: 'BYTES',
    description: 'Bytes kept per direction of a connection for one unparsed (raw) message; 0 keeps all. Cut bytes are counted and the record is marked truncated.',
  },
  {
    key: 'log.level',
    flag: 'log-level',
    env: 'PLAINTAP_LOG_LEVEL',
    type: 'enum',
    choices: LOG_LEVELS,
    default: 'info',
    argName: 'LEVEL',
    description: 'Diagnostics on stderr: debug, info, warn or error.',
  },
];
