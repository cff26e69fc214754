import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headerValue, headerValues } from '../../../../agent/exchange/http-headers';
import { assertChunkingInvariant, assertSidesAgree, exchanges, run, text } from './harness';
import { concat, req, res, type Action } from '../../../support/stream-script';

describe('http1 framing', () => {
  it('keeps one connection alive across many exchanges', () => {
    const actions: Action[] = [];
    for (let i = 0; i < 50; i++) {
      actions.push(req(`GET /item/${i} HTTP/1.1\r\nHost: api.example\r\nX-Seq: ${i}\r\n\r\n`));
      const body = `{"id":${i}}`;
      actions.push(
        res(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`),
      );
    }
    const { records, stats } = run(actions);
    const all = exchanges(records);
    assert.equal(all.length, 50);
    all.forEach((x, i) => {
      assert.equal(x.complete, true);
      assert.equal(x.request?.target, `/item/${i}`);
      assert.equal(text(x.response?.body.preview), `{"id":${i}}`);
      assert.equal(x.timestampNs, 1_000_000n + 1000n * BigInt(2 * i));
      assert.equal(x.endNs, 1_000_000n + 1000n * BigInt(2 * i + 1));
      assert.equal(x.durationNs, 1000n);
    });
    assert.equal(stats.exchangesComplete, 50);
    assertChunkingInvariant(actions.slice(0, 8));
  });

  it('pairs pipelined requests with their responses in order', () => {
    const actions: Action[] = [
      req(
        'GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\nPOST /c HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz',
      ),
      res('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA'),
      res('HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\nBHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nC'),
    ];
    const reference = assertChunkingInvariant(actions);
    const all = exchanges(reference.records);
    assert.deepEqual(
      all.map((x) => [x.request?.method, x.request?.target, x.response?.statusCode, text(x.response?.body.preview)]),
      [
        ['GET', '/a', 200, 'A'],
        ['GET', '/b', 404, 'B'],
        ['POST', '/c', 201, 'C'],
      ],
    );
    assert.equal(text(all[2]?.request?.body.preview), 'xyz');
    // Emitted the moment each response's last byte arrives.
    assert.deepEqual(
      all.map((x) => x.endNs),
      [1_001_000n, 1_002_000n, 1_002_000n],
    );
    assertSidesAgree(actions);
  });

  it('reads chunked bodies with extensions and trailers, counting wire bytes', () => {
    const actions: Action[] = [
      req(
        'POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;name=x\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
      ),
      res(
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n' +
          '4\r\nwiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n',
      ),
    ];
    const reference = assertChunkingInvariant(actions);
    const [x] = exchanges(reference.records);
    assert.ok(x);
    assert.equal(x.complete, true);
    assert.equal(text(x.request?.body.preview), 'hello world');
    assert.equal(x.request?.body.bytes, 11);
    assert.equal(x.request?.body.wireBytes, '5;name=x\r\nhello\r\n6\r\n world\r\n0\r\n\r\n'.length);
    assert.equal(text(x.response?.body.preview), 'wikipedia in\r\n\r\nchunks.');
    assert.deepEqual(x.response?.trailers, [
      ['X-Checksum', 'abc'],
      ['X-Other', '1'],
    ]);
    assertSidesAgree(actions);
  });

  it('reads no body after HEAD, 204 and 304, whatever Content-Length says', () => {
    const actions: Action[] = [
      req('HEAD /big HTTP/1.1\r\nHost: h\r\n\r\n'),
      res('HTTP/1.1 200 OK\r\nContent-Length: 123456\r\nTransfer-Encoding: identity\r\n\r\n'),
      req('DELETE /x HTTP/1.1\r\nHost: h\r\n\r\n'),
      res('HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n'),
      req('GET /c HTTP/1.1\r\nHost: h\r\nIf-None-Match: "v1"\r\n\r\n'),
      res('HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\nContent-Length: 99\r\n\r\n'),
      req('GET /after HTTP/1.1\r\nHost: h\r\n\r\n'),
      res('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'),
    ];
    const reference = assertChunkingInvariant(actions);
    const all = exchanges(reference.records);
    assert.deepEqual(
      all.map((x) => [x.response?.statusCode, x.response?.body.bytes, x.complete]),
      [
        [200, 0, true],
        [204, 0, true],
        [304, 0, true],
        [200, 2, true],
      ],
    );
  });

  it('keeps 1xx interim responses (100-continue) with the final one', () => {
    const actions: Action[] = [
      req('PUT /file HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n'),
      res('HTTP/1.1 100 Continue\r\n\r\n'),
      req('data'),
      res(
        'HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n',
      ),
    ];
    const reference = assertChunkingInvariant(actions);
    const [x] = exchanges(reference.records);
    assert.ok(x);
    assert.equal(x.complete, true);
    assert.equal(text(x.request?.body.preview), 'data');
    assert.equal(x.response?.statusCode, 201);
    assert.deepEqual(
      x.response?.interim.map((i) => [i.statusCode, i.reason, i.timestampNs]),
      [
        [100, 'Continue', 1_001_000n],
        [103, 'Early Hints', 1_003_000n],
      ],
    );
    assert.equal(x.durationNs, 3000n);
    assertSidesAgree(actions);
  });

  it('completes a close-delimited response when the connection closes', () => {
    const actions: Action[] = [
      req('GET /stream HTTP/1.0\r\nHost: h\r\n\r\n'),
      res('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nfirst part, '),
      res('second part'),
      { close: 5_000_000n },
    ];
    const reference = assertChunkingInvariant(actions);
    const [x] = exchanges(reference.records);
    assert.ok(x);
    assert.equal(x.complete, true);
    assert.equal(x.request?.version, '1.0');
    assert.equal(text(x.response?.body.preview), 'first part, second part');
    assert.equal(x.response?.endNs, 1_002_000n);
    // Nothing before the close: silence is not a boundary.
    assert.equal(run(actions.slice(0, 3)).records.length, 0);
  });

  it('keeps header order, repeats and spelling; looks them up in any case', () => {
    const { records } = run([
      req('GET / HTTP/1.1\r\nHost: h\r\nAccept: a\r\nx-folded: one\r\n  two\r\nAccept: b\r\n\r\n'),
      res('HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nSET-COOKIE: b=2\r\ncontent-length: 0\r\n\r\n'),
    ]);
    const [x] = exchanges(records);
    assert.ok(x?.request && x.response);
    assert.deepEqual(x.request.headers, [
      ['Host', 'h'],
      ['Accept', 'a'],
      ['x-folded', 'one two'],
      ['Accept', 'b'],
    ]);
    assert.deepEqual(headerValues(x.response.headers, 'set-cookie'), ['a=1', 'b=2']);
    assert.equal(headerValue(x.request.headers, 'ACCEPT'), 'a');
    assert.equal(headerValue(x.request.headers, 'missing'), undefined);
    assert.equal(x.response.reason, 'OK');
  });

  it('tunnels after CONNECT 200 and counts the bytes without parsing them', () => {
    const actions: Action[] = [
      req('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\x16\x03\x01\x00\x05hello'),
      res('HTTP/1.1 200 Connection Established\r\n\r\n\x16\x03\x03\x00\x02hi'),
      req('GET / HTTP/1.1\r\nHost: inside-the-tunnel\r\n\r\n'),
      { close: 9_000_000n },
    ];
    const reference = assertChunkingInvariant(actions);
    const all = exchanges(reference.records);
    assert.equal(all.length, 1);
    const [x] = all;
    assert.equal(x?.request?.method, 'CONNECT');
    assert.equal(x?.request?.target, 'example.com:443');
    assert.equal(x?.upgrade, 'tunnel');
    assert.equal(x?.complete, true);
    assert.equal(reference.stats.tunnels, 1);
    assert.equal(reference.stats.tunnelBytes, 10 + 7 + 'GET / HTTP/1.1\r\nHost: inside-the-tunnel\r\n\r\n'.length);
    assertSidesAgree(actions);
  });

  it('goes on parsing HTTP when CONNECT or an upgrade is refused', () => {
    const actions: Action[] = [
      req('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'),
      // Sent before the answer came: held until the answer decides what it is.
      req('GET /next HTTP/1.1\r\nHost: h\r\n\r\n'),
      res('HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n'),
      res('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'),
      req('GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'),
      res('HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nno\n'),
      req('GET /last HTTP/1.1\r\nHost: h\r\n\r\n'),
      res('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'),
    ];
    const reference = assertChunkingInvariant(actions);
    const all = exchanges(reference.records);
    assert.deepEqual(
      all.map((x) => [x.request?.target, x.response?.statusCode, x.complete, x.upgrade]),
      [
        ['example.com:443', 407, true, undefined],
        ['/next', 200, true, undefined],
        ['/ws', 400, true, undefined],
        ['/last', 200, true, undefined],
      ],
    );
  });

  it('reports a request body split across many chunks and a body larger than the cap', () => {
    const big = 'x'.repeat(10_000);
    const actions: Action[] = [
      req(concat('POST /big HTTP/1.1\r\nHost: h\r\nContent-Length: 10000\r\n\r\n', big)),
      res('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'),
    ];
    const { records } = run(actions, { options: { bodyCaptureBytes: 100 } });
    const [x] = exchanges(records);
    assert.equal(x?.request?.body.preview.length, 100);
    assert.equal(x?.request?.body.truncated, true);
    assert.equal(x?.request?.body.bytes, 10_000);
    assert.equal(x?.request?.body.wireBytes, 10_000);
    const defaults = exchanges(run(actions).records)[0];
    assert.equal(defaults?.request?.body.preview.length, 4096);
  });
});
