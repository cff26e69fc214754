/**
 * Every plaintap option, in one table: the YAML key, flag, env var, type,
 * default and meaning. --help, --print-config, validation and the README's
 * configuration table all come from here.
 */
import fs from 'node:fs';
import { resolveCgroup } from '../capture/cgroup-path';
import { checkOtlpEndpoint } from '../export/otlp/otlp-endpoint';
import { LOG_LEVELS } from '../log';
import { parseMetricsAddress } from '../metrics/metrics-address';
import { DEFAULT_REDACTED_HEADERS, DEFAULT_REDACTED_QUERY_KEYS } from '../redaction/redactor';
import type { OptionSpec, OptionValue } from './option-spec';
import { CAPTURE_SOURCE_NAMES, type CaptureSourceName } from '../capture/capture-source';

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

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function headerNames(value: OptionValue): string | undefined {
  const bad = (value as readonly string[]).find((name) => !HEADER_NAME.test(name));
  return bad === undefined ? undefined : `"${bad}" is not an HTTP header name`;
}

/** Only names from `defaults` (any case): turning off a default redaction is explicit, never a typo. */
function subsetOf(defaults: readonly string[]): (value: OptionValue) => string | undefined {
  const known = new Set(defaults.map((name) => name.toLowerCase()));
  return (value) => {
    const bad = (value as readonly string[]).find((name) => !known.has(name.toLowerCase()));
    return bad === undefined
      ? undefined
      : `"${bad}" is not redacted by default (the defaults are ${defaults.join(', ')})`;
  };
}

/** Every --cgroup must be a cgroup v2 directory now: the kernel filter compares their ids. */
function cgroupPaths(value: OptionValue): string | undefined {
  const paths = value as readonly string[];
  if (paths.length > 1024) return 'at most 1024 cgroup filters';
  for (const cgroup of paths) {
    const resolved = resolveCgroup(cgroup);
    if ('problem' in resolved) return resolved.problem;
  }
  return undefined;
}

function otlpEndpoint(value: OptionValue): string | undefined {
  return value === null ? undefined : checkOtlpEndpoint(value as string);
}

