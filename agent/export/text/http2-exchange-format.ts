/**
 * HTTP/2 exchanges (and the gRPC calls they carry) as console text and JSON objects, in the
 * HTTP/1 shape (fields documented in docs/http2.md) with the stream id, the pseudo-headers that
 * have no HTTP/1 place (`:scheme`, `:authority`) and the gRPC call.
 */
import type { GrpcCall, GrpcMessages, Http2Exchange } from '../../exchange/http2-exchange';
import type { HttpRequest, HttpResponse } from '../../exchange/http-exchange';
import { connectionJson, processLine, type JsonConnection } from './connection-fields';
import {
  bodyText,
  formatDurationNs,
  headerLines,
  payloadText,
  requestJson,
  responseJson,
  type ExchangeFormatOptions,
  type JsonRequest,
  type JsonResponse,
} from './exchange-format';
import { jsonPayload, type JsonPayload } from './json-payload';
import { formatRfc3339Nanos } from './rfc3339';

function requestText(exchange: Http2Exchange, request: HttpRequest, hex: boolean): string {
  let out = `${request.method} ${request.target} HTTP/2\n`;
  if (exchange.scheme !== undefined) out += `:scheme: ${exchange.scheme}\n`;
  if (exchange.authority !== undefined) out += `:authority: ${exchange.authority}\n`;
  out += `${headerLines(request.headers)}\n`;
  if (exchange.grpc === undefined) out += bodyText(request.body, request.trailers, hex);
  else out += grpcText(exchange.grpc.requestMessages, request.trailers, hex);
  return out;
}

function responseText(exchange: Http2Exchange, response: HttpResponse, hex: boolean): string {
  let out = '';
  for (const interim of response.interim) out += `HTTP/2 ${interim.statusCode}\n${headerLines(interim.headers)}\n`;
  out += `HTTP/2 ${response.statusCode}\n${headerLines(response.headers)}\n`;
  if (exchange.grpc === undefined) out += bodyText(response.body, response.trailers, hex);
  else out += grpcText(exchange.grpc.responseMessages, response.trailers, hex);
  return out;
}

function grpcText(messages: GrpcMessages, trailers: HttpRequest['trailers'], hex: boolean): string {
  let out = '';
  if (messages.count > 0) {
    out += `[${messages.count} gRPC message${messages.count === 1 ? '' : 's'}, ${messages.bytes} bytes`;
    if (messages.compressed > 0) out += `, ${messages.compressed} compressed`;
    out += messages.decompressed ? '; first message decompressed' : '; first message';
    if (messages.truncated) out += `, ${messages.preview.length} bytes shown`;
    out += ']\n';
    // gRPC messages are protobuf: a hex dump unless printable.
    out += payloadText(messages.preview, messages.truncated, hex);
  }
  if (trailers.length > 0) out += headerLines(trailers);
  return out;
}

/** An HTTP/2 exchange as readable text (as formatExchangeText, plus Stream and gRPC facts). */
export function formatHttp2ExchangeText(exchange: Http2Exchange, options: ExchangeFormatOptions = {}): string {
  const hex = options.hex ?? false;
  let out = processLine(exchange.connection) + '\n';
  out += exchange.request !== undefined ? requestText(exchange, exchange.request, hex) : '(request not captured)\n';
  out += exchange.response !== undefined ? responseText(exchange, exchange.response, hex) : '(no response)\n';
  const c = exchange.connection;
  const summary = [
    `Duration:${formatDurationNs(exchange.durationNs)}`,
    `Side:${exchange.side}`,
    `Stream:${exchange.streamId}`,
    `TID:${exchange.request?.tid ?? exchange.response?.tid ?? c.tid}`,
    `FD:${c.fd}`,
  ];
  if (exchange.request !== undefined) {
    summary.push(`Request:${exchange.request.headerBytes}+${exchange.request.body.wireBytes}B`);
  }
  if (exchange.response !== undefined) {
    summary.push(`Response:${exchange.response.headerBytes}+${exchange.response.body.wireBytes}B`);
  }
  const grpc = exchange.grpc;
  if (grpc !== undefined) {
    summary.push(`gRPC:${grpc.service}/${grpc.method}`);
    summary.push(
      `Status:${grpc.statusCode ?? '?'}${grpc.statusMessage !== undefined ? ` (${grpc.statusMessage})` : ''}`,
    );
    summary.push(`Messages:${grpc.requestMessages.count}/${grpc.responseMessages.count}`);
  }
  if (exchange.pushed) summary.push('Pushed');
  if (exchange.headersIncomplete) summary.push('HeadersIncomplete');
  if (!exchange.complete) summary.push(`Incomplete:${exchange.incompleteReason ?? 'unknown'}`);
  if (exchange.errorCode !== undefined) summary.push(`Error:${exchange.errorCode}`);
  if (exchange.late) summary.push('Late');
  return `${out}${summary.join(', ')}\n\n`;
}

