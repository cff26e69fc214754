import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Direction } from '../../../../agent/capture/captured-event';
import { createHttp1Protocol } from '../../../../agent/protocols/http1/http1-protocol';
import { assertChunkingInvariant, assertSidesAgree, exchanges, run, text } from './harness';
import { CONNECTION, req, res, type Action } from '../../../support/stream-script';

const SECOND = 1_000_000_000n;
const T0 = 1_000_000n;

describe('http1 exchange lifecycle', () => {
  it('reports an unanswered request after the exchange timeout, and keeps quiet connections alive until then', () => {
    const request = req('GET /slow HTTP/1.1\r\nHost: h\r\n\r\n', { ts: T0 });
    // Idle well inside the timeout: a slow backend is not an incomplete exchange.
    assert.equal(run([request, { idle: T0 + 29n * SECOND }]).records.length, 0);

    const { records, stats } = run([request, { idle: T0 + 31n * SECOND }, { idle: T0 + 40n * SECOND }]);
    const all = exchanges(records);
    assert.equal(all.length, 1, 'reported once');
    assert.equal(all[0]?.complete, false);
    assert.equal(all[0]?.incompleteReason, 'timeout');
    assert.equal(all[0]?.response, undefined);
    assert.equal(all[0]?.request?.target, '/slow');
    assert.equal(stats.exchangesIncomplete.timeout, 1);
  });

  it('honours a configured exchange timeout, also when driven by traffic', () => {
    const actions: Action[] = [
      req('GET /a HTTP/1.1\r\nHost: h\r\n\r\n', { ts: T0 }),
      // Bytes of another direction 2 s later drive the clock.
      req('GET /b HTTP/1.1\r\nHost: h\r\n\r\n', { ts: T0 + 2n * SECOND }),
    ];
    const { records } = run(actions, { options: { exchangeTimeoutMs: 1000 } });
    assert.deepEqual(
      exchanges(records).map((x) => [x.request?.target, x.incompleteReason]),
      [['/a', 'timeout']],
    );
  });

  it('emits the late response of a timed-out exchange as the same exchange, flagged late', () => {
    const { records, stats } = run([
      req('GET /slow HTTP/1.1\r\nHost: h\r\n\r\n', { ts: T0 }),
      { idle: T0 + 31n * SECOND },
      res('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone', { ts: T0 + 45n * SECOND }),
      req('GET /next HTTP/1.1\r\nHost: h\r\n\r\n', { ts: T0 + 46n * SECOND }),
      res('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', { ts: T0 + 47n * SECOND }),
    ]);
    const all = exchanges(records);
    assert.deepEqual(
      all.map((x) => [x.request?.target, x.complete, x.late, x.incompleteReason]),
      [
        ['/slow', false, false, 'timeout'],
        ['/slow', true, true, undefined],
        ['/next', true, false, undefined],
      ],
    );
    assert.equal(all[1]?.durationNs, 45n * SECOND);
    assert.equal(stats.lateResponses, 1);
  });

  it('does not time out a response that keeps streaming, nor requests pipelined behind it', () => {
    const actions: Action[] = [
      req('GET /events HTTP/1.1\r\nHost: h\r\n\r\nGET /after HTTP/1.1\r\nHost: h\r\n\r\n', { ts: T0 }),
    ];
    actions.push(res('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', { ts: T0 + SECOND }));
    for (let i = 1; i <= 10; i++) actions.push(res(`5\r\nevent\r\n`, { ts: T0 + BigInt(i * 20) * SECOND }));
    actions.push({ idle: T0 + 210n * SECOND });
    assert.equal(run(actions).records.length, 0);
    actions.push(res('0\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n', { ts: T0 + 215n * SECOND }));
    assert.deepEqual(
      exchanges(run(actions).records).map((x) => [x.request?.target, x.complete]),
      [
        ['/events', true],
        ['/after', true],
      ],
    );
  });

  it('reports pending requests when the connection closes', () => {
    const actions: Action[] = [
      req('GET /a HTTP/1.1\r\nHost: h\r\n\r\nPOST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n12345'),
      res('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab'),
      { close: 9_000_000n },
    ];
    const reference = assertChunkingInvariant(actions);
    const all = exchanges(reference.records);
    assert.deepEqual(
      all.map((x) => [x.request?.target, x.complete, x.incompleteReason, x.response?.statusCode]),
      [
        ['/a', false, 'connection-closed', 200],
        ['/b', false, 'connection-closed', undefined],
      ],
    );
    assert.equal(all[0]?.response?.complete, false);
    assert.equal(text(all[0]?.response?.body.preview), 'ab');
    assert.equal(all[1]?.request?.complete, false);
    assert.equal(text(all[1]?.request?.body.preview), '12345');
    assertSidesAgree(actions);
  });

  it('resynchronises at the next message start when picked up mid-stream', () => {
    const actions: Action[] = [
      // The agent started in the middle of a request body and of a response body.
      req('dy of an upload that started earlier\r\nmore\r\nGET /one HTTP/1.1\r\nHost: h\r\n\r\n'),
      res('tail of an earlier response</html>\n'),
      res('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none'),
      req('GET /two HTTP/1.1\r\nHost: h\r\n\r\n'),
      res('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo'),
    ];
    const reference = assertChunkingInvariant(actions);
    const all = exchanges(reference.records);
    assert.deepEqual(
      all.map((x) => [x.request?.target, text(x.response?.body.preview), x.complete]),
      [
        ['/one', 'one', true],
        ['/two', 'two', true],
      ],
    );
    assert.equal(reference.stats.skippedRanges, 2);
    assert.ok(reference.stats.bytesSkipped > 40);
    assert.equal(reference.stats.parseErrorTotal(), 0);
    assertSidesAgree(actions);
  });

  it('reports a response whose request was never seen', () => {
    const actions: Action[] = [
      res('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi'),
      req('GET /b HTTP/1.1\r\nHost: h\r\n\r\n'),
      res('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb'),
    ];
    const reference = assertChunkingInvariant(actions);
    const all = exchanges(reference.records);
    assert.deepEqual(
      all.map((x) => [x.request?.target, x.complete, x.incompleteReason]),
      [
        [undefined, false, 'no-request'],
        ['/b', true, undefined],
      ],
    );
    assert.equal(all[0]?.timestampNs, 1_000_000n);
    // The first message seen is a response read by the captured process: it is the client.
    assert.equal(all[0]?.side, 'client');
  });

  it('bridges bytes lost inside a Content-Length body', () => {
    const actions: Action[] = [
      req('GET /f HTTP/1.1\r\nHost: h\r\n\r\n'),
      res('HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n01234'),
      res('fghij', { gap: 5 }),
      res('klmno'),
      req('GET /g HTTP/1.1\r\nHost: h\r\n\r\n'),
      res('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\ng'),
    ];
    const reference = assertChunkingInvariant(actions);
    const all = exchanges(reference.records);
    assert.equal(all.length, 2);
    const body = all[0]?.response?.body;
    assert.equal(all[0]?.complete, true);
    assert.equal(body?.lostBytes, 5);
    assert.equal(body?.bytes, 20);
    assert.equal(text(body?.preview), '01234');
    assert.equal(body?.truncated, true);
    assert.equal(all[1]?.complete, true);
    assert.equal(reference.stats.gapBytes, 5);
  });

  it('marks the exchange hit by a gap in a head, and pairs the following ones right', () => {
    const actions: Action[] = [
      req('GET /a HTTP/1.1\r\nHost: h\r\n\r\n'),
      res('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na'),
      // A request whose middle was lost: its response must not pair with /c.
      req('GET /b HTTP/1.1\r\nHo'),
      req('st: h\r\n\r\n', { gap: 100 }),
      res('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb'),
      req('GET /c HTTP/1.1\r\nHost: h\r\n\r\n'),
      res('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nc'),
    ];
    const reference = assertChunkingInvariant(actions);
    const all = exchanges(reference.records);
    assert.deepEqual(
      all.map((x) => [x.request?.target, text(x.response?.body.preview), x.complete, x.incompleteReason]),
      [
        ['/a', 'a', true, undefined],
        [undefined, 'b', false, 'capture-gap'],
        ['/c', 'c', true, undefined],
      ],
    );
  });

  it('treats bytes lost between messages as a lost message', () => {
    const actions: Action[] = [
      req('GET /a HTTP/1.1\r\nHost: h\r\n\r\n'),
      // The whole of request /lost went missing, then its response arrives.
      req('GET /c HTTP/1.1\r\nHost: h\r\n\r\n', { gap: 40 }),
      res('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na'),
      res('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlost'),
      res('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nc'),
    ];
    const all = exchanges(run(actions).records);
    assert.deepEqual(
      all.map((x) => [x.request?.target, text(x.response?.body.preview), x.incompleteReason]),
      [
        ['/a', 'a', undefined],
        [undefined, 'lost', 'capture-gap'],
        ['/c', 'c', undefined],
      ],
    );
  });

  it('counts malformed messages, flags their exchange and recovers', () => {
    const many = Array.from({ length: 8 }, (_, i) => `X-H${i}: v\r\n`).join('');
    const actions: Action[] = [
      req(`GET /too-many HTTP/1.1\r\nHost: h\r\n${many}\r\n`),
      res('HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\n\r\n'),
      req('GET /ok HTTP/1.1\r\nHost: h\r\n\r\n'),
      res('HTTP/1.1 200 OK\r\nContent-Length: 8\r\nContent-Length: 9\r\n\r\n'),
      // Junk after a body is skipped without standing for a message.
      res('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokJUNK\r\n'),
      req('GET /last HTTP/1.1\r\nHost: h\r\n\r\n'),
    ];
    const reference = assertChunkingInvariant(actions, { maxHeaders: 5 });
    const all = exchanges(reference.records);
    // The 'ok' response has no request left to answer; /last waits for its response.
    assert.deepEqual(
      all.map((x) => [x.request?.target, x.response?.statusCode, text(x.response?.body.preview), x.incompleteReason]),
      [
        [undefined, 431, '', 'parse-error'],
        // A head with conflicting lengths is reported as seen, marked malformed.
        ['/ok', 200, '', 'parse-error'],
        [undefined, 200, 'ok', 'no-request'],
      ],
    );
    const errors = reference.stats.parseErrors;
    assert.equal(errors['too-many-headers'], 1);
    assert.equal(errors['invalid-content-length'], 1);
    assert.equal(errors['invalid-start-line'], 1);
    const closed = exchanges(run([...actions, { close: 9n * SECOND }], { options: { maxHeaders: 5 } }).records);
    assert.deepEqual(
      closed.slice(3).map((x) => [x.request?.target, x.incompleteReason]),
      [['/last', 'connection-closed']],
    );
  });

  it('rejects an oversized head and resynchronises after it', () => {
    const actions: Action[] = [
      req(`GET /big HTTP/1.1\r\nHost: h\r\nX-Big: ${'b'.repeat(5000)}\r\n\r\nGET /small HTTP/1.1\r\nHost: h\r\n\r\n`),
      res('HTTP/1.1 431 Too Large\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'),
    ];
    const { records, stats } = run(actions, { options: { maxHeadBytes: 1024 } });
    assert.equal(stats.parseErrors['head-too-large'], 1);
    assert.deepEqual(
      exchanges(records).map((x) => [x.request?.target, x.response?.statusCode]),
      [
        [undefined, 431],
        ['/small', 200],
      ],
    );
  });

  it('gives up the oldest waiting request past the queue bound', () => {
    const actions: Action[] = [];
    for (let i = 0; i < 5; i++) actions.push(req(`GET /${i} HTTP/1.1\r\nHost: h\r\n\r\n`));
    const { records, stats } = run(actions, { options: { maxPendingExchanges: 3 } });
    assert.deepEqual(
      exchanges(records).map((x) => [x.request?.target, x.incompleteReason]),
      [
        ['/0', 'queue-overflow'],
        ['/1', 'queue-overflow'],
      ],
    );
    assert.equal(stats.exchangesIncomplete['queue-overflow'], 2);
  });

  it('is idempotent on close and ignores bytes after it', () => {
    const { records } = run([
      req('GET /a HTTP/1.1\r\nHost: h\r\n\r\n'),
      { close: 2n * SECOND },
      { close: 3n * SECOND },
      res('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'),
    ]);
    assert.equal(records.length, 1);
  });
});

