/**
 * HTTP/1 exchanges and WebSocket messages as console text and as JSON
 * objects (field names documented in docs/http1.md). The console and JSON
 * writers call these; OTLP has its own mapping.
 */
import { directionName, type DirectionName } from '../../capture/captured-event';
import type { HttpBody, HttpExchange, HttpRequest, HttpResponse } from '../../exchange/http-exchange';
import type { HttpHeaders } from '../../exchange/http-headers';
import type { WebSocketMessage } from '../../exchange/websocket-message';
import { jsonPayload, type JsonPayload } from './json-payload';
import { isPrintableText, bufferView } from './printable-text';
import { connectionJson, processLine, type JsonConnection } from './connection-fields';
import { hexDump } from './hex-dump';
import { formatRfc3339Nanos } from './rfc3339';

export interface ExchangeFormatOptions {
  /** Show bodies and payloads as hex dumps (JSON: `payload_hex`) even when printable. */
  readonly hex?: boolean;
}

// ---- console text -------------------------------------------------------------------------------

export function headerLines(headers: HttpHeaders): string {
  let out = '';
  for (const [name, value] of headers) out += `${name}: ${value}\n`;
  return out;
}

/** Bytes as text (newline-terminated) when printable and `hex` is off, else a hex dump. */
export function payloadText(bytes: Uint8Array, truncated: boolean, hex: boolean): string {
  if (bytes.length === 0) return '';
  if (hex || !isPrintableText(bytes, truncated)) return hexDump(bytes);
  const text = bufferView(bytes).toString('utf8');
  return text.endsWith('\n') ? text : text + '\n';
}

const DECODING_NOTE: Record<HttpBody['decoding'], string> = {
  identity: '',
  decoded: 'decoded',
  partial: 'decoded in part',
  unsupported: 'not decoded, shown raw',
  'ratio-limit': 'decoding cut at the ratio limit (decompression bomb)',
  'size-limit': 'decoding cut at the size limit',
  error: 'corrupt, shown raw',
};

export function bodyText(body: HttpBody, trailers: HttpHeaders, hex: boolean): string {
  let out = payloadText(body.preview, body.truncated, hex);
  const notes: string[] = [];
  if (body.contentEncoding !== undefined)
    notes.push(`content-encoding ${body.contentEncoding}: ${DECODING_NOTE[body.decoding]}`);
  if (body.truncated) {
    const total = body.decodedBytes ?? body.bytes;
    notes.push(
      `${body.preview.length} of ${total}${body.decodedBytes === undefined && body.decoding !== 'identity' ? '+' : ''} bytes shown`,
    );
  }
  if (body.lostBytes > 0) notes.push(`${body.lostBytes} bytes lost in capture`);
  if (notes.length > 0) out += `[${notes.join('; ')}]\n`;
  if (trailers.length > 0) out += headerLines(trailers);
  return out;
}

function requestText(request: HttpRequest, hex: boolean): string {
  let out = `${request.method} ${request.target} HTTP/${request.version}\n${headerLines(request.headers)}\n`;
  out += bodyText(request.body, request.trailers, hex);
  return out;
}

function responseText(response: HttpResponse, hex: boolean): string {
  let out = '';
  for (const interim of response.interim) {
    out += `HTTP/${response.version} ${interim.statusCode} ${interim.reason}\n${headerLines(interim.headers)}\n`;
  }
  out += `HTTP/${response.version} ${response.statusCode} ${response.reason}\n${headerLines(response.headers)}\n`;
  out += bodyText(response.body, response.trailers, hex);
  return out;
}

/** Milliseconds with microsecond precision: `12.345ms`. */
export function formatDurationNs(ns: bigint): string {
  const micros = Number(ns / 1000n);
  return `${(micros / 1000).toFixed(3)}ms`;
}

/**
 * An exchange as readable text: the process line, the request (line,
 * headers, body preview), the response (status line, headers, body
 * preview), then one summary line. Ends with a blank line.
 */
