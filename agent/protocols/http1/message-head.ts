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
  /**
   * Set when the head parses but breaks a framing rule of RFC 9112 (obs-fold, whitespace before a
   * colon, conflicting Content-Length / Transfer-Encoding): the head is reported as seen, and its
   * message is treated as malformed (no body is framed from it).
   */
  readonly malformed: Http1ParseError | undefined;
}

const CR = 13;
const SPACE = 32;
const TAB = 9;
const COLON = 58;

function isWhitespace(code: number): boolean {
  return code === SPACE || code === TAB;
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
  const lower = value.toLowerCase();
  // Most values are a single token (`keep-alive`, `chunked`).
  if (lower.indexOf(',') < 0) return [lower.trim()];
  const out: string[] = [];
  for (const part of lower.split(',')) {
    const token = part.trim();
    if (token !== '') out.push(token);
  }
  return out;
}

/** A head under construction: one object, filled in as the text is read. */
class Head implements MessageHead {
  isRequest = true;
  method = '';
  target = '';
  version = '';
  statusCode = 0;
  reason = '';
  headers: HttpHeader[] = [];
  headBytes = 0;
  contentLength = -1;
  hasTransferEncoding = false;
  chunked = false;
  connectionClose = false;
  connectionUpgrade = false;
  upgrade = '';
  contentEncoding = '';
  malformed: Http1ParseError | undefined = undefined;
  /** `chunked` codings seen across every Transfer-Encoding field. */
  chunkedCodings = 0;

  /** The first framing rule broken wins. */
  breaks(reason: Http1ParseError): void {
    this.malformed ??= reason;
  }
}

/** ASCII case-insensitive equality with `lower` (lower case, letters, digits and '-'). */
function sameLower(text: string, lower: string): boolean {
  const length = lower.length;
  if (text.length !== length) return false;
  for (let i = 0; i < length; i++) if ((text.charCodeAt(i) | 0x20) !== lower.charCodeAt(i)) return false;
  return true;
}

/** Looks at one header field for framing facts; cheap rejections first (length, first letter). */
function noteField(name: string, value: string, head: Head): void {
  const first = name.charCodeAt(0) | 0x20;
  if (first === 0x63 /* c */) {
    if (sameLower(name, 'content-length')) {
      const parsed = parseContentLength(value);
      if (parsed < 0 || (head.contentLength >= 0 && head.contentLength !== parsed))
        head.breaks('invalid-content-length');
      else head.contentLength = parsed;
    } else if (sameLower(name, 'connection')) {
      if (sameLower(value, 'keep-alive')) return;
      for (const token of tokens(value)) {
        if (token === 'close') head.connectionClose = true;
        else if (token === 'upgrade') head.connectionUpgrade = true;
      }
    } else if (sameLower(name, 'content-encoding')) {
      head.contentEncoding = head.contentEncoding === '' ? value : `${head.contentEncoding}, ${value}`;
    }
  } else if (first === 0x74 /* t */) {
    if (sameLower(name, 'transfer-encoding')) {
      head.hasTransferEncoding = true;
      // Only the last coding counts: `gzip, chunked` is chunked, `chunked, gzip` is not.
      if (sameLower(value, 'chunked')) {
        head.chunked = true;
        head.chunkedCodings++;
      } else {
        const codings = tokens(value);
        if (codings.length === 0 || codings[0] === '') head.breaks('invalid-transfer-encoding');
        for (const coding of codings) if (coding === 'chunked') head.chunkedCodings++;
        head.chunked = codings[codings.length - 1] === 'chunked';
      }
    }
  } else if (first === 0x75 /* u */) {
    if (sameLower(name, 'upgrade')) head.upgrade = value;
  }
}

/**
 * Framing rules that need the whole head (RFC 9112 §6.1). Transfer-Encoding with Content-Length
 * is left to body-framing.ts: it matters only for a message that has a body.
 */
function checkFraming(head: Head): void {
  if (!head.hasTransferEncoding) return;
  // `chunked` twice, or not last, or in an HTTP/1.0 message.
  if (head.chunkedCodings > 1 || (head.chunkedCodings === 1 && !head.chunked) || head.version === '1.0') {
    head.breaks('invalid-transfer-encoding');
  }
}

/**
 * Header field lines from `from` up to the blank line, appended to `headers`.
 * Returns the index after the blank line's LF, or an error. With a `head`, rules whose breach
 * still leaves a readable head (obs-fold, whitespace before the colon) are noted on it and the
 * line is read leniently; without one (trailers) they are errors.
 * Every CR of the text is followed by LF (the head scan checked): only LF-only line ends are left.
 */