export type JsonGrpcMessages = {
  readonly count: number;
  readonly bytes: number;
  readonly compressed: number;
  readonly captured_length: number;
  readonly truncated: boolean;
  readonly decompressed: boolean;
} & JsonPayload;

export interface JsonGrpcCall {
  readonly service: string;
  readonly method: string;
  readonly status_code: number | null;
  readonly status_message: string | null;
  readonly request_encoding: string | null;
  readonly response_encoding: string | null;
  readonly request_messages: JsonGrpcMessages;
  readonly response_messages: JsonGrpcMessages;
}

export type JsonHttp2Exchange = {
  readonly time: string;
  readonly kind: 'http2.exchange';
  readonly tid: number;
  readonly side: 'client' | 'server';
  readonly stream_id: number;
  readonly pushed: boolean;
  readonly scheme: string | null;
  readonly authority: string | null;
  readonly end_time: string;
  readonly duration_ns: number;
  readonly duration_ms: number;
  readonly complete: boolean;
  readonly incomplete_reason: string | null;
  readonly error_code: string | null;
  readonly headers_incomplete: boolean;
  readonly late: boolean;
  readonly request: JsonRequest | null;
  readonly response: JsonResponse | null;
  readonly grpc: JsonGrpcCall | null;
} & JsonConnection;

function grpcMessagesJson(messages: GrpcMessages, hex: boolean): JsonGrpcMessages {
  return {
    count: messages.count,
    bytes: messages.bytes,
    compressed: messages.compressed,
    captured_length: messages.preview.length,
    truncated: messages.truncated,
    decompressed: messages.decompressed,
    ...jsonPayload(messages.preview, hex, messages.truncated),
  };
}

function grpcJson(call: GrpcCall, hex: boolean): JsonGrpcCall {
  return {
    service: call.service,
    method: call.method,
    status_code: call.statusCode ?? null,
    status_message: call.statusMessage ?? null,
    request_encoding: call.requestEncoding ?? null,
    response_encoding: call.responseEncoding ?? null,
    request_messages: grpcMessagesJson(call.requestMessages, hex),
    response_messages: grpcMessagesJson(call.responseMessages, hex),
  };
}

/** An HTTP/2 exchange as a JSON-ready object (kind `http2.exchange`). */
export function http2ExchangeToJson(exchange: Http2Exchange, options: ExchangeFormatOptions = {}): JsonHttp2Exchange {
  const hex = options.hex ?? false;
  return {
    time: formatRfc3339Nanos(exchange.timestampNs),
    kind: 'http2.exchange',
    ...connectionJson(exchange.connection),
    tid: exchange.request?.tid ?? exchange.response?.tid ?? exchange.connection.tid,
    side: exchange.side,
    stream_id: exchange.streamId,
    pushed: exchange.pushed,
    scheme: exchange.scheme ?? null,
    authority: exchange.authority ?? null,
    end_time: formatRfc3339Nanos(exchange.endNs),
    duration_ns: Number(exchange.durationNs),
    duration_ms: Number(exchange.durationNs / 1000n) / 1000,
    complete: exchange.complete,
    incomplete_reason: exchange.incompleteReason ?? null,
    error_code: exchange.errorCode ?? null,
    headers_incomplete: exchange.headersIncomplete,
    late: exchange.late,
    request: exchange.request !== undefined ? requestJson(exchange.request, hex) : null,
    response: exchange.response !== undefined ? responseJson(exchange.response, hex) : null,
    grpc: exchange.grpc !== undefined ? grpcJson(exchange.grpc, hex) : null,
  };
}
