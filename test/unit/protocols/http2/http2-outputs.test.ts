/** HTTP/2 records through the outputs: console, JSON, OTLP mapping, redaction, metrics (from recorded fixtures). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatConsoleRecord } from '../../../../agent/export/text/console-writer';
import { toJsonRecord } from '../../../../agent/export/text/json-lines-writer';
import { createLogRecordMapper } from '../../../../agent/export/otlp/log-record-mapping';
import { ExchangeStats } from '../../../../agent/metrics/exchange-stats';
import { redactRecord } from '../../../../agent/redaction/redact-record';
import { createRedactor } from '../../../../agent/redaction/redactor';
import { loadFixture2, run2 } from './harness';

describe('http2 records in the outputs', () => {
  const grpc = run2(loadFixture2('grpcio-calls')).records;
  const [gzip] = run2(loadFixture2('curl-nginx-gzip')).records;

  it('console: the HTTP/1 shape with the stream id and the gRPC call', () => {
    const text = formatConsoleRecord(grpc[1]!, false);
    assert.match(text, /^POST \/plaintap\.test\.Echo\/Missing HTTP\/2$/m);
    assert.match(text, /^HTTP\/2 200$/m);
    assert.match(text, /Stream:3, .*gRPC:plaintap\.test\.Echo\/Missing, Status:5 \(no such item: 42\), Messages:1\/0/);
  });

  it('JSON: kind http2.exchange with stream, authority and the gRPC call', () => {
    const json = toJsonRecord(grpc[2]!, false) as unknown as Record<string, any>;
    assert.equal(json['kind'], 'http2.exchange');
    assert.equal(json['stream_id'], 5);
    assert.equal(json['grpc']['method'], 'ServerStream');
    assert.equal(json['grpc']['response_messages']['count'], 10);
    assert.equal(json['grpc']['response_messages']['payload'], 'item 0');
    assert.equal(json['request']['version'], '2');
  });

  it('OTLP: network.protocol.version 2, stream id, rpc.* attributes, error.type from grpc-status', () => {
    const mapper = createLogRecordMapper();
    const missing = mapper.map(grpc[1]!);
    assert.equal(missing.attributes['network.protocol.version'], '2');
    assert.equal(missing.attributes['plaintap.protocol'], 'grpc');
    assert.equal(missing.attributes['plaintap.http2.stream_id'], 3);
    assert.equal(missing.attributes['rpc.system'], 'grpc');
    assert.equal(missing.attributes['rpc.service'], 'plaintap.test.Echo');
    assert.equal(missing.attributes['rpc.method'], 'Missing');
    assert.equal(missing.attributes['rpc.grpc.status_code'], 5);
    assert.equal(missing.attributes['error.type'], '5');
    assert.equal(missing.severityText, 'WARN');
    const plain = mapper.map(gzip!);
    assert.equal(plain.attributes['plaintap.protocol'], 'http2');
    assert.equal(plain.attributes['server.address'], '127.0.0.1');
    assert.equal(plain.attributes['rpc.system'], undefined);
  });

  it('redaction: each split cookie field and the :path query, as for HTTP/1', () => {
    const redactor = createRedactor({ queryKeys: ['token'] });
    const redacted = redactRecord(gzip!, redactor);
    assert.equal(redacted.kind, 'http2.exchange');
    const text = JSON.stringify(toJsonRecord(redacted, false));
    assert.ok(!text.includes('s3cr3t'), text);
    assert.ok(!text.includes('token=abc'), text);
    const cookies = (redacted.kind === 'http2.exchange' ? redacted.request?.headers : [])?.filter(
      ([n]) => n === 'cookie',
    );
    assert.equal(cookies?.length, 2);
  });

  it('metrics: exchanges by protocol http2 and grpc, durations recorded', () => {
    const stats = new ExchangeStats();
    for (const record of [...grpc, gzip!]) stats.observe(record);
    const counts = stats.countsSnapshot();
    assert.equal(counts['grpc']?.complete, 4);
    assert.equal(counts['http2']?.complete, 1);
  });
});
