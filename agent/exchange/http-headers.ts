/**
 * HTTP header fields as captured: an ordered list of [name, value] pairs.
 * Order, repeats and the sender's spelling of names are kept; lookups are
 * case-insensitive.
 */

/** One header field: the name as sent, the value with surrounding whitespace removed. */
export type HttpHeader = readonly [name: string, value: string];

export type HttpHeaders = readonly HttpHeader[];

/** Shared empty list (no trailers, no headers). */
export const NO_HEADERS: HttpHeaders = Object.freeze([]);

/**
 * `name.toLowerCase() === lower` (`lower` already lower case) without making a string: ASCII
 * letters compared case-insensitively, a name with other characters by toLowerCase. (Names are
 * latin1 or HTTP tokens: lower-casing never changes their length.)
 */
export function isHeaderName(name: string, lower: string): boolean {
  const length = lower.length;
  if (name.length !== length) return false;
  for (let i = 0; i < length; i++) {
    const code = name.charCodeAt(i);
    const want = lower.charCodeAt(i);
    if (code === want) continue;
    if (code >= 0x41 && code <= 0x5a) {
      if (code + 0x20 !== want) return false;
    } else {
      return code > 0x7f && name.toLowerCase() === lower;
    }
  }
  return true;
}

const sameName = isHeaderName;

/** The first value of `name` (any case), or undefined. */
export function headerValue(headers: HttpHeaders, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of headers) if (sameName(key, lower)) return value;
  return undefined;
}

/** Every value of `name` (any case), in order. */
export function headerValues(headers: HttpHeaders, name: string): string[] {
  const lower = name.toLowerCase();
  const values: string[] = [];
  for (const [key, value] of headers) if (sameName(key, lower)) values.push(value);
  return values;
}

/** True when a comma-separated header (Connection, Transfer-Encoding …) lists `token` (any case). */
export function headerHasToken(headers: HttpHeaders, name: string, token: string): boolean {
  const lowerToken = token.toLowerCase();
  for (const value of headerValues(headers, name)) {
    for (const part of value.split(',')) if (part.trim().toLowerCase() === lowerToken) return true;
  }
  return false;
}
