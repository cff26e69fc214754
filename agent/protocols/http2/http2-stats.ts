/**
 * Counters of the HTTP/2 parser, shared by every connection parsed with the same options (plain
 * fields, one thread). The metrics module reads them at scrape time.
 */
import type { Http2IncompleteReason } from '../../exchange/http2-exchange';
import type { HpackError } from './hpack/hpack-decoder';
import { countTotal } from '../count-total';

/** Frames that broke the protocol; the direction then skips or resynchronises. */
export type Http2FrameError =
  /** A frame header no peer may send (reserved bit, stream 0 where a stream is required, wrong fixed length…). */
  | 'invalid-frame'
  /** Padding longer than the frame. */
  | 'invalid-padding'
  /** A non-DATA frame larger than the buffering cap (the header-list cap). */
  | 'frame-too-large'
  /** A header block (HEADERS + CONTINUATION) past the cap (the CONTINUATION-flood shape): skipped. */
  | 'header-block-too-large'
  /** A frame other than CONTINUATION in the middle of a header block. */
  | 'continuation-expected'
  /** CONTINUATION with no header block open. */
  | 'unexpected-continuation';

export class Http2Stats {
  exchangesComplete = 0;
  readonly exchangesIncomplete: Record<Http2IncompleteReason, number> = {
    timeout: 0,
    'connection-closed': 0,
    'no-request': 0,
    'capture-gap': 0,
    'parse-error': 0,
    'stream-reset': 0,
    goaway: 0,
  };
  /** Of the exchanges: those that carried gRPC. */
  grpcCalls = 0;
  lateResponses = 0;
  readonly frameErrors: Record<Http2FrameError, number> = {
    'invalid-frame': 0,
    'invalid-padding': 0,
    'frame-too-large': 0,
    'header-block-too-large': 0,
    'continuation-expected': 0,
    'unexpected-continuation': 0,
  };
  readonly hpackErrors: Record<HpackError, number> = {
    'integer-overflow': 0,
    'truncated-block': 0,
    'invalid-index': 0,
    'invalid-huffman': 0,
    'size-update-too-large': 0,
    'size-update-misplaced': 0,
  };
  /** Header fields that referred to HPACK entries never seen (connections picked up mid-stream). */
  unknownHeaders = 0;
  /** Header lists above the cap (fields past it left out). */
  headerListsOverCap = 0;
  /** New streams not followed because the connection already had the most open streams. */
  streamCapDrops = 0;
  /** Connections marked for a rapid-reset flood (many streams reset before any response). */
  rapidResetConnections = 0;
  /** Exchanges not emitted on such connections (reset before a response). */
  rapidResetsSuppressed = 0;
  /** Connections marked for a flood of empty DATA frames. */
  emptyDataFloods = 0;
  /** Frames for streams not followed (never opened in view, dropped at the cap, already ended). */
  orphanFrames = 0;
  /** Directions that lost framing (gap, garbage) and found it again, and the bytes skipped meanwhile. */
  resyncs = 0;
  bytesSkipped = 0;
  gaps = 0;
  gapBytes = 0;
  /** Content decoding outcomes of body previews (as HTTP/1). */
  bombsCut = 0;
  decodeSizeLimited = 0;
  decodeErrors = 0;
  unsupportedEncodings = 0;

  frameErrorTotal(): number {
    return countTotal(this.frameErrors);
  }

  hpackErrorTotal(): number {
    return countTotal(this.hpackErrors);
  }

  /** The `plaintap_http2_events_total` series. */
  http2Events(): Record<string, number> {
    return {
      frame_error: this.frameErrorTotal(),
      hpack_error: this.hpackErrorTotal(),
      stream_cap_drop: this.streamCapDrops,
      rapid_reset: this.rapidResetConnections,
      empty_data_flood: this.emptyDataFloods,
      header_list_over_cap: this.headerListsOverCap,
      unknown_header: this.unknownHeaders,
    };
  }

  /** The `plaintap_parse_errors_total{protocol="http2"}` series, by reason: frame and HPACK errors. */
  parseErrorsByReason(): Record<string, number> {
    return { ...this.frameErrors, ...this.hpackErrors };
  }

  /** Frame and HPACK errors (the `plaintap_parse_errors_total{protocol="http2"}` series). */
  parseErrorTotal(): number {
    return this.frameErrorTotal() + this.hpackErrorTotal();
  }
}
