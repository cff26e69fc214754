/**
 * Where plaintap's metrics come from. Every stage keeps plain counters of its own (cheap integer
 * increments on its hot path) and exposes them as a snapshot; the metrics registry calls these
 * providers at scrape time only. A provider left out yields zeros (or no series, for labelled
 * metrics whose label values only the provider knows).
 *
 * Label values must come from small fixed sets (reasons, kinds, protocol names, library names):
 * never a pid, an address, a path or anything else from the captured traffic.
 */
import type { ExchangeDurationSnapshot } from './exchange-duration-histogram';
import type { HistogramSnapshot } from './snapshot-histogram-metric';
import type { DbQueryDurationLabel, SourceCountsSnapshot } from './source-stats';

import type { WorkerCloseReason } from '../processor/processor-stats';

/** Why a connection worker ended (the processor's lifecycle). */
export { WORKER_CLOSE_REASONS, type WorkerCloseReason } from '../processor/processor-stats';

/** Counts keyed by a bounded label value (a reason, a kind, a protocol name). */
export type CountsBy<K extends string = string> = Readonly<Partial<Record<K, number>>>;

/** The decoder of kernel records (user space side of the ring buffer). */
export interface CaptureStatsSnapshot {
  /** Records decoded, by kind (`data`, `close`, …). */
  readonly eventsReceived: CountsBy;
  /** Plaintext bytes received from the kernel (captured, not original length). */
  readonly bytesCaptured: number;
}

/** The native addon's and the kernel's counters. */
export interface NativeStatsSnapshot {
  /** Samples the kernel could not put in the ring buffer (ring full / reserve failed). */
  readonly kernelLostSamples: number;
  /** Data records the kernel emitted without fd and 5-tuple (socket not resolved). */
  readonly socketUnresolved?: number;
  /** Go (*tls.Conn).Read returns seen without their entry (entry evicted): reads not captured. */
  readonly goReadUnmatched?: number;
  /** Records dropped inside the addon, by reason (e.g. `batch_queue_full`). */
  readonly dropped: CountsBy;
  /** Times the ring reader paused for a full queue to JavaScript (records waited in the kernel ring). */
  readonly readerWaits?: number;
}

export interface ProcessorStatsSnapshot {
  /** Events dropped by the dispatcher or workers, by reason (e.g. `intake_full`, `worker_limit`). */
  readonly dropped: CountsBy;
  readonly liveWorkers: number;
  readonly workersOpened: number;
  readonly workersClosed: CountsBy<WorkerCloseReason>;
  /** Connection sweeps run (lost closes, idle maximum). */
  readonly connectionSweeps?: number;
  /** Messages or connections cut by a cap or a capture gap, by reason (e.g. `message_cap`). */
  readonly truncations: CountsBy;
  /** Connections the fallback took that a protocol claimed later, at a message start, by that protocol. */
  readonly redetections?: CountsBy;
}

export interface ProtocolStatsSnapshot {
  /** Parse errors, by protocol name (`http1`, `http2`, …). */
  readonly parseErrors: CountsBy;
  /** The same, by protocol and then reason (`bare-cr`, `invalid-frame`, …), for protocols that keep reasons. */
  readonly parseErrorsByReason?: Readonly<Record<string, CountsBy>>;
  /** Byte ranges skipped or refused while looking for a message start, and their bytes, by protocol. */
  readonly skippedRanges?: CountsBy;
  readonly skippedBytes?: CountsBy;
  /** HTTP/2 hostile or broken input, by event. */
  readonly http2Events?: CountsBy<Http2Event>;
}

export type Http2Event =
  | 'frame_error'
  | 'hpack_error'
  | 'stream_cap_drop'
  | 'rapid_reset'
  | 'empty_data_flood'
  | 'header_list_over_cap'
  | 'unknown_header';
export const HTTP2_EVENTS: readonly Http2Event[] = [
  'frame_error',
  'hpack_error',
  'stream_cap_drop',
  'rapid_reset',
  'empty_data_flood',
  'header_list_over_cap',
  'unknown_header',
];

/**
 * Exchanges emitted, by protocol name (ExchangeStats keeps these from the records themselves).
 * `late`: exchanges reported incomplete (timeout) earlier whose response came afterwards.
 */
export type ExchangeCountsSnapshot = Readonly<
  Record<string, { readonly complete: number; readonly incomplete: number; readonly late?: number }>
>;

/** One exporter (`otlp`, `console`): what left the agent and what did not. */
export interface ExporterStatsSnapshot {
  readonly exporter: string;
  /** Records delivered (acknowledged by the collector; written, for console). */
  readonly exported: number;
  /** Failed export calls (after retries). */
  readonly exportFailures: number;
  /** Records lost in failed exports. */
  readonly failedRecords: number;
  /** Failed attempts that were retried. */
  readonly exportRetries?: number;
  /** Records dropped before export, by reason (`queue_full`, `shutdown`, `mapping_error`). */
  readonly dropped: CountsBy;
  /** Records waiting in the export queue now. */
  readonly queueDepth: number;
  /** The queue's bound, when it has one. */
  readonly queueCapacity?: number;
  /** Encoded bytes waiting in the export queue now, and their bound (when the queue counts bytes). */
  readonly queueBytes?: number;
  readonly queueBytesCapacity?: number;
  /** Export degraded now (collector unreachable past a threshold, or queue full): 1, else 0. */
  readonly degraded?: boolean;
}

/** Probe attachment outcome for one TLS library. */
export interface AttachedTargetCount {
  /** `openssl`, `gnutls`, `nss`, `go`, … */
  readonly library: string;
  /** `attached`, `failed`, `skipped`. */
  readonly result: string;
  readonly count: number;
}

/** The key log and pcapng outputs (only when one of them is on). */
export interface CaptureFilesStatsSnapshot {
  /** TLS secret records by result: `read`, `unusable` (no line: unknown suite, secrets unset), `lost` (ring full), `layout_mismatch`. */
  readonly tlsSecrets: CountsBy;
  /** Distinct key lines (each session's secrets once), as written to the key log and the pcapng. */
  readonly keyLines: number;
  /** Packets for the pcapng by result: `written`, `lost` (ring full in the kernel), `unknown_interface`. */
  readonly pcapPackets: CountsBy;
}

export interface MetricsSources {
  readonly capture?: () => CaptureStatsSnapshot;
  readonly native?: () => NativeStatsSnapshot;
  readonly processor?: () => ProcessorStatsSnapshot;
  readonly protocols?: () => ProtocolStatsSnapshot;
  readonly exchanges?: () => ExchangeCountsSnapshot;
  readonly exporters?: () => readonly ExporterStatsSnapshot[];
  readonly attachedTargets?: () => readonly AttachedTargetCount[];
  readonly exchangeDurations?: () => ExchangeDurationSnapshot;
  readonly captureFiles?: () => CaptureFilesStatsSnapshot;
  /** Shell commands and database queries reported. */
  readonly sourceCounts?: () => SourceCountsSnapshot;
  readonly dbQueryDurations?: () => HistogramSnapshot<DbQueryDurationLabel>;
}
