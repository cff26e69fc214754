/**
 * Fuzzes the body decoders (gzip, deflate, br and stacks of them) under the agent's limits:
 * corrupt, truncated and bomb-shaped input must give a result (`error`, `partial`, `ratio-limit`,
 * `size-limit`), never a throw or unbounded output.
 */
import zlib from 'node:zlib';
import { decodeBody } from '../../agent/protocols/http-body/body-decoder';
import { fuzzMain, type FuzzCase, type FuzzTarget } from './fuzz-harness';

const TEXT = Buffer.from('{"items":[' + Array.from({ length: 200 }, (_, i) => `{"id":${i}}`).join(',') + ']}');
const LIMITS = { previewBytes: 4096, maxDecodedBytes: 8 * 2 ** 20, maxRatio: 100 };
const CODINGS: readonly (readonly string[])[] = [['gzip'], ['deflate'], ['br'], ['gzip', 'br'], ['x-gzip']];

export const bodyDecoderTarget: FuzzTarget = {
  name: 'body-decoder',
  seeds: [zlib.gzipSync(TEXT), zlib.deflateSync(TEXT), zlib.deflateRawSync(TEXT), zlib.brotliCompressSync(TEXT)],
  fixed: [
    // Decompression bombs: 64 MiB of zeros in a few KiB, past both limits.
    [zlib.gzipSync(Buffer.alloc(64 * 2 ** 20))],
    [zlib.brotliCompressSync(Buffer.alloc(64 * 2 ** 20), { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } })],
  ],
  run(input: FuzzCase) {
    const body = Buffer.concat(input.map((piece) => Buffer.from(piece)));
    // One coding stack per case (by length), complete or cut: every stack gets its share of cases.
    const codings = CODINGS[body.length % CODINGS.length] ?? ['gzip'];
    const result = decodeBody(body, codings, (body.length & 1) === 0, LIMITS);
    if (result.preview.length > LIMITS.previewBytes) throw new Error(`preview over the cap: ${result.preview.length}`);
  },
};

if (require.main === module) void fuzzMain(bodyDecoderTarget);
