/**
 * Redaction of secrets in captured HTTP metadata before it leaves the agent.
 *
 * Header values whose (case-insensitive) name is on the list, and query-string values whose
 * (case-insensitive, percent-decoded) key is on the list, are replaced by `REDACTED`; names,
 * keys and everything else are kept byte for byte. Pure: no I/O; the only state is the lists and
 * a bounded memo of header-name verdicts.
 */
import { isHeaderName } from '../exchange/http-headers';

/** The replacement for a redacted value (the word OpenTelemetry's semantic conventions use). */
export const REDACTED = 'REDACTED';

/**
 * Header names redacted unless turned off one by one with `disableDefaultHeaders`. An entry
 * `*word*` stands for every header whose name contains `word` (any case).
 */
export const DEFAULT_REDACTED_HEADERS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
  'x-csrf-token',
  'x-amz-security-token',
  '*token*',
  '*secret*',
  '*password*',
] as const;
export type DefaultRedactedHeader = (typeof DEFAULT_REDACTED_HEADERS)[number];

/**
 * Query keys redacted unless turned off with `disableDefaultQueryKeys`: the signed-URL keys that
 * the OpenTelemetry semantic conventions for `url.query` name, then credentials commonly sent in
 * URLs (OAuth codes and tokens, API keys, passwords, sessions). The same keys are redacted in
 * captured JSON and form bodies.
 */
export const DEFAULT_REDACTED_QUERY_KEYS = [
  'AWSAccessKeyId',
  'Signature',
  'sig',
  'X-Goog-Signature',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'password',
  'passwd',
  'pwd',
  'secret',
  'client_secret',
  'api_key',
  'apikey',
  'key',
  'code',
  'session',
  'sessionid',
  'auth',
] as const;
export type DefaultRedactedQueryKey = (typeof DEFAULT_REDACTED_QUERY_KEYS)[number];

/** Header names whose verdict the redactor remembers (see redactsHeader). */
const HEADER_VERDICTS_KEPT = 1024;

export interface RedactionOptions {
  /** More header names to redact (any case). */
  readonly headers?: readonly string[];
  /** More query keys to redact (any case). */
  readonly queryKeys?: readonly string[];
  /** Default header names to leave in the clear: an explicit opt-out, e.g. `['cookie']`. */
  readonly disableDefaultHeaders?: readonly DefaultRedactedHeader[];
  /** Default query keys to leave in the clear. */
  readonly disableDefaultQueryKeys?: readonly DefaultRedactedQueryKey[];
}

/** One header as captured: name as sent, value as sent. */
export type HeaderPair = readonly [name: string, value: string];

export interface Redactor {
  /** True when values of this header are redacted. */
  redactsHeader(name: string): boolean;
  /** True when values of this query key are redacted. */
  redactsQueryKey(key: string): boolean;
  /** The headers with redacted values; the same array when nothing had to change. */
  headers(headers: readonly HeaderPair[]): readonly HeaderPair[];
  /** A request target (`/path?query#fragment`, or an absolute URL) with its query values redacted. */
  target(target: string): string;
  /** A query string (without `?`) with its values redacted. */
  query(query: string): string;
  /** The lower-case query keys redacted (also the keys redacted in JSON and form bodies). */
  readonly queryKeys: ReadonlySet<string>;
}

function lowerSet(names: readonly string[] | undefined): Set<string> {
  return new Set((names ?? []).map((name) => name.toLowerCase()));
}

function decodeKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}

export function createRedactor(options: RedactionOptions = {}): Redactor {
  const headerNames = lowerSet(options.headers);
  const offHeaders = lowerSet(options.disableDefaultHeaders);
  for (const name of DEFAULT_REDACTED_HEADERS) if (!offHeaders.has(name)) headerNames.add(name);
  // `*word*` entries: redacted when the name contains the word.
  const nameParts: string[] = [];
  for (const name of headerNames) {
    if (name.length > 2 && name.startsWith('*') && name.endsWith('*')) {
      headerNames.delete(name);
      nameParts.push(name.slice(1, -1));
    }
  }

  const queryKeys = lowerSet(options.queryKeys);
  const offQueryKeys = lowerSet(options.disableDefaultQueryKeys);
  for (const key of DEFAULT_REDACTED_QUERY_KEYS) {
    const lower = key.toLowerCase();
    if (!offQueryKeys.has(lower)) queryKeys.add(lower);
  }

  // By length first: most header names are no redacted one's length, and no string is made.
  const byLength = new Map<number, string[]>();
  for (const name of headerNames) {
    const same = byLength.get(name.length);
    if (same === undefined) byLength.set(name.length, [name]);
    else same.push(name);
  }
  const decide = (name: string): boolean => {
    const candidates = byLength.get(name.length);
    if (candidates !== undefined) for (const candidate of candidates) if (isHeaderName(name, candidate)) return true;
    if (nameParts.length === 0) return false;
    const lower = name.toLowerCase();
    for (const part of nameParts) if (lower.includes(part)) return true;
    return false;
  };
  // Header names repeat from one message to the next: each name's verdict is kept (a bounded
  // table, emptied when full, so hostile traffic with ever new names costs memory only up to it).
  const verdicts = new Map<string, boolean>();
  const redactsHeader = (name: string): boolean => {
    let verdict = verdicts.get(name);
    if (verdict === undefined) {
      verdict = decide(name);
      if (verdicts.size >= HEADER_VERDICTS_KEPT) verdicts.clear();
      verdicts.set(name, verdict);
    }
    return verdict;
  };
  const redactsQueryKey = (key: string): boolean => queryKeys.has(decodeKey(key).toLowerCase());

  const query = (text: string): string => {
    if (queryKeys.size === 0 || text === '') return text;
    let changed = false;
    const parts = text.split('&').map((part) => {
      const eq = part.indexOf('=');
      if (eq < 0 || !redactsQueryKey(part.slice(0, eq))) return part;
      if (part.slice(eq + 1) === REDACTED) return part;
      changed = true;
      return `${part.slice(0, eq + 1)}${REDACTED}`;
    });
    return changed ? parts.join('&') : text;
  };

  return {
    redactsHeader,
    redactsQueryKey,
    headers(headers) {
      let out: HeaderPair[] | undefined;
      for (let i = 0; i < headers.length; i++) {
        const pair = headers[i];
        if (pair === undefined || !redactsHeader(pair[0])) continue;
        out ??= headers.slice();
        out[i] = [pair[0], REDACTED];
      }
      return out ?? headers;
    },
    target(target) {
      const q = target.indexOf('?');
      if (q < 0) return target;
      const hash = target.indexOf('#', q + 1);
      const end = hash < 0 ? target.length : hash;
      const redacted = query(target.slice(q + 1, end));
      return `${target.slice(0, q + 1)}${redacted}${target.slice(end)}`;
    },
    query,
    queryKeys,
  };
}
