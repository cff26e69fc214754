/**
 * The OTLP exporter: a RecordSink that maps each output record to one OpenTelemetry log record
 * and ships it over OTLP/gRPC through the SDK (`LoggerProvider` → `BatchLogRecordProcessor` →
 * `OTLPLogExporter`).
 *
 * The SDK's batch queue drops silently when full. plaintap keeps its own count of records in that
 * queue (emitted into the SDK minus handed to the exporter, observed by a counting exporter) and
 * refuses a record itself, counted, before the SDK would drop it; export failures are counted
 * from the exporter's result codes, after transient gRPC failures were retried with backoff
 * (RetryingLogRecordExporter). Nothing here waits for the collector: the exporter is ready
 * once constructed, and a collector that is down shows as export failures.
 */
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { Logger } from '../../log';
import type { RecordSink } from '../../protocols/protocol';
import { encodeIntoQueue, ExportBooks, type ExportProgress } from './export-books';
import {
  createLogRecordMapper,
  type LogRecordMappingOptions,
  type LogAttributes,
  type MappableRecord,
} from './log-record-mapping';
import type { ResolvedOtlpConnection } from './otlp-exporter-config';
import { resolveOtlpExportSettings, type OtlpExportSettingsOptions } from './otlp-export-settings';
import { EncodedLogRecord } from './encoded-log-record';
import { LogRecordEncoder } from './log-record-encoder';
import { ProtobufWriter } from './protobuf-writer';
import { withDeadline } from './with-deadline';

export type { OtlpBatchOptions } from './otlp-export-settings';

export interface OtlpLogExporterOptions extends OtlpExportSettingsOptions {
  readonly mapping?: LogRecordMappingOptions;
  /** Diagnostics (config warnings, first export failure of a run). */
  readonly logger?: Logger;
  /** Replaces the OTLP/gRPC exporter (tests, or another transport); counting still applies. Main thread only. */
  readonly exporter?: LogRecordExporter;
}

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

export interface OtlpLogExporter extends RecordSink {
  /** True once configured (construction succeeded) and until shutdown begins. */
  readonly ready: boolean;
  /** The connection settings in force (for a startup log line; headers' values are not secret-safe). */
  readonly connection: ResolvedOtlpConnection;
  readonly resourceAttributes: Readonly<Record<string, string | number | boolean>>;
  emit(record: MappableRecord): void;
  stats(): OtlpExporterStats;
  /**
   * Backpressure for sources that can wait (a replay): undefined while at least half the queue
   * is free, else a promise that resolves once it is (or shutdown began).
   */
  waitForRoom(): Promise<void> | undefined;
  /** Exports everything queued; resolves when the exports are answered or `timeoutMillis` passed. */
  forceFlush(timeoutMillis?: number): Promise<void>;
  /**
   * Flushes, then closes; never takes longer than `deadlineMs`. Records still queued or
   * unanswered then count as dropped (shutdown), and the stats are final from then on.
   */
  shutdown(deadlineMs?: number): Promise<void>;
}

export const DEFAULT_SHUTDOWN_DEADLINE_MS = 5000;
/** Encoded records share chunks of this size; a record that makes a chunk grow is still fine. */
const CHUNK_BYTES = 64 * 1024;
const CHUNK_SLACK = 4 * 1024;

/** Logs the first mapping error of a run (a bug); the metrics count every one. */
export function mappingErrorLogger(log: Logger | undefined): (record: MappableRecord, error: unknown) => void {
  let logged = false;
  return (record, error) => {
    if (logged) return;
    logged = true;
    log?.error('otlp: record could not be mapped (further ones are only counted)', {
      kind: record.kind,
      error: (error as Error).message,
    });
  };
}

/** Logs the first export failure of a run; the metrics count every one. */
export function exportFailureLogger(
  log: Logger | undefined,
  endpoint: string,
): (message: string, records: number) => void {
  let logged = false;
  return (message, records) => {
    if (logged) return;
    logged = true;
    log?.warn('otlp: export failed (further failures are only counted)', { endpoint, records, error: message });
  };
}

