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
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import type { AnyValueMap, Logger as OtelLogger, SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import type { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import {
  createEmptyMetadata,
  createInsecureCredentials,
  createSslCredentials,
} from '@opentelemetry/otlp-grpc-exporter-base';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { Logger } from '../../log';
import type { RecordSink } from '../../protocols/protocol';
import { VERSION } from '../../version';
import { CountingLogRecordExporter } from './counting-log-record-exporter';
import { createLogRecordMapper, type LogRecordMappingOptions, type MappableRecord } from './log-record-mapping';
import { resolveOtlpConnection, type OtlpConnectionOptions, type ResolvedOtlpConnection } from './otlp-exporter-config';
import { resolveResourceAttributes, type ResourceOptions } from './resource-attributes';
import { DEFAULT_RETRY, RetryingLogRecordExporter, type RetryOptions } from './retrying-log-record-exporter';
import { INSTRUMENTATION_SCOPE } from './semantic-attributes';

export interface OtlpBatchOptions {
  /** Records waiting for export before new ones are dropped (counted). Default 2048. */
  readonly maxQueueSize?: number;
  /** Records per export call. Default 512 (at most maxQueueSize). */
  readonly maxExportBatchSize?: number;
  /** Longest wait before a partial batch is sent, ms. Default 1000. */
  readonly scheduledDelayMillis?: number;
  /** Deadline the batch processor gives one export, retries included, ms. Default 30000. */
  readonly exportTimeoutMillis?: number;
  /** Retries of transient gRPC failures (UNAVAILABLE, …) within exportTimeoutMillis; false: none. */
  readonly retry?: RetryOptions | false;
}

export interface OtlpLogExporterOptions extends OtlpConnectionOptions, OtlpBatchOptions {
  readonly resource?: ResourceOptions;
  readonly mapping?: LogRecordMappingOptions;
  /** The environment to read OTEL_* variables from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Diagnostics (config warnings, first export failure of a run). */
  readonly logger?: Logger;
  /** Replaces the OTLP/gRPC exporter (tests, or another transport); counting still applies. */
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
}

export interface OtlpLogExporter extends RecordSink {
  /** True once configured (construction succeeded) and until shutdown begins. */
  readonly ready: boolean;
  /** The connection settings in force (for a startup log line; headers' values are not secret-safe). */
  readonly connection: ResolvedOtlpConnection;
  readonly resourceAttributes: Readonly<Record<string, string | number | boolean>>;
  emit(record: MappableRecord): void;
  stats(): OtlpExporterStats;
  /** Exports everything queued; resolves when the exports are answered or `timeoutMillis` passed. */
  forceFlush(timeoutMillis?: number): Promise<void>;
  /**
   * Flushes, then closes; never takes longer than `deadlineMs`. Records still queued or
   * unanswered then count as dropped (shutdown), and the stats are final from then on.
   */
  shutdown(deadlineMs?: number): Promise<void>;
}

const DEFAULT_MAX_QUEUE_SIZE = 2048;
const DEFAULT_MAX_EXPORT_BATCH_SIZE = 512;
const DEFAULT_SHUTDOWN_DEADLINE_MS = 5000;
const DEFAULT_EXPORT_TIMEOUT_MILLIS = 30_000;

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(`OTLP exporter: cannot read the ${what} ${path}: ${(error as Error).message}`);
  }
}

function createGrpcExporter(connection: ResolvedOtlpConnection): OTLPLogExporter {
  const credentials = connection.insecure
    ? createInsecureCredentials()
    : createSslCredentials(
        connection.certificate !== undefined ? readPem(connection.certificate, 'CA certificate') : undefined,
        connection.clientKey !== undefined ? readPem(connection.clientKey, 'client key') : undefined,
        connection.clientCertificate !== undefined ? readPem(connection.clientCertificate, 'client certificate') : undefined,
      );
  const metadata = createEmptyMetadata();
  for (const [key, value] of Object.entries(connection.headers)) metadata.set(key, value);
  return new OTLPLogExporter({
    url: connection.endpoint,
    credentials,
    metadata,
    // CompressionAlgorithm is a string enum of exactly these two values.
    compression: connection.compression as CompressionAlgorithm,
    timeoutMillis: connection.timeoutMillis,
  });
}

function withDeadline(promise: Promise<void>, ms: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(true);
      },
    );
  });
}

