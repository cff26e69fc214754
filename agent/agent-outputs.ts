/**
 * Where records go: redacted once, then to the stdout writer (`--output`), to the OTLP
 * exporter (when an endpoint is configured) and to the statistics behind the metrics.
 *
 *   processor → RedactingSink → FanOutSink ─┬─ console / JSON / none (stops alone when stdout closes)
 *                                           ├─ OTLP exporter (sdk-logs, gRPC, in a worker thread)
 *                                           └─ ExchangeStats, TruncationStats, SourceStats
 */
import type { OtlpSettings, PlaintapConfig } from './config/plaintap-config';
import { FanOutSink } from './export/fan-out-sink';
import {
  createOtlpLogExporter,
  type OtlpLogExporter,
  type OtlpLogExporterOptions,
} from './export/otlp/otlp-log-exporter';
import { createThreadedOtlpLogExporter } from './export/otlp/threaded-otlp-log-exporter';
import { K8S_RESOURCE_ENV } from './export/otlp/resource-attributes';
import { createOutputSink } from './export/text/output-sink';
import { StdoutOutput, type ErrorReportingStream } from './export/text/stdout-output';
import type { Logger } from './log';
import { ExchangeStats } from './metrics/exchange-stats';
import { SourceStats } from './metrics/source-stats';
import { TruncationStats } from './metrics/truncation-stats';
import type { RecordSink } from './protocols/protocol';
import { RedactingSink } from './redaction/redacting-sink';
import { BodylessSink } from './redaction/without-bodies';
import { createRedactor, type DefaultRedactedHeader, type DefaultRedactedQueryKey } from './redaction/redactor';

export interface AgentOutputs {
  /** The processor's sink: redaction first, then every output. */
  readonly sink: RecordSink;
  /** Undefined when export is off (no endpoint). */
  readonly exporter: OtlpLogExporter | undefined;
  /** Undefined with `--output none`. */
  readonly stdout: StdoutOutput | undefined;
  readonly exchangeStats: ExchangeStats;
  readonly truncations: TruncationStats;
  /** Shell commands and database queries (counts, query durations). */
  readonly sourceStats: SourceStats;
}

export interface AgentOutputsOptions {
  readonly config: PlaintapConfig;
  readonly logger: Logger;
  readonly stdout: ErrorReportingStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Where the OTLP exporter's SDK side runs: a worker thread (default: encoding and gRPC beside
   * the capture thread), or the main thread (benchmarks comparing the two).
   */
  readonly exportThread?: 'worker' | 'main';
}

export function createAgentOutputs(options: AgentOutputsOptions): AgentOutputs {
  const { config, logger } = options;
  const redactor = createRedactor({
    headers: config.redaction.headers,
    queryKeys: config.redaction.queryKeys,
    // Validated against the defaults by the configuration.
    disableDefaultHeaders: config.redaction.disableDefaultHeaders as readonly DefaultRedactedHeader[],
    disableDefaultQueryKeys: config.redaction.disableDefaultQueryKeys as readonly DefaultRedactedQueryKey[],
  });
  const exchangeStats = new ExchangeStats();
  const truncations = new TruncationStats();
  const sourceStats = new SourceStats();
  const exporter =
    config.otlp && createExporter(config.otlp, config, logger, options.env, options.exportThread ?? 'worker');

  // Bodies leave by JSON or OTLP only when asked for (`--body-capture`); the console keeps its preview.
  const bodiesOff = (sink: RecordSink): RecordSink => (config.http.bodyExport ? sink : new BodylessSink(sink));
  const writer = createOutputSink(config.output, options.stdout);
  const stdout =
    config.output.format === 'none'
      ? undefined
      : new StdoutOutput(config.output.format === 'json' ? bodiesOff(writer) : writer, options.stdout, (code) =>
          logger.warn('stdout is closed: stdout output stopped; capture and export go on', { error: code }),
        );
  const sinks: RecordSink[] = stdout ? [stdout] : [];
  if (exporter) sinks.push(bodiesOff(exporter));
  sinks.push({
    emit(record) {
      exchangeStats.observe(record);
      truncations.observe(record);
      sourceStats.observe(record);
    },
  });
  const sink = new RedactingSink(redactor, new FanOutSink(sinks), { fullQueryText: config.db.queryText === 'full' });
  return { sink, exporter, stdout, exchangeStats, truncations, sourceStats };
}

/**
 * The exporter gets every setting from the configuration (which already applied
 * OTEL_EXPORTER_OTLP_*, OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES with plaintap's
 * precedence); of the environment it still reads the Kubernetes facts and the PROTOCOL variables
 * (plaintap speaks gRPC only, and says so when asked for another).
 */
function createExporter(
  otlp: OtlpSettings,
  config: PlaintapConfig,
  logger: Logger,
  env: Readonly<Record<string, string | undefined>>,
  thread: 'worker' | 'main',
): OtlpLogExporter {
  const passed = [...Object.keys(K8S_RESOURCE_ENV), 'OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_LOGS_PROTOCOL'];
  const exporterEnv: Record<string, string> = {};
  for (const name of passed) {
    const value = env[name];
    if (value !== undefined) exporterEnv[name] = value;
  }
  const options: OtlpLogExporterOptions = {
    endpoint: otlp.endpoint,
    headers: otlp.headers,
    compression: otlp.compression,
    timeoutMillis: otlp.timeoutMs,
    insecure: otlp.insecure,
    ...(otlp.certificate !== undefined ? { certificate: otlp.certificate } : {}),
    ...(otlp.clientKey !== undefined ? { clientKey: otlp.clientKey } : {}),
    ...(otlp.clientCertificate !== undefined ? { clientCertificate: otlp.clientCertificate } : {}),
    maxQueueSize: otlp.maxQueueSize,
    maxQueueBytes: otlp.maxQueueBytes,
    maxExportBatchSize: otlp.maxExportBatchSize,
    scheduledDelayMillis: otlp.scheduledDelayMs,
    exportTimeoutMillis: otlp.exportTimeoutMs,
    resource: { attributes: otlp.resourceAttributes },
    // The records arrive redacted (the RedactingSink is in front of every output).
    mapping: { requestHeaders: config.http.requestHeaders, responseHeaders: config.http.responseHeaders },
    env: exporterEnv,
    logger,
  };
  return thread === 'worker' ? createThreadedOtlpLogExporter(options) : createOtlpLogExporter(options);
}
