/**
 * The OpenTelemetry SDK side of the exporter, built from resolved settings: the SDK's
 * BatchLogRecordProcessor (queue, batch size, scheduled delay, export timeout, flush, shutdown)
 * → CountingLogRecordExporter → RetryingLogRecordExporter → ReconnectingLogRecordExporter (a
 * fresh channel after the collector was unreachable) → the SDK's OTLP/gRPC exporter
 * (OTLPExporterBase over the gRPC export delegate: transport, compression, deadlines, partial
 * success), assembled as the SDK's OTLPLogExporter is but with plaintap's serializer, because
 * records arrive already encoded (log-record-encoder.ts). The same pipeline runs on the main
 * thread or in the export worker.
 */
import type { InstrumentationScope } from '@opentelemetry/core';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { OTLPExporterBase, type CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import {
  convertLegacyOtlpGrpcOptions,
  createEmptyMetadata,
  createInsecureCredentials,
  createOtlpGrpcExportDelegate,
  createSslCredentials,
} from '@opentelemetry/otlp-grpc-exporter-base';
import { defaultResource, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import {
  BatchLogRecordProcessor,
  type LogRecordExporter,
  type ReadableLogRecord,
  type SdkLogRecord,
} from '@opentelemetry/sdk-logs';
import { CountingLogRecordExporter } from './counting-log-record-exporter';
import type { EncodedLogRecord } from './encoded-log-record';
import type { ExportProgress } from './export-books';
import { LogsRequestSerializer } from './logs-request-serializer';
import type { OtlpExportSettings } from './otlp-export-settings';
import { ReconnectingLogRecordExporter } from './reconnecting-log-record-exporter';
import { RetryingLogRecordExporter } from './retrying-log-record-exporter';
import { INSTRUMENTATION_SCOPE } from './semantic-attributes';

export interface OtlpSdkPipeline {
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
  readonly counting: CountingLogRecordExporter;
  readonly retrying: RetryingLogRecordExporter;
  /** One encoded record into the batch queue. */
  emit(record: EncodedLogRecord): void;
  /** What the exporter has done so far (counted by `counting` and `retrying`). */
  progress(): ExportProgress;
  forceFlush(): Promise<void>;
  /** Flushes, then closes the exporter. */
  shutdown(): Promise<void>;
}

export interface OtlpSdkPipelineHooks {
  /** Replaces the OTLP/gRPC exporter (tests, or another transport); counting and retries still apply. */
  readonly exporter?: LogRecordExporter;
  /** An export failed after retries (every time; the caller decides what to log). */
  readonly onFailure?: (error: Error | undefined, records: number) => void;
  /** Records were handed to the exporter or answered: the queue moved. */
  readonly onProgress?: () => void;
}

const GRPC_SERVICE = 'LogsExportService';
const GRPC_PATH = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';
/** The SDK's component type for its OTLP/gRPC log exporter (self-observability metrics). */
const COMPONENT_TYPE = 'otlp_grpc_log_exporter';

function createGrpcExporter(settings: OtlpExportSettings, serializer: LogsRequestSerializer): LogRecordExporter {
  const { connection, tls } = settings;
  const credentials = connection.insecure
    ? createInsecureCredentials()
    : createSslCredentials(
        tls.ca !== undefined ? Buffer.from(tls.ca) : undefined,
        tls.key !== undefined ? Buffer.from(tls.key) : undefined,
        tls.cert !== undefined ? Buffer.from(tls.cert) : undefined,
      );
  const metadata = createEmptyMetadata();
  for (const [key, value] of Object.entries(connection.headers)) metadata.set(key, value);
  const options = convertLegacyOtlpGrpcOptions(
    {
      url: connection.endpoint,
      credentials,
      metadata,
      // CompressionAlgorithm is a string enum of exactly these two values.
      compression: connection.compression as CompressionAlgorithm,
      timeoutMillis: connection.timeoutMillis,
    },
    'LOGS',
  );
  const serialize = {
    serializeRequest(records: ReadableLogRecord[]): Uint8Array | undefined {
      // Only encoded records enter this pipeline (emit takes nothing else).
      return serializer.serializeRequest(records as EncodedLogRecord[]);
    },
    deserializeResponse: (data: Uint8Array) => ProtobufLogsSerializer.deserializeResponse(data),
  };
  const metricsHelper = { name: 'log' as const, countItems: (records: ReadableLogRecord[]) => records.length };
  return new OTLPExporterBase<ReadableLogRecord[]>(
    createOtlpGrpcExportDelegate(options, serialize, COMPONENT_TYPE, metricsHelper, undefined, GRPC_SERVICE, GRPC_PATH),
  );
}

export function createOtlpSdkPipeline(settings: OtlpExportSettings, hooks: OtlpSdkPipelineHooks = {}): OtlpSdkPipeline {
  const resource = defaultResource().merge(resourceFromAttributes(settings.resourceAttributes));
  const scope: InstrumentationScope = { name: INSTRUMENTATION_SCOPE, version: settings.version };
  const serializer = new LogsRequestSerializer(resource, scope);
  const retrying = new RetryingLogRecordExporter(
    hooks.exporter ?? new ReconnectingLogRecordExporter(() => createGrpcExporter(settings, serializer)),
    settings.retry,
    settings.exportTimeoutMillis,
  );
  const counting = new CountingLogRecordExporter(
    retrying,
    hooks.onFailure,
    hooks.onProgress,
    (record) => (record as EncodedLogRecord).encoded.length,
  );
  const processor = new BatchLogRecordProcessor({
    exporter: counting,
    maxQueueSize: settings.maxQueueSize,
    maxExportBatchSize: settings.maxExportBatchSize,
    ...(settings.scheduledDelayMillis !== undefined ? { scheduledDelayMillis: settings.scheduledDelayMillis } : {}),
    exportTimeoutMillis: settings.exportTimeoutMillis,
  });
  return {
    resource,
    scope,
    counting,
    retrying,
    // The batch processor queues the record and reads its resource; nothing else of an SdkLogRecord.
    emit: (record) => processor.onEmit(record as unknown as SdkLogRecord),
    progress: () => {
      const c = counting.counters;
      return {
        handed: c.handed,
        handedBytes: c.handedBytes,
        exported: c.exported,
        failed: c.failed,
        calls: c.calls,
        failedCalls: c.failedCalls,
        retries: retrying.retries,
      };
    },
    forceFlush: () => processor.forceFlush(),
    shutdown: () => processor.shutdown(),
  };
}
