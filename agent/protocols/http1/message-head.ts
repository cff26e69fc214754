/**
 * Parses a complete message head — start line, header fields, blank line —
 * from its latin1 text. One pass over the string; substrings are slices of
 * it. Framing-relevant fields (Content-Length, Transfer-Encoding, Connection,
 * Upgrade, Content-Encoding) are picked up on the way.
 */
import type { HttpHeader } from '../../exchange/http-headers';
import type { Http1ParseError } from './http1-stats';
import { Expect, TOKEN_CHAR } from './message-start';

export interface MessageHead {
  readonly isRequest: boolean;
  /** Requests only; '' for responses. */
  readonly method: string;
  readonly target: string;
  /** `1.1`, `1.0`. */
  readonly version: string;
  /** Responses only; 0 for requests. */
  readonly statusCode: number;
  readonly reason: string;
  readonly headers: HttpHeader[];
  /** Bytes of the head, blank line included. */
  readonly headBytes: number;
  /** -1 when absent. */
  readonly contentLength: number;
  /** A Transfer-Encoding header is present. */
  readonly hasTransferEncoding: boolean;
  /** Its last coding is `chunked`. */
  readonly chunked: boolean;
  /** Connection: close. */
  readonly connectionClose: boolean;
  /** Connection: upgrade. */
  readonly connectionUpgrade: boolean;
  /** Upgrade header value; '' when absent. */
  readonly upgrade: string;
  /** Content-Encoding values joined with ', '; '' when absent. */
  readonly contentEncoding: string;
}

const CR = 13;
const SPACE = 32;
const TAB = 9;

function isWhitespace(code: number): boolean {
  return code === SPACE || code === TAB;
}

/** Index of the end of the line starting at `from` (its LF), and the end of its content (before CR). */
function contentEnd(text: string, lf: number, from: number): number {
  return lf > from && text.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
}

/** `HTTP/1.d` at `at`; returns the version ('1.1') or undefined. */
function versionAt(text: string, at: number): string | undefined {
  if (!text.startsWith('HTTP/1.', at)) return undefined;
  const minor = text.charCodeAt(at + 7);
  return minor >= 0x30 && minor <= 0x39 ? text.slice(at + 5, at + 8) : undefined;
}

function parseDigits(text: string): number {
  if (text === '') return -1;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return -1;
    value = value * 10 + (code - 0x30);
  }
  return value > Number.MAX_SAFE_INTEGER ? -1 : value;
}

/** Non-negative decimal, or -1; a comma list of equal values counts as one (RFC 9110 §8.6). */
function parseContentLength(value: string): number {
  if (value.indexOf(',') < 0) return parseDigits(value);
  let result = -1;
  for (const part of value.split(',')) {
    const parsed = parseDigits(part.trim());
    if (parsed < 0 || (result >= 0 && parsed !== result)) return -1;
    result = parsed;
  }
  return result;
}

/** Comma-separated tokens, trimmed and lower-cased. */
function tokens(value: string): string[] {
  const out: string[] = [];
  for (const part of value.toLowerCase().split(',')) {
    const token = part.trim();
    if (token !== '') out.push(token);
  }
  return out;
}

class HeadFacts {
  contentLength = -1;
  badContentLength = false;
  hasTransferEncoding = false;
  chunked = false;
  connectionClose = false;
  connectionUpgrade = false;
  upgrade = '';
  contentEncoding = '';
}

/** Looks at one header field for framing facts; cheap rejections first (length, first letter). */
function noteField(name: string, value: string, facts: HeadFacts): void {
  const length = name.length;
  const first = name.charCodeAt(0) | 0x20;
  if (first === 0x63 /* c */) {
    if (length === 14 && name.toLowerCase() === 'content-length') {
      const parsed = parseContentLength(value);
      if (parsed < 0 || (facts.contentLength >= 0 && facts.contentLength !== parsed)) facts.badContentLength = true;
      else facts.contentLength = parsed;
    } else if (length === 10 && name.toLowerCase() === 'connection') {
      for (const token of tokens(value)) {
        if (token === 'close') facts.connectionClose = true;
        else if (token === 'upgrade') facts.connectionUpgrade = true;
      }
    } else if (length === 16 && name.toLowerCase() === 'content-encoding') {
      facts.contentEncoding = facts.contentEncoding === '' ? value : `${facts.contentEncoding}, ${value}`;
    }
  } else if (first === 0x74 /* t */) {
    if (length === 17 && name.toLowerCase() === 'transfer-encoding') {
      facts.hasTransferEncoding = true;
      // Only the last coding counts: `gzip, chunked` is chunked, `chunked, gzip` is not.
      const codings = tokens(value);
      facts.chunked = codings[codings.length - 1] === 'chunked';
    }
  } else if (first === 0x75 /* u */) {
    if (length === 7 && name.toLowerCase() === 'upgrade') facts.upgrade = value;
  }
}

/**
 * Header field lines from `from` up to the blank line, appended to `headers`.
 * Returns the index after the blank line's LF, or an error.
 */
