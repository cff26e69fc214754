/**
 * The contract between a connection worker and a protocol parser.
 *
 * The worker keeps an ordered list of protocols; the first whose `detect`
 * answers 'match' parses the connection from then on (the raw protocol is
 * last and matches everything). A parser is a streaming state machine: it is
 * fed every byte of both directions in capture order and emits records as
 * soon as the protocol's own framing says a message or exchange is complete.
 */
import type { ConnectionFacts, Direction } from '../capture/captured-event';
import type { OutputRecord } from '../exchange/output-record';

/** One contiguous piece of one direction's byte stream. */
export interface StreamChunk {
  readonly direction: Direction;
  /** Wall-clock nanoseconds of the TLS call that carried these bytes. */
  readonly timestampNs: bigint;
  /** A view valid only during `push`: copy what must outlive the call. */
  readonly bytes: Uint8Array;
  /** Bytes of this direction that were lost right before this chunk (0 = contiguous). */
  readonly gapBefore: number;
  /** Thread that made the TLS call. */
  readonly tid: number;
}

export interface RecordSink {
  emit(record: OutputRecord): void;
}

export interface ProtocolParser {
  /** Feed the next chunk of one direction. */
  push(chunk: StreamChunk): void;
  /** Called once when the connection has been silent for the idle timeout. */
  idle(nowNs: bigint): void;
  /** The connection ended (closed, destroyed, idle-expired or shutdown): emit what is pending. */
  close(nowNs: bigint): void;
}

export type Detection = 'match' | 'no-match' | 'need-more';

export interface Protocol {
  readonly name: string;
  /** Decide from the bytes seen so far in one direction (at least one byte). */
  detect(bytes: Uint8Array, direction: Direction): Detection;
  /**
   * Redetection: does a message of this protocol start at `bytes[0]`, a chunk of a connection
   * already given to the fallback (its first bytes matched nothing, e.g. the agent started
   * mid-response)? Stricter than `detect`: only the chunk's start counts. Optional.
   */
  resume?(bytes: Uint8Array, direction: Direction): boolean;
  create(connection: ConnectionFacts, sink: RecordSink): ProtocolParser;
}
