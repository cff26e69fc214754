import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPrintableText } from '../../../../agent/export/text/printable-text';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('isPrintableText', () => {
  it('accepts text with tabs and line breaks, and UTF-8 beyond ASCII', () => {
    assert.equal(isPrintableText(utf8('GET / HTTP/1.1\r\nHost: a\r\n\tx\n'), false), true);
    assert.equal(isPrintableText(utf8('größe 日本 🎉'), false), true);
    assert.equal(isPrintableText(new Uint8Array(0), false), true);
  });

  it('rejects control characters, DEL and C1 controls', () => {
    assert.equal(isPrintableText(Uint8Array.of(0x41, 0x00), false), false);
    assert.equal(isPrintableText(Uint8Array.of(0x16, 0x03, 0x01), false), false);
    assert.equal(isPrintableText(Uint8Array.of(0x41, 0x7f), false), false);
    assert.equal(isPrintableText(Uint8Array.of(0xc2, 0x85), false), false);
  });

  it('rejects invalid UTF-8: stray continuation, overlong form, surrogate', () => {
    assert.equal(isPrintableText(Uint8Array.of(0x80), false), false);
    assert.equal(isPrintableText(Uint8Array.of(0xc0, 0xaf), false), false);
    assert.equal(isPrintableText(Uint8Array.of(0xed, 0xa0, 0x80), false), false);
    assert.equal(isPrintableText(Uint8Array.of(0xf4, 0x90, 0x80, 0x80), false), false);
  });

  it('accepts a character cut at the end only when asked', () => {
    const cut = utf8('ok 日').subarray(0, 5); // two of the three bytes of 日
    assert.equal(isPrintableText(cut, false), false);
    assert.equal(isPrintableText(cut, true), true);
    assert.equal(isPrintableText(Uint8Array.of(0x41, 0xe6, 0x41), true), false);
  });
});
