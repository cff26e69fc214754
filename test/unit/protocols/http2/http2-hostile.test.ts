/**
 * Hostile and broken input: floods (CONTINUATION, rapid reset, empty DATA, stream cap), malformed
 * frames, mid-stream pickup (headers unknown, never wrong) and a short seeded mutation fuzz.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UNKNOWN } from '../../../../agent/protocols/http2/hpack/hpack-decoder';
import { runFuzz } from '../../../fuzz/http2-mutation-fuzz';
import type { Step } from '../../../support/stream-script';
import { frame, loadFixture2, PREFACE, run2 } from './harness';

/** GET / with static-table fields only (:method GET, :scheme https, :path /). */
const GET = Uint8Array.of(0x82, 0x87, 0x84);
/** :status 200. */
const OK = Uint8Array.of(0x88);
const END_STREAM = 0x1;
const END_HEADERS = 0x4;

const req = (bytes: Uint8Array): Step => ({ dir: 'request', bytes });
const res = (bytes: Uint8Array): Step => ({ dir: 'response', bytes });

describe('http2: hostile input stays bounded', () => {
  it('CONTINUATION without END_HEADERS (CVE-2024-27316 shape): block cut at the cap, connection goes on', () => {
    const flood = [frame(1, 0, 1, GET)];
    for (let i = 0; i < 200; i++) flood.push(frame(9, 0, 1, Buffer.alloc(16_384, 0x41)));
    flood.push(frame(9, END_HEADERS, 1, Buffer.alloc(0)));
    const steps = [req(PREFACE), req(Buffer.concat(flood)), req(frame(1, END_HEADERS | END_STREAM, 3, GET))];
    steps.push(res(frame(1, END_HEADERS | END_STREAM, 3, OK)));
    const { records, stats } = run2(steps);
    assert.equal(stats.frameErrors['header-block-too-large'], 1);
    // Stream 3 came after: its request used only the static table, so it is complete and known.
    const three = records.find((x) => x.streamId === 3);
    assert.equal(three?.complete, true);
    assert.equal(three?.request?.method, 'GET');
  });

  it('rapid reset (CVE-2023-44487 shape, 10^5 HEADERS + RST_STREAM): marked once, records bounded', () => {
    const frames: Buffer[] = [PREFACE];
    for (let i = 0; i < 100_000; i++) {
      const id = 2 * i + 1;
      frames.push(frame(1, END_HEADERS | END_STREAM, id, GET), frame(3, 0, id, Uint8Array.of(0, 0, 0, 8)));
    }
    const { records, stats } = run2([req(Buffer.concat(frames))], { options: { maxEarlyResets: 1000 } });
    assert.equal(stats.rapidResetConnections, 1);
    assert.equal(records.length, 1000);
    assert.equal(stats.rapidResetsSuppressed, 99_000);
    assert.equal(records[0]?.incompleteReason, 'stream-reset');
    assert.equal(records[0]?.errorCode, 'CANCEL');
  });

  it('open streams are capped (counted), empty DATA floods marked', () => {
    const frames: Buffer[] = [PREFACE];
    for (let i = 0; i < 1500; i++) frames.push(frame(1, END_HEADERS, 2 * i + 1, GET));
    for (let i = 0; i < 20_000; i++) frames.push(frame(0, 0, 1));
    const { records, stats } = run2([req(Buffer.concat(frames)), { close: 10_000_000n }], {
      options: { maxOpenStreams: 1000 },
    });
    assert.equal(stats.streamCapDrops, 500);
    assert.equal(stats.emptyDataFloods, 1);
    assert.equal(records.length, 1000);
    assert.ok(records.every((x) => x.incompleteReason === 'connection-closed'));
  });

  it('malformed frames are counted and skipped; the next good stream is still an exchange', () => {
    const bad = Buffer.concat([
      frame(3, 0, 0, Uint8Array.of(0, 0, 0, 0)), // RST_STREAM on stream 0
      frame(4, 0, 1, Buffer.alloc(6)), // SETTINGS on a stream
      frame(6, 0, 0, Buffer.alloc(3)), // PING of 3 bytes
      frame(0, 0x8, 1, Uint8Array.of(9, 1, 2)), // DATA padding longer than the frame
      frame(9, END_HEADERS, 1, GET), // CONTINUATION with no block
    ]);
    const steps = [
      req(PREFACE),
      req(bad),
      req(frame(1, END_HEADERS | END_STREAM, 5, GET)),
      res(frame(1, END_HEADERS | END_STREAM, 5, OK)),
    ];
    const { records, stats } = run2(steps);
    assert.ok(stats.frameErrorTotal() >= 4, JSON.stringify(stats.frameErrors));
    assert.deepEqual(
      records.map((x) => [x.streamId, x.complete]),
      [[5, true]],
    );
  });

  it('garbage instead of frames: no crash, nothing emitted', () => {
    const garbage = Buffer.alloc(200_000);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919) & 0xff;
    const { records } = run2([req(PREFACE), req(garbage), res(garbage)]);
    assert.equal(records.length, 0);
  });
});

describe('http2: a connection picked up mid-stream', () => {
  it('later streams come out; a header from an unseen HPACK entry is unknown, never wrong', () => {
    const full = loadFixture2('grpcio-calls');
    const reference = run2(full).records;
    const known = (
      fields: readonly (readonly [string, string])[] | undefined,
      within: readonly (readonly [string, string])[] | undefined,
      x: { headersIncomplete: boolean },
    ): void => {
      for (const [name, value] of fields ?? []) {
        if (name === UNKNOWN || value === UNKNOWN) {
          assert.equal(x.headersIncomplete, true);
          continue;
        }
        assert.ok(
          (within ?? []).some(([n, v]) => n === name && v === value),
          `${name}: ${value}`,
        );
      }
    };
    let unknownSeen = 0;
    // Start later and later: the first steps (preface, SETTINGS, first header blocks) never seen.
    for (let skip = 1; skip < 8; skip++) {
      const { records, stats } = run2(full.slice(skip));
      unknownSeen += stats.unknownHeaders;
      assert.ok(records.length >= 3, `skip ${skip}`);
      for (const x of records) {
        const same = reference.find((r) => r.streamId === x.streamId);
        assert.ok(same !== undefined);
        if (x.request !== undefined) assert.equal(x.request.target, same.request?.target);
        known(x.request?.headers, same.request?.headers, x);
        known(x.response?.headers, same.response?.headers, x);
        known(x.response?.trailers, same.response?.trailers, x);
      }
    }
    assert.ok(unknownSeen > 0, 'some headers referred to entries never seen');
  });
});

describe('http2: seeded mutation fuzz (the short CI run of test/fuzz/http2-mutation-fuzz.ts)', () => {
  it('2000 mutated inputs: no crash, no hang', () => {
    const report = runFuzz(2000, 42);
    assert.deepEqual(report.crashes, []);
    assert.equal(report.hangs, 0);
  });
});