export function formatExchangeText(exchange: HttpExchange, options: ExchangeFormatOptions = {}): string {
  const hex = options.hex ?? false;
  let out = processLine(exchange.connection) + '\n';
  out += exchange.request !== undefined ? requestText(exchange.request, hex) : '(request not captured)\n';
  out += exchange.response !== undefined ? responseText(exchange.response, hex) : '(no response)\n';
  const summary = [`Duration:${formatDurationNs(exchange.durationNs)}`, `Side:${exchange.side}`];
  const c = exchange.connection;
  summary.push(`TID:${exchange.request?.tid ?? exchange.response?.tid ?? c.tid}`, `FD:${c.fd}`);
  if (exchange.request !== undefined) {
    summary.push(`Request:${exchange.request.headerBytes}+${exchange.request.body.wireBytes}B`);
  }
  if (exchange.response !== undefined) {
    summary.push(`Response:${exchange.response.headerBytes}+${exchange.response.body.wireBytes}B`);
  }
  if (exchange.upgrade !== undefined) summary.push(`Upgrade:${exchange.upgrade}`);
  if (!exchange.complete) {
    const detail = exchange.parseError !== undefined ? `(${exchange.parseError})` : '';
    summary.push(`Incomplete:${exchange.incompleteReason ?? 'unknown'}${detail}`);
  }
  if (exchange.late) summary.push('Late');
  return `${out}${summary.join(', ')}\n\n`;
}

/** A WebSocket message as readable text, under the same process line. Ends with a blank line. */
export function formatWebSocketText(message: WebSocketMessage, options: ExchangeFormatOptions = {}): string {
  const hex = options.hex ?? false;
  const to = message.sender === 'client' ? 'server' : 'client';
  const facts = [
    `WebSocket ${message.type} ${message.sender} -> ${to}`,
    `${message.length} bytes`,
    `${message.frames} frame${message.frames === 1 ? '' : 's'}`,
  ];
  if (message.target !== '') facts.push(`Target:${message.target}`);
  if (message.masked) facts.push('masked');
  if (message.compressed) facts.push(message.inflated ? 'deflated (inflated)' : 'deflated (shown raw)');
  if (message.truncated) facts.push(`${message.payload.length} shown`);
  if (!message.complete) facts.push('incomplete');
  // Binary frames are shown as a hex dump even when their bytes happen to be printable.
  const body = payloadText(message.payload, message.truncated, hex || message.type === 'binary');
  return `${processLine(message.connection)}\n${facts.join(', ')}\n${body}\n`;
}

// ---- JSON ---------------------------------------------------------------------------------------

/** Exactly one payload field: text when printable UTF-8, else base64; hex when asked. */

export type JsonHeaders = readonly (readonly [string, string])[];

export type JsonBody = {
  /** Bytes after de-chunking (the entity length). */
  readonly size: number;
  /** Bytes on the wire, chunk framing and trailers included. */
  readonly wire_size: number;
  /** Bytes after content decoding; null when not known in full. */
  readonly decoded_size: number | null;
  readonly content_encoding: string | null;
  readonly decoding: HttpBody['decoding'];
  readonly captured_length: number;
  readonly truncated: boolean;
  readonly lost_bytes: number;
} & JsonPayload;

export interface JsonMessageCommon {
  readonly time: string;
  readonly end_time: string;
  readonly tid: number;
  readonly version: string;
  readonly headers: JsonHeaders;
  readonly trailers: JsonHeaders;
  readonly header_bytes: number;
  readonly complete: boolean;
  readonly body: JsonBody;
}

export interface JsonRequest extends JsonMessageCommon {
  readonly method: string;
  readonly target: string;
}

export interface JsonInterimResponse {
  readonly time: string;
  readonly status_code: number;
  readonly reason: string;
  readonly headers: JsonHeaders;
  readonly header_bytes: number;
}

export interface JsonResponse extends JsonMessageCommon {
  readonly status_code: number;
  readonly reason: string;
  readonly interim: readonly JsonInterimResponse[];
}

export type JsonExchange = {
  readonly time: string;
  readonly kind: 'http1.exchange';
  readonly tid: number;
  readonly side: 'client' | 'server';
  readonly end_time: string;
  readonly duration_ns: number;
  readonly duration_ms: number;
  readonly complete: boolean;
  readonly incomplete_reason: string | null;
  /** With `incomplete_reason` `parse-error`: the framing rule a message broke. */
  readonly parse_error: string | null;
  readonly late: boolean;
  readonly upgrade: string | null;
  readonly request: JsonRequest | null;
  readonly response: JsonResponse | null;
} & JsonConnection;

