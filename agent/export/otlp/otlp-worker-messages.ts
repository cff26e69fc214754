/**
 * What the main thread and the OTLP export worker tell each other. Records cross already encoded
 * (log-record-encoder.ts): a batch is one buffer of consecutive `LogRecord` messages and where
 * each ends, and the buffer is transferred, not copied.
 */
import type { ExportProgress } from './export-books';

export interface RecordsMessage {
  readonly type: 'records';
  /** `LogRecord` messages back to back; record i is bytes[ends[i-1] ?? 0, ends[i]). */
  readonly bytes: Uint8Array;
  readonly ends: readonly number[];
}

export interface FlushMessage {
  readonly type: 'flush';
  readonly id: number;
  readonly timeoutMillis: number;
}

export interface ShutdownMessage {
  readonly type: 'shutdown';
  readonly deadlineMs: number;
}

export type ToWorker = RecordsMessage | FlushMessage | ShutdownMessage;

export type FromWorker =
  /** The SDK side moved (records handed over or answered). */
  | { readonly type: 'progress'; readonly progress: ExportProgress }
  /** The first export failure of the run (later ones are only counted). */
  | { readonly type: 'failure'; readonly message: string; readonly records: number }
  | { readonly type: 'flushed'; readonly id: number; readonly progress: ExportProgress }
  /** Shutdown finished (`done`) or its deadline passed; the progress is final. */
  | { readonly type: 'closed'; readonly done: boolean; readonly progress: ExportProgress };
