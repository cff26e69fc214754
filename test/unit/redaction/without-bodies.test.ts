import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpBody } from '../../../agent/exchange/http-exchange';
import type { OutputRecord } from '../../../agent/exchange/output-record';
import { withoutBodies } from '../../../agent/redaction/without-bodies';
import { facts } from '../../support/captured-events';
import { rawMessage, httpBody } from '../../support/output-records';

const preview = new TextEncoder().encode('{"a":1}');
const body: HttpBody = httpBody(7, { preview });

describe('withoutBodies', () => {
  it('empties HTTP body previews and WebSocket payloads, keeps sizes; raw records as they are', () => {
    const common = { version: '1.1', headers: [], trailers: [], headerBytes: 10, body, startNs: 1n, endNs: 2n, tid: 1 };
    const exchange: OutputRecord = {
      kind: 'http1.exchange',
      connection: facts({}),
      side: 'client',
      request: { ...common, complete: true, method: 'POST', target: '/' },
      response: { ...common, complete: true, statusCode: 200, reason: 'OK', interim: [] },
      complete: true,
      late: false,
      timestampNs: 1n,
      endNs: 2n,
      durationNs: 1n,
    };
    const out = withoutBodies(exchange);
    assert.ok(out.kind === 'http1.exchange');
    assert.equal(out.request?.body.preview.length, 0);
    assert.equal(out.request?.body.bytes, 7);
    assert.equal(out.request?.body.truncated, true);
    assert.equal(out.response?.body.preview.length, 0);
    assert.equal(exchange.request?.body.preview.length, 7, 'the original record is not changed');
    const raw: OutputRecord = rawMessage(preview, { length: 7 });
    assert.equal(withoutBodies(raw), raw);
  });
});
