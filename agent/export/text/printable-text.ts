/**
 * Is a payload text worth printing as is? Valid UTF-8 without control
 * characters other than tab, CR and LF. Every byte is checked (a binary
 * payload may start with a printable byte); one pass, no allocation.
 *
 * @param allowCutTail accept an incomplete multi-byte sequence at the very
 *   end: a payload cut by the truncation cap may end mid-character.
 */
export function isPrintableText(bytes: Uint8Array, allowCutTail: boolean): boolean {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) return false;
      i++;
      continue;
    }
    // Lead byte: how many continuation bytes, and the allowed range of the first one
    // (excludes overlong forms, surrogates and code points above U+10FFFF).
    let count: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) {
      count = 1;
      // U+0080..U+009F are C1 control characters.
      if (b === 0xc2) low = 0xa0;
    } else if (b >= 0xe0 && b <= 0xef) {
      count = 2;
      if (b === 0xe0) low = 0xa0;
      else if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      count = 3;
      if (b === 0xf0) low = 0x90;
      else if (b === 0xf4) high = 0x8f;
    } else {
      return false;
    }
    for (let k = 1; k <= count; k++) {
      if (i + k >= n) return allowCutTail;
      const c = bytes[i + k] as number;
      if (k === 1 ? c < low || c > high : c < 0x80 || c > 0xbf) return false;
    }
    i += count + 1;
  }
  return true;
}

/** A Buffer over the same memory as `bytes` (no copy), for Node's text encoders. */
export function bufferView(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
