/**
 * What the OTLP mapping needs to know about one HTTP exchange (a request and its response, or
 * one of them alone), whatever the HTTP version: each parser's exchange record is adapted to
 * this shape (see http1-exchange-view.ts), so the mapping is written once.
 */
import type { ConnectionFacts } from '../../capture/captured-event';
import type { HeaderPair } from '../../redaction/redactor';

export interface HttpRequestView {
  /** As sent, any case (`GET`, `PURGE`, `get`). */
  readonly method: string;
  /** Request target as sent: origin form (`/a?b`), absolute form, or HTTP/2 `:path`. */
  readonly target: string;
  /** Headers as captured, in order (HTTP/2 pseudo-headers excluded). */
  readonly headers: readonly HeaderPair[];
  /** Body bytes (after de-chunking, before content decoding); undefined when unknown. */
  readonly bodySize?: number;
}

export interface HttpResponseView {
  readonly statusCode: number;
  readonly headers: readonly HeaderPair[];
  readonly bodySize?: number;
}

export interface HttpExchangeView {
  readonly connection: ConnectionFacts;
  /** 'http1' | 'http2' | 'grpc' …: which parser produced it. */
  readonly protocol: string;
  /** `1.0`, `1.1`, `2`: the `network.protocol.version`. */
  readonly httpVersion: string;
  /** Which end of the connection the captured process is. */
  readonly side: 'client' | 'server';
  /** Wall-clock nanoseconds of the first request byte. */
  readonly timestampNs: bigint;
  /** First request byte to last response byte; undefined without a response. */
  readonly durationNs?: bigint;
  /** Absent when the request was never seen (the agent started mid-connection, a capture gap). */
  readonly request?: HttpRequestView;
  readonly response?: HttpResponseView;
  /**
   * Set when the exchange did not complete: why (e.g. `timeout`, `connection_closed`,
   * `parse_error`). Becomes `error.type`.
   */
  readonly incomplete?: string;
  /** True when bytes of the exchange were lost in capture. */
  readonly truncated: boolean;
  /** The exchange was reported incomplete (timeout) before and its response came later. */
  readonly late?: boolean;
  /** What the connection switched to after this exchange (`websocket`, `tunnel`). */
  readonly upgrade?: string;
  /** HTTP/2: the stream, the request's `:authority`, unknown header fields, the RST_STREAM / GOAWAY code. */
  readonly streamId?: number;
  readonly authority?: string;
  readonly headersIncomplete?: boolean;
  readonly errorCode?: string;
  /** The gRPC call the exchange carried. */
  readonly rpc?: RpcView;
}

export interface RpcView {
  readonly service: string;
  readonly method: string;
  readonly statusCode?: number;
  readonly statusMessage?: string;
  readonly requestMessages: number;
  readonly responseMessages: number;
}
