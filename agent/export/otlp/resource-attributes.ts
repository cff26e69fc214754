/**
 * The OTel Resource of every record plaintap exports: who (service), where (host, Kubernetes).
 * Precedence, lowest first: defaults (service.name=plaintap, service.version, host.name) <
 * K8S_NODE_NAME / K8S_POD_NAME / K8S_NAMESPACE_NAME (set from the Kubernetes downward API) <
 * OTEL_RESOURCE_ATTRIBUTES < OTEL_SERVICE_NAME < explicit options. Pure: reads the `env` given.
 */
import { parseKeyValueList } from '../../key-value-list';

export type ResourceAttributeValue = string | number | boolean;

export interface ResourceOptions {
  readonly serviceName?: string;
  readonly serviceVersion?: string;
  readonly hostName?: string;
  /** Extra attributes; they win over every env variable. */
  readonly attributes?: Readonly<Record<string, ResourceAttributeValue>>;
}

export interface ResourceDefaults {
  readonly serviceVersion?: string;
  readonly hostName: string;
}

export const DEFAULT_SERVICE_NAME = 'plaintap';

/** Env variable → resource attribute, for the Kubernetes facts the chart passes down. */
export const K8S_RESOURCE_ENV: Readonly<Record<string, string>> = {
  K8S_NODE_NAME: 'k8s.node.name',
  K8S_POD_NAME: 'k8s.pod.name',
  K8S_NAMESPACE_NAME: 'k8s.namespace.name',
};

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `key1=value1,key2=value2`, values percent-encoded (W3C Baggage octets). Entries without `=` or
 * with an empty key are skipped and reported.
 */
export function parseResourceAttributes(text: string, warnings: string[]): Record<string, string> {
  const entries = parseKeyValueList(text, ({ entry, reason, key }) =>
    warnings.push(
      reason === 'no-key'
        ? `OTEL_RESOURCE_ATTRIBUTES: ignored entry ${JSON.stringify(entry)}`
        : `OTEL_RESOURCE_ATTRIBUTES: ${key ?? ''} is not valid percent-encoding, kept as is`,
    ),
  );
  return Object.fromEntries(entries);
}

export function resolveResourceAttributes(
  options: ResourceOptions,
  defaults: ResourceDefaults,
  env: Env = process.env,
  warnings: string[] = [],
): Record<string, ResourceAttributeValue> {
  const attributes: Record<string, ResourceAttributeValue> = {
    'service.name': DEFAULT_SERVICE_NAME,
    'host.name': defaults.hostName,
  };
  if (defaults.serviceVersion !== undefined) attributes['service.version'] = defaults.serviceVersion;

  for (const [variable, key] of Object.entries(K8S_RESOURCE_ENV)) {
    const value = env[variable]?.trim();
    if (value) attributes[key] = value;
  }

  const fromEnv = env['OTEL_RESOURCE_ATTRIBUTES']?.trim();
  if (fromEnv) Object.assign(attributes, parseResourceAttributes(fromEnv, warnings));

  const serviceName = env['OTEL_SERVICE_NAME']?.trim();
  if (serviceName) attributes['service.name'] = serviceName;

  Object.assign(attributes, options.attributes ?? {});
  if (options.serviceName !== undefined) attributes['service.name'] = options.serviceName;
  if (options.serviceVersion !== undefined) attributes['service.version'] = options.serviceVersion;
  if (options.hostName !== undefined) attributes['host.name'] = options.hostName;
  return attributes;
}