describe('http1 options and deadlines', () => {
  it('says when the next exchange timeout falls due', () => {
    const protocol = createHttp1Protocol({ exchangeTimeoutMs: 5000 });
    const parser = protocol.create(CONNECTION, { emit: () => undefined });
    assert.equal(parser.nextDeadlineNs(), undefined);
    parser.push({
      direction: Direction.Egress,
      timestampNs: T0,
      bytes: Buffer.from('GET / HTTP/1.1\r\nHost: h\r\n\r\n'),
      gapBefore: 0,
      tid: 1,
    });
    assert.equal(parser.nextDeadlineNs(), T0 + 5n * SECOND);
    parser.idle(T0 + 6n * SECOND);
    assert.equal(parser.nextDeadlineNs(), undefined);
  });

  it('rejects nonsensical options', () => {
    assert.throws(() => createHttp1Protocol({ bodyCaptureBytes: -1 }), RangeError);
    assert.throws(() => createHttp1Protocol({ exchangeTimeoutMs: 0 }), RangeError);
    assert.throws(() => createHttp1Protocol({ maxDecodeRatio: 0.5 }), RangeError);
    const defaults = createHttp1Protocol().options;
    assert.equal(defaults.bodyCaptureBytes, 4096);
    assert.equal(defaults.exchangeTimeoutNs, 30n * SECOND);
    assert.equal(defaults.websocketCaptureBytes, 4096);
  });
});
