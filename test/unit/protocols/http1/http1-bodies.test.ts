import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import { assertChunkingInvariant, exchanges, run, text } from './harness';
import { concat, prng, req, res, type Action } from '../../../support/stream-script';

/** Random lower-case letters: text that compresses only about 1.6 times. */
function letters(length: number, seed: number): Buffer {
  const random = prng(seed);
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = 97 + Math.floor(random() * 26);
  return out;
}

const JSON_BODY = JSON.stringify({ items: Array.from({ length: 40 }, (_, i) => ({ id: i, name: `item ${i}` })) });

function withBody(encoding: string, body: Uint8Array, chunked = false): Action[] {
  const head = `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: ${encoding}\r\n`;
  let response: Buffer;
  if (chunked) {
    const half = Math.floor(body.length / 2);
    response = concat(
      head,
      'Transfer-Encoding: chunked\r\n\r\n',
      `${half.toString(16)}\r\n`,
      body.subarray(0, half),
      `\r\n${(body.length - half).toString(16)}\r\n`,
      body.subarray(half),
      '\r\n0\r\n\r\n',
    );
  } else {
    response = concat(head, `Content-Length: ${body.length}\r\n\r\n`, body);
  }
  return [req('GET /items HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip, deflate, br\r\n\r\n'), res(response)];
}

describe('http1 bodies', () => {
  for (const [encoding, encode] of [
    ['gzip', zlib.gzipSync],
    ['x-gzip', zlib.gzipSync],
    ['deflate', zlib.deflateSync],
    ['deflate', zlib.deflateRawSync],
    ['br', zlib.brotliCompressSync],
  ] as const) {
    it(`decodes Content-Encoding ${encoding} (${encode.name})`, () => {
      const coded = encode(Buffer.from(JSON_BODY));
      for (const chunked of [false, true]) {
        const { records, stats } = run(withBody(encoding, coded, chunked));
        const body = exchanges(records)[0]?.response?.body;
        assert.ok(body);
        assert.equal(body.decoding, 'decoded');
        assert.equal(body.contentEncoding, encoding);
        assert.equal(body.bytes, coded.length);
        assert.equal(body.decodedBytes, JSON_BODY.length);
        assert.equal(text(body.preview), JSON_BODY);
        assert.equal(body.truncated, false);
        assert.equal(stats.bombsCut, 0);
      }
    });
  }

  it('decodes the same under any chunking', () => {
    const coded = zlib.gzipSync(Buffer.from(JSON_BODY));
    assertChunkingInvariant(withBody('gzip', coded, true), {}, 10);
  });

  it('applies stacked codings in reverse order', () => {
    const coded = zlib.brotliCompressSync(zlib.gzipSync(Buffer.from(JSON_BODY)));
    const body = exchanges(run(withBody('gzip, br', coded)).records)[0]?.response?.body;
    assert.equal(body?.decoding, 'decoded');
    assert.equal(text(body?.preview), JSON_BODY);
  });

  it('caps the decoded preview and marks it truncated', () => {
    const large = 'abcdefghij'.repeat(2000);
    const body = exchanges(run(withBody('gzip', zlib.gzipSync(Buffer.from(large)))).records)[0]?.response?.body;
    assert.equal(body?.decoding, 'decoded');
    assert.equal(body?.decodedBytes, 20_000);
    assert.equal(body?.preview.length, 4096);
    assert.equal(body?.truncated, true);
  });

  it('cuts a gzip bomb at the limit and counts it', () => {
    // 64 MiB of zeros in ~64 KB: never inflated past the limit.
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    const started = process.memoryUsage().rss;
    const { records, stats } = run(withBody('gzip', bomb));
    const x = exchanges(records)[0];
    assert.equal(x?.complete, true);
    const body = x?.response?.body;
    assert.equal(body?.decoding, 'ratio-limit');
    assert.equal(body?.decodedBytes, undefined);
    assert.equal(body?.truncated, true);
    assert.ok((body?.preview.length ?? 0) <= 4096);
    assert.equal(stats.bombsCut, 1);
    // Far less than the 64 MiB a followed bomb would have taken.
    assert.ok(process.memoryUsage().rss - started < 32 * 1024 * 1024);
  });

  it('cuts a small brotli bomb by ratio', () => {
    const bomb = zlib.brotliCompressSync(Buffer.alloc(8 * 1024 * 1024));
    const { records, stats } = run(withBody('br', bomb));
    assert.equal(exchanges(records)[0]?.response?.body.decoding, 'ratio-limit');
    assert.equal(stats.bombsCut, 1);
  });

  it('stops at the size limit for a large honest body', () => {
    const honest = zlib.gzipSync(letters(300_000, 1));
    const { records, stats } = run(withBody('gzip', honest), { options: { maxDecodedBodyBytes: 100_000 } });
    const body = exchanges(records)[0]?.response?.body;
    assert.equal(body?.decoding, 'size-limit');
    assert.equal(body?.preview.length, 4096);
    assert.equal(stats.decodeSizeLimited, 1);
    assert.equal(stats.bombsCut, 0);
  });

  it('decodes a prefix when the coded body is longer than what is kept', () => {
    const large = letters(200_000, 2);
    const coded = zlib.gzipSync(large);
    const { records } = run(withBody('gzip', coded), { options: { maxEncodedBodyBytes: 1000 } });
    const body = exchanges(records)[0]?.response?.body;
    assert.equal(body?.decoding, 'partial');
    assert.equal(body?.decodedBytes, undefined);
    assert.equal(body?.truncated, true);
    assert.ok((body?.preview.length ?? 0) > 0);
    assert.equal(text(body?.preview), large.subarray(0, body?.preview.length).toString('latin1'));
  });

  it('leaves unknown codings raw and flags them', () => {
    const { records, stats } = run(withBody('zstd', Buffer.from('\x28\xb5\x2f\xfdnot really zstd', 'latin1')));
    const body = exchanges(records)[0]?.response?.body;
    assert.equal(body?.decoding, 'unsupported');
    assert.equal(text(body?.preview), '\x28\xb5\x2f\xfdnot really zstd');
    assert.equal(stats.unsupportedEncodings, 1);
  });

  it('flags corrupt coded data and shows it raw', () => {
    const { records, stats } = run(withBody('gzip', Buffer.from('this is not gzip')));
    const body = exchanges(records)[0]?.response?.body;
    assert.equal(body?.decoding, 'error');
    assert.equal(text(body?.preview), 'this is not gzip');
    assert.equal(stats.decodeErrors, 1);
  });

  it('decodes request bodies too', () => {
    const coded = zlib.gzipSync(Buffer.from('{"q":1}'));
    const { records } = run([
      req(
        concat(
          `POST /q HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip\r\nContent-Length: ${coded.length}\r\n\r\n`,
          coded,
        ),
      ),
      res('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'),
    ]);
    const body = exchanges(records)[0]?.request?.body;
    assert.equal(text(body?.preview), '{"q":1}');
    assert.equal(body?.decodedBytes, 7);
  });
});
