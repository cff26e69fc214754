/** A Buffer over the same memory as `bytes` (no copy), for Node's text encoders. */
export function bufferView(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
