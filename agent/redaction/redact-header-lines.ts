/**
 * Redaction for unparsed (raw) text payloads: a cheap line scan, not a parser. Lines that look
 * like an HTTP header field (`Name: value`) of a redacted name get `REDACTED` as their value,
 * and a request line's query (`GET /p?Signature=… HTTP/1.1`) has its redacted keys' values
 * replaced. Bytes are handled as latin1, so everything else stays byte for byte.
 */
import { REDACTED, type Redactor } from './redactor';

// A header line: start of payload or after LF, a token, optional blanks, a colon, the value to CR/LF.
const HEADER_LINE = /(^|\n)([!#$%&'*+.^_`|~0-9A-Za-z-]+)([ \t]*:[ \t]*)([^\r\n]*)/g;
// A request line: method, a target with a query, an HTTP version.
const REQUEST_LINE = /(^|\n)([A-Z][A-Z0-9_-]*) ([^ \r\n]*\?[^ \r\n]*) (HTTP\/\d(?:\.\d)?)/g;

const COLON = 0x3a;
const QUESTION = 0x3f;

/** The payload with redacted values, or the same array when nothing had to change. */
export function redactHeaderLines(payload: Uint8Array, redactor: Redactor): Uint8Array {
  const colon = payload.indexOf(COLON) >= 0;
  const query = payload.indexOf(QUESTION) >= 0;
  if (!colon && !query) return payload;
  const text = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('latin1');
  let changed = false;
  let out = text;
  if (colon) {
    out = out.replace(HEADER_LINE, (line, start: string, name: string, separator: string, value: string) => {
      if (value === '' || value === REDACTED || !redactor.redactsHeader(name)) return line;
      changed = true;
      return `${start}${name}${separator}${REDACTED}`;
    });
  }
  if (query) {
    out = out.replace(REQUEST_LINE, (line, start: string, method: string, target: string, version: string) => {
      const redacted = redactor.target(target);
      if (redacted === target) return line;
      changed = true;
      return `${start}${method} ${redacted} ${version}`;
    });
  }
  return changed ? new Uint8Array(Buffer.from(out, 'latin1')) : payload;
}
