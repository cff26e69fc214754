/**
 * The reference for pipeline throughput: the OpenTelemetry SDK alone (LoggerProvider →
 * BatchLogRecordProcessor → OTLPLogExporter over gRPC, the same settings plaintap uses) exporting
 * `count` log records shaped like plaintap's (the same event name, body and attributes as a real
 * mapped exchange) as fast as it can without dropping: emission pauses while more than half of
 * the batch queue is waiting, as a replay does.
 */
import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { AnyValueMap } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { createEmptyMetadata, createInsecureCredentials } from '@opentelemetry/otlp-grpc-exporter-base';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchLogRecordProcessor,
  LoggerProvider,
  type LogRecordExporter,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';

type ExportCallback = Parameters<LogRecordExporter['export']>[1];

export interface LogRecordTemplate {
  readonly eventName: string;
  readonly severityNumber: number;
  readonly severityText: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string | number | boolean | readonly string[]>>;
}

export interface SdkAloneOptions {
  readonly endpoint: string;
  readonly count: number;
  readonly template: LogRecordTemplate;
  readonly maxQueueSize?: number;
  readonly maxExportBatchSize?: number;
}

export interface SdkAloneResult {
  readonly records: number;
  readonly seconds: number;
  /** Process CPU (user + system) over the run, seconds. */
  readonly cpuSeconds: number;
}

/** Counts what the batch processor hands over, so that the producer knows the queue's depth. */
class HandOverCounter implements LogRecordExporter {
  handed = 0;
  private wake: (() => void) | undefined;

  constructor(private readonly inner: LogRecordExporter) {}

  export(logs: ReadableLogRecord[], callback: ExportCallback): void {
    this.handed += logs.length;
    this.wake?.();
    this.wake = undefined;
    this.inner.export(logs, callback);
  }

  nextHandOver(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

export async function runSdkAlone(options: SdkAloneOptions): Promise<SdkAloneResult> {
  const maxQueueSize = options.maxQueueSize ?? 2048;
  const counter = new HandOverCounter(
    new OTLPLogExporter({
      url: options.endpoint,
      credentials: createInsecureCredentials(),
      metadata: createEmptyMetadata(),
      timeoutMillis: 10_000,
    }),
  );
  const provider = new LoggerProvider({
    resource: defaultResource().merge(
      resourceFromAttributes({ 'service.name': 'plaintap-bench', 'host.name': 'bench' }),
    ),
    processors: [
      new BatchLogRecordProcessor({
        exporter: counter,
        maxQueueSize,
        maxExportBatchSize: options.maxExportBatchSize ?? 512,
      }),
    ],
  });
  const logger = provider.getLogger('plaintap', '0.0.0');
  const { template } = options;
  const attributes = template.attributes as AnyValueMap;
  const seconds0 = Math.floor(Date.now() / 1000);

  const cpu0 = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < options.count; i++) {
    while (i - counter.handed > maxQueueSize / 2) await counter.nextHandOver();
    logger.emit({
      eventName: template.eventName,
      timestamp: [seconds0, i],
      severityNumber: template.severityNumber,
      severityText: template.severityText,
      body: template.body,
      attributes,
      context: ROOT_CONTEXT,
    });
  }
  await provider.forceFlush();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  await provider.shutdown();
  return { records: options.count, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}
