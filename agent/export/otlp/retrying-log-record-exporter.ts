/**
 * Retries of transient export failures, for the gRPC transport.
 *
 * @opentelemetry/otlp-grpc-exporter-base 0.223 reports every gRPC error as a plain failure (its
 * retrying transport only retries HTTP 429/502/503/504), so a collector that restarts would cost
 * a batch per refusal. The OTLP specification asks exporters to retry the transient codes with
 * exponential backoff; this wrapper does that, within the batch processor's export deadline, so
 * that a slow collector backs the queue up (and drops are counted there) instead of losing data.
 */
import { ExportResultCode } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';

type ExportCallback = Parameters<LogRecordExporter['export']>[1];
type ExportResult = Parameters<ExportCallback>[0];

/** gRPC status codes the OTLP specification lists as retryable. */
export const RETRYABLE_GRPC_CODES: ReadonlySet<number> = new Set([
  1, // CANCELLED
  4, // DEADLINE_EXCEEDED
  8, // RESOURCE_EXHAUSTED (retryable when the server can recover; we treat it so)
  10, // ABORTED
  11, // OUT_OF_RANGE
  14, // UNAVAILABLE
  15, // DATA_LOSS
]);

export interface RetryOptions {
  /** Attempts in all, the first included. Default 5; 1 disables retries. */
  readonly maxAttempts?: number;
  /** Wait before the first retry, ms. Default 1000; grows ×1.5 per retry, ±20 % jitter. */
  readonly initialBackoffMillis?: number;
  /** Longest wait between attempts, ms. Default 5000. */
  readonly maxBackoffMillis?: number;
}

export interface ResolvedRetryOptions {
  readonly maxAttempts: number;
  readonly initialBackoffMillis: number;
  readonly maxBackoffMillis: number;
}

export const DEFAULT_RETRY: ResolvedRetryOptions = {
  maxAttempts: 5,
  initialBackoffMillis: 1000,
  maxBackoffMillis: 5000,
};

/** True for an export error that a later attempt may not get: a retryable gRPC status. */
export function isRetryableExportError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' && RETRYABLE_GRPC_CODES.has(code);
}

export class RetryingLogRecordExporter implements LogRecordExporter {
  /** Attempts that failed and were retried. */
  retries = 0;
  private readonly timers = new Set<{ timer: NodeJS.Timeout; give: () => void }>();
  private closed = false;

  constructor(
    private readonly inner: LogRecordExporter,
    private readonly options: ResolvedRetryOptions,
    /** No retry is started later than this many ms after the export began. */
    private readonly deadlineMillis: number,
  ) {}

  export(logs: ReadableLogRecord[], resultCallback: ExportCallback): void {
    const started = Date.now();
    let backoff = this.options.initialBackoffMillis;
    let attempt = 1;
    const tryOnce = (): void => {
      this.inner.export(logs, (result: ExportResult) => {
        const retry =
          result.code !== ExportResultCode.SUCCESS &&
          !this.closed &&
          attempt < this.options.maxAttempts &&
          isRetryableExportError(result.error);
        if (!retry) {
          resultCallback(result);
          return;
        }
        const wait = Math.min(backoff * (0.8 + Math.random() * 0.4), this.options.maxBackoffMillis);
        if (Date.now() + wait - started >= this.deadlineMillis) {
          resultCallback(result);
          return;
        }
        backoff *= 1.5;
        attempt += 1;
        this.retries += 1;
        const entry = {
          timer: setTimeout(() => {
            this.timers.delete(entry);
            tryOnce();
          }, wait),
          give: () => resultCallback(result),
        };
        this.timers.add(entry);
      });
    };
    tryOnce();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  /** Stops retrying: exports waiting for a retry end now with their last failure. */
  abandon(): void {
    this.closed = true;
    for (const entry of this.timers) {
      clearTimeout(entry.timer);
      entry.give();
    }
    this.timers.clear();
  }

  shutdown(): Promise<void> {
    this.abandon();
    return this.inner.shutdown();
  }
}
