/**
 * Counters of the HTTP/1 and WebSocket parsers. One instance is shared by
 * every connection parsed with the same options; the processor or the
 * metrics module reads it (plain fields, no locking: one thread).
 */
import type { HttpIncompleteReason } from '../../exchange/http-exchange';
import { WebSocketStats } from '../websocket/websocket-stats';
import { countTotal } from '../count-total';

/**
 * Why a message could not be parsed (then the direction resynchronises). docs/http1.md lists the
 * rule behind each reason.
 */
export type Http1ParseError =
  | 'invalid-start-line'
  | 'invalid-header'
  | 'head-too-large'
  | 'too-many-headers'
  | 'invalid-content-length'
  | 'invalid-transfer-encoding'
  /** Both Transfer-Encoding and Content-Length (RFC 9112 §6.3: a smuggling shape). */
  | 'transfer-encoding-with-content-length'
  | 'invalid-chunk'
  /** A CR not followed by LF in a start line, field line or chunk line (RFC 9112 §2.2). */
  | 'bare-cr'
  /** A line ended by LF alone where CRLF is required. */
  | 'bare-lf'
  /** A field line starting with SP or HTAB (obs-fold, RFC 9112 §5.2). */
  | 'obs-fold'
  /** Whitespace between a field name and its colon (RFC 9112 §5.1). */
  | 'space-before-colon'
  /** A request where responses flow, or the reverse. */
  | 'unexpected-message';

/** Every parse error reason, in the order the metrics list them. */
export const HTTP1_PARSE_ERRORS: readonly Http1ParseError[] = [
  'invalid-start-line',
  'invalid-header',
  'head-too-large',
  'too-many-headers',
  'invalid-content-length',
  'invalid-transfer-encoding',
  'transfer-encoding-with-content-length',
  'invalid-chunk',
  'bare-cr',
  'bare-lf',
  'obs-fold',
  'space-before-colon',
  'unexpected-message',
];

export class Http1Stats {
  /** Exchanges emitted complete (late completions included). */
  exchangesComplete = 0;
  /** Exchanges emitted incomplete, by reason. */
  readonly exchangesIncomplete: Record<HttpIncompleteReason, number> = {
    timeout: 0,
    'connection-closed': 0,
    'no-request': 0,
    'capture-gap': 0,
    'parse-error': 0,
    'queue-overflow': 0,
  };
  /** Exchanges reported incomplete on timeout whose response came later (and were emitted again). */
  lateResponses = 0;
  /** Malformed messages, by reason. */
  readonly parseErrors = Object.fromEntries(HTTP1_PARSE_ERRORS.map((reason) => [reason, 0])) as Record<
    Http1ParseError,
    number
  >;
  /**
   * Byte ranges a direction skipped or refused while looking for a message start (a connection
   * picked up mid-stream, bytes after a gap, a malformed message and what follows it), counted
   * when the range starts; and their bytes, counted as they are skipped.
   */
  skippedRanges = 0;
  bytesSkipped = 0;
  /** Capture gaps seen by the parser, and the bytes they lost. */
  gaps = 0;
  gapBytes = 0;
  /** Bodies whose decoding hit the expansion-ratio limit (decompression bombs cut). */
  bombsCut = 0;
  /** Bodies whose decoding hit the decoded-size limit. */
  decodeSizeLimited = 0;
  /** Bodies with corrupt coded data. */
  decodeErrors = 0;
  /** Bodies with a content coding plaintap does not decode. */
  unsupportedEncodings = 0;
  /** Connections switched to WebSocket, and to an opaque tunnel (CONNECT, other upgrades). */
  websocketUpgrades = 0;
  tunnels = 0;
  /** Bytes that went through opaque tunnels (counted, not parsed). */
  tunnelBytes = 0;
  /** Bytes of a held direction (after an upgrade request) dropped over the hold limit. */
  heldBytesDropped = 0;
  readonly websocket = new WebSocketStats();

  incompleteTotal(): number {
    return countTotal(this.exchangesIncomplete);
  }

  /** The `plaintap_parse_errors_total{protocol="http1"}` series, by reason. */
  parseErrorsByReason(): Record<string, number> {
    return { ...this.parseErrors };
  }

  parseErrorTotal(): number {
    return countTotal(this.parseErrors);
  }
}
