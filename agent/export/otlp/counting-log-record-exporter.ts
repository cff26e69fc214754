/**
 * A LogRecordExporter that forwards to another and counts what it sees: records handed over by
 * the batch processor, records the collector acknowledged, records of failed exports (after the
 * OTLP exporter's own retries). Together with the count of records emitted into the SDK this gives
 * the batch queue's depth, which the SDK does not expose.
 */
import { ExportResultCode } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';

type ExportCallback = Parameters<LogRecordExporter['export']>[1];
type ExportResult = Parameters<ExportCallback>[0];

export interface ExportCounters {
  /** Records the batch processor took off its queue and handed to the exporter. */
  handed: number;
  /** Their size (sizeOf), for the queue's byte budget. */
  handedBytes: number;
  /** Records in exports that succeeded. */
  exported: number;
  /** Records in exports that failed. */
  failed: number;
  /** Export calls (batches), and those that failed. */
  calls: number;
  failedCalls: number;
  /** The last export error, for diagnostics. */
  lastError?: Error;
}

export class CountingLogRecordExporter implements LogRecordExporter {
  readonly counters: ExportCounters = { handed: 0, handedBytes: 0, exported: 0, failed: 0, calls: 0, failedCalls: 0 };

  constructor(
    private readonly inner: LogRecordExporter,
    private readonly onFailure?: (error: Error | undefined, records: number) => void,
    /** Called after records were handed over or answered (the queue moved). */
    private readonly onProgress?: () => void,
    /** A record's size as the books count it (its encoded bytes). */
    private readonly sizeOf: (record: ReadableLogRecord) => number = () => 0,
  ) {}

  export(logs: ReadableLogRecord[], resultCallback: ExportCallback): void {
    const count = logs.length;
    const counters = this.counters;
    counters.handed += count;
    for (const log of logs) counters.handedBytes += this.sizeOf(log);
    counters.calls += 1;
    let answered = false;
    const finish = (result: ExportResult): void => {
      if (answered) return;
      answered = true;
      if (result.code === ExportResultCode.SUCCESS) {
        counters.exported += count;
      } else {
        counters.failed += count;
        counters.failedCalls += 1;
        if (result.error) counters.lastError = result.error;
        this.onFailure?.(result.error, count);
      }
      resultCallback(result);
      this.onProgress?.();
    };
    this.onProgress?.();
    try {
      this.inner.export(logs, finish);
    } catch (error) {
      finish({ code: 1, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}