export function createOtlpLogExporter(options: OtlpLogExporterOptions = {}): OtlpLogExporter {
  const env = options.env ?? process.env;
  const log = options.logger;
  const connection = resolveOtlpConnection(options, env);
  for (const warning of connection.warnings) log?.warn('otlp: setting ignored', { reason: warning });

  const resourceWarnings: string[] = [];
  const version = VERSION;
  const resourceAttributes = resolveResourceAttributes(
    options.resource ?? {},
    { hostName: os.hostname(), serviceVersion: version },
    env,
    resourceWarnings,
  );
  for (const warning of resourceWarnings) log?.warn('otlp: resource attribute ignored', { reason: warning });

  const maxQueueSize = options.maxQueueSize ?? DEFAULT_MAX_QUEUE_SIZE;
  const maxExportBatchSize = Math.min(options.maxExportBatchSize ?? DEFAULT_MAX_EXPORT_BATCH_SIZE, maxQueueSize);

  const exportTimeoutMillis = options.exportTimeoutMillis ?? DEFAULT_EXPORT_TIMEOUT_MILLIS;
  const retrying = new RetryingLogRecordExporter(
    options.exporter ?? createGrpcExporter(connection),
    options.retry === false ? { ...DEFAULT_RETRY, maxAttempts: 1 } : { ...DEFAULT_RETRY, ...options.retry },
    exportTimeoutMillis,
  );

  let loggedFailure = false;
  const counting = new CountingLogRecordExporter(retrying, (error, records) => {
    if (loggedFailure) return;
    loggedFailure = true; // once per run; the metrics count every one
    log?.warn('otlp: export failed (further failures are only counted)', {
      endpoint: connection.endpoint,
      records,
      error: error?.message ?? 'unknown',
    });
  });

  const provider = new LoggerProvider({
    resource: defaultResource().merge(resourceFromAttributes(resourceAttributes)),
    processors: [
      new BatchLogRecordProcessor({
        exporter: counting,
        maxQueueSize,
        maxExportBatchSize,
        ...(options.scheduledDelayMillis !== undefined ? { scheduledDelayMillis: options.scheduledDelayMillis } : {}),
        exportTimeoutMillis,
      }),
    ],
  });
  const otelLogger: OtelLogger = provider.getLogger(INSTRUMENTATION_SCOPE, version);
  const mapper = createLogRecordMapper(options.mapping ?? {});

  let received = 0;
  let accepted = 0;
  let droppedQueueFull = 0;
  let droppedShutdown = 0;
  let droppedMapping = 0;
  let loggedMappingError = false;
  let shuttingDown = false;
  let shutdownOnce: Promise<void> | undefined;

  // Frozen when shutdown ends: late export answers no longer change the books.
  let final: { exported: number; failed: number; calls: number; failedCalls: number } | undefined;
  const queueDepth = (): number => (final ? 0 : Math.max(0, accepted - counting.counters.handed));
  const inFlight = (): number => {
    const c = counting.counters;
    return final ? 0 : Math.max(0, c.handed - c.exported - c.failed);
  };

  async function shutdownNow(deadlineMs: number): Promise<void> {
    shuttingDown = true;
    const done = await withDeadline(provider.shutdown(), deadlineMs);
    if (!done) retrying.abandon();
    // Whatever is still queued or unanswered now is lost: count it, then freeze the books.
    const left = queueDepth() + inFlight();
    const { exported, failed, calls, failedCalls } = counting.counters;
    final = { exported, failed, calls, failedCalls };
    droppedShutdown += left;
    if (left > 0) {
      log?.warn('otlp: records not exported at shutdown', { records: left, deadlineMs, deadlinePassed: !done });
    }
  }

  return {
    get ready() {
      return !shuttingDown;
    },
    connection,
    resourceAttributes,

    emit(record) {
      received += 1;
      if (shuttingDown) {
        droppedShutdown += 1;
        return;
      }
      // Refuse before the SDK would drop silently.
      if (queueDepth() >= maxQueueSize) {
        droppedQueueFull += 1;
        return;
      }
      let mapped;
      try {
        mapped = mapper.map(record);
      } catch (error) {
        droppedMapping += 1;
        if (!loggedMappingError) {
          loggedMappingError = true;
          log?.error('otlp: record could not be mapped (further ones are only counted)', {
            kind: record.kind,
            error: (error as Error).message,
          });
        }
        return;
      }
      let context: Context = ROOT_CONTEXT;
      if (mapped.traceContext) {
        context = trace.setSpanContext(ROOT_CONTEXT, {
          traceId: mapped.traceContext.traceId,
          spanId: mapped.traceContext.spanId,
          traceFlags: mapped.traceContext.traceFlags,
          isRemote: true,
        });
      }
      accepted += 1;
      otelLogger.emit({
        eventName: mapped.eventName,
        timestamp: mapped.timestamp,
        severityNumber: mapped.severityNumber as SeverityNumber,
        severityText: mapped.severityText,
        body: mapped.body,
        attributes: mapped.attributes as AnyValueMap,
        context,
      });
    },

    stats() {
      const counters = final ?? counting.counters;
      return {
        received,
        accepted,
        dropped: { queueFull: droppedQueueFull, shutdown: droppedShutdown, mappingError: droppedMapping },
        exported: counters.exported,
        failed: counters.failed,
        exportCalls: counters.calls,
        exportFailures: counters.failedCalls,
        exportRetries: retrying.retries,
        queueDepth: queueDepth(),
        inFlight: inFlight(),
        maxQueueSize,
      };
    },

    async forceFlush(timeoutMillis = 30_000) {
      await withDeadline(provider.forceFlush({ timeoutMillis }), timeoutMillis);
    },

    shutdown(deadlineMs = DEFAULT_SHUTDOWN_DEADLINE_MS) {
      shutdownOnce ??= shutdownNow(deadlineMs);
      return shutdownOnce;
    },
  };
}
