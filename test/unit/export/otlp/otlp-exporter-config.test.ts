import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_OTLP_ENDPOINT,
  DEFAULT_OTLP_TIMEOUT_MILLIS,
  parseOtlpHeaders,
  resolveOtlpConnection,
} from '../../../../agent/export/otlp/otlp-exporter-config';

describe('resolveOtlpConnection', () => {
  it('uses the defaults with an empty environment', () => {
    const c = resolveOtlpConnection({}, {});
    assert.equal(c.endpoint, DEFAULT_OTLP_ENDPOINT);
    assert.equal(c.insecure, true, 'http:// means plaintext');
    assert.equal(c.compression, 'none');
    assert.equal(c.timeoutMillis, DEFAULT_OTLP_TIMEOUT_MILLIS);
    assert.deepEqual(c.headers, {});
    assert.deepEqual(c.warnings, []);
  });

  it('reads the generic variables, and the logs-specific ones win', () => {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://generic:4317',
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'https://logs:4317',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'none',
      OTEL_EXPORTER_OTLP_LOGS_COMPRESSION: 'gzip',
      OTEL_EXPORTER_OTLP_TIMEOUT: '1234',
      OTEL_EXPORTER_OTLP_CERTIFICATE: '/generic/ca.pem',
      OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE: '/logs/ca.pem',
      OTEL_EXPORTER_OTLP_CLIENT_KEY: '/k.pem',
      OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE: '/c.pem',
    };
    const c = resolveOtlpConnection({}, env);
    assert.equal(c.endpoint, 'https://logs:4317');
    assert.equal(c.insecure, false);
    assert.equal(c.compression, 'gzip');
    assert.equal(c.timeoutMillis, 1234);
    assert.equal(c.certificate, '/logs/ca.pem');
    assert.equal(c.clientKey, '/k.pem');
    assert.equal(c.clientCertificate, '/c.pem');
  });

  it('ignores blank logs-specific variables', () => {
    const c = resolveOtlpConnection(
      {},
      { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: '  ', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://g:1' },
    );
    assert.equal(c.endpoint, 'http://g:1');
  });

  it('lets explicit options beat every variable', () => {
    const c = resolveOtlpConnection(
      {
        endpoint: 'http://opt:4317',
        compression: 'none',
        timeoutMillis: 50,
        certificate: '/opt/ca.pem',
        insecure: false,
      },
      {
        OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'https://logs:4317',
        OTEL_EXPORTER_OTLP_LOGS_COMPRESSION: 'gzip',
        OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: '999',
        OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE: '/logs/ca.pem',
      },
    );
    assert.equal(c.endpoint, 'http://opt:4317');
    assert.equal(c.compression, 'none');
    assert.equal(c.timeoutMillis, 50);
    assert.equal(c.certificate, '/opt/ca.pem');
    assert.equal(c.insecure, true, 'the http:// scheme decides over insecure=false');
  });

  it('merges headers per key: generic < logs < explicit, keys lower-cased, values percent-decoded', () => {
    const c = resolveOtlpConnection(
      { headers: { 'X-Explicit': '1', 'x-shared': 'explicit' } },
      {
        OTEL_EXPORTER_OTLP_HEADERS: 'x-generic=a,x-shared=generic,x-both=generic',
        OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'X-Both=logs,api-key=a%20b%2Cc',
      },
    );
    assert.deepEqual(c.headers, {
      'x-generic': 'a',
      'x-shared': 'explicit',
      'x-both': 'logs',
      'api-key': 'a b,c',
      'x-explicit': '1',
    });
  });

  it('decides TLS from the insecure flag when the endpoint has no scheme', () => {
    assert.equal(resolveOtlpConnection({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317' }).insecure, false);
    assert.equal(
      resolveOtlpConnection(
        {},
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317', OTEL_EXPORTER_OTLP_LOGS_INSECURE: 'TRUE' },
      ).insecure,
      true,
    );
    assert.equal(resolveOtlpConnection({ endpoint: 'collector:4317', insecure: true }, {}).insecure, true);
    assert.equal(
      resolveOtlpConnection({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://c:4317', OTEL_EXPORTER_OTLP_INSECURE: 'true' })
        .insecure,
      false,
    );
  });

  it('warns about settings it cannot honour', () => {
    const c = resolveOtlpConnection(
      {},
      {
        OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_COMPRESSION: 'zstd',
        OTEL_EXPORTER_OTLP_TIMEOUT: 'soon',
        OTEL_EXPORTER_OTLP_CLIENT_KEY: '/k.pem',
        OTEL_EXPORTER_OTLP_HEADERS: '=novalue',
      },
    );
    assert.equal(c.compression, 'none');
    assert.equal(c.timeoutMillis, DEFAULT_OTLP_TIMEOUT_MILLIS);
    assert.equal(c.clientKey, undefined, 'key without certificate: no mutual TLS');
    assert.equal(c.warnings.length, 6, c.warnings.join('\n'));
  });
});

describe('parseOtlpHeaders', () => {
  it('skips empty entries and keeps "=" inside values', () => {
    const warnings: string[] = [];
    assert.deepEqual(parseOtlpHeaders('a=1,,b=x=y, c = 2 ', warnings, 'test'), { a: '1', b: 'x=y', c: '2' });
    assert.deepEqual(warnings, []);
  });
});
