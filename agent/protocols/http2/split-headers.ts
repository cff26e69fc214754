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

const NO_FIELDS: HttpHeader[] = [];

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

/** Splits the fields `list[0, count)` (a decoder's reused list: what is kept is copied). */
export function splitHeaders(list: readonly HttpHeader[], count: number, blockBytes: number): SplitHeaders {
  const split = new SplitBlock(NO_FIELDS, blockBytes);
  let regular = 0;
  for (; regular < count; regular++) {
    const field = list[regular] as HttpHeader;
    if (field[0].charCodeAt(0) !== 0x3a /* : */) break;
    split.take(field[0], field[1]);
  }
  let misplaced = false;
  for (let i = regular; i < count && !misplaced; i++) misplaced = (list[i] as HttpHeader)[0].charCodeAt(0) === 0x3a;
  if (!misplaced) {
    split.fields = list.slice(regular, count);
    return split;
  }
  // Pseudo-headers after a regular (or unknown) field: malformed, or an unknown entry that was a
  // pseudo-header on a connection picked up late. Either way they are pseudo-headers, not fields.
  const rest: HttpHeader[] = [];
  for (let i = regular; i < count; i++) {
    const field = list[i] as HttpHeader;
    if (field[0].charCodeAt(0) === 0x3a) split.take(field[0], field[1]);
    else rest.push(field);
  }
  split.fields = rest;
  return split;
}
