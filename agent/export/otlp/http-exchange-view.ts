/**
 * What the OTLP mapping needs to know about one HTTP exchange (a request and its response, or
 * one of them alone), whatever the HTTP version: each parser's exchange record is adapted to
 * this shape (http1ExchangeView, http2ExchangeView below), so the mapping is written once.
 */
import type { ConnectionFacts } from '../../capture/captured-event';
import type { HttpExchange } from '../../exchange/http-exchange';
import type { Http2Exchange } from '../../exchange/http2-exchange';
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
  /** With `incomplete` `parse_error`: the rule a message broke (HTTP/1 `bare-cr`, `obs-fold`, …). */
  readonly parseError?: string;
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

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * What both versions' records share: request and response, duration, incomplete and late.
 * Built field by field (one object per record on the export path), optional fields only when set.
 */
function commonView(
  exchange: HttpExchange | Http2Exchange,
  protocol: string,
  httpVersion: string,
  truncated: boolean,
): Mutable<HttpExchangeView> {
  const { request, response } = exchange;
  const view: Mutable<HttpExchangeView> = {
    connection: exchange.connection,
    protocol,
    httpVersion,
    side: exchange.side,
    timestampNs: exchange.timestampNs,
    truncated,
  };
  if (request) {
    const requestView: HttpRequestView = {
      method: request.method,
      target: request.target,
      headers: request.headers,
      bodySize: request.body.bytes,
    };
    view.request = requestView;
  }
  if (response) {
    const responseView: HttpResponseView = {
      statusCode: response.statusCode,
      headers: response.headers,
      bodySize: response.body.bytes,
    };
    view.response = responseView;
    view.durationNs = exchange.durationNs;
  }
  if (exchange.incompleteReason !== undefined) view.incomplete = exchange.incompleteReason;
  if (exchange.late) view.late = true;
  return view;
}

function lostBytes(exchange: HttpExchange | Http2Exchange): number {
  return (exchange.request?.body.lostBytes ?? 0) + (exchange.response?.body.lostBytes ?? 0);
}

/** The HTTP/1 parser's exchange record as a view. */
export function http1ExchangeView(exchange: HttpExchange): HttpExchangeView {
  const version = (exchange.request ?? exchange.response)?.version ?? '';
  const view = commonView(exchange, 'http1', version, lostBytes(exchange) > 0);
  if (exchange.upgrade !== undefined) view.upgrade = exchange.upgrade;
  if (exchange.parseError !== undefined) view.parseError = exchange.parseError;
  return view;
}

/** The HTTP/2 parser's exchange record (and its gRPC call) as a view. */
export function http2ExchangeView(exchange: Http2Exchange): HttpExchangeView {
  const { grpc } = exchange;
  const truncated = lostBytes(exchange) > 0 || exchange.incompleteReason === 'capture-gap';
  const view = commonView(exchange, grpc !== undefined ? 'grpc' : 'http2', '2', truncated);
  view.streamId = exchange.streamId;
  if (exchange.authority !== undefined) view.authority = exchange.authority;
  if (exchange.headersIncomplete) view.headersIncomplete = true;
  if (exchange.errorCode !== undefined) view.errorCode = exchange.errorCode;
  if (grpc !== undefined) {
    const rpc: Mutable<RpcView> = {
      service: grpc.service,
      method: grpc.method,
      requestMessages: grpc.requestMessages.count,
      responseMessages: grpc.responseMessages.count,
    };
    if (grpc.statusCode !== undefined) rpc.statusCode = grpc.statusCode;
    if (grpc.statusMessage !== undefined) rpc.statusMessage = grpc.statusMessage;
    view.rpc = rpc;
  }
  return view;
}
