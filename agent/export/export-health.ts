/**
 * Whether export is degraded, from the exporter's own counters: the collector has taken nothing
 * for longer than a threshold while records wait (unreachable, refusing), or the queue was full
 * (records dropped as `queue_full`) within that threshold. Polled — by /readyz, by a scrape and by
 * a timer — so that it costs nothing on the capture path.
 */
import type { OtlpExporterStats } from './otlp/export-books';

export interface ExportHealthState {
  readonly degraded: boolean;
  /** Why, when degraded: one short sentence for /readyz and the log. */
  readonly reason?: string;
}

export class ExportHealth {
  private lastProgressMs: number;
  private lastExported = 0;
  private lastQueueFull = 0;
  private queueFullAtMs: number | undefined;
  private state: ExportHealthState = { degraded: false };

  constructor(
    private readonly stats: () => OtlpExporterStats,
    /** Collector silence (while records wait) and queue-full recency that count as degraded. */
    private readonly thresholdMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.lastProgressMs = now();
  }

  /** Reads the counters and returns the state; call it often. */
  check(): ExportHealthState {
    const stats = this.stats();
    const now = this.now();
    const waiting = stats.queueDepth + stats.inFlight;
    // Progress: the collector took records, or nothing waits for it.
    if (stats.exported > this.lastExported || waiting === 0) this.lastProgressMs = now;
    this.lastExported = stats.exported;
    if (stats.dropped.queueFull > this.lastQueueFull) this.queueFullAtMs = now;
    const queueFullDropped = stats.dropped.queueFull - this.lastQueueFull;
    this.lastQueueFull = stats.dropped.queueFull;

    const silentMs = now - this.lastProgressMs;
    if (silentMs > this.thresholdMs) {
      this.state = {
        degraded: true,
        reason: `collector unreachable: nothing exported for ${Math.round(silentMs / 1000)}s while ${waiting} records wait`,
      };
    } else if (this.queueFullAtMs !== undefined && now - this.queueFullAtMs <= this.thresholdMs) {
      const dropped = queueFullDropped > 0 ? queueFullDropped : stats.dropped.queueFull;
      this.state = { degraded: true, reason: `export queue full: records dropped (${dropped} queue_full so far)` };
    } else {
      this.state = { degraded: false };
    }
    return this.state;
  }

  /** The state of the last check. */
  get current(): ExportHealthState {
    return this.state;
  }
}