function parseFieldLines(
  text: string,
  from: number,
  headers: HttpHeader[],
  maxHeaders: number,
  facts: HeadFacts | null,
): number | Http1ParseError {
  let pos = from;
  for (;;) {
    const lf = text.indexOf('\n', pos);
    if (lf < 0) return 'invalid-header'; // callers pass text that ends with the blank line
    const stop = contentEnd(text, lf, pos);
    if (stop === pos) return lf + 1;
    const first = text.charCodeAt(pos);
    if (isWhitespace(first)) {
      // obs-fold: a continuation of the previous field's value.
      const previous = headers[headers.length - 1];
      if (previous === undefined) return 'invalid-header';
      const more = text.slice(pos, stop).trim();
      headers[headers.length - 1] = [previous[0], more === '' ? previous[1] : `${previous[1]} ${more}`];
      pos = lf + 1;
      continue;
    }
    const colon = text.indexOf(':', pos);
    if (colon < 0 || colon >= stop) return 'invalid-header';
    let nameEnd = colon;
    // Lenient: whitespace before the colon is dropped rather than fatal (we observe, not serve).
    while (nameEnd > pos && isWhitespace(text.charCodeAt(nameEnd - 1))) nameEnd--;
    if (nameEnd === pos) return 'invalid-header';
    let valueStart = colon + 1;
    while (valueStart < stop && isWhitespace(text.charCodeAt(valueStart))) valueStart++;
    let valueEnd = stop;
    while (valueEnd > valueStart && isWhitespace(text.charCodeAt(valueEnd - 1))) valueEnd--;
    if (headers.length >= maxHeaders) return 'too-many-headers';
    const name = text.slice(pos, nameEnd);
    const value = text.slice(valueStart, valueEnd);
    headers.push([name, value]);
    if (facts !== null) noteField(name, value, facts);
    pos = lf + 1;
  }
}

/** The trailer section of a chunked body (`text` ends with its blank line). */
export function parseTrailers(text: string, maxHeaders: number): HttpHeader[] | Http1ParseError {
  const trailers: HttpHeader[] = [];
  const end = parseFieldLines(text, 0, trailers, maxHeaders, null);
  return typeof end === 'string' ? end : trailers;
}

/**
 * Parses `text` (exactly one head, ending with its blank line).
 * `expect` restricts the start line to a request or a response.
 */
export function parseHead(text: string, expect: Expect, maxHeaders: number): MessageHead | Http1ParseError {
  const lf = text.indexOf('\n');
  if (lf < 0) return 'invalid-start-line';
  const lineEnd = contentEnd(text, lf, 0);
  let isRequest: boolean;
  let method = '';
  let target = '';
  let version: string | undefined;
  let statusCode = 0;
  let reason = '';

  if (text.startsWith('HTTP/')) {
    if (expect === Expect.Request) return 'unexpected-message';
    isRequest = false;
    version = versionAt(text, 0);
    if (version === undefined || text.charCodeAt(8) !== SPACE) return 'invalid-start-line';
    let i = 9;
    while (i < lineEnd && text.charCodeAt(i) === SPACE) i++; // tolerate extra spaces
    const digits = i;
    while (i < lineEnd && i - digits < 3) {
      const code = text.charCodeAt(i);
      if (code < 0x30 || code > 0x39) break;
      statusCode = statusCode * 10 + (code - 0x30);
      i++;
    }
    if (i - digits !== 3) return 'invalid-start-line';
    if (i < lineEnd) {
      if (text.charCodeAt(i) !== SPACE) return 'invalid-start-line';
      reason = text.slice(i + 1, lineEnd);
    }
  } else {
    isRequest = true;
    let i = 0;
    while (i < lineEnd && TOKEN_CHAR[text.charCodeAt(i)] === 1) i++;
    if (i === 0 || i >= lineEnd || text.charCodeAt(i) !== SPACE) return 'invalid-start-line';
    if (expect === Expect.Response) return 'unexpected-message';
    method = text.slice(0, i);
    const targetStart = i + 1;
    const targetEnd = text.lastIndexOf(' ', lineEnd - 1);
    if (targetEnd <= targetStart || lineEnd - targetEnd !== 9) return 'invalid-start-line';
    version = versionAt(text, targetEnd + 1);
    if (version === undefined) return 'invalid-start-line';
    target = text.slice(targetStart, targetEnd);
    if (target.indexOf(' ') >= 0) return 'invalid-start-line';
  }

  const headers: HttpHeader[] = [];
  const facts = new HeadFacts();
  const end = parseFieldLines(text, lf + 1, headers, maxHeaders, facts);
  if (typeof end === 'string') return end;
  if (facts.badContentLength) return 'invalid-content-length';
  return {
    isRequest,
    method,
    target,
    version,
    statusCode,
    reason,
    headers,
    headBytes: end,
    contentLength: facts.contentLength,
    hasTransferEncoding: facts.hasTransferEncoding,
    chunked: facts.chunked,
    connectionClose: facts.connectionClose,
    connectionUpgrade: facts.connectionUpgrade,
    upgrade: facts.upgrade,
    contentEncoding: facts.contentEncoding,
  };
}