/** The exporter with its SDK side on the calling (main) thread. */
export function createOtlpLogExporter(options: OtlpLogExporterOptions = {}): OtlpLogExporter {
  const log = options.logger;
  const settings = resolveOtlpExportSettings(options, log);
  const { connection } = settings;
  const failureLogged = exportFailureLogger(log, connection.endpoint);
  // Loaded here, not at the top: with the default export worker (threaded-otlp-log-exporter.ts,
  // which imports this file's helpers) the capture thread never loads the SDK and its gRPC stack.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy, see above
  const { createOtlpSdkPipeline } = require('./otlp-sdk-pipeline') as typeof import('./otlp-sdk-pipeline');
  const pipeline = createOtlpSdkPipeline(settings, {
    ...(options.exporter ? { exporter: options.exporter } : {}),
    onFailure: (error, records) => failureLogged(error?.message ?? 'unknown', records),
    onProgress: () => books.progressed(),
  });
  const progress = (): ExportProgress => {
    const c = pipeline.counting.counters;
    return {
      handed: c.handed,
      handedBytes: c.handedBytes,
      exported: c.exported,
      failed: c.failed,
      calls: c.calls,
      failedCalls: c.failedCalls,
      retries: pipeline.retrying.retries,
    };
  };
  const books = new ExportBooks(settings.maxQueueSize, progress, settings.maxQueueBytes);
  const mapper = createLogRecordMapper(options.mapping ?? {});
  const mappingFailed = mappingErrorLogger(log);
  const encoder = new LogRecordEncoder(options.mapping ?? {});
  // The gRPC exporter sends bytes; a given exporter may read the records' fields (and they keep the record alive).
  const readable = options.exporter !== undefined;
  // Records are encoded one after another into a chunk; each keeps a view of its bytes.
  let chunk = new ProtobufWriter(CHUNK_BYTES);
  let shutdownOnce: Promise<void> | undefined;

  async function shutdownNow(deadlineMs: number): Promise<void> {
    books.beginShutdown();
    const done = await withDeadline(pipeline.shutdown(), deadlineMs);
    if (!done) pipeline.retrying.abandon();
    // Whatever is still queued or unanswered now is lost: count it, then freeze the books.
    const left = books.close();
    if (left > 0)
      log?.warn('otlp: records not exported at shutdown', { records: left, deadlineMs, deadlinePassed: !done });
  }

  return {
    get ready() {
      return !books.shuttingDown;
    },
    connection,
    resourceAttributes: settings.resourceAttributes,

    emit(record) {
      if (chunk.pos > CHUNK_BYTES - CHUNK_SLACK) chunk = new ProtobufWriter(CHUNK_BYTES);
      const start = chunk.pos;
      const observedMillis = Date.now();
      const head = encodeIntoQueue(books, encoder, record, observedMillis, chunk, mappingFailed);
      if (head === undefined) return;
      const bytes = chunk.bytes.subarray(start, chunk.pos);
      if (!readable) {
        pipeline.emit(new EncodedLogRecord(bytes, pipeline.resource, pipeline.scope));
        return;
      }
      // Readable fields for an exporter that looks at records: the attributes mapped again, only when asked.
      const attributes = (): LogAttributes => mapper.map(record).attributes;
      pipeline.emit(
        new EncodedLogRecord(bytes, pipeline.resource, pipeline.scope, { head, attributes, observedMillis }),
      );
    },

    stats: () => books.stats(),
    waitForRoom: () => books.waitForRoom(),

    async forceFlush(timeoutMillis = 30_000) {
      await withDeadline(pipeline.forceFlush(), timeoutMillis);
    },

    shutdown(deadlineMs = DEFAULT_SHUTDOWN_DEADLINE_MS) {
      shutdownOnce ??= shutdownNow(deadlineMs);
      return shutdownOnce;
    },
  };
}
