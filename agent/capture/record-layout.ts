/**
 * Byte layout of `struct record_header` in bpf/events.h. The C header is the
 * source of truth; test/unit/capture/record-layout.test.ts compiles it and
 * fails when any offset, size or enum value here drifts from it.
 */

export const ABI_VERSION = 1;
export const RECORD_HEADER_SIZE = 120;
/** Records are 8-byte aligned in a batch. */
export const RECORD_ALIGN = 8;

export const RecordOffset = {
  type: 0,
  abiVersion: 4,
  timestampNs: 8,
  sockId: 16,
  sslPtr: 24,
  pid: 32,
  tid: 36,
  uid: 40,
  fd: 44,
  originalLen: 48,
  capturedLen: 52,
  chunkOffset: 56,
  family: 60,
  localPort: 62,
  remotePort: 64,
  direction: 66,
  tlsLibrary: 67,
  closeReason: 68,
  flags: 69,
  localAddr: 72,
  remoteAddr: 88,
  comm: 104,
} as const;

export const COMM_LENGTH = 16;
export const ADDRESS_LENGTH = 16;

export const RecordType = { Data: 1, Close: 2, ProcessExec: 3 } as const;

export const RecordFlag = { Truncated: 1, NoSocket: 2 } as const;

export const AddressFamily = { Inet: 2, Inet6: 10 } as const;

/** enum tls_library → the name used in output. */
export const TLS_LIBRARY_NAMES: Readonly<Record<number, string>> = {
  1: 'openssl',
  2: 'go',
  3: 'gnutls',
  4: 'nss',
  5: 'boringssl',
  6: 'nodejs',
};

/** enum tls_library values by name (what a target finder's decision carries to the kernel). */
export const TlsLibrary = { openssl: 1, go: 2, gnutls: 3, nss: 4, boringssl: 5, nodejs: 6 } as const;

/** Longest executable name a process-exec record carries (PLAINTAP_EXEC_PATH_BYTES). */
export const EXEC_PATH_BYTES = 256;

/** Largest payload of one record and most records per call (PLAINTAP_CHUNK_BYTES, PLAINTAP_MAX_CHUNKS). */
export const CHUNK_BYTES = 16384;
export const MAX_CHUNKS = 8;
export const MAX_COMM_FILTERS = 8;

/** Indexes of the kernel counters map. */
export const CounterIndex = { RingbufLost: 0, SocketUnresolved: 1, SourceStateLost: 2 } as const;

/** Record types of the non-stream sources (enum record_type). */
export const SourceRecordType = { ShellCommand: 6, DbQuery: 7 } as const;

/** Every record type's offset of `captured_len` is the record header's (static_assert in native). */
export const CAPTURED_LEN_OFFSET = 52;

/** `struct shell_command_record`; the line follows it. */
export const SHELL_RECORD_SIZE = 112;
export const ShellOffset = {
  timestampNs: 8,
  endNs: 16,
  pid: 24,
  tid: 28,
  ppid: 32,
  uid: 36,
  exitStatus: 40,
  lineLen: 48,
  capturedLen: 52,
  flags: 56,
  comm: 64,
  tty: 80,
} as const;
export const TTY_LENGTH = 32;

/** `struct db_query_record`; the query text follows it. */
export const DB_RECORD_SIZE = 256;
export const DbOffset = {
  startNs: 8,
  endNs: 16,
  sockId: 24,
  pid: 32,
  tid: 36,
  uid: 40,
  errorCode: 44,
  queryLen: 48,
  capturedLen: 52,
  statementId: 56,
  family: 60,
  localPort: 62,
  remotePort: 64,
  dbSystem: 66,
  command: 67,
  status: 68,
  flags: 69,
  sqlstate: 70,
  localAddr: 80,
  remoteAddr: 96,
  comm: 112,
  session: 128,
} as const;
export const SQLSTATE_LENGTH = 6;
export const DB_SESSION_LENGTH = 128;

/** shell_command_record.flags and db_query_record.flags (SOURCE_FLAG_*). */
export const SourceFlag = { Truncated: 1, StatusKnown: 2 } as const;

/** enum db_system → `db.system.name`. */
export const DB_SYSTEM_NAMES: Readonly<Record<number, 'mysql' | 'postgresql'>> = { 1: 'mysql', 2: 'postgresql' };
export const DbStatus = { Ok: 1, Error: 2 } as const;
/** MySQL COM_* commands the kernel reports. */
export const MysqlCommand = { Query: 3, StmtPrepare: 22, StmtExecute: 23 } as const;

export const PLAINTAP_SHELL_LINE_BYTES = 4096;
export const PLAINTAP_DB_QUERY_BYTES = 4096;
