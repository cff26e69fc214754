/**
 * Does a message start here? Byte-level checks of the first bytes of a
 * request line (`METHOD SP`) or a status line (`HTTP/1.x SP d`), used by
 * protocol detection, by resynchronisation and at each message start.
 */

/** Which messages a direction may carry. */
export const enum Expect {
  /** Role of the connection not known yet. */
  Any = 0,
  Request = 1,
  Response = 2,
}

export const enum StartMatch {
  No = 0,
  Yes = 1,
  /** The bytes end before the question is settled. */
  NeedMore = 2,
}

/**
 * Registered methods (RFC 9110, WebDAV, CalDAV, UPnP, PURGE, QUERY). `PRI` is
 * left out on purpose: `PRI * HTTP/2.0` is the HTTP/2 connection preface.
 */
export const KNOWN_METHODS: readonly string[] = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
  'PROPFIND',
  'PROPPATCH',
  'MKCOL',
  'COPY',
  'MOVE',
  'LOCK',
  'UNLOCK',
  'REPORT',
  'SEARCH',
  'MKACTIVITY',
  'CHECKOUT',
  'MERGE',
  'MKCALENDAR',
  'ACL',
  'BIND',
  'REBIND',
  'UNBIND',
  'LINK',
  'UNLINK',
  'SUBSCRIBE',
  'UNSUBSCRIBE',
  'NOTIFY',
  'M-SEARCH',
  'PURGE',
  'QUERY',
];

/** Known methods grouped by their first byte, as bytes. */
const METHODS_BY_FIRST_BYTE: (readonly Uint8Array[] | undefined)[] = (() => {
  const table: Uint8Array[][] = [];
  for (const method of KNOWN_METHODS) {
    const bytes = Buffer.from(method, 'latin1');
    const first = bytes[0] as number;
    (table[first] ??= []).push(new Uint8Array(bytes));
  }
  return table;
})();

const STATUS_PREFIX = [0x48, 0x54, 0x54, 0x50, 0x2f, 0x31, 0x2e]; // "HTTP/1."
const SP = 0x20;

/** tchar of RFC 9110 §5.6.2, as a lookup table. */
export const TOKEN_CHAR: Uint8Array = (() => {
  const table = new Uint8Array(256);
  for (let c = 0x30; c <= 0x39; c++) table[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) table[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) table[c] = 1;
  for (const c of "!#$%&'*+-.^_`|~") table[c.charCodeAt(0)] = 1;
  return table;
})();

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

/** `METHOD SP` with a known method. */
function matchKnownMethod(bytes: Uint8Array, start: number, end: number): StartMatch {
  const candidates = METHODS_BY_FIRST_BYTE[bytes[start] as number];
  if (candidates === undefined) return StartMatch.No;
  let needMore = false;
  for (const method of candidates) {
    let i = 0;
    while (i < method.length && start + i < end && bytes[start + i] === method[i]) i++;
    if (start + i >= end) {
      needMore = true; // ran out while still matching (or right before the SP)
      continue;
    }
    if (i === method.length && bytes[start + i] === SP) return StartMatch.Yes;
  }
  return needMore ? StartMatch.NeedMore : StartMatch.No;
}

/** `token SP` with any method token (up to 32 characters): after a well-framed message. */
function matchAnyMethod(bytes: Uint8Array, start: number, end: number): StartMatch {
  const limit = Math.min(end, start + 33);
  let i = start;
  while (i < limit && TOKEN_CHAR[bytes[i] as number] === 1) i++;
  if (i === limit) return limit === end ? StartMatch.NeedMore : StartMatch.No;
  return i > start && bytes[i] === SP ? StartMatch.Yes : StartMatch.No;
}

/** `HTTP/1.d SP d`. */
function matchStatusLine(bytes: Uint8Array, start: number, end: number): StartMatch {
  for (let i = 0; i < 11; i++) {
    if (start + i >= end) return StartMatch.NeedMore;
    const byte = bytes[start + i] as number;
    const ok = i < 7 ? byte === STATUS_PREFIX[i] : i === 8 ? byte === SP : isDigit(byte);
    if (!ok) return StartMatch.No;
  }
  return StartMatch.Yes;
}

/**
 * Whether a message of the `expect`ed kind starts at `bytes[start]`.
 * `knownMethodsOnly`: accept only registered methods (detection, resync);
 * otherwise any token (a message right after a well-framed one).
 */
export function matchMessageStart(
  bytes: Uint8Array,
  start: number,
  end: number,
  expect: Expect,
  knownMethodsOnly: boolean,
): StartMatch {
  if (start >= end) return StartMatch.NeedMore;
  let request: StartMatch = StartMatch.No;
  if (expect !== Expect.Response) {
    request = knownMethodsOnly ? matchKnownMethod(bytes, start, end) : matchAnyMethod(bytes, start, end);
    if (request === StartMatch.Yes || expect === Expect.Request) return request;
  }
  const response = matchStatusLine(bytes, start, end);
  if (response === StartMatch.Yes) return response;
  return request === StartMatch.NeedMore || response === StartMatch.NeedMore ? StartMatch.NeedMore : StartMatch.No;
}

/**
 * The first line start in `bytes` where a message of the `expect`ed kind
 * begins (registered methods only): Yes, NeedMore when the last line could
 * still become one, else No. For connections picked up mid-stream.
 */
export function findMessageStart(bytes: Uint8Array, expect: Expect): StartMatch {
  let pos = 0;
  const end = bytes.length;
  while (pos < end) {
    const match = matchMessageStart(bytes, pos, end, expect, true);
    if (match !== StartMatch.No) return match;
    const lf = bytes.indexOf(0x0a, pos);
    if (lf < 0) return StartMatch.No;
    pos = lf + 1;
  }
  return StartMatch.No;
}
