/**
 * The OTLP exporter's books, wherever its SDK side runs: records received, accepted into the
 * queue and refused (by reason), and the SDK side's progress (handed to the exporter, answered),
 * which gives the queue's depth, in records and in encoded bytes. A record is refused, counted,
 * before the SDK's own queue would drop it silently, or when its bytes would take the queue past
 * its byte budget; at shutdown whatever is still unanswered is counted as dropped and the books
 * are frozen.
 */
import type { ExporterStatsSnapshot } from '../../metrics/metrics-sources';

/** Counters since start; all monotonic except the two depths. */
export interface OtlpExporterStats {
  /** `emit` calls. */
  readonly received: number;
  /** Records queued into the SDK. */
  readonly accepted: number;
  readonly dropped: {
    /** The batch queue was full. */
    readonly queueFull: number;
    /** Emitted after shutdown began, or still queued when the shutdown deadline passed. */
    readonly shutdown: number;
    /** The record could not be mapped (a bug: logged once). */
    readonly mappingError: number;
  };
  /** Records the collector acknowledged. */
  readonly exported: number;
  /** Records in exports that failed after retries. */
  readonly failed: number;
  readonly exportCalls: number;
  readonly exportFailures: number;
  /** Failed attempts that were retried (a retried export that then succeeds is no failure). */
  readonly exportRetries: number;
  /** Records accepted and not yet handed to the exporter (a batch being prepared included). */
  readonly queueDepth: number;
  /** Records handed to the exporter and not answered yet. */
  readonly inFlight: number;
  readonly maxQueueSize: number;
  /** Encoded bytes accepted and not yet handed to the exporter, and their bound. */
  readonly queueBytes: number;
  readonly maxQueueBytes: number;
}

/** What the SDK side reports: monotonic counters. */
export interface ExportProgress {
  /** Records the batch processor took off its queue and handed to the exporter. */
  readonly handed: number;
  /** Their encoded bytes. */
  readonly handedBytes: number;
  /** Records in exports that succeeded / failed after retries. */
  readonly exported: number;
  readonly failed: number;
  /** Export calls, and those that failed. */
  readonly calls: number;
  readonly failedCalls: number;
  /** Failed attempts that were retried. */
  readonly retries: number;
}

export const NO_PROGRESS: ExportProgress = {
  handed: 0,
  handedBytes: 0,
  exported: 0,
  failed: 0,
  calls: 0,
  failedCalls: 0,
  retries: 0,
};

export class ExportBooks {
  received = 0;
  accepted = 0;
  /** Encoded bytes of the accepted records. */
  acceptedBytes = 0;
  droppedQueueFull = 0;
  droppedShutdown = 0;
  droppedMapping = 0;
  /** Set when shutdown begins: records are refused from then on. */
  shuttingDown = false;
  private final: ExportProgress | undefined;
  private roomWaiters: Array<() => void> = [];

  constructor(
    readonly maxQueueSize: number,
    /** The SDK side's latest counters (possibly behind the truth, never ahead of it). */
    private readonly progress: () => ExportProgress,
    readonly maxQueueBytes = Number.POSITIVE_INFINITY,
  ) {}

  /** Accepted and not yet handed to the exporter (a batch being prepared included). */
  queueDepth(): number {
    return this.final ? 0 : Math.max(0, this.accepted - this.progress().handed);
  }

  /** Encoded bytes accepted and not yet handed to the exporter. */
  queueBytes(): number {
    return this.final ? 0 : Math.max(0, this.acceptedBytes - this.progress().handedBytes);
  }

  /** Handed to the exporter and not answered yet. */
  inFlight(): number {
    if (this.final) return 0;
    const p = this.progress();
    return Math.max(0, p.handed - p.exported - p.failed);
  }

  /** Counts the record and says whether it may be queued (else it was counted as dropped). */
  admit(): boolean {
    this.received += 1;
    if (this.shuttingDown) {
      this.droppedShutdown += 1;
      return false;
    }
    if (this.queueDepth() >= this.maxQueueSize) {
      this.droppedQueueFull += 1;
      return false;
    }
    return true;
  }

  /**
   * An admitted record, once encoded: accepted when its bytes fit the byte budget, else counted
   * as dropped (queue full) and the caller forgets it.
   */
  accept(bytes: number): boolean {
    if (this.queueBytes() + bytes > this.maxQueueBytes) {
      this.droppedQueueFull += 1;
      return false;
    }
    this.accepted += 1;
    this.acceptedBytes += bytes;
    return true;
  }

  /** Undefined while at least half the queue is free, else a promise resolved once it is. */
  waitForRoom(): Promise<void> | undefined {
    if (this.hasRoom()) return undefined;
    return new Promise<void>((resolve) => this.roomWaiters.push(resolve));
  }

  /** The SDK side moved: wake the sources waiting for room. */
  progressed(): void {
    if (this.roomWaiters.length === 0 || !this.hasRoom()) return;
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }

  beginShutdown(): void {
    this.shuttingDown = true;
    this.progressed();
  }

  /** Counts everything still queued or unanswered as dropped (shutdown), freezes the books, returns that count. */
  close(): number {
    if (this.final) return 0;
    const left = this.queueDepth() + this.inFlight();
    this.final = this.progress();
    this.droppedShutdown += left;
    return left;
  }

  stats(): OtlpExporterStats {
    const p = this.final ?? this.progress();
    return {
      received: this.received,
      accepted: this.accepted,
      dropped: { queueFull: this.droppedQueueFull, shutdown: this.droppedShutdown, mappingError: this.droppedMapping },
      exported: p.exported,
      failed: p.failed,
      exportCalls: p.calls,
      exportFailures: p.failedCalls,
      exportRetries: p.retries,
      queueDepth: this.queueDepth(),
      inFlight: this.inFlight(),
      maxQueueSize: this.maxQueueSize,
      queueBytes: this.queueBytes(),
      maxQueueBytes: this.maxQueueBytes,
    };
  }

  private hasRoom(): boolean {
    return (
      this.shuttingDown || (this.queueDepth() <= this.maxQueueSize / 2 && this.queueBytes() <= this.maxQueueBytes / 2)
    );
  }
}

/** The OTLP exporter's counters in the shape the metrics registry reads (exporter="otlp"). */
export function otlpExporterStatsSnapshot(stats: OtlpExporterStats, exporter = 'otlp'): ExporterStatsSnapshot {
  return {
    exporter,
    exported: stats.exported,
    exportFailures: stats.exportFailures,
    failedRecords: stats.failed,
    exportRetries: stats.exportRetries,
    dropped: {
      queue_full: stats.dropped.queueFull,
      shutdown: stats.dropped.shutdown,
      mapping_error: stats.dropped.mappingError,
    },
    queueDepth: stats.queueDepth,
    queueCapacity: stats.maxQueueSize,
    queueBytes: stats.queueBytes,
    queueBytesCapacity: stats.maxQueueBytes,
  };
}
