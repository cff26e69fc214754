/**
 * One HTTP/2 exchange: the request and response of one stream (RFC 9113 §5), and, when the
 * stream carried gRPC (`content-type: application/grpc…`), the call it was. Emitted when both
 * ends have sent END_STREAM; emitted flagged (`complete: false`) on RST_STREAM, GOAWAY, capture
 * loss, the exchange timeout or the connection's end.
 */
import type { ConnectionFacts } from '../capture/captured-event';
import type { HttpRequest, HttpResponse } from './http-exchange';

export type Http2IncompleteReason =
  /** No end of the stream within the exchange timeout. */
  | 'timeout'
  /** The connection ended before the stream did. */
  | 'connection-closed'
  /** A response on a stream whose request was never seen (the agent started mid-connection). */
  | 'no-request'
  /** Bytes of the connection were lost in capture while the stream was open. */
  | 'capture-gap'
  /** A frame or header block of the stream could not be parsed (see the parser counters). */
  | 'parse-error'
  /** RST_STREAM ended the stream (`errorCode` says why). */
  | 'stream-reset'
  /** A GOAWAY said the stream was not (or will not be) processed. */
  | 'goaway';

/** The length-prefixed messages (gRPC over HTTP/2) that one side of a call sent. */
export interface GrpcMessages {
  /** Messages whose 5-byte prefix was seen. */
  readonly count: number;
  /** Message bytes as sent (after the prefixes; compressed ones counted compressed). */
  readonly bytes: number;
  /** Messages with the compressed flag set. */
  readonly compressed: number;
  /** The first message's bytes (decompressed when `grpc-encoding: gzip` allowed), at most the body-capture cap. */
  readonly preview: Uint8Array;
  /** True when the preview is not the whole first message. */
  readonly truncated: boolean;
  /** The preview was decompressed. */
  readonly decompressed: boolean;
}

export interface GrpcCall {
  /** From `:path` `/package.Service/Method`. */
  readonly service: string;
  readonly method: string;
  /** `grpc-status` from the trailers (or a Trailers-Only response); undefined when not seen. */
  readonly statusCode?: number;
  /** `grpc-message`, percent-decoded. */
  readonly statusMessage?: string;
  /** `grpc-encoding` of the request and of the response, when sent. */
  readonly requestEncoding?: string;
  readonly responseEncoding?: string;
  readonly requestMessages: GrpcMessages;
  readonly responseMessages: GrpcMessages;
}

export interface Http2Exchange {
  readonly kind: 'http2.exchange';
  readonly connection: ConnectionFacts;
  /** 'client' when the captured process opened the stream's request, 'server' when it answered it. */
  readonly side: 'client' | 'server';
  readonly streamId: number;
  /** The stream was promised by the server (PUSH_PROMISE): its request is the promised one. */
  readonly pushed: boolean;
  /** `:scheme` and `:authority` of the request, when sent. */
  readonly scheme?: string;
  readonly authority?: string;
  /** Request (`version` '2', `target` = `:path`, `headers` without pseudo-headers); absent when not seen. */
  readonly request?: HttpRequest;
  /** Final response (`reason` ''), with interim 1xx and trailers; absent when not seen. */
  readonly response?: HttpResponse;
  /**
   * Some header field could not be known: it referred to an HPACK table entry sent before the
   * agent started (shown as `(unknown)`), a header block was lost, or the list passed the cap.
   */
  readonly headersIncomplete: boolean;
  readonly complete: boolean;
  /** Set exactly when `complete` is false. */
  readonly incompleteReason?: Http2IncompleteReason;
  /** RST_STREAM or GOAWAY error code name (`CANCEL`, `REFUSED_STREAM` …) when one ended the stream. */
  readonly errorCode?: string;
  /** Already reported incomplete (timeout); this record is the same stream, finished. */
  readonly late: boolean;
  /** Set when the stream carried gRPC. */
  readonly grpc?: GrpcCall;
  /** First frame of the stream seen. */
  readonly timestampNs: bigint;
  /** Last frame of the stream seen. */
  readonly endNs: bigint;
  readonly durationNs: bigint;
}
