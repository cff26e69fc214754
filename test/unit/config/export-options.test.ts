/** The OTLP, metrics, redaction and HTTP attribute options: env lists, key-values, combinations. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../../agent/config/load-config';
import { renderEffectiveConfig, renderOptionsHelp } from '../../../agent/config/render-config';
import { configFrom } from '../../support/config-files';

const config = configFrom;

describe('otlp options', () => {
  test('export is off without an endpoint and on with one', () => {
    assert.equal(config([]).otlp, undefined);
    const on = config(['--otlp-endpoint', 'http://127.0.0.1:4317']).otlp;
    assert.equal(on?.endpoint, 'http://127.0.0.1:4317');
    assert.equal(on?.maxQueueSize, 8192);
    assert.equal(on?.maxExportBatchSize, 512);
    assert.equal(on?.scheduledDelayMs, 1000);
    assert.equal(on?.exportTimeoutMs, 30_000);
    assert.equal(on?.shutdownTimeoutMs, 5000);
    assert.equal(on?.timeoutMs, 10_000);
    assert.equal(on?.compression, 'none');
    assert.deepEqual(on?.resourceAttributes, { 'service.name': 'plaintap' });
  });

  test('the logs-specific variable wins over the generic one; flags over both; env over the file', () => {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://generic:4317',
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://logs:4317',
    };
    assert.equal(config([], env).otlp?.endpoint, 'http://logs:4317');
    assert.equal(
      config([], { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://generic:4317' }).otlp?.endpoint,
      'http://generic:4317',
    );
    assert.equal(config(['--otlp-endpoint', 'https://flag:4317'], env).otlp?.endpoint, 'https://flag:4317');
    const files = { '/p.yaml': 'otlp:\n  endpoint: http://file:4317\n  compression: gzip\n' };
    assert.equal(config(['-c', '/p.yaml'], env, files).otlp?.endpoint, 'http://logs:4317');
    assert.equal(config(['-c', '/p.yaml'], {}, files).otlp?.compression, 'gzip');
  });

  test('OTEL timeouts are milliseconds; OTEL_BLRP_* set the batching', () => {
    const otlp = config([], {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317',
      OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
      OTEL_BLRP_MAX_QUEUE_SIZE: '100',
      OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '10',
      OTEL_BLRP_SCHEDULE_DELAY: '200',
      OTEL_BLRP_EXPORT_TIMEOUT: '3000',
    }).otlp;
    assert.deepEqual(
      [otlp?.timeoutMs, otlp?.maxQueueSize, otlp?.maxExportBatchSize, otlp?.scheduledDelayMs, otlp?.exportTimeoutMs],
      [2500, 100, 10, 200, 3000],
    );
  });

  test('headers: env variables merge per key (logs-specific wins), percent-decoded; flags and YAML mappings', () => {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=generic,tenant=a%20b',
      OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'api-key=logs',
    };
    assert.deepEqual(config([], env).otlp?.headers, { 'api-key': 'logs', tenant: 'a b' });
    assert.deepEqual(config(['--otlp-header', 'a=1', '--otlp-header', 'b=2,c=3'], env).otlp?.headers, {
      a: '1',
      b: '2',
      c: '3',
    });
    const files = { '/h.yaml': 'otlp:\n  endpoint: http://c:4317\n  headers:\n    api-key: from-file\n' };
    assert.deepEqual(config(['-c', '/h.yaml'], {}, files).otlp?.headers, { 'api-key': 'from-file' });
  });

  test('--print-config names the variable and shows header keys only', () => {
    const loaded = loadConfig({
      argv: [],
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_HEADERS: 'api-key=s3cr3t' },
    });
    const text = renderEffectiveConfig(loaded.values);
    assert.match(text, /endpoint: "http:\/\/c:4317" {2}# env OTEL_EXPORTER_OTLP_ENDPOINT/);
    assert.match(text, /headers: \{"api-key":"REDACTED"\}/);
    assert.doesNotMatch(text, /s3cr3t/);
    assert.match(
      renderOptionsHelp(),
      /--otlp-endpoint URL .*\[env OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, OTEL_EXPORTER_OTLP_ENDPOINT\]/,
    );
  });

  test('a YAML null leaves an unset option unset', () => {
    const files = { '/n.yaml': 'otlp:\n  endpoint: ~\n  certificate:\n' };
    assert.equal(config(['-c', '/n.yaml'], {}, files).otlp, undefined);
  });

  test('bad values and combinations exit with the key named', () => {
    const fails = (argv: string[], pattern: RegExp, env: Record<string, string> = {}): void => {
      assert.throws(
        () => loadConfig({ argv, env }),
        (e: Error) => e instanceof ConfigError && pattern.test(e.message),
      );
    };
    fails(
      ['--otlp-endpoint', 'grpc://c:4317'],
      /otlp\.endpoint \(from --otlp-endpoint\): scheme grpc:\/\/ is not supported/,
    );
    fails([], /otlp\.endpoint \(from OTEL_EXPORTER_OTLP_LOGS_ENDPOINT\): .*not a URL/, {
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://[bad',
    });
    fails(['--otlp-compression', 'zstd'], /otlp\.compression .*expected one of gzip, none/);
    fails(
      ['--otlp-max-queue-size', '10', '--otlp-max-export-batch-size', '20'],
      /otlp\.max_export_batch_size must not exceed otlp\.max_queue_size/,
    );
    fails(
      ['--otlp-client-key', '/etc/hostname'],
      /otlp\.client_key and otlp\.client_certificate must be given together/,
    );
    fails(
      ['--otlp-certificate', '/nonexistent/ca.pem'],
      /otlp\.certificate \(from --otlp-certificate\): cannot read \/nonexistent\/ca\.pem: ENOENT/,
    );
    fails(['--otlp-header', 'novalue'], /otlp\.headers \(from --otlp-header\): expected key=value, got "novalue"/);
    fails([], /otlp\.timeout \(from OTEL_EXPORTER_OTLP_TIMEOUT\)/, { OTEL_EXPORTER_OTLP_TIMEOUT: 'soon' });
  });
});

describe('resource options', () => {
  test('OTEL_SERVICE_NAME beats a service.name in OTEL_RESOURCE_ATTRIBUTES; a flag beats both', () => {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317',
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs,team=sre',
    };
    assert.deepEqual(config([], env).otlp?.resourceAttributes, { 'service.name': 'from-attrs', team: 'sre' });
    assert.equal(config([], { ...env, OTEL_SERVICE_NAME: 'svc' }).otlp?.resourceAttributes['service.name'], 'svc');
    assert.equal(
      config(['--service-name', 'flag'], { ...env, OTEL_SERVICE_NAME: 'svc' }).otlp?.resourceAttributes['service.name'],
      'flag',
    );
    // env (attributes) > file (service.name): the precedence of sources holds here too.
    const files = { '/s.yaml': 'service:\n  name: from-file\n' };
    assert.equal(config(['-c', '/s.yaml'], env, files).otlp?.resourceAttributes['service.name'], 'from-attrs');
  });
});

describe('metrics, redaction and http options', () => {
  test('metrics.address: HOST:PORT, IPv6 in brackets, port 0, off', () => {
    assert.deepEqual(config([]).metrics.address, { host: '127.0.0.1', port: 9464 });
    assert.deepEqual(config(['--metrics-address', '[::1]:0']).metrics.address, { host: '::1', port: 0 });
    assert.equal(config([], { PLAINTAP_METRICS_ADDRESS: 'off' }).metrics.address, 'off');
    assert.throws(
      () => loadConfig({ argv: ['--metrics-address', '9464'], env: {} }),
      /metrics\.address \(from --metrics-address\): expected HOST:PORT/,
    );
    assert.throws(() => loadConfig({ argv: ['--metrics-address', 'h:70000'], env: {} }), /port 70000 is out of range/);
  });

  test('redaction lists; a default is turned off only by naming it', () => {
    const c = config(['--redact-header', 'X-Tenant', '--redact-query-key', 'ticket', '--unredact-header', 'Cookie'], {
      PLAINTAP_UNREDACT_QUERY_KEYS: 'sig',
    });
    assert.deepEqual(c.redaction, {
      headers: ['X-Tenant'],
      queryKeys: ['ticket'],
      disableDefaultHeaders: ['Cookie'],
      disableDefaultQueryKeys: ['sig'],
    });
    assert.throws(
      () => loadConfig({ argv: ['--unredact-header', 'x-tenant'], env: {} }),
      /redaction\.disable_default_headers .*"x-tenant" is not redacted by default/,
    );
    assert.throws(
      () => loadConfig({ argv: ['--redact-header', 'bad name'], env: {} }),
      /redaction\.headers .*not an HTTP header name/,
    );
  });

  test('http header allow-lists', () => {
    const c = config(['--http-request-header', 'user-agent', '--http-response-header', 'content-type']);
    assert.deepEqual([c.http.requestHeaders, c.http.responseHeaders], [['user-agent'], ['content-type']]);
  });
});
