/** Byte streams recorded between curl and nginx (test/fixtures/http1, see its README). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headerValue } from '../../../../agent/exchange/http-headers';
import { assertChunkingInvariant, assertSidesAgree, exchanges, loadFixture, text } from './harness';
import type { Action } from '../../../support/stream-script';

function summary(actions: readonly Action[]): unknown[] {
  const reference = assertChunkingInvariant(actions, {}, 20);
  assertSidesAgree(actions);
  assert.equal(reference.stats.parseErrorTotal(), 0);
  assert.equal(reference.stats.skippedRanges, 0);
  return exchanges(reference.records).map((x) => [
    x.request?.method,
    x.request?.target,
    x.response?.statusCode,
    x.response?.body.decodedBytes,
    x.complete,
  ]);
}

describe('http1 recorded streams (curl ↔ nginx)', () => {
  it('keep-alive: four exchanges on one connection', () => {
    const steps = loadFixture('curl-nginx-keepalive');
    assert.deepEqual(summary(steps), [
      ['GET', '/hello', 200, 17, true],
      ['GET', '/index.html', 200, 64, true],
      ['GET', '/empty', 204, 0, true],
      ['GET', '/hello', 200, 17, true],
    ]);
  });

  it('gzip + chunked response, decoded', () => {
    const steps = loadFixture('curl-nginx-gzip-chunked');
    assert.deepEqual(summary(steps), [['GET', '/items.json', 200, 18083, true]]);
    const [x] = exchanges(assertChunkingInvariant(steps, {}, 0).records);
    assert.equal(x?.response?.body.decoding, 'decoded');
    assert.equal(headerValue(x?.response?.headers ?? [], 'content-encoding'), 'gzip');
    assert.ok(text(x?.response?.body.preview).startsWith('[\n{"id":0,"name":"item 0"'));
    assert.equal(x?.response?.body.truncated, true);
  });

  it('HEAD with Content-Length and a 304, neither with a body', () => {
    assert.deepEqual(summary(loadFixture('curl-nginx-head-304')), [
      ['HEAD', '/index.html', 200, 0, true],
      ['GET', '/index.html', 304, 0, true],
    ]);
  });

  it('Expect: 100-continue upload', () => {
    const steps = loadFixture('curl-nginx-expect-continue');
    assert.deepEqual(summary(steps), [['POST', '/upload', 201, 7, true]]);
    const [x] = exchanges(assertChunkingInvariant(steps, {}, 0).records);
    assert.deepEqual(
      x?.response?.interim.map((i) => i.statusCode),
      [100],
    );
    assert.equal(x?.request?.body.bytes, 3000);
  });

  it('chunked request upload', () => {
    const steps = loadFixture('curl-nginx-chunked-upload');
    assert.deepEqual(summary(steps), [['POST', '/upload', 201, 7, true]]);
    const [x] = exchanges(assertChunkingInvariant(steps, {}, 0).records);
    assert.equal(x?.request?.body.bytes, 3000);
    assert.equal(x?.request?.body.wireBytes, 3000 + 'bb8\r\n\r\n0\r\n\r\n'.length);
  });

  it('three pipelined requests', () => {
    assert.deepEqual(summary(loadFixture('nginx-pipelined')), [
      ['GET', '/hello', 200, 17, true],
      ['GET', '/index.html', 200, 64, true],
      ['GET', '/hello', 200, 17, true],
    ]);
  });
});
