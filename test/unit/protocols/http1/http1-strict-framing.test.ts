/**
 * RFC 9112 framing rules on smuggling-style inputs (issue 16): each input is one a strict server
 * refuses; the parser must never report it as a complete, valid-looking exchange, must name the
 * rule it broke, count it, and find the next message again. Every input is also fed byte by byte
 * and split at every boundary (assertChunkingInvariant): the verdict never depends on chunking.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Http1ParseError } from '../../../../agent/protocols/http1/http1-stats';
import { assertChunkingInvariant, exchanges, run } from './harness';
import { req, res, type Action } from '../../../support/stream-script';

/**
 * The next messages, each after a line end: after a refused message the parser looks for a
 * message start at the next line start (a chunk boundary is no line start, so that the verdict
 * never depends on chunking).
 */
const NEXT: Action[] = [
  req('\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n'),
  res('\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext'),
];

interface Case {
  readonly name: string;
  readonly actions: Action[];
  readonly reason: Http1ParseError;
}

const CASES: Case[] = [
  {
    name: 'a status line ending in a bare CR',
    actions: [req('GET /a HTTP/1.1\r\nHost: h\r\n\r\n'), res('HTTP/1.1 200 OK\r\rContent-Length: 4\r\n\r\nbody')],
    reason: 'bare-cr',
  },
  {
    name: 'a bare CR inside a header value',
    actions: [req('GET /a HTTP/1.1\r\nHost: h\rX-Evil: 1\r\nContent-Length: 0\r\n\r\n')],
    reason: 'bare-cr',
  },
  {
    name: 'a bare CR inside a chunk-size line',
    actions: [req('POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r;x\r\nhello\r\n0\r\n\r\n')],
    reason: 'bare-cr',
  },
  {
    name: 'LF-only header lines whose Content-Length would be honoured',
    actions: [req('POST /a HTTP/1.1\nHost: h\nContent-Length: 5\n\nhello')],
    reason: 'bare-lf',
  },
  {
    name: 'a chunk-size line ended by LF alone',
    actions: [req('POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n')],
    reason: 'bare-lf',
  },
  {
    name: 'chunk data not followed by CRLF',
    actions: [req('POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n')],
    reason: 'invalid-chunk',
  },
  {
    name: 'a chunk size that is not hex',
    actions: [req('POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5g\r\nhello\r\n0\r\n\r\n')],
    reason: 'invalid-chunk',
  },
  {
    name: 'whitespace after a chunk size without an extension',
    actions: [req('POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n')],
    reason: 'invalid-chunk',
  },
  {
    name: 'a header line starting with a space that hides Content-Length',
    actions: [req('POST /a HTTP/1.1\r\nHost: h\r\nX-Pad: a\r\n Content-Length: 5\r\n\r\nhello')],
    reason: 'obs-fold',
  },
  {
    name: 'Transfer-Encoding: chunked followed by a continuation line',
    actions: [
      req('POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n , identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n'),
    ],
    reason: 'obs-fold',
  },
  {
    name: 'whitespace before a header colon',
    actions: [req('POST /a HTTP/1.1\r\nHost: h\r\nContent-Length : 5\r\n\r\nhello')],
    reason: 'space-before-colon',
  },
  {
    name: 'Transfer-Encoding together with Content-Length (request)',
    actions: [req('POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')],
    reason: 'transfer-encoding-with-content-length',
  },
  {
    name: 'Transfer-Encoding together with Content-Length (response)',
    actions: [
      req('GET /a HTTP/1.1\r\nHost: h\r\n\r\n'),
      res('HTTP/1.1 200 OK\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbody\r\n0\r\n\r\n'),
    ],
    reason: 'transfer-encoding-with-content-length',
  },
  {
    name: 'conflicting Content-Length values',
    actions: [req('POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!')],
    reason: 'invalid-content-length',
  },
  {
    name: 'chunked twice',
    actions: [req('POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n')],
    reason: 'invalid-transfer-encoding',
  },
  {
    name: 'chunked not last in a request',
    actions: [req('POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n')],
    reason: 'invalid-transfer-encoding',
  },
  {
    name: 'Transfer-Encoding in an HTTP/1.0 request',
    actions: [req('POST /a HTTP/1.0\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')],
    reason: 'invalid-transfer-encoding',
  },
];

describe('http1 strict framing (RFC 9112)', () => {
  for (const { name, actions, reason } of CASES) {
    it(`refuses ${name}: ${reason}`, () => {
      // A strict server answers a refused request with 400 (its exchange keeps its place in the pairing).
      const answered = actions.some((a) => 'dir' in a && a.dir === 'response');
      const refusal = res('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
      const reference = assertChunkingInvariant([...actions, ...(answered ? [] : [refusal]), ...NEXT]);
      const all = exchanges(reference.records);
      const broken = all.filter((x) => !x.complete);
      assert.ok(broken.length >= 1, 'an incomplete exchange is reported');
      assert.ok(
        broken.some((x) => x.parseError === reason),
        `parseError ${reason}: ${JSON.stringify(broken.map((x) => [x.incompleteReason, x.parseError]))}`,
      );
      for (const x of broken) assert.notEqual(x.complete, true);
      assert.ok(reference.stats.parseErrors[reason] >= 1, `counted under ${reason}`);
      // The parser finds the next message again.
      const last = all[all.length - 1];
      assert.equal(last?.request?.target, '/next');
      assert.equal(last?.complete, true);
    });
  }

  it('keeps the leniency real traffic needs: no reason phrase, empty lines between messages', () => {
    const actions: Action[] = [
      req('GET /a HTTP/1.1\r\nHost: h\r\n\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n'),
      res('HTTP/1.1 200\r\nContent-Length: 1\r\n\r\naHTTP/1.1 204 \r\n\r\n'),
    ];
    const reference = assertChunkingInvariant(actions);
    assert.deepEqual(
      exchanges(reference.records).map((x) => [x.request?.target, x.response?.statusCode, x.complete]),
      [
        ['/a', 200, true],
        ['/b', 204, true],
      ],
    );
    assert.equal(reference.stats.parseErrorTotal(), 0);
  });

  it('reports a refused head as seen: the request with its headers, marked malformed', () => {
    const { records } = run([
      req('POST /smuggle HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'),
      res('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'),
    ]);
    const [x] = exchanges(records);
    assert.equal(x?.request?.target, '/smuggle');
    assert.equal(x?.response?.statusCode, 400);
    assert.equal(x?.incompleteReason, 'parse-error');
    assert.equal(x?.parseError, 'transfer-encoding-with-content-length');
  });

  it('counts bytes refused at the start of a connection (unknown method, malformed status line)', () => {
    const { stats, records } = run([
      req('BREW /pot HTCPCP/1.0\r\n\r\nGET /a HTTP/1.1\r\nHost: h\r\n\r\n'),
      res('HTTP/2.0 200 OK\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'),
    ]);
    assert.equal(stats.skippedRanges, 2);
    assert.equal(stats.bytesSkipped, 'BREW /pot HTCPCP/1.0\r\n\r\n'.length + 'HTTP/2.0 200 OK\r\n\r\n'.length);
    assert.equal(exchanges(records)[0]?.complete, true);
  });
});
