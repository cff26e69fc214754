/**
 * A decoded header block split into the pseudo-headers a stream reports (`:method`, `:path`,
 * `:scheme`, `:authority`, `:status`: the first of each name, as properties, not a map per
 * block) and the regular fields, which become the message's `headers`.
 */
import type { HttpHeader } from '../../exchange/http-headers';

export interface SplitHeaders {
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly scheme: string | undefined;
  readonly authority: string | undefined;
  readonly status: string | undefined;
  /** Regular fields, in order. */
  readonly fields: HttpHeader[];
  /** Compressed block bytes (the `headerBytes` of the message). */
  readonly blockBytes: number;
}

class SplitBlock implements SplitHeaders {
  method: string | undefined = undefined;
  path: string | undefined = undefined;
  scheme: string | undefined = undefined;
  authority: string | undefined = undefined;
  status: string | undefined = undefined;

  constructor(
    public fields: HttpHeader[],
    readonly blockBytes: number,
  ) {}

  take(name: string, value: string): void {
    switch (name) {
      case ':method':
        this.method ??= value;
        break;
      case ':path':
        this.path ??= value;
        break;
      case ':scheme':
        this.scheme ??= value;
        break;
      case ':authority':
        this.authority ??= value;
        break;
      case ':status':
        this.status ??= value;
        break;
      default:
      // Others (`:protocol` …) are not reported.
    }
  }
}

export function splitHeaders(headers: HttpHeader[], blockBytes: number): SplitHeaders {
  const split = new SplitBlock(headers, blockBytes);
  let regular = 0;
  for (; regular < headers.length; regular++) {
    const field = headers[regular] as HttpHeader;
    if (field[0].charCodeAt(0) !== 0x3a /* : */) break;
    split.take(field[0], field[1]);
  }
  if (regular > 0) split.fields = headers.slice(regular);
  // Pseudo-headers after a regular (or unknown) field: malformed, or an unknown entry that was a
  // pseudo-header on a connection picked up late. Either way they are pseudo-headers, not fields.
  const fields = split.fields;
  for (let i = 0; i < fields.length; i++) {
    if ((fields[i] as HttpHeader)[0].charCodeAt(0) !== 0x3a) continue;
    const rest: HttpHeader[] = [];
    for (const field of fields) {
      if (field[0].charCodeAt(0) === 0x3a) split.take(field[0], field[1]);
      else rest.push(field);
    }
    split.fields = rest;
    break;
  }
  return split;
}
