/**
 * Where and how the OTLP/gRPC log exporter connects: explicit options (from plaintap's config)
 * beat the signal-specific `OTEL_EXPORTER_OTLP_LOGS_*` variables, which beat the generic
 * `OTEL_EXPORTER_OTLP_*` ones, which beat the defaults. Headers merge per key in that order.
 * Pure: reads only the `env` it is given; certificate files are read later, by the exporter.
 */
import { parseKeyValueList } from '../../key-value-list';

export type OtlpCompression = 'gzip' | 'none';

/** The connection settings a caller may set explicitly; every one also has an env variable. */
export interface OtlpConnectionOptions {
  /** `http://host:4317` (plaintext), `https://host:4317` (TLS) or `host:4317` (TLS unless insecure). */
  readonly endpoint?: string;
  /** gRPC metadata sent with every export (e.g. an API key). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly compression?: OtlpCompression;
  /** Deadline of one export including retries, in ms. */
  readonly timeoutMillis?: number;
  /** PEM file of the CA that signs the collector's certificate. */
  readonly certificate?: string;
  /** PEM files of the client key and certificate, for mutual TLS. */
  readonly clientKey?: string;
  readonly clientCertificate?: string;
  /** Plaintext gRPC for an endpoint without a scheme. */
  readonly insecure?: boolean;
}

export interface ResolvedOtlpConnection {
  readonly endpoint: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly compression: OtlpCompression;
  readonly timeoutMillis: number;
  /** True: plaintext gRPC; false: TLS (with the files below when given). */
  readonly insecure: boolean;
  readonly certificate?: string;
  readonly clientKey?: string;
  readonly clientCertificate?: string;
  /** Settings that were ignored, in words, for the agent to log once. */
  readonly warnings: readonly string[];
}

export const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4317';
export const DEFAULT_OTLP_TIMEOUT_MILLIS = 10_000;

/** The variables read, for docs and `--help`. `*` is `OTEL_EXPORTER_OTLP_LOGS_` or `OTEL_EXPORTER_OTLP_`. */
export const OTLP_ENV_SUFFIXES = [
  'ENDPOINT',
  'HEADERS',
  'COMPRESSION',
  'TIMEOUT',
  'CERTIFICATE',
  'CLIENT_KEY',
  'CLIENT_CERTIFICATE',
  'INSECURE',
  'PROTOCOL',
] as const;
type EnvSuffix = (typeof OTLP_ENV_SUFFIXES)[number];

type Env = Readonly<Record<string, string | undefined>>;

/** The logs-specific variable when set and not blank, else the generic one. */
function envValue(env: Env, suffix: EnvSuffix): { value: string; name: string } | undefined {
  for (const name of [`OTEL_EXPORTER_OTLP_LOGS_${suffix}`, `OTEL_EXPORTER_OTLP_${suffix}`]) {
    const value = env[name]?.trim();
    if (value !== undefined && value !== '') return { value, name };
  }
  return undefined;
}

/** `key1=value1,key2=value2` with percent-encoded values (the OTLP exporter spec's format); keys lower-cased. */
export function parseOtlpHeaders(text: string, warnings: string[], source: string): Record<string, string> {
  const out: Record<string, string> = {};
  const entries = parseKeyValueList(text, ({ entry, reason, key }) =>
    warnings.push(
      reason === 'no-key'
        ? `${source}: ignored header entry without a key: ${JSON.stringify(entry)}`
        : `${source}: header ${key ?? ''} is not valid percent-encoding, kept as is`,
    ),
  );
  for (const [key, value] of entries) out[key.toLowerCase()] = value;
  return out;
}

function lowerKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) out[key.toLowerCase()] = value;
  return out;
}

export function resolveOtlpConnection(
  options: OtlpConnectionOptions = {},
  env: Env = process.env,
): ResolvedOtlpConnection {
  const warnings: string[] = [];

  const protocol = envValue(env, 'PROTOCOL');
  if (protocol && protocol.value !== 'grpc') {
    warnings.push(`${protocol.name}=${protocol.value} ignored: plaintap exports OTLP over gRPC only`);
  }

  const endpoint = options.endpoint ?? envValue(env, 'ENDPOINT')?.value ?? DEFAULT_OTLP_ENDPOINT;

  // Headers: generic env < logs env < explicit, merged per (lower-cased) key.
  const generic = env['OTEL_EXPORTER_OTLP_HEADERS']?.trim();
  const specific = env['OTEL_EXPORTER_OTLP_LOGS_HEADERS']?.trim();
  const headers = {
    ...(generic ? parseOtlpHeaders(generic, warnings, 'OTEL_EXPORTER_OTLP_HEADERS') : {}),
    ...(specific ? parseOtlpHeaders(specific, warnings, 'OTEL_EXPORTER_OTLP_LOGS_HEADERS') : {}),
    ...lowerKeys(options.headers ?? {}),
  };

  let compression: OtlpCompression = 'none';
  if (options.compression !== undefined) {
    compression = options.compression;
  } else {
    const fromEnv = envValue(env, 'COMPRESSION');
    if (fromEnv?.value === 'gzip' || fromEnv?.value === 'none') compression = fromEnv.value;
    else if (fromEnv) warnings.push(`${fromEnv.name}=${fromEnv.value} ignored: use gzip or none`);
  }

  let timeoutMillis = DEFAULT_OTLP_TIMEOUT_MILLIS;
  if (options.timeoutMillis !== undefined) {
    timeoutMillis = options.timeoutMillis;
  } else {
    const fromEnv = envValue(env, 'TIMEOUT');
    const parsed = fromEnv ? Number(fromEnv.value) : NaN;
    if (Number.isFinite(parsed) && parsed > 0) timeoutMillis = parsed;
    else if (fromEnv) warnings.push(`${fromEnv.name}=${fromEnv.value} ignored: not a positive number of milliseconds`);
  }

  // The scheme decides; without one, the insecure flag does (the OTLP exporter spec's rule).
  let insecure: boolean;
  if (/^http:\/\//i.test(endpoint)) insecure = true;
  else if (/^https:\/\//i.test(endpoint)) insecure = false;
  else insecure = options.insecure ?? envValue(env, 'INSECURE')?.value.toLowerCase() === 'true';

  const certificate = options.certificate ?? envValue(env, 'CERTIFICATE')?.value;
  const clientKey = options.clientKey ?? envValue(env, 'CLIENT_KEY')?.value;
  const clientCertificate = options.clientCertificate ?? envValue(env, 'CLIENT_CERTIFICATE')?.value;
  if ((clientKey === undefined) !== (clientCertificate === undefined)) {
    warnings.push('client key and client certificate must be given together: mutual TLS is off');
  }
  if (insecure && (certificate !== undefined || clientKey !== undefined)) {
    warnings.push(`certificates ignored: ${endpoint} is plaintext (insecure)`);
  }

  const resolved: ResolvedOtlpConnection = { endpoint, headers, compression, timeoutMillis, insecure, warnings };
  return {
    ...resolved,
    ...(certificate !== undefined ? { certificate } : {}),
    ...(clientKey !== undefined && clientCertificate !== undefined ? { clientKey, clientCertificate } : {}),
  };
}
