/** Bytes to a latin1 string, without a Buffer view per call on the hot path. */

type Latin1Slice = (this: Uint8Array, start: number, end: number) => string;

// Node's own decoder behind Buffer#toString('latin1'); it accepts any Uint8Array.
const nativeSlice = (Buffer.prototype as unknown as { latin1Slice?: Latin1Slice }).latin1Slice;

export function latin1(bytes: Uint8Array, start: number, end: number): string {
  if (nativeSlice !== undefined) return nativeSlice.call(bytes, start, end);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1', start, end);
}