/** PEM files are read when the exporter starts: a missing one is a configuration error now. */
function readableFile(value: OptionValue): string | undefined {
  if (value === null) return undefined;
  try {
    fs.accessSync(value as string, fs.constants.R_OK);
    return undefined;
  } catch (error) {
    return `cannot read ${value as string}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }
}

/** Each file must exist now: a path that is not there would otherwise be skipped in silence. */
function readableFiles(value: OptionValue): string | undefined {
  for (const file of value as readonly string[]) {
    const problem = readableFile(file);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function metricsAddress(value: OptionValue): string | undefined {
  const parsed = parseMetricsAddress(value as string);
  return typeof parsed === 'object' && 'problem' in parsed ? parsed.problem : undefined;
}

/** Both variables of an OTLP setting: the logs-specific one first (it wins). */
function otlpEnv(suffix: string): readonly string[] {
  return [`OTEL_EXPORTER_OTLP_LOGS_${suffix}`, `OTEL_EXPORTER_OTLP_${suffix}`];
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
    description:
      'Capture only these process ids (repeatable; with --comm, either matches; each must be running at start). Alone, the probes go into these processes only.',
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
    key: 'capture.cgroups',
    flag: 'cgroup',
    env: 'PLAINTAP_CGROUPS',
    type: 'string-list',
    default: [],
    check: cgroupPaths,
    argName: 'PATH',
    description:
      'Capture only processes in this cgroup v2 directory or below it (repeatable, at most 1024; with --pid/--comm, any matches). A directory such as /sys/fs/cgroup/unified/kubepods/pod<uid>, or a path as /proc/PID/cgroup shows it. Filtered in the kernel.',
  },
  {
    key: 'capture.sources',
    flag: 'sources',
    env: 'PLAINTAP_SOURCES',
    type: 'string-list',
    default: ['openssl'],
    check: (value) => {
      const list = value as readonly string[];
      const bad = list.find((name) => !CAPTURE_SOURCE_NAMES.includes(name as CaptureSourceName));
      if (bad !== undefined) return `"${bad}" is not a capture source (${CAPTURE_SOURCE_NAMES.join(', ')})`;
      return list.length === 0 ? 'at least one capture source' : undefined;
    },
    argName: 'LIST',
    description:
      'What to capture: openssl (TLS plaintext: OpenSSL, GnuTLS, Go, Node), bash (interactive command lines), mysql (MySQL/MariaDB statements), postgres (PostgreSQL statements); comma-separated or repeatable.',
  },
  {
    key: 'capture.bash_paths',
    flag: 'bash-path',
    env: 'PLAINTAP_BASH_PATHS',
    type: 'string-list',
    default: [],
    argName: 'FILE',
    description: 'Extra bash executables to probe (besides the standard paths and running bash processes).',
  },
  {
    key: 'capture.mysql_paths',
    flag: 'mysql-path',
    env: 'PLAINTAP_MYSQL_PATHS',
    type: 'string-list',
    default: [],
    argName: 'FILE',
    description: 'Extra mysqld/mariadbd executables to probe (besides the standard paths and running servers).',
  },
  {
    key: 'capture.postgres_paths',
    flag: 'postgres-path',
    env: 'PLAINTAP_POSTGRES_PATHS',
    type: 'string-list',
    default: [],
    argName: 'FILE',
    description: 'Extra postgres executables to probe (besides the standard paths and running servers).',
  },
  {
    key: 'db.query_text',
    flag: 'db-query-text',
    env: 'PLAINTAP_DB_QUERY_TEXT',
    type: 'enum',
    choices: ['sanitized', 'full'],
    default: 'sanitized',
    argName: 'MODE',
    description:
      'Query texts in every output: sanitized (literals replaced by ?) or full (as the server received them: may hold secrets).',
  },
  {
    key: 'capture.openssl_paths',
    flag: 'openssl-path',
    env: 'PLAINTAP_OPENSSL_PATHS',
    type: 'string-list',
    default: [],
    check: readableFiles,
    argName: 'FILE',
    description:
      'Extra files exporting the OpenSSL API to probe (besides libssl found on the system and in processes); each must exist.',
  },
  {
    key: 'capture.rescan_interval',
    flag: 'rescan-interval',
    env: 'PLAINTAP_RESCAN_INTERVAL',
    type: 'duration',
    default: 10_000,
    min: 0,
    argName: 'DURATION',
    description:
      'New processes are found at their exec; this rescan of processes not seen yet is the safety net (a lost exec record, a library loaded later with dlopen); 0 disables.',
  },
  {
    key: 'capture.ring_buffer_size',
    flag: 'ring-buffer-size',
    env: 'PLAINTAP_RING_BUFFER_SIZE',
    type: 'bytes',
    default: 8 * MIB,
    min: 64 * KIB,
    max: 1024 * MIB,
    check: powerOfTwo,
    argName: 'BYTES',
    description:
      'Kernel ring buffer size (power of two): where bursts wait while the agent is behind. When it is full, records are dropped and counted as lost. RSS counts it twice (its pages are mapped twice).',
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
    description:
      'Batches read from the kernel and not yet processed; beyond it the reader pauses and records wait in the kernel ring.',
  },
  {
    key: 'capture.record',
    flag: 'record',
    env: 'PLAINTAP_RECORD',
    type: 'string',
    default: '',
    argName: 'FILE',
    description:
      'Also write every captured kernel record to FILE (created 0600: it holds plaintext) for `plaintap replay`.',
  },
  {
    key: 'capture.keylog',
    flag: 'keylog',
    env: 'PLAINTAP_KEYLOG',
    type: 'string',
    default: '',
    argName: 'FILE',
    description:
      "Also write each TLS session's secrets to FILE in the NSS key log format Wireshark reads (created 0600: it decrypts the traffic).",
  },
  {
    key: 'capture.pcapng',
    flag: 'pcapng',
    env: 'PLAINTAP_PCAPNG',
    type: 'string',
    default: '',
    argName: 'FILE',
    description:
      "Also write the captured processes' TCP packets (TC classifier) to FILE as pcapng, with their TLS secrets embedded (created 0600).",
  },
  {
    key: 'capture.pcap_interfaces',
    flag: 'pcap-interface',
    env: 'PLAINTAP_PCAP_INTERFACES',
    type: 'string-list',
    default: [],
    argName: 'NAME',
    description: 'Interfaces the pcapng packets are taken on (repeatable). Empty: lo and every interface that is up.',
  },
  {
    key: 'capture.pcap_snaplen',
    flag: 'snaplen',
    env: 'PLAINTAP_SNAPLEN',
    type: 'bytes',
    default: 65535,
    min: 64,
    max: 65535,
    argName: 'BYTES',
    description:
      'Bytes kept of each packet in the pcapng (its snap length); longer packets are cut and keep their length.',
  },
  {
    key: 'replay.realtime',
    flag: 'realtime',
    env: 'PLAINTAP_REPLAY_REALTIME',
    type: 'boolean',
    default: false,
    description: '`plaintap replay`: keep the recorded pacing instead of replaying as fast as possible.',
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
    key: 'processor.sweep_interval',
    flag: 'sweep-interval',
    env: 'PLAINTAP_SWEEP_INTERVAL',
    type: 'duration',
    default: 10_000,
    min: 100,
    argName: 'DURATION',
    description:
      'How often open connections are checked against /proc: one whose socket is gone from its process (or replaced on its fd) is closed at the next check, when its close record was lost. e.g. 10s.',
  },
  {
    key: 'processor.max_idle',
    flag: 'max-idle',
    env: 'PLAINTAP_MAX_IDLE',
    type: 'duration',
    default: 3_600_000,
    min: 1000,
    argName: 'DURATION',
    description: 'A connection without data this long is closed (checked every --sweep-interval). e.g. 1h, 30m.',
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
    description:
      'Bytes kept per direction of a connection for one unparsed (raw) message; 0 keeps all. Cut bytes are counted and the record is marked truncated.',
  },
  {
    key: 'processor.raw',
    flag: 'raw',
    env: 'PLAINTAP_RAW',
    type: 'boolean',
    default: false,
    description: "Report raw byte streams only, without protocol parsing (like eCapture's default parser).",
  },
  {
    key: 'http.body_capture',
    flag: 'body-capture',
    env: 'PLAINTAP_BODY_CAPTURE',
    type: 'bytes',
    default: 0,
    min: 0,
    max: 16 * MIB,
    argName: 'BYTES',
    description:
      'Bytes of each HTTP body (decoded, JSON/form secrets redacted) and WebSocket message exported to JSON and OTLP; 0 (default) exports none (the console still shows a 4 KiB preview). Sizes are always counted in full.',
  },
  {
    key: 'http.exchange_timeout',
    flag: 'exchange-timeout',
    env: 'PLAINTAP_EXCHANGE_TIMEOUT',
    type: 'duration',
    default: 30_000,
    min: 100,
    argName: 'DURATION',
    description:
      'A request still unanswered after this is reported incomplete (its late response is reported again, complete).',
  },
  {
    key: 'http.side',
    flag: 'side',
    env: 'PLAINTAP_SIDE',
    type: 'enum',
    choices: ['both', 'client', 'server'],
    default: 'both',
    argName: 'SIDE',
    description:
      'Which observation of a connection seen from both ends to report: client (the process that sent the request), server (the one that answered) or both.',
  },
  {
    key: 'http.request_headers',
    flag: 'http-request-header',
    env: 'PLAINTAP_HTTP_REQUEST_HEADERS',
    type: 'string-list',
    default: [],
    check: headerNames,
    argName: 'NAME',
    description:
      'Request headers exported as OTLP attributes http.request.header.<name> (repeatable; after redaction).',
  },
  {
    key: 'http.response_headers',
    flag: 'http-response-header',
    env: 'PLAINTAP_HTTP_RESPONSE_HEADERS',
    type: 'string-list',
    default: [],
    check: headerNames,
    argName: 'NAME',
    description:
      'Response headers exported as OTLP attributes http.response.header.<name> (repeatable; after redaction).',
  },
  {
    key: 'redaction.headers',
    flag: 'redact-header',
    env: 'PLAINTAP_REDACT_HEADERS',
    type: 'string-list',
    default: [],
    check: headerNames,
    argName: 'NAME',
    description: `Header whose values become REDACTED in every output, besides ${DEFAULT_REDACTED_HEADERS.join(', ')} (repeatable).`,
  },
  {
    key: 'redaction.query_keys',
    flag: 'redact-query-key',
    env: 'PLAINTAP_REDACT_QUERY_KEYS',
    type: 'string-list',
    default: [],
    argName: 'KEY',
    description: `Query key whose values become REDACTED in every output, besides ${DEFAULT_REDACTED_QUERY_KEYS.join(', ')} (repeatable).`,
  },
  {
    key: 'redaction.disable_default_headers',
    flag: 'unredact-header',
    env: 'PLAINTAP_UNREDACT_HEADERS',
    type: 'string-list',
    default: [],
    check: subsetOf(DEFAULT_REDACTED_HEADERS),
    argName: 'NAME',
    description: 'Leave this default-redacted header in the clear (explicit opt-out; repeatable).',
  },
  {
    key: 'redaction.disable_default_query_keys',
    flag: 'unredact-query-key',
    env: 'PLAINTAP_UNREDACT_QUERY_KEYS',
    type: 'string-list',
    default: [],
    check: subsetOf(DEFAULT_REDACTED_QUERY_KEYS),
    argName: 'KEY',
    description: 'Leave this default-redacted query key in the clear (explicit opt-out; repeatable).',
  },
  {
    key: 'otlp.endpoint',
    flag: 'otlp-endpoint',
    env: otlpEnv('ENDPOINT'),
    type: 'string',
    default: null,
    check: otlpEndpoint,
    argName: 'URL',
    description: 'OTLP/gRPC collector: http://HOST:PORT (plaintext) or https://HOST:PORT (TLS). Export is on when set.',
  },
  {
    key: 'otlp.headers',
    flag: 'otlp-header',
    env: otlpEnv('HEADERS'),
    type: 'key-values',
    default: {},
    secret: true,
    argName: 'KEY=VALUE',
    description:
      'gRPC metadata sent with every export, e.g. an API key (repeatable; env: k1=v1,k2=v2, values percent-encoded).',
  },
  {
    key: 'otlp.compression',
    flag: 'otlp-compression',
    env: otlpEnv('COMPRESSION'),
    type: 'enum',
    choices: ['gzip', 'none'],
    default: 'none',
    argName: 'ALGO',
    description: 'Compression of export requests: gzip or none.',
  },
  {
    key: 'otlp.timeout',
    flag: 'otlp-timeout',
    env: otlpEnv('TIMEOUT'),
    type: 'duration',
    default: 10_000,
    min: 1,
    argName: 'DURATION',
    description: 'Deadline of one export attempt (a bare number is milliseconds, as in OTEL_EXPORTER_OTLP_TIMEOUT).',
  },
  {
    key: 'otlp.insecure',
    flag: 'otlp-insecure',
    env: otlpEnv('INSECURE'),
    type: 'boolean',
    default: false,
    description: 'Plaintext gRPC for an endpoint without a scheme (http:// and https:// decide by themselves).',
  },
  {
    key: 'otlp.certificate',
    flag: 'otlp-certificate',
    env: otlpEnv('CERTIFICATE'),
    type: 'string',
    default: null,
    check: readableFile,
    argName: 'FILE',
    description: "PEM file of the CA that signs the collector's certificate (default: the system roots).",
  },
  {
    key: 'otlp.client_key',
    flag: 'otlp-client-key',
    env: otlpEnv('CLIENT_KEY'),
    type: 'string',
    default: null,
    check: readableFile,
    argName: 'FILE',
    description: 'PEM file of the client key, for mutual TLS (with otlp.client_certificate).',
  },
  {
    key: 'otlp.client_certificate',
    flag: 'otlp-client-certificate',
    env: otlpEnv('CLIENT_CERTIFICATE'),
    type: 'string',
    default: null,
    check: readableFile,
    argName: 'FILE',
    description: 'PEM file of the client certificate, for mutual TLS (with otlp.client_key).',
  },
  {
    key: 'otlp.max_queue_size',
    flag: 'otlp-max-queue-size',
    env: 'OTEL_BLRP_MAX_QUEUE_SIZE',
    type: 'integer',
    default: 8192,
    min: 1,
    argName: 'N',
    description:
      'Records waiting for export; beyond it new records are dropped and counted. Larger than the SDK default (2048): at 100k records/s that is 20 ms of headroom.',
  },
  {
    key: 'otlp.max_queue_bytes',
    flag: 'otlp-max-queue-bytes',
    env: 'PLAINTAP_OTLP_MAX_QUEUE_BYTES',
    type: 'bytes',
    default: 32 * MIB,
    min: 64 * KIB,
    argName: 'BYTES',
    description:
      'Encoded bytes waiting for export; beyond it new records are dropped and counted (as queue_full). Bounds memory when records are large (raw payloads) and the collector is away.',
  },
  {
    key: 'otlp.max_export_batch_size',
    flag: 'otlp-max-export-batch-size',
    env: 'OTEL_BLRP_MAX_EXPORT_BATCH_SIZE',
    type: 'integer',
    default: 512,
    min: 1,
    argName: 'N',
    description: 'Records per export request (at most otlp.max_queue_size).',
  },
  {
    key: 'otlp.scheduled_delay',
    flag: 'otlp-scheduled-delay',
    env: 'OTEL_BLRP_SCHEDULE_DELAY',
    type: 'duration',
    default: 1000,
    min: 1,
    argName: 'DURATION',
    description: 'Longest wait before a partial batch is exported.',
  },
  {
    key: 'otlp.export_timeout',
    flag: 'otlp-export-timeout',
    env: 'OTEL_BLRP_EXPORT_TIMEOUT',
    type: 'duration',
    default: 30_000,
    min: 1,
    argName: 'DURATION',
    description: 'Deadline of one batch export, retries of transient failures (UNAVAILABLE, …) included.',
  },
  {
    key: 'otlp.shutdown_timeout',
    flag: 'otlp-shutdown-timeout',
    env: 'PLAINTAP_OTLP_SHUTDOWN_TIMEOUT',
    type: 'duration',
    default: 5000,
    min: 1,
    argName: 'DURATION',
    description:
      'On SIGTERM/SIGINT, how long to wait for the last exports; what is still queued then is counted as dropped.',
  },
  {
    key: 'otlp.degraded_after',
    flag: 'otlp-degraded-after',
    env: 'PLAINTAP_OTLP_DEGRADED_AFTER',
    type: 'duration',
    default: 30_000,
    min: 100,
    argName: 'DURATION',
    description:
      'Export counts as degraded (/readyz 503, plaintap_export_degraded 1) when the collector took nothing this long while records wait, or the queue was full within this time.',
  },
  {
    key: 'service.name',
    flag: 'service-name',
    env: 'OTEL_SERVICE_NAME',
    type: 'string',
    default: 'plaintap',
    check: (value) => ((value as string).trim() === '' ? 'must not be empty' : undefined),
    argName: 'NAME',
    description: 'Resource attribute service.name of exported records.',
  },
  {
    key: 'resource.attributes',
    flag: 'resource-attribute',
    env: 'OTEL_RESOURCE_ATTRIBUTES',
    type: 'key-values',
    default: {},
    argName: 'KEY=VALUE',
    description:
      'Extra resource attributes of exported records (repeatable; env: k1=v1,k2=v2, values percent-encoded).',
  },
  {
    key: 'metrics.address',
    flag: 'metrics-address',
    env: 'PLAINTAP_METRICS_ADDRESS',
    type: 'string',
    default: '127.0.0.1:9464',
    check: metricsAddress,
    argName: 'HOST:PORT',
    description:
      'Where to serve /metrics, /healthz and /readyz; port 0 picks a free port (shown in the ready line); off disables.',
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
