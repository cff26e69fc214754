/**
 * A minimal protobuf wire-format writer into one growable buffer, encoding exactly as the
 * OpenTelemetry JS SDK's writer does (varints of negative numbers as 64-bit two's complement,
 * strings as UTF-8 with lone surrogates replaced), so that records plaintap encodes itself are
 * byte for byte what the SDK would send. Nested messages reserve one length byte and move their
 * content when the length needs more (most are shorter than 128 bytes).
 */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH = 2;
export const WIRE_FIXED32 = 5;

export function varintSize(value: number): number {
  if (value < 0) return 10;
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

export class ProtobufWriter {
  /** Valid bytes are [0, pos). Its own ArrayBuffer (never a pool slice): it can be transferred. */
  bytes: Uint8Array;
  pos = 0;
  private view: DataView;

  constructor(initialSize = 4096) {
    this.bytes = allocate(initialSize);
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  }

  /** Forgets what was written (the buffer is reused). */
  reset(): void {
    this.pos = 0;
  }

  ensure(size: number): void {
    const needed = this.pos + size;
    if (needed <= this.bytes.length) return;
    let length = this.bytes.length * 2;
    while (length < needed) length *= 2;
    const next = allocate(length);
    next.set(this.bytes.subarray(0, this.pos));
    this.bytes = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  varint(value: number): void {
    this.ensure(10);
    const bytes = this.bytes;
    if (value >= 0 && value <= 0xffffffff) {
      let v = value >>> 0;
      while (v > 0x7f) {
        bytes[this.pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      bytes[this.pos++] = v;
      return;
    }
    // 64 bits as [low, high]; negative numbers as two's complement.
    const abs = Math.abs(value);
    let low = abs >>> 0;
    let high = (abs / 0x100000000) >>> 0;
    if (value < 0) {
      low = ~low >>> 0;
      high = ~high >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    while (high > 0 || low > 0x7f) {
      bytes[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    bytes[this.pos++] = low & 0x7f;
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, value >>> 0, true);
    this.pos += 4;
  }

  fixed64(low: number, high: number): void {
    this.ensure(8);
    this.view.setUint32(this.pos, low >>> 0, true);
    this.view.setUint32(this.pos + 4, high >>> 0, true);
    this.pos += 8;
  }

  double(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  /** Length-prefixed UTF-8. */
  string(text: string): void {
    const length = text.length;
    if (length > 0x7f) {
      this.utf8(text);
      return;
    }
    // Short and (almost always) ASCII: one pass, the one-byte length written last.
    this.ensure(length + 1);
    const bytes = this.bytes;
    const start = this.pos;
    let pos = start + 1;
    for (let i = 0; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code > 0x7f) {
        this.utf8(text);
        return;
      }
      bytes[pos++] = code;
    }
    bytes[start] = length;
    this.pos = pos;
  }

  /** Length-prefixed UTF-8 of any text, encoded by Node in place. */
  private utf8(text: string): void {
    const length = Buffer.byteLength(text, 'utf8');
    this.varint(length);
    this.ensure(length);
    if (nativeUtf8Write !== undefined) nativeUtf8Write.call(this.bytes, text, this.pos, length);
    else textEncoder.encodeInto(text, this.bytes.subarray(this.pos, this.pos + length));
    this.pos += length;
  }

  /** Length-prefixed bytes. */
  lengthPrefixed(data: Uint8Array): void {
    this.varint(data.length);
    this.raw(data);
  }

  /** Bytes as they are (an already encoded part). */
  raw(data: Uint8Array): void {
    this.ensure(data.length);
    this.bytes.set(data, this.pos);
    this.pos += data.length;
  }

  /** Bytes kept as a one-byte string (`copyBytesAsLatin1`), written as they are. */
  rawLatin1(bytes: string): void {
    this.ensure(bytes.length);
    latin1Write.call(this.bytes, bytes, this.pos, bytes.length);
    this.pos += bytes.length;
  }

  /** Starts a nested message; returns what `end` needs. */
  begin(): number {
    this.ensure(1);
    return this.pos++;
  }

  /** Ends the nested message begun at `at`: writes its length, moving the content if the length needs more than one byte. */
  end(at: number): void {
    const length = this.pos - at - 1;
    const size = varintSize(length);
    if (size > 1) {
      this.ensure(size - 1);
      this.bytes.copyWithin(at + size, at + 1, this.pos);
      this.pos += size - 1;
    }
    const bytes = this.bytes;
    let v = length;
    let pos = at;
    while (v > 0x7f) {
      bytes[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    bytes[pos] = v;
  }

  /** A copy of [from, pos). */
  copy(from = 0): Uint8Array {
    return this.bytes.slice(from, this.pos);
  }

  /**
   * A copy of [from, pos) as a one-byte string (one char per byte): for encoded parts kept by
   * the thousand (a connection's attributes), a string costs its bytes plus a small header, a
   * Uint8Array another ~250 bytes of ArrayBuffer, view and backing store.
   */
  copyBytesAsLatin1(from = 0): string {
    return latin1Slice.call(this.bytes, from, this.pos);
  }
}

/**
 * A buffer of its own (never a slice of Node's shared pool, so it can be transferred), not
 * zero-filled: only the bytes written, [0, pos), are ever read.
 */
function allocate(size: number): Uint8Array {
  const buffer = Buffer.allocUnsafeSlow(size);
  // A plain Uint8Array, not a Buffer: its slice() copies, as callers expect.
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
}

type Utf8Write = (this: Uint8Array, text: string, offset: number, length: number) => number;

// Node's byte ↔ one-byte-string copies behind Buffer#toString/write(…, 'latin1'), on any Uint8Array.
const { latin1Slice, latin1Write } = Buffer.prototype as unknown as {
  latin1Slice: (this: Uint8Array, start: number, end: number) => string;
  latin1Write: (this: Uint8Array, text: string, offset: number, length: number) => number;
};

// Node's encoder behind Buffer#write(text, 'utf8'); it accepts any Uint8Array and, like the
// SDK's TextEncoder, replaces lone surrogates with U+FFFD (so does the fallback).
const nativeUtf8Write = (Buffer.prototype as unknown as { utf8Write?: Utf8Write }).utf8Write;
const textEncoder = new TextEncoder();