function parseFieldLines(
  text: string,
  from: number,
  headers: HttpHeader[],
  maxHeaders: number,
  head: Head | null,
): number | Http1ParseError {
  let pos = from;
  for (;;) {
    const lf = text.indexOf('\n', pos);
    if (lf < 0) return 'invalid-header'; // callers pass text that ends with the blank line
    if (lf === pos || text.charCodeAt(lf - 1) !== CR) return 'bare-lf';
    const stop = lf - 1;
    if (stop === pos) return lf + 1;
    const first = text.charCodeAt(pos);
    if (first === SPACE || first === TAB) {
      // obs-fold (RFC 9112 §5.2): a continuation of the previous field's value.
      const previous = headers[headers.length - 1];
      if (previous === undefined || head === null) return 'obs-fold';
      head.breaks('obs-fold');
      const more = text.slice(pos, stop).trim();
      headers[headers.length - 1] = [previous[0], more === '' ? previous[1] : `${previous[1]} ${more}`];
      pos = lf + 1;
      continue;
    }
    // Names are short: walk the token characters by hand up to the colon.
    let nameEnd = pos;
    while (nameEnd < stop && TOKEN_CHAR[text.charCodeAt(nameEnd)] === 1) nameEnd++;
    let colon = nameEnd;
    if (text.charCodeAt(colon) !== COLON) {
      // Whitespace between the name and the colon (RFC 9112 §5.1: a server must refuse the message).
      while (colon < stop && isWhitespace(text.charCodeAt(colon))) colon++;
      if (colon === nameEnd || text.charCodeAt(colon) !== COLON) return 'invalid-header';
      if (head === null) return 'space-before-colon';
      head.breaks('space-before-colon');
    }
    if (nameEnd === pos) return 'invalid-header';
    let valueStart = colon + 1;
    while (valueStart < stop && isWhitespace(text.charCodeAt(valueStart))) valueStart++;
    let valueEnd = stop;
    while (valueEnd > valueStart && isWhitespace(text.charCodeAt(valueEnd - 1))) valueEnd--;
    if (headers.length >= maxHeaders) return 'too-many-headers';
    const name = text.slice(pos, nameEnd);
    const value = text.slice(valueStart, valueEnd);
    headers.push([name, value]);
    if (head !== null) noteField(name, value, head);
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
  if (lf === 0 || text.charCodeAt(lf - 1) !== CR) return 'bare-lf';
  const lineEnd = lf - 1;
  const head = new Head();

  if (text.startsWith('HTTP/')) {
    if (expect === Expect.Request) return 'unexpected-message';
    head.isRequest = false;
    const version = versionAt(text, 0);
    if (version === undefined || text.charCodeAt(8) !== SPACE) return 'invalid-start-line';
    head.version = version;
    let i = 9;
    while (i < lineEnd && text.charCodeAt(i) === SPACE) i++; // tolerate extra spaces
    const digits = i;
    let statusCode = 0;
    while (i < lineEnd && i - digits < 3) {
      const code = text.charCodeAt(i);
      if (code < 0x30 || code > 0x39) break;
      statusCode = statusCode * 10 + (code - 0x30);
      i++;
    }
    if (i - digits !== 3) return 'invalid-start-line';
    head.statusCode = statusCode;
    if (i < lineEnd) {
      if (text.charCodeAt(i) !== SPACE) return 'invalid-start-line';
      head.reason = text.slice(i + 1, lineEnd);
    }
  } else {
    let i = 0;
    while (i < lineEnd && TOKEN_CHAR[text.charCodeAt(i)] === 1) i++;
    if (i === 0 || i >= lineEnd || text.charCodeAt(i) !== SPACE) return 'invalid-start-line';
    if (expect === Expect.Response) return 'unexpected-message';
    const targetStart = i + 1;
    // `target SP HTTP/1.x`: the version is the line's last 8 characters.
    const targetEnd = lineEnd - 9;
    if (targetEnd <= targetStart || text.charCodeAt(targetEnd) !== SPACE) return 'invalid-start-line';
    const version = versionAt(text, targetEnd + 1);
    if (version === undefined) return 'invalid-start-line';
    for (let j = targetStart; j < targetEnd; j++) if (text.charCodeAt(j) <= SPACE) return 'invalid-start-line';
    head.method = text.slice(0, i);
    head.target = text.slice(targetStart, targetEnd);
    head.version = version;
  }

  const end = parseFieldLines(text, lf + 1, head.headers, maxHeaders, head);
  if (typeof end === 'string') return end;
  checkFraming(head);
  head.headBytes = end;
  return head;
}
