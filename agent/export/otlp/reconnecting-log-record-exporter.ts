/**
 * A fresh gRPC channel after the collector was unreachable, for the OTLP/gRPC exporter.
 *
 * grpc-js backs off between connection attempts of a channel (1 s growing ×1.6 up to 120 s), and
 * a call on a channel that is backing off fails at once without trying to connect. The SDK's gRPC
 * transport does not let us set `grpc.max_reconnect_backoff_ms`, so after a long collector outage
 * the channel kept failing for up to two minutes after the collector was back (memory bench:
 * first record 67 s after a 5-minute outage ended), the export queue full and dropping all the
 * while. This wrapper replaces the exporter (its channel) when an export fails with UNAVAILABLE
 * and the current one has lived `minLifetimeMillis`: the next attempt connects at once.
 */
import { ExportResultCode } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';

type ExportCallback = Parameters<LogRecordExporter['export']>[1];
type ExportResult = Parameters<ExportCallback>[0];

/** gRPC UNAVAILABLE: what a call gets when no connection can be made. */
const GRPC_UNAVAILABLE = 14;
/** At most one new channel this often (a collector refusing with UNAVAILABLE is not flooded with connections). */
export const DEFAULT_MIN_CHANNEL_LIFETIME_MILLIS = 5000;

export class ReconnectingLogRecordExporter implements LogRecordExporter {
  /** Exporters replaced so far. */
  reconnects = 0;
  private current: LogRecordExporter;
  private createdAt: number;

  constructor(
    private readonly create: () => LogRecordExporter,
    private readonly minLifetimeMillis = DEFAULT_MIN_CHANNEL_LIFETIME_MILLIS,
    private readonly now: () => number = Date.now,
  ) {
    this.current = create();
    this.createdAt = now();
  }

  export(logs: ReadableLogRecord[], resultCallback: ExportCallback): void {
    const exporter = this.current;
    exporter.export(logs, (result: ExportResult) => {
      if (result.code !== ExportResultCode.SUCCESS && isUnavailable(result.error)) this.replace(exporter);
      resultCallback(result);
    });
  }

  forceFlush(): Promise<void> {
    return this.current.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.current.shutdown();
  }

  private replace(failed: LogRecordExporter): void {
    // Another answer may have replaced it already; a young channel keeps its own backoff.
    if (failed !== this.current || this.now() - this.createdAt < this.minLifetimeMillis) return;
    this.current = this.create();
    this.createdAt = this.now();
    this.reconnects += 1;
    // Its export has been answered: nothing is pending on it. Closing it releases the channel.
    failed.shutdown().catch(() => undefined);
  }
}

function isUnavailable(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === GRPC_UNAVAILABLE;
}
