/**
 * Secrets in captured bodies: in a JSON body (`application/json`, `…+json`) the values of members
 * whose key is a redacted query key (`"password": "…"`) and in a form body
 * (`application/x-www-form-urlencoded`) the values of those keys become `REDACTED`. A preview may
 * be cut anywhere, so JSON is scanned, not parsed: a string or scalar value is replaced (one cut
 * short is replaced to the end); object and array values are left as they are.
 */
import type { HttpBody } from '../exchange/http-exchange';
import type { HttpHeaders } from '../exchange/http-headers';
import { REDACTED, type Redactor } from './redactor';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

type BodyKind = 'json' | 'form' | undefined;

function bodyKind(headers: HttpHeaders): BodyKind {
  for (const [name, value] of headers) {
    if (name.length !== 12 || name.toLowerCase() !== 'content-type') continue;
    const type = (value.split(';', 1)[0] ?? '').trim().toLowerCase();
    if (type === 'application/json' || type.endsWith('+json')) return 'json';
    if (type === 'application/x-www-form-urlencoded') return 'form';
    return undefined;
  }
  return undefined;
}

/** The body with its secret values redacted; the same object when nothing changed. */
export function redactBody(body: HttpBody, headers: HttpHeaders, redactor: Redactor): HttpBody {
  if (body.preview.length === 0 || redactor.queryKeys.size === 0) return body;
  // Coded bytes that were not decoded are not text to scan.
  if (body.decoding === 'unsupported' || body.decoding === 'error') return body;
  const kind = bodyKind(headers);
  if (kind === undefined) return body;
  const text = decoder.decode(body.preview);
  const redacted = kind === 'json' ? redactJsonText(text, redactor.queryKeys) : redactor.query(text);
  return redacted === text ? body : { ...body, preview: encoder.encode(redacted) };
}

/** JSON text (possibly cut short) with the values of members named by `keys` (lower case) redacted. */
export function redactJsonText(text: string, keys: ReadonlySet<string>): string {
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < text.length) {
    const quote = text.indexOf('"', i);
    if (quote < 0) break;
    const end = stringEnd(text, quote);
    if (end < 0) break;
    // A key is a string followed by a colon.
    let colon = end + 1;
    while (colon < text.length && isSpace(text.charCodeAt(colon))) colon++;
    if (text[colon] !== ':') {
      i = end + 1;
      continue;
    }
    let valueStart = colon + 1;
    while (valueStart < text.length && isSpace(text.charCodeAt(valueStart))) valueStart++;
    const key = keyText(text.slice(quote + 1, end));
    if (!keys.has(key.toLowerCase()) || valueStart >= text.length) {
      i = valueStart;
      continue;
    }
    const first = text[valueStart];
    if (first === '{' || first === '[') {
      i = valueStart + 1;
      continue;
    }
    let valueEnd: number;
    if (first === '"') {
      const closing = stringEnd(text, valueStart);
      valueEnd = closing < 0 ? text.length : closing + 1;
    } else {
      valueEnd = valueStart;
      while (valueEnd < text.length && !/[,}\]\s]/.test(text[valueEnd] ?? '')) valueEnd++;
    }
    if (text.slice(valueStart, valueEnd) !== `"${REDACTED}"`) {
      out += text.slice(copied, valueStart) + `"${REDACTED}"`;
      copied = valueEnd;
    }
    i = valueEnd;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** Index of the quote closing the string opened at `open`, or -1 when the text ends first. */
function stringEnd(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i;
  }
  return -1;
}

function keyText(raw: string): string {
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
