/** The typed configuration the agent runs with, built from the effective option values. */
import type { CaptureSourceName } from '../capture/capture-source';
import type { CapturedSide } from '../export/side-filter-sink';
import type { LogLevel } from '../log';
import { parseMetricsAddress, type MetricsAddress } from '../metrics/metrics-address';
import type { ProtocolSettings } from '../protocols/protocol-list';
import type { EffectiveValue, KeyValues, ValueSource } from './option-spec';

export type OutputFormat = 'console' | 'json' | 'none';

export interface OtlpSettings {
  readonly endpoint: string;
  readonly headers: KeyValues;
  readonly compression: 'gzip' | 'none';
  readonly timeoutMs: number;
  readonly insecure: boolean;
  readonly certificate?: string;
  readonly clientKey?: string;
  readonly clientCertificate?: string;
  readonly maxQueueSize: number;
  readonly maxQueueBytes: number;
  readonly maxExportBatchSize: number;
  readonly scheduledDelayMs: number;
  readonly exportTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  readonly degradedAfterMs: number;
  /** Resource attributes from the configuration (service.name resolved; K8S_* are added by the exporter). */
  readonly resourceAttributes: KeyValues;
}

export interface PlaintapConfig {
  readonly capture: {
    readonly pids: readonly number[];
    readonly comms: readonly string[];
    /** cgroup v2 directories or cgroup paths (--cgroup). */
    readonly cgroups: readonly string[];
    /** openssl, bash, mysql, postgres. */
    readonly sources: readonly CaptureSourceName[];
    readonly opensslPaths: readonly string[];
    readonly bashPaths: readonly string[];
    readonly mysqlPaths: readonly string[];
    readonly postgresPaths: readonly string[];
    readonly rescanIntervalMs: number;
    /** Record file for raw kernel batches; '' = none. */
    readonly recordFile: string;
    /** Key log file (NSS format); '' = none. */
    readonly keylogFile: string;
    /** pcapng file; '' = none. */
    readonly pcapngFile: string;
    /** Interfaces for the pcapng; empty = lo and every interface that is up. */
    readonly pcapInterfaces: readonly string[];
    readonly pcapSnaplen: number;
    readonly ringBufferBytes: number;
    readonly maxPendingBatches: number;
  };
  readonly db: {
    /** `sanitized`: literals become `?`; `full`: as captured. */
    readonly queryText: 'sanitized' | 'full';
  };
  readonly processor: {
    readonly idleTimeoutMs: number;
    readonly sweepIntervalMs: number;
    readonly maxIdleMs: number;
    readonly maxConnections: number;
    /** No protocol parsing: raw byte streams only. */
    readonly raw: boolean;
  };
  readonly output: {
    readonly format: OutputFormat;
    readonly hex: boolean;
    readonly truncateBytes: number;
  };
  readonly http: {
    readonly requestHeaders: readonly string[];
    readonly responseHeaders: readonly string[];
    readonly bodyCaptureBytes: number;
    /** Bodies go to JSON and OTLP only when `http.body_capture` is above 0. */
    readonly bodyExport: boolean;
    readonly exchangeTimeoutMs: number;
    readonly side: CapturedSide;
  };
  readonly redaction: {
    readonly headers: readonly string[];
    readonly queryKeys: readonly string[];
    readonly disableDefaultHeaders: readonly string[];
    readonly disableDefaultQueryKeys: readonly string[];
  };
  /** Undefined when no endpoint is configured: export is off. */
  readonly otlp: OtlpSettings | undefined;
  readonly metrics: {
    readonly address: MetricsAddress;
  };
  readonly replay: {
    readonly realtime: boolean;
  };
  readonly log: {
    readonly level: LogLevel;
  };
}

const SOURCE_RANK: Readonly<Record<ValueSource, number>> = { default: 0, file: 1, env: 2, flag: 3 };

