/**
 * One HTTP/1 exchange: a request and the response that answered it, paired
 * in order on their connection. Emitted the moment the response's last byte
 * arrives; emitted flagged (`complete: false`) when the exchange timeout
 * passes or the connection closes first, or when a side was lost or broken.
 */
import type { ConnectionFacts } from '../capture/captured-event';
import type { HttpHeaders } from './http-headers';

/** HTTP methods the semantic conventions know; outputs and metrics report any other as `_OTHER`. */
export const KNOWN_HTTP_METHODS: ReadonlySet<string> = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'QUERY',
  'TRACE',
]);

/** How a body's Content-Encoding was handled. */
export type BodyDecoding =
  /** No content coding: the preview is the body itself. */
  | 'identity'
  /** Decoded in full: `decodedBytes` is the decoded length. */
  | 'decoded'
  /** Only a prefix could be decoded: the body was incomplete or longer than what is kept for decoding. */
  | 'partial'
  /** A coding plaintap does not decode (e.g. `compress`, `zstd`): the preview is the raw bytes. */
  | 'unsupported'
  /** Decoding stopped at the expansion-ratio limit (a decompression bomb): the preview is what came before. */
  | 'ratio-limit'
  /** Decoding stopped at the decoded-size limit. */
  | 'size-limit'
  /** The coded bytes are corrupt: the preview is the raw bytes. */
  | 'error';

export interface HttpBody {
  /** The first bytes of the body, at most the capture cap: decoded when `decoding` is 'decoded' | 'partial' | 'ratio-limit' | 'size-limit', else as sent (after de-chunking). */
  readonly preview: Uint8Array;
  /** True when the preview is not the whole (decoded) body. */
  readonly truncated: boolean;
  /** Body bytes on the wire: chunk-size lines, chunk CRLFs and trailers included. */
  readonly wireBytes: number;
  /** Body bytes after transfer decoding (de-chunking), before content decoding; lost bytes included. */
  readonly bytes: number;
  /** Bytes after content decoding; undefined when not known in full (partial, cut, unsupported, error). */
  readonly decodedBytes?: number;
  /** The Content-Encoding header as sent; undefined when absent. */
  readonly contentEncoding?: string;
  readonly decoding: BodyDecoding;
  /** Body bytes lost in capture (the framing still said where the message ended). */
  readonly lostBytes: number;
}

interface HttpMessageCommon {
  /** `1.1` or `1.0`, from the start line. */
  readonly version: string;
  /** In order, repeats kept, names as sent. */
  readonly headers: HttpHeaders;
  /** Trailer fields of a chunked body; empty when none. */
  readonly trailers: HttpHeaders;
  /** Bytes of the start line, the header fields and the blank line. */
  readonly headerBytes: number;
  readonly body: HttpBody;
  /** Wall-clock nanoseconds of the message's first byte. */
  readonly startNs: bigint;
  /** Wall-clock nanoseconds of its last byte (of the last byte seen when incomplete). */
  readonly endNs: bigint;
  /** Thread whose TLS call carried the first byte. */
  readonly tid: number;
  /** True when the message ended as its framing said. */
  readonly complete: boolean;
}

export interface HttpRequest extends HttpMessageCommon {
  /** As sent (`GET`, `PURGE`). */
  readonly method: string;
  /** As sent: origin form (`/a?b`), absolute form, authority form (CONNECT) or `*`. */
  readonly target: string;
}

/** A 1xx response before the final one (100 Continue, 103 Early Hints); 101 is final. */
export interface HttpInterimResponse {
  readonly statusCode: number;
  readonly reason: string;
  readonly headers: HttpHeaders;
  readonly headerBytes: number;
  readonly timestampNs: bigint;
}

export interface HttpResponse extends HttpMessageCommon {
  readonly statusCode: number;
  /** Reason phrase as sent; may be empty. */
  readonly reason: string;
  /** 1xx responses that came before this one, in order. */
  readonly interim: readonly HttpInterimResponse[];
}

export type HttpIncompleteReason =
  /** No response (or not all of it) within the exchange timeout. */
  | 'timeout'
  /** The connection ended before the exchange did. */
  | 'connection-closed'
  /** A response with no request to pair it with (e.g. the agent started mid-connection). */
  | 'no-request'
  /** Bytes of the exchange were lost in capture and its framing could not be followed. */
  | 'capture-gap'
  /** A message of the exchange was malformed (see the parser counters for the detail). */
  | 'parse-error'
  /** Too many requests were waiting for responses on the connection; the oldest was given up. */
  | 'queue-overflow';

/** After this exchange the connection stopped speaking HTTP/1. */
export type HttpUpgrade = 'websocket' | 'tunnel';

export interface HttpExchange {
  readonly kind: 'http1.exchange';
  readonly connection: ConnectionFacts;
  /** 'client' when the captured process sent the request, 'server' when it answered it. */
  readonly side: 'client' | 'server';
  /** Absent when the request was never seen (`no-request`, `capture-gap`, `parse-error`). */
  readonly request?: HttpRequest;
  /** Absent when no response was seen. */
  readonly response?: HttpResponse;
  /** Both messages framed to their end, nothing broken (body bytes may still have been lost in capture: see `body.lostBytes`). */
  readonly complete: boolean;
  /** Set exactly when `complete` is false. */
  readonly incompleteReason?: HttpIncompleteReason;
  /**
   * With `incompleteReason` `parse-error`: the framing rule a message broke (`bare-cr`, `bare-lf`,
   * `obs-fold`, `space-before-colon`, `transfer-encoding-with-content-length`, … — docs/http1.md).
   */
  readonly parseError?: string;
  /**
   * True when this exchange was already reported incomplete (reason `timeout`)
   * and its response arrived later: this record is the same exchange, finished.
   */
  readonly late: boolean;
  readonly upgrade?: HttpUpgrade;
  /** First byte of the request (of the response when there is no request). */
  readonly timestampNs: bigint;
  /** Last byte of the response (of the last message seen when incomplete). */
  readonly endNs: bigint;
  /** endNs - timestampNs. */
  readonly durationNs: bigint;
}
