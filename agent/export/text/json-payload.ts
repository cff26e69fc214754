/** Bytes in JSON output: UTF-8 text when printable, else base64; hex when asked. Exactly one field. */
import { bufferView, isPrintableText } from './printable-text';

export type JsonPayload =
  { readonly payload: string } | { readonly payload_base64: string } | { readonly payload_hex: string };

export function jsonPayload(payload: Uint8Array, hex: boolean, truncated: boolean): JsonPayload {
  const buffer = bufferView(payload);
  if (hex) return { payload_hex: buffer.toString('hex') };
  if (isPrintableText(payload, truncated)) return { payload: buffer.toString('utf8') };
  return { payload_base64: buffer.toString('base64') };
}
