/** Byte streams recorded between real HTTP/2 peers (test/fixtures/http2, see its README). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headerValue } from '../../../../agent/exchange/http-headers';
import { text } from '../http1/harness';
import { assertChunkingInvariant2, assertSidesAgree2, loadFixture2, run2 } from './harness';

function summary(name: string): unknown[] {
  const steps = loadFixture2(name);
  const reference = assertChunkingInvariant2(steps, {}, 10);
  assertSidesAgree2(steps);
  assert.equal(reference.stats.parseErrorTotal(), 0);
  assert.equal(reference.stats.resyncs, 0);
  return reference.records.map((x) => [
    x.streamId,
    x.request?.method,
    x.request?.target,
    x.response?.statusCode,
    x.response?.body.decodedBytes,
    x.complete,
    x.headersIncomplete,
  ]);
}

describe('http2 recorded streams', () => {
  it('curl ↔ nginx: gzip GET with cookies and a query', () => {
    assert.deepEqual(summary('curl-nginx-gzip'), [[1, 'GET', '/items.json?token=abc&x=1', 200, 18083, true, false]]);
    const [x] = run2(loadFixture2('curl-nginx-gzip')).records;
    assert.equal(x?.authority?.startsWith('127.0.0.1:'), true);
    assert.equal(x?.scheme, 'http');
    assert.equal(x?.response?.body.decoding, 'decoded');
    assert.ok(text(x?.response?.body.preview).startsWith('[\n{"id":0,"name":"item 0"'));
    assert.deepEqual(
      x?.request?.headers.filter(([name]) => name === 'cookie').map(([, value]) => value),
      ['a=1', 'session=s3cr3t'],
    );
    assert.equal(headerValue(x?.response?.headers ?? [], 'content-encoding'), 'gzip');
    assert.equal(x?.response?.version, '2');
  });

  it('curl ↔ nginx: POST of 3000 bytes', () => {
    assert.deepEqual(summary('curl-nginx-post'), [[1, 'POST', '/upload', 201, 7, true, false]]);
    const [x] = run2(loadFixture2('curl-nginx-post')).records;
    assert.equal(x?.request?.body.bytes, 3000);
  });

  it('nghttp ↔ nginx: four streams at once', () => {
    assert.deepEqual(summary('nghttp-nginx'), [
      [13, 'GET', '/hello', 200, 17, true, false],
      [15, 'GET', '/index.html', 200, 64, true, false],
      [17, 'GET', '/items.json', 200, 18083, true, false],
      [19, 'GET', '/missing', 404, 153, true, false],
    ]);
  });

  it('grpcio client ↔ server: four calls with status, messages and gzip', () => {
    const steps = loadFixture2('grpcio-calls');
    const reference = assertChunkingInvariant2(steps, {}, 5);
    assertSidesAgree2(steps);
    assert.equal(reference.stats.parseErrorTotal(), 0);
    const calls = reference.records.map((x) => [
      x.grpc?.service,
      x.grpc?.method,
      x.grpc?.statusCode,
      x.grpc?.statusMessage,
      x.grpc?.requestMessages.count,
      x.grpc?.responseMessages.count,
      x.complete,
    ]);
    assert.deepEqual(calls, [
      ['plaintap.test.Echo', 'Unary', 0, undefined, 1, 1, true],
      ['plaintap.test.Echo', 'Missing', 5, 'no such item: 42', 1, 0, true],
      ['plaintap.test.Echo', 'ServerStream', 0, undefined, 1, 10, true],
      ['plaintap.test.Echo', 'ClientStream', 0, undefined, 5, 1, true],
    ]);
    const unary = reference.records[0];
    assert.equal(unary?.grpc?.requestEncoding, 'gzip');
    assert.ok(text(unary?.grpc?.requestMessages.preview).startsWith('hello grpc hello grpc'));
  });
});