export function toPlaintapConfig(values: ReadonlyMap<string, EffectiveValue>): PlaintapConfig {
  const entry = (key: string): EffectiveValue => {
    const found = values.get(key);
    if (found === undefined) throw new Error(`option ${key} is not defined`);
    return found;
  };
  const get = <T>(key: string): T => entry(key).value as T;
  const optional = (key: string): { [k: string]: string } => {
    const value = get<string | null>(key);
    return value === null ? {} : { [camel(key)]: value };
  };

  const endpoint = get<string | null>('otlp.endpoint');
  let otlp: OtlpSettings | undefined;
  if (endpoint !== null) {
    otlp = {
      endpoint,
      headers: get('otlp.headers'),
      compression: get('otlp.compression'),
      timeoutMs: get('otlp.timeout'),
      insecure: get('otlp.insecure'),
      ...optional('otlp.certificate'),
      ...optional('otlp.client_key'),
      ...optional('otlp.client_certificate'),
      maxQueueSize: get('otlp.max_queue_size'),
      maxQueueBytes: get('otlp.max_queue_bytes'),
      maxExportBatchSize: get('otlp.max_export_batch_size'),
      scheduledDelayMs: get('otlp.scheduled_delay'),
      exportTimeoutMs: get('otlp.export_timeout'),
      shutdownTimeoutMs: get('otlp.shutdown_timeout'),
      degradedAfterMs: get('otlp.degraded_after'),
      resourceAttributes: resourceAttributes(entry('service.name'), entry('resource.attributes')),
    };
  }

  const address = parseMetricsAddress(get('metrics.address'));
  if (typeof address === 'object' && 'problem' in address) throw new Error(`metrics.address: ${address.problem}`);

  return {
    capture: {
      pids: get('capture.pids'),
      comms: get('capture.comms'),
      cgroups: get('capture.cgroups'),
      sources: get<readonly CaptureSourceName[]>('capture.sources'),
      opensslPaths: get('capture.openssl_paths'),
      bashPaths: get('capture.bash_paths'),
      mysqlPaths: get('capture.mysql_paths'),
      postgresPaths: get('capture.postgres_paths'),
      rescanIntervalMs: get('capture.rescan_interval'),
      recordFile: get('capture.record'),
      keylogFile: get('capture.keylog'),
      pcapngFile: get('capture.pcapng'),
      pcapInterfaces: get('capture.pcap_interfaces'),
      pcapSnaplen: get('capture.pcap_snaplen'),
      ringBufferBytes: get('capture.ring_buffer_size'),
      maxPendingBatches: get('capture.max_pending_batches'),
    },
    db: { queryText: get<'sanitized' | 'full'>('db.query_text') },
    processor: {
      idleTimeoutMs: get('processor.idle_timeout'),
      sweepIntervalMs: get('processor.sweep_interval'),
      maxIdleMs: get('processor.max_idle'),
      maxConnections: get('processor.max_connections'),
      raw: get('processor.raw'),
    },
    output: {
      format: get('output.format'),
      hex: get('output.hex'),
      truncateBytes: get('output.truncate'),
    },
    http: {
      requestHeaders: get('http.request_headers'),
      responseHeaders: get('http.response_headers'),
      bodyCaptureBytes: get('http.body_capture'),
      bodyExport: get<number>('http.body_capture') > 0,
      exchangeTimeoutMs: get('http.exchange_timeout'),
      side: get('http.side'),
    },
    redaction: {
      headers: get('redaction.headers'),
      queryKeys: get('redaction.query_keys'),
      disableDefaultHeaders: get('redaction.disable_default_headers'),
      disableDefaultQueryKeys: get('redaction.disable_default_query_keys'),
    },
    otlp,
    metrics: { address },
    replay: { realtime: get('replay.realtime') },
    log: { level: get('log.level') },
  };
}

/**
 * service.name: the option when it was set at least as strongly as resource.attributes
 * (OTEL_SERVICE_NAME beats OTEL_RESOURCE_ATTRIBUTES, as the OTel SDKs do), else a
 * service.name among the attributes, else the default.
 */
function resourceAttributes(serviceName: EffectiveValue, attributes: EffectiveValue): KeyValues {
  const merged: Record<string, string> = { ...(attributes.value as KeyValues) };
  const fromAttributes = merged['service.name'];
  const optionWins =
    fromAttributes === undefined ||
    (serviceName.source !== 'default' && SOURCE_RANK[serviceName.source] >= SOURCE_RANK[attributes.source]);
  if (optionWins) merged['service.name'] = serviceName.value as string;
  return merged;
}

/** `otlp.client_key` → `clientKey`. */
function camel(key: string): string {
  const name = key.slice(key.indexOf('.') + 1);
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Body bytes the console shows when `http.body_capture` is 0 (bodies not exported). */
export const CONSOLE_BODY_PREVIEW_BYTES = 4096;

/** The part of the configuration the protocol parsers see. */
export function protocolSettings(config: PlaintapConfig): ProtocolSettings {
  const http = {
    // With body_capture 0 only the console shows bodies (a preview); JSON and OTLP get none.
    bodyCaptureBytes:
      config.http.bodyCaptureBytes > 0
        ? config.http.bodyCaptureBytes
        : config.output.format === 'console'
          ? CONSOLE_BODY_PREVIEW_BYTES
          : 0,
    exchangeTimeoutMs: config.http.exchangeTimeoutMs,
  };
  return {
    rawOnly: config.processor.raw,
    raw: { truncateBytes: config.output.truncateBytes },
    http1: http,
    http2: http,
  };
}
