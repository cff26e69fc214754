/** The decoded, typed form of the records defined in bpf/events.h. */
import { Direction, type CloseReason } from './events-abi.generated';

// enum direction (egress: the captured process wrote the bytes; ingress: it read them) and
// enum close_reason, as generated from bpf/events.h; re-exported for the layers above.
export { CloseReason, Direction } from './events-abi.generated';

export type DirectionName = 'egress' | 'ingress';

/** 'egress' = the captured process sent the bytes; 'ingress' = it received them. */
export function directionName(direction: Direction): DirectionName {
  return direction === Direction.Egress ? 'egress' : 'ingress';
}

/** Process and socket facts shared by every record of one connection. */
export interface ConnectionFacts {
  readonly pid: number;
  readonly tid: number;
  readonly uid: number;
  readonly comm: string;
  /** -1 when the kernel could not resolve it. */
  readonly fd: number;
  /** Kernel address of the socket as a bigint; 0n when unknown. */
  readonly sockId: bigint;
  /** 4 or 6; 0 when the tuple is unknown. */
  readonly ipVersion: 0 | 4 | 6;
  /** The captured process's own address and port. */
  readonly localAddress: string;
  readonly localPort: number;
  /** The captured process's peer. */
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly tlsLibrary: string;
  /** The process's container (`container.id`), when its cgroup names one. */
  readonly containerId?: string;
  /** Its Kubernetes pod (`k8s.pod.uid`), when its cgroup is under kubepods. */
  readonly podUid?: string;
}

export interface DataEvent extends ConnectionFacts {
  readonly kind: 'data';
  /** Wall-clock time in nanoseconds since the epoch. */
  readonly timestampNs: bigint;
  readonly direction: Direction;
  /** Bytes the TLS call read or wrote. */
  readonly originalLength: number;
  /** Offset of `payload` within the call's bytes (a large call spans several records). */
  readonly chunkOffset: number;
  /** User address of the SSL object: identifies a connection whose socket is unknown. */
  readonly sslPtr: bigint;
  /** Captured plaintext: a view into the batch, not a copy. */
  readonly payload: Uint8Array;
  /** True when bytes of this call were not captured. */
  readonly truncated: boolean;
}

export interface CloseEvent {
  readonly kind: 'close';
  readonly timestampNs: bigint;
  readonly pid: number;
  readonly fd: number;
  readonly sockId: bigint;
  readonly reason: CloseReason;
}

/** A process called execve: the target watcher looks at the files the new program maps. */
export interface ExecEvent {
  readonly kind: 'exec';
  readonly timestampNs: bigint;
  readonly pid: number;
  readonly tid: number;
  readonly comm: string;
  /** The file name execve was given (cut at 255 bytes). */
  readonly filename: string;
}

/** A command line an interactive shell read (not a byte stream: it never enters a connection worker). */
export interface ShellCommandEvent {
  readonly kind: 'shell-command';
  /** Wall-clock nanoseconds when the line was read. */
  readonly timestampNs: bigint;
  /** When the command finished; undefined when unknown. */
  readonly endNs: bigint | undefined;
  readonly pid: number;
  readonly tid: number;
  readonly ppid: number;
  readonly uid: number;
  readonly comm: string;
  /** The session's terminal (`pts/3`), '' when none. */
  readonly tty: string;
  readonly line: string;
  /** Bytes of the line, kept or not. */
  readonly lineLength: number;
  readonly truncated: boolean;
  /** The command's exit status; undefined when the shell read another line (or exited) first. */
  readonly exitStatus: number | undefined;
}

/** Who ran a statement: the server process and, where known, its client. */
export interface DbQueryEvent {
  readonly kind: 'db-query';
  readonly system: 'mysql' | 'postgresql';
  /** Wall-clock nanoseconds when the statement started. */
  readonly timestampNs: bigint;
  readonly endNs: bigint;
  readonly pid: number;
  readonly tid: number;
  readonly uid: number;
  readonly comm: string;
  /** MySQL COM_* command (3 query, 22 prepare, 23 execute); 0 for PostgreSQL. */
  readonly command: number;
  readonly statementId: number;
  readonly text: string;
  readonly textLength: number;
  readonly truncated: boolean;
  readonly ok: boolean;
  /** MySQL error number (0 when none). */
  readonly errorNumber: number;
  /** SQLSTATE of an error ('' when none or unknown). */
  readonly sqlState: string;
  /** The database ('' when unknown). */
  readonly namespace: string;
  /** The database user ('' when unknown). */
  readonly user: string;
  /** The client's address and port, when known (0 port: unknown). */
  readonly clientAddress: string;
  readonly clientPort: number;
  /** The server's own address and port, when known. */
  readonly serverAddress: string;
  readonly serverPort: number;
}

export type SourceEvent = ShellCommandEvent | DbQueryEvent;

/** One TLS session's secrets as the library held them once its handshake was done. */
export interface TlsSecretEvent extends ConnectionFacts {
  readonly kind: 'tls-secret';
  readonly timestampNs: bigint;
  readonly sslPtr: bigint;
  /** Protocol version: 0x0301 (TLS 1.0) … 0x0304 (TLS 1.3). */
  readonly version: number;
  /** The library's cipher id: 0x03000000 | the IANA cipher suite. */
  readonly cipherId: number;
  /** TLS ≤ 1.2: the master secret (48 bytes). Views into the batch. */
  readonly clientRandom: Uint8Array;
  readonly masterKey: Uint8Array;
  /** TLS 1.3: each 64 bytes, of which the suite's hash length is in use. */
  readonly handshakeSecret: Uint8Array;
  readonly handshakeTrafficHash: Uint8Array;
  readonly clientAppTrafficSecret: Uint8Array;
  readonly serverAppTrafficSecret: Uint8Array;
  readonly exporterMasterSecret: Uint8Array;
}

/** One packet taken by the TC classifier, of a connection of a captured process. */
export interface PacketEvent {
  readonly kind: 'packet';
  readonly timestampNs: bigint;
  readonly pid: number;
  readonly comm: string;
  readonly ifindex: number;
  /** The packet's direction on the interface. */
  readonly direction: Direction;
  /** The frame's length on the wire; `frame` may be shorter (snap length). */
  readonly originalLength: number;
  /** From the link-layer header on: a view into the batch. */
  readonly frame: Uint8Array;
}

export type CapturedEvent = DataEvent | CloseEvent | ExecEvent | TlsSecretEvent | PacketEvent | SourceEvent;
