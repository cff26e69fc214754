#!/usr/bin/env node
// Writes charts/plaintap/values.schema.json: the chart's own values by hand below, and `config`
// generated from plaintap's option table (dist/agent/config/options.js: run `npm run build:ts`
// first), so the chart accepts exactly the options the agent does, with their types and enums.
//   node scripts/values-schema.js           # write the file
//   node scripts/values-schema.js --check   # exit 1 when the committed file is stale
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const target = path.join(root, 'charts', 'plaintap', 'values.schema.json');
const { OPTIONS } = require(path.join(root, 'dist', 'agent', 'config', 'options.js'));

/** Set by the chart from other values, or meaningless in a DaemonSet: not allowed under `config`. */
const CHART_OWNED = new Set([
  'metrics.address',
  'otlp.endpoint',
  'otlp.headers',
  'otlp.certificate',
  'otlp.client_key',
  'otlp.client_certificate',
  'capture.record',
  'replay.realtime',
]);

const DURATION = {
  oneOf: [
    { type: 'integer', minimum: 0 },
    { type: 'string', pattern: '^\\d+(\\.\\d+)?\\s*(ms|s|m|h)?$' },
  ],
};
const BYTES = {
  oneOf: [
    { type: 'integer', minimum: 0 },
    { type: 'string', pattern: '^\\d+(\\.\\d+)?\\s*([KkMmGg]i?[Bb]|[Bb])?$' },
  ],
};

function optionSchema(spec) {
  const base = { description: spec.description };
  switch (spec.type) {
    case 'string':
      return { ...base, type: spec.default === null ? ['string', 'null'] : 'string' };
    case 'boolean':
      return { ...base, type: 'boolean' };
    case 'integer':
      return {
        ...base,
        type: 'integer',
        ...(spec.min !== undefined && { minimum: spec.min }),
        ...(spec.max !== undefined && { maximum: spec.max }),
      };
    case 'bytes':
      return { ...base, ...BYTES };
    case 'duration':
      return { ...base, ...DURATION };
    case 'enum':
      return { ...base, type: 'string', enum: [...spec.choices] };
    case 'integer-list':
      return {
        ...base,
        type: 'array',
        items: { type: 'integer', ...(spec.min !== undefined && { minimum: spec.min }) },
      };
    case 'string-list':
      return { ...base, type: 'array', items: { type: 'string', minLength: 1 } };
    case 'key-values':
      return { ...base, type: 'object', additionalProperties: { type: 'string' } };
    default:
      throw new Error(`values-schema: no schema for option type ${spec.type} (${spec.key})`);
  }
}

function configSchema() {
  const sections = {};
  for (const spec of OPTIONS) {
    if (CHART_OWNED.has(spec.key)) continue;
    const [section, name] = spec.key.split('.');
    sections[section] ??= { type: 'object', additionalProperties: false, properties: {} };
    sections[section].properties[name] = optionSchema(spec);
  }
  return {
    description: "plaintap's configuration file (config/plaintap.yaml documents every key), minus what the chart sets",
    type: 'object',
    additionalProperties: false,
    properties: sections,
  };
}

const closed = (properties, extra = {}) => ({ type: 'object', additionalProperties: false, properties, ...extra });
const str = { type: 'string' };
const bool = { type: 'boolean' };
const stringMap = { type: 'object', additionalProperties: { type: 'string' } };
const port = { type: 'integer', minimum: 1, maximum: 65535 };
const secretKey = closed({ name: str, key: { type: 'string', minLength: 1 } });
const probe = closed({
  initialDelaySeconds: { type: 'integer', minimum: 0 },
  periodSeconds: { type: 'integer', minimum: 1 },
  timeoutSeconds: { type: 'integer', minimum: 1 },
  failureThreshold: { type: 'integer', minimum: 1 },
  successThreshold: { type: 'integer', minimum: 1 },
});
const monitor = closed({
  enabled: bool,
  interval: { type: 'string', pattern: '^\\d+(ms|s|m|h)$' },
  scrapeTimeout: { type: 'string', pattern: '^\\d+(ms|s|m|h)$' },
  labels: stringMap,
});
const CAPABILITY = { type: 'string', pattern: '^[A-Z_]+$' };

const schema = {
  $schema: 'https://json-schema.org/draft-07/schema#',
  title: 'plaintap chart values',
  type: 'object',
  additionalProperties: false,
  properties: {
    global: { type: 'object' },
    image: closed({
      repository: { type: 'string', minLength: 1 },
      tag: str,
      digest: { type: 'string', pattern: '^(|sha256:[0-9a-f]{64})$' },
      pullPolicy: { type: 'string', enum: ['Always', 'IfNotPresent', 'Never'] },
    }),
    imagePullSecrets: { type: 'array', items: closed({ name: { type: 'string', minLength: 1 } }) },
    nameOverride: str,
    fullnameOverride: str,
    serviceAccount: closed({ create: bool, name: str, annotations: stringMap, automount: bool }),
    securityMode: { type: 'string', enum: ['privileged', 'capabilities'] },
    capabilities: closed({ extra: { type: 'array', items: CAPABILITY } }),
    hostPaths: closed({ tracing: bool, debug: bool, cgroup: bool }),
    otlp: closed({
      endpoint: { type: 'string', pattern: '^(|https?://.+|[^/:]+:\\d+)$' },
      headersSecret: secretKey,
      tls: closed({ caSecret: secretKey, clientSecret: closed({ name: str }) }),
    }),
    config: configSchema(),
    metrics: closed({
      port,
      service: closed({
        enabled: bool,
        type: { type: 'string', enum: ['ClusterIP', 'NodePort', 'LoadBalancer'] },
        annotations: stringMap,
      }),
      serviceMonitor: monitor,
      podMonitor: monitor,
    }),
    dashboards: closed({ enabled: bool, namespace: str, labels: stringMap, annotations: stringMap }),
    terminationGracePeriodSeconds: { type: 'integer', minimum: 10 },
    priorityClassName: str,
    updateStrategy: closed({
      type: { type: 'string', enum: ['RollingUpdate', 'OnDelete'] },
      rollingUpdate: closed({
        maxUnavailable: {
          oneOf: [
            { type: 'integer', minimum: 0 },
            { type: 'string', pattern: '^\\d+%$' },
          ],
        },
        maxSurge: {
          oneOf: [
            { type: 'integer', minimum: 0 },
            { type: 'string', pattern: '^\\d+%$' },
          ],
        },
      }),
    }),
    tolerations: { type: 'array', items: { type: 'object' } },
    nodeSelector: stringMap,
    affinity: { type: 'object' },
    resources: closed({ requests: stringMapOrNumbers(), limits: stringMapOrNumbers() }),
    livenessProbe: probe,
    readinessProbe: probe,
    podAnnotations: stringMap,
    podLabels: stringMap,
    extraEnv: { type: 'array', items: { type: 'object', required: ['name'] } },
  },
};

function stringMapOrNumbers() {
  return { type: 'object', additionalProperties: { type: ['string', 'number'] } };
}

const text = `${JSON.stringify(schema, null, 2)}\n`;
if (process.argv.includes('--check')) {
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
  if (current !== text) {
    console.error(`${path.relative(root, target)} is stale: run node scripts/values-schema.js`);
    process.exit(1);
  }
} else {
  fs.writeFileSync(target, text);
}
