/** Captured events and recording doubles for processor tests. */
import {
  type CloseReason,
  Direction,
  type CloseEvent,
  type ConnectionFacts,
  type DataEvent,
} from '../../agent/capture/captured-event';
import type { OutputRecord } from '../../agent/exchange/output-record';
import type { Detection, Protocol, ProtocolParser, RecordSink, StreamChunk } from '../../agent/protocols/protocol';

export const SOCK_A = 0xffff_8880_0000_1000n;
export const SOCK_B = 0xffff_8880_0000_2000n;
export const SSL_A = 0x5555_0000_1000n;
export const SSL_B = 0x5555_0000_2000n;

export function facts(overrides: Partial<ConnectionFacts> = {}): ConnectionFacts {
  return {
    pid: 100,
    tid: 100,
    uid: 1000,
    comm: 'curl',
    fd: 5,
    sockId: SOCK_A,
    ipVersion: 4,
    localAddress: '127.0.0.1',
    localPort: 50000,
    remoteAddress: '127.0.0.1',
    remotePort: 443,
    tlsLibrary: 'openssl',
    ...overrides,
  };
}

const encoder = new TextEncoder();

export interface DataOptions extends Partial<ConnectionFacts> {
  direction?: Direction;
  timestampNs?: bigint;
  originalLength?: number;
  chunkOffset?: number;
  sslPtr?: bigint;
  truncated?: boolean;
}

/** A data event carrying `payload` (string = UTF-8); a complete call unless told otherwise. */
export function data(payload: string | Uint8Array, options: DataOptions = {}): DataEvent {
  const bytes = typeof payload === 'string' ? encoder.encode(payload) : payload;
  const { direction, timestampNs, originalLength, chunkOffset, sslPtr, truncated, ...rest } = options;
  return {
    kind: 'data',
    ...facts(rest),
    timestampNs: timestampNs ?? 1_700_000_000_000_000_000n,
    direction: direction ?? Direction.Egress,
    originalLength: originalLength ?? bytes.length,
    chunkOffset: chunkOffset ?? 0,
    sslPtr: sslPtr ?? SSL_A,
    payload: bytes,
    truncated: truncated ?? false,
  };
}

/** An event of a connection whose socket could not be resolved. */
export function untrackedData(payload: string, options: DataOptions = {}): DataEvent {
  return data(payload, {
    sockId: 0n,
    fd: -1,
    ipVersion: 0,
    localAddress: '',
    localPort: 0,
    remoteAddress: '',
    remotePort: 0,
    ...options,
  });
}

export function close(sockId: bigint, reason: CloseReason, pid = 100, fd = 5): CloseEvent {
  return { kind: 'close', timestampNs: 1_700_000_001_000_000_000n, pid, fd, sockId, reason };
}

export class RecordingSink implements RecordSink {
  readonly records: OutputRecord[] = [];
  emit(record: OutputRecord): void {
    this.records.push(record);
  }
  texts(): string[] {
    return this.records.map((r) => (r.kind === 'raw' ? Buffer.from(r.payload).toString('utf8') : `<${r.kind}>`));
  }
}

/** What a recording parser saw, in order. */
export type ParserCall =
  | {
      readonly op: 'push';
      readonly text: string;
      readonly direction: Direction;
      readonly gapBefore: number;
      readonly tid: number;
    }
  | { readonly op: 'idle' }
  | { readonly op: 'close' };

export class RecordingParser implements ProtocolParser {
  readonly calls: ParserCall[] = [];
  constructor(readonly connection: ConnectionFacts) {}
  push(chunk: StreamChunk): void {
    this.calls.push({
      op: 'push',
      text: Buffer.from(chunk.bytes).toString('utf8'),
      direction: chunk.direction,
      gapBefore: chunk.gapBefore,
      tid: chunk.tid,
    });
  }
  idle(): void {
    this.calls.push({ op: 'idle' });
  }
  close(): void {
    this.calls.push({ op: 'close' });
  }
}

/** A protocol whose detect answers with `decide` and whose parsers record their calls. */
export class RecordingProtocol implements Protocol {
  readonly parsers: RecordingParser[] = [];
  readonly detectCalls: string[] = [];
  constructor(
    readonly name: string,
    private readonly decide: (text: string, direction: Direction) => Detection = () => 'match',
  ) {}
  detect(bytes: Uint8Array, direction: Direction): Detection {
    const text = Buffer.from(bytes).toString('latin1');
    this.detectCalls.push(text);
    return this.decide(text, direction);
  }
  create(connection: ConnectionFacts): ProtocolParser {
    const parser = new RecordingParser(connection);
    this.parsers.push(parser);
    return parser;
  }
}
