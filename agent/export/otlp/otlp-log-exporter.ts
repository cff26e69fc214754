/**
 * The OTLP exporter: a RecordSink that maps each output record to one OpenTelemetry log record,
 * encodes it (log-record-encoder.ts) and hands it to an export backend that batches it and ships
 * it over OTLP/gRPC. One exporter keeps the books (export-books.ts) whichever backend runs the SDK
 * side: in this thread (createOtlpLogExporter, below) or in a worker thread
 * (threaded-otlp-log-exporter.ts, the agent's default).
 *
 * The SDK's batch queue drops silently when full. The books count the records in that queue
 * (accepted here minus handed to the exporter there) and refuse a record, counted, before the SDK
 * would drop it; export failures are counted from the exporter's result codes, after transient
 * gRPC failures were retried with backoff (RetryingLogRecordExporter). Nothing here waits for the
 * collector: the exporter is ready once constructed, and a collector that is down shows as export
 * failures.
 */
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { Logger } from '../../log';
import type { RecordSink } from '../../protocols/protocol';
import { EncodedLogRecord } from './encoded-log-record';
import { ExportBooks, NO_PROGRESS, type ExportProgress, type OtlpExporterStats } from './export-books';
import { LogRecordEncoder } from './log-record-encoder';
import {
  createLogRecordMapper,
  type LogAttributes,
  type LogRecordMappingOptions,
  type MappableRecord,
  type MappedLogRecordHead,
} from './log-record-mapping';
import type { ResolvedOtlpConnection } from './otlp-exporter-config';
import {
  resolveOtlpExportSettings,
  type OtlpExportSettings,
  type OtlpExportSettingsOptions,
} from './otlp-export-settings';
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

/**
 * Where the exporter's encoded records go: the SDK pipeline in this thread, or the export worker.
 * The exporter encodes each admitted record into `writer()`, then calls `enqueue`.
 */
export interface ExportBackend {
  /** The buffer the next record is encoded into (the exporter rewinds it when the record is refused). */
  writer(): ProtobufWriter;
  /** The record encoded at writer()[start, pos) was accepted: queue it for export. */
  enqueue(start: number, record: MappableRecord, head: MappedLogRecordHead, observedMillis: number): void;
  /** The SDK side's counters so far (possibly behind the truth, never ahead of it). */
  progress(): ExportProgress;
  /** Exports everything queued; resolves when answered or `timeoutMillis` passed. */
  flush(timeoutMillis: number): Promise<void>;
  /** Flushes and closes within `deadlineMs`; resolves true when everything was answered in time. */
  shutdown(deadlineMs: number): Promise<boolean>;
  /** Frees what the backend holds, after the books were closed. */
  release(): Promise<void>;
}

/** What a backend may tell the exporter and read from its books. */
export interface ExportBackendHooks {
  readonly books: ExportBooks;
  /** An export failed (logged the first time only). */
  readonly failed: (message: string, records: number) => void;
}

/** The one exporter: books, encoding and shutdown, over the backend `createBackend` makes. */
export function createBookkeepingExporter(
  settings: OtlpExportSettings,
  options: Pick<OtlpLogExporterOptions, 'mapping' | 'logger'>,
  createBackend: (hooks: ExportBackendHooks) => ExportBackend,
): OtlpLogExporter {
  const log = options.logger;
  // The books read the backend's progress; the backend reports to the books: made in that order.
  let progress = (): ExportProgress => NO_PROGRESS;
  const books = new ExportBooks(settings.maxQueueSize, () => progress(), settings.maxQueueBytes);
  const sdk = createBackend({ books, failed: exportFailureLogger(log, settings.connection.endpoint) });
  progress = () => sdk.progress();
  const encoder = new LogRecordEncoder(options.mapping ?? {});
  const mappingFailed = mappingErrorLogger(log);
  let shutdownOnce: Promise<void> | undefined;

  async function shutdownNow(deadlineMs: number): Promise<void> {
    books.beginShutdown();
    const done = await sdk.shutdown(deadlineMs);
    // Whatever is still queued or unanswered now is lost: count it, then freeze the books.
    const left = books.close();
    if (left > 0)
      log?.warn('otlp: records not exported at shutdown', { records: left, deadlineMs, deadlinePassed: !done });
    await sdk.release();
  }

  return {
    get ready() {
      return !books.shuttingDown;
    },
    connection: settings.connection,
    resourceAttributes: settings.resourceAttributes,

    emit(record) {
      if (!books.admit()) return;
      const out = sdk.writer();
      const start = out.pos;
      const observedMillis = Date.now();
      let head: MappedLogRecordHead;
      try {
        head = encoder.encode(record, observedMillis, out);
      } catch (error) {
        out.pos = start;
        books.droppedMapping += 1;
        mappingFailed(record, error);
        return;
      }
      if (!books.accept(out.pos - start)) {
        out.pos = start;
        return;
      }
      sdk.enqueue(start, record, head, observedMillis);
    },

    stats: () => books.stats(),
    waitForRoom: () => books.waitForRoom(),
    forceFlush: (timeoutMillis = 30_000) => sdk.flush(timeoutMillis),

    shutdown(deadlineMs = DEFAULT_SHUTDOWN_DEADLINE_MS) {
      shutdownOnce ??= shutdownNow(deadlineMs);
      return shutdownOnce;
    },
  };
}

/** The exporter with its SDK side on the calling (main) thread. */
export function createOtlpLogExporter(options: OtlpLogExporterOptions = {}): OtlpLogExporter {
  const settings = resolveOtlpExportSettings(options, options.logger);
  return createBookkeepingExporter(settings, options, (hooks) => inProcessBackend(settings, options, hooks));
}

function inProcessBackend(
  settings: OtlpExportSettings,
  options: OtlpLogExporterOptions,
  { books, failed }: ExportBackendHooks,
): ExportBackend {
  // Loaded here, not at the top: with the default export worker (threaded-otlp-log-exporter.ts,
  // which imports this file) the capture thread never loads the SDK and its gRPC stack.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy, see above
  const { createOtlpSdkPipeline } = require('./otlp-sdk-pipeline') as typeof import('./otlp-sdk-pipeline');
  const pipeline = createOtlpSdkPipeline(settings, {
    ...(options.exporter ? { exporter: options.exporter } : {}),
    onFailure: (error, records) => failed(error?.message ?? 'unknown', records),
    onProgress: () => books.progressed(),
  });
  const mapper = createLogRecordMapper(options.mapping ?? {});
  // The gRPC exporter sends bytes; a given exporter may read the records' fields (and they keep the record alive).
  const readable = options.exporter !== undefined;
  // Records are encoded one after another into a chunk; each keeps a view of its bytes.
  let chunk = new ProtobufWriter(CHUNK_BYTES);

  return {
    writer() {
      if (chunk.pos > CHUNK_BYTES - CHUNK_SLACK) chunk = new ProtobufWriter(CHUNK_BYTES);
      return chunk;
    },
    enqueue(start, record, head, observedMillis) {
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
    progress: () => pipeline.progress(),
    async flush(timeoutMillis) {
      await withDeadline(pipeline.forceFlush(), timeoutMillis);
    },
    async shutdown(deadlineMs) {
      const done = await withDeadline(pipeline.shutdown(), deadlineMs);
      if (!done) pipeline.retrying.abandon();
      return done;
    },
    release: () => Promise.resolve(),
  };
}
