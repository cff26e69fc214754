/**
 * Everything the SDK side of the OTLP exporter needs, resolved once from the options and the
 * environment into plain, cloneable data (certificates read into bytes), so that the same
 * settings build the SDK pipeline on the main thread or in an export worker. Certificate files
 * are read here, at construction: an unreadable one is a configuration error at start.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Logger } from '../../log';
import { VERSION } from '../../version';
import { resolveOtlpConnection, type OtlpConnectionOptions, type ResolvedOtlpConnection } from './otlp-exporter-config';
import { resolveResourceAttributes, type ResourceOptions } from './resource-attributes';
import { DEFAULT_RETRY, type ResolvedRetryOptions, type RetryOptions } from './retrying-log-record-exporter';

export interface OtlpBatchOptions {
  /** Records waiting for export before new ones are dropped (counted). Default 8192. */
  readonly maxQueueSize?: number;
  /** Encoded bytes waiting for export before new records are dropped (counted as queue full). Default 32 MiB. */
  readonly maxQueueBytes?: number;
  /** Records per export call. Default 512 (at most maxQueueSize). */
  readonly maxExportBatchSize?: number;
  /** Longest wait before a partial batch is sent, ms. Default 1000. */
  readonly scheduledDelayMillis?: number;
  /** Deadline the batch processor gives one export, retries included, ms. Default 30000. */
  readonly exportTimeoutMillis?: number;
  /** Retries of transient gRPC failures (UNAVAILABLE, …) within exportTimeoutMillis; false: none. */
  readonly retry?: RetryOptions | false;
}

export interface OtlpExportSettingsOptions extends OtlpConnectionOptions, OtlpBatchOptions {
  readonly resource?: ResourceOptions;
  /** The environment to read OTEL_* variables from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** PEM bytes for the gRPC credentials (undefined: system roots, no client certificate). */
export interface OtlpTlsMaterial {
  readonly ca?: Uint8Array;
  readonly key?: Uint8Array;
  readonly cert?: Uint8Array;
}

export interface OtlpExportSettings {
  readonly connection: ResolvedOtlpConnection;
  readonly tls: OtlpTlsMaterial;
  readonly resourceAttributes: Readonly<Record<string, string | number | boolean>>;
  readonly version: string;
  readonly maxQueueSize: number;
  readonly maxQueueBytes: number;
  readonly maxExportBatchSize: number;
  readonly scheduledDelayMillis: number | undefined;
  readonly exportTimeoutMillis: number;
  readonly retry: ResolvedRetryOptions;
}

/** Not the SDK's 2048: at plaintap's rates (~100k records/s) that is 20 ms of headroom (docs/benchmarks.md). */
const DEFAULT_MAX_QUEUE_SIZE = 8192;
/** A full queue of ~1 KB HTTP records is ~8 MB; this bounds it when records carry payloads (raw, up to --truncate). */
const DEFAULT_MAX_QUEUE_BYTES = 32 * 1024 * 1024;
const DEFAULT_MAX_EXPORT_BATCH_SIZE = 512;
const DEFAULT_EXPORT_TIMEOUT_MILLIS = 30_000;

function readPem(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(`OTLP exporter: cannot read the ${what} ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Throws when a certificate file cannot be read; ignored settings are logged once, as warnings. */
export function resolveOtlpExportSettings(
  options: OtlpExportSettingsOptions,
  log: Logger | undefined,
): OtlpExportSettings {
  const env = options.env ?? process.env;
  const connection = resolveOtlpConnection(options, env);
  for (const warning of connection.warnings) log?.warn('otlp: setting ignored', { reason: warning });

  const resourceWarnings: string[] = [];
  const resourceAttributes = resolveResourceAttributes(
    options.resource ?? {},
    { hostName: os.hostname(), serviceVersion: VERSION },
    env,
    resourceWarnings,
  );
  for (const warning of resourceWarnings) log?.warn('otlp: resource attribute ignored', { reason: warning });

  const tls: { ca?: Uint8Array; key?: Uint8Array; cert?: Uint8Array } = {};
  if (!connection.insecure) {
    if (connection.certificate !== undefined) tls.ca = readPem(connection.certificate, 'CA certificate');
    if (connection.clientKey !== undefined) tls.key = readPem(connection.clientKey, 'client key');
    if (connection.clientCertificate !== undefined)
      tls.cert = readPem(connection.clientCertificate, 'client certificate');
  }

  const maxQueueSize = options.maxQueueSize ?? DEFAULT_MAX_QUEUE_SIZE;
  return {
    connection,
    tls,
    resourceAttributes,
    version: VERSION,
    maxQueueSize,
    maxQueueBytes: options.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES,
    maxExportBatchSize: Math.min(options.maxExportBatchSize ?? DEFAULT_MAX_EXPORT_BATCH_SIZE, maxQueueSize),
    scheduledDelayMillis: options.scheduledDelayMillis,
    exportTimeoutMillis: options.exportTimeoutMillis ?? DEFAULT_EXPORT_TIMEOUT_MILLIS,
    retry: options.retry === false ? { ...DEFAULT_RETRY, maxAttempts: 1 } : { ...DEFAULT_RETRY, ...options.retry },
  };
}
