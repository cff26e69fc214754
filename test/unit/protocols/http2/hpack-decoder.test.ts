/** The HPACK decoder against RFC 7541 Appendix C, and its passive (mid-stream) and hostile-input behaviour. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HpackDecoder, UNKNOWN } from '../../../../agent/protocols/http2/hpack/hpack-decoder';
import { huffmanDecode } from '../../../../agent/protocols/http2/hpack/huffman-decoder';
import type { HttpHeader } from '../../../../agent/exchange/http-headers';

function hex(text: string): Uint8Array {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

function decode(decoder: HpackDecoder, block: Uint8Array): HttpHeader[] {
  const result = decoder.decode(block, 0, block.length);
  assert.equal(result.error, undefined);
  return result.headers;
}

const C3 = [
  '8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
  '8286 84be 5808 6e6f 2d63 6163 6865',
  '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65',
];
const C4 = [
  '8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff',
  '8286 84be 5886 a8eb 1064 9cbf',
  '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf',
];
const REQUESTS: [string, string][][] = [
  [
    [':method', 'GET'],
    [':scheme', 'http'],
    [':path', '/'],
    [':authority', 'www.example.com'],
  ],
  [
    [':method', 'GET'],
    [':scheme', 'http'],
    [':path', '/'],
    [':authority', 'www.example.com'],
    ['cache-control', 'no-cache'],
  ],
  [
    [':method', 'GET'],
    [':scheme', 'https'],
    [':path', '/index.html'],
    [':authority', 'www.example.com'],
    ['custom-key', 'custom-value'],
  ],
];
const C5 = [
  '4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
  '4803 3330 37c1 c0bf',
  '88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31',
];
const C6 = [
  '4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3',
  '4883 640e ffc1 c0bf',
  '88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07',
];
const DATE1 = 'Mon, 21 Oct 2013 20:13:21 GMT';
const RESPONSES: [string, string][][] = [
  [
    [':status', '302'],
    ['cache-control', 'private'],
    ['date', DATE1],
    ['location', 'https://www.example.com'],
  ],
  [
    [':status', '307'],
    ['cache-control', 'private'],
    ['date', DATE1],
    ['location', 'https://www.example.com'],
  ],
  [
    [':status', '200'],
    ['cache-control', 'private'],
    ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'],
    ['location', 'https://www.example.com'],
    ['content-encoding', 'gzip'],
    ['set-cookie', 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1'],
  ],
];

describe('HPACK decoder: RFC 7541 Appendix C', () => {
  for (const [name, blocks] of [
    ['C.3 requests without Huffman', C3],
    ['C.4 requests with Huffman', C4],
  ] as const) {
    it(name, () => {
      const decoder = new HpackDecoder();
      blocks.forEach((block, i) => assert.deepEqual(decode(decoder, hex(block)), REQUESTS[i]));
      assert.equal(decoder.knownEntries, 3);
    });
  }
  for (const [name, blocks] of [
    ['C.5 responses without Huffman (table 256, evictions)', C5],
    ['C.6 responses with Huffman (table 256, evictions)', C6],
  ] as const) {
    it(name, () => {
      const decoder = new HpackDecoder();
      // The encoder's table is 256 bytes: a size update as the decoder would have seen it.
      decoder.decode(Uint8Array.of(0x3f, 0xe1, 0x01), 0, 3);
      blocks.forEach((block, i) => assert.deepEqual(decode(decoder, hex(block)), RESPONSES[i]));
      assert.equal(decoder.knownEntries, 3);
    });
  }
  it('Huffman: rejects EOS and bad padding', () => {
    const out = new Uint8Array(64);
    // "www.example.com" from C.4.1.
    assert.equal(huffmanDecode(hex('f1e3c2e5f23a6ba0ab90f4ff'), 0, 12, out), 15);
    assert.equal(huffmanDecode(Uint8Array.of(0xff, 0xff, 0xff, 0xff), 0, 4, out), -1);
    // Padding of 0 bits (must be 1s).
    assert.equal(huffmanDecode(Uint8Array.of(0x00), 0, 1, out), -1);
  });
});

describe('HPACK decoder: passive and hostile', () => {
  it('mid-stream pickup: unknown dynamic entries are unknown, never guessed', () => {
    const decoder = new HpackDecoder();
    decoder.pickUp();
    // C.3.2 refers to entry 62 (:authority) inserted by a block never seen.
    const result = decoder.decode(hex(C3[1] as string), 0, hex(C3[1] as string).length);
    assert.equal(result.error, undefined);
    assert.equal(result.unknown, 1);
    assert.deepEqual(result.headers[3], [UNKNOWN, UNKNOWN]);
    // Its own insertion (cache-control) is now known at index 62.
    const next = decoder.decode(Uint8Array.of(0xbe), 0, 1);
    assert.deepEqual(next.headers, [['cache-control', 'no-cache']]);
    // 63 is still the unknown older entry.
    assert.deepEqual(decoder.decode(Uint8Array.of(0xbf), 0, 1).headers, [[UNKNOWN, UNKNOWN]]);
  });

  it('a fresh connection: an index past the table is an error, then the table is forgotten', () => {
    const decoder = new HpackDecoder();
    const result = decoder.decode(Uint8Array.of(0xbe), 0, 1);
    assert.equal(result.error, 'invalid-index');
    assert.deepEqual(decoder.decode(Uint8Array.of(0xbe), 0, 1).headers, [[UNKNOWN, UNKNOWN]]);
  });

  it('integer overflow, truncation, misplaced and oversized size updates', () => {
    const d = new HpackDecoder();
    assert.equal(
      d.decode(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), 0, 8).error,
      'integer-overflow',
    );
    assert.equal(new HpackDecoder().decode(Uint8Array.of(0x40, 0x05, 0x61), 0, 3).error, 'truncated-block');
    assert.equal(new HpackDecoder().decode(Uint8Array.of(0x82, 0x20), 0, 2).error, 'size-update-misplaced');
    // 0x3f e1 1f = 4096 + 31 ... above the 4096 setting.
    assert.equal(new HpackDecoder().decode(Uint8Array.of(0x3f, 0xe2, 0x1f), 0, 3).error, 'size-update-too-large');
  });

  it('a header list past the cap is cut and flagged; indexed repeats cost no memory', () => {
    const decoder = new HpackDecoder({ maxHeaderListBytes: 1024 });
    // Insert a 500-byte value, then refer to it 10 000 times.
    const value = 'v'.repeat(500);
    const literal = Buffer.concat([
      Buffer.from([0x40, 0x01, 0x78, 0x7f, ((500 - 127) & 0x7f) | 0x80, (500 - 127) >> 7]),
      Buffer.from(value),
    ]);
    const block = Buffer.concat([literal, Buffer.alloc(10_000, 0xbe)]);
    const result = decoder.decode(block, 0, block.length);
    assert.equal(result.error, undefined);
    assert.equal(result.overCap, true);
    assert.ok(result.headers.length <= 2);
    assert.equal(result.listSize, 10_001 * (1 + 500 + 32));
  });
});