export type JsonWebSocketMessage = {
  readonly time: string;
  readonly kind: 'websocket.message';
  readonly tid: number;
  readonly side: 'client' | 'server';
  readonly end_time: string;
  readonly direction: DirectionName;
  readonly sender: 'client' | 'server';
  readonly type: 'text' | 'binary';
  readonly target: string;
  readonly length: number;
  readonly captured_length: number;
  readonly truncated: boolean;
  readonly frames: number;
  readonly masked: boolean;
  readonly compressed: boolean;
  readonly inflated: boolean;
  readonly complete: boolean;
} & JsonConnection &
  JsonPayload;

function bodyJson(body: HttpBody, hex: boolean): JsonBody {
  return {
    size: body.bytes,
    wire_size: body.wireBytes,
    decoded_size: body.decodedBytes ?? null,
    content_encoding: body.contentEncoding ?? null,
    decoding: body.decoding,
    captured_length: body.preview.length,
    truncated: body.truncated,
    lost_bytes: body.lostBytes,
    ...jsonPayload(body.preview, hex, body.truncated),
  };
}

export function requestJson(request: HttpRequest, hex: boolean): JsonRequest {
  return {
    time: formatRfc3339Nanos(request.startNs),
    end_time: formatRfc3339Nanos(request.endNs),
    tid: request.tid,
    method: request.method,
    target: request.target,
    version: request.version,
    headers: request.headers,
    trailers: request.trailers,
    header_bytes: request.headerBytes,
    complete: request.complete,
    body: bodyJson(request.body, hex),
  };
}

export function responseJson(response: HttpResponse, hex: boolean): JsonResponse {
  return {
    time: formatRfc3339Nanos(response.startNs),
    end_time: formatRfc3339Nanos(response.endNs),
    tid: response.tid,
    status_code: response.statusCode,
    reason: response.reason,
    version: response.version,
    headers: response.headers,
    trailers: response.trailers,
    header_bytes: response.headerBytes,
    complete: response.complete,
    interim: response.interim.map((interim) => ({
      time: formatRfc3339Nanos(interim.timestampNs),
      status_code: interim.statusCode,
      reason: interim.reason,
      headers: interim.headers,
      header_bytes: interim.headerBytes,
    })),
    body: bodyJson(response.body, hex),
  };
}

/** An exchange as a plain JSON-ready object (snake_case; no bigint, no bytes). */
export function exchangeToJson(exchange: HttpExchange, options: ExchangeFormatOptions = {}): JsonExchange {
  const hex = options.hex ?? false;
  return {
    time: formatRfc3339Nanos(exchange.timestampNs),
    kind: 'http1.exchange',
    ...connectionJson(exchange.connection),
    tid: exchange.request?.tid ?? exchange.response?.tid ?? exchange.connection.tid,
    side: exchange.side,
    end_time: formatRfc3339Nanos(exchange.endNs),
    duration_ns: Number(exchange.durationNs),
    duration_ms: Number(exchange.durationNs / 1000n) / 1000,
    complete: exchange.complete,
    incomplete_reason: exchange.incompleteReason ?? null,
    parse_error: exchange.parseError ?? null,
    late: exchange.late,
    upgrade: exchange.upgrade ?? null,
    request: exchange.request !== undefined ? requestJson(exchange.request, hex) : null,
    response: exchange.response !== undefined ? responseJson(exchange.response, hex) : null,
  };
}

/** A WebSocket message as a plain JSON-ready object. */
export function webSocketMessageToJson(
  message: WebSocketMessage,
  options: ExchangeFormatOptions = {},
): JsonWebSocketMessage {
  return {
    time: formatRfc3339Nanos(message.timestampNs),
    kind: 'websocket.message',
    ...connectionJson(message.connection),
    tid: message.tid,
    side: message.side,
    end_time: formatRfc3339Nanos(message.endNs),
    direction: directionName(message.direction),
    sender: message.sender,
    type: message.type,
    target: message.target,
    length: message.length,
    captured_length: message.payload.length,
    truncated: message.truncated,
    frames: message.frames,
    masked: message.masked,
    compressed: message.compressed,
    inflated: message.inflated,
    complete: message.complete,
    ...jsonPayload(message.payload, options.hex ?? false, message.truncated),
  };
}
