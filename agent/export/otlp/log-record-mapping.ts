/**
 * Pure mapping of plaintap's output records to OpenTelemetry log records: event name, timestamp,
 * severity, body and semantic-convention attributes. No SDK objects, no I/O, and no redaction:
 * records arrive redacted (redaction/redacting-sink.ts is in front of every output). The attributes go to
 * an AttributeWriter, in order and each key at most once: into an object (`map`), or straight
 * into the protobuf encoder (log-record-encoder.ts), which then builds no object at all.
 */
import { type ConnectionFacts, directionName } from '../../capture/captured-event';
import { KNOWN_HTTP_METHODS, type HttpExchange } from '../../exchange/http-exchange';
import { isHeaderName } from '../../exchange/http-headers';
import type { OutputRecord, RawMessage } from '../../exchange/output-record';
import type { WebSocketMessage } from '../../exchange/websocket-message';
import type { HeaderPair } from '../../redaction/redactor';
import { isPrintableText } from '../text/printable-text';
import { http1ExchangeView, http2ExchangeView, type HttpExchangeView } from './http-exchange-view';
import { ATTR, EVENT_NAME } from './semantic-attributes';
import { mapDbQuery, mapShellCommand } from './source-record-mapping';
import type {
  AttributeValue,
  AttributeWriter,
  LogAttributes,
  MappedLogRecord,
  MappedLogRecordHead,
} from './mapped-log-record';
import { parseTraceparent, type ParsedTraceparent } from './traceparent';

/** OTLP SeverityNumber values plaintap uses (api-logs `SeverityNumber.INFO` / `.WARN`). */
export const SEVERITY = {
  info: { number: 9, text: 'INFO' },
  warn: { number: 13, text: 'WARN' },
} as const;

export type {
  AttributeValue,
  AttributeWriter,
  LogAttributes,
  MappedLogRecord,
  MappedLogRecordHead,
} from './mapped-log-record';

/** An AttributeWriter filling a plain object. */
export class ObjectAttributes implements AttributeWriter {
  constructor(readonly attributes: LogAttributes = {}) {}

  set(key: string, value: AttributeValue): void {
    this.attributes[key] = value;
  }
}

export interface LogRecordMappingOptions {
  /** Request header names (any case) exported as `http.request.header.<name>`. Default none. */
  readonly requestHeaders?: readonly string[];
  /** Response header names (any case) exported as `http.response.header.<name>`. Default none. */
  readonly responseHeaders?: readonly string[];
  /** Put raw and WebSocket payloads in the body (default true); false exports only metadata. */
  readonly payloads?: boolean;
}

/** An HTTP exchange already in the version-neutral view (a parser without its own mapping yet). */
export type HttpExchangeViewRecord = { readonly kind: 'http-exchange-view' } & HttpExchangeView;

/** Everything the mapping accepts: the processor's records (the union may not list them all yet). */
export type MappableRecord = OutputRecord | HttpExchange | WebSocketMessage | HttpExchangeViewRecord;

export interface LogRecordMapper {
  map(record: MappableRecord): MappedLogRecord;
}

/** The mapping options with their defaults applied: header names lower-cased, each once. */
export interface ResolvedMappingOptions {
  readonly requestHeaders: readonly string[];
  readonly responseHeaders: readonly string[];
  readonly payloads: boolean;
}

export function resolveMappingOptions(options: LogRecordMappingOptions = {}): ResolvedMappingOptions {
  const lower = (names: readonly string[] | undefined): string[] => [
    ...new Set((names ?? []).map((name) => name.toLowerCase())),
  ];
  return {
    requestHeaders: lower(options.requestHeaders),
    responseHeaders: lower(options.responseHeaders),
    payloads: options.payloads !== false,
  };
}

/** [seconds, nanoseconds] from wall-clock nanoseconds. */
export function hrTimeFromNs(ns: bigint): [number, number] {
  const seconds = ns / 1_000_000_000n;
  return [Number(seconds), Number(ns - seconds * 1_000_000_000n)];
}

/** The connection's attributes (process, thread, network, TLS library): they come first on every record. */
export function mapConnectionAttributes(connection: ConnectionFacts, into: AttributeWriter): void {
  into.set(ATTR.processPid, connection.pid);
  if (connection.comm !== '') into.set(ATTR.processExecutableName, connection.comm);
  into.set(ATTR.processUserId, connection.uid);
  into.set(ATTR.threadId, connection.tid);
  if (connection.containerId !== undefined) into.set(ATTR.containerId, connection.containerId);
  if (connection.podUid !== undefined) into.set(ATTR.k8sPodUid, connection.podUid);
  into.set(ATTR.networkTransport, 'tcp');
  if (connection.ipVersion !== 0) {
    into.set(ATTR.networkType, connection.ipVersion === 6 ? 'ipv6' : 'ipv4');
    into.set(ATTR.networkPeerAddress, connection.remoteAddress);
    into.set(ATTR.networkPeerPort, connection.remotePort);
    into.set(ATTR.networkLocalAddress, connection.localAddress);
    into.set(ATTR.networkLocalPort, connection.localPort);
  }
  if (connection.tlsLibrary !== '') into.set(ATTR.tlsLibrary, connection.tlsLibrary);
}

const utf8 = new TextDecoder('utf-8');

/** The payload as a string when it is printable UTF-8 (a cut last character allowed), else the bytes. */
export function payloadBody(payload: Uint8Array, cut = false): string | Uint8Array {
  if (!isPrintableText(payload, cut)) return payload;
  // A character cut by the cap decodes to U+FFFD: drop it.
  const text = utf8.decode(payload);
  return cut && text.endsWith('\uFFFD') ? text.slice(0, -1) : text;
}

function mapRaw(record: RawMessage, payloads: boolean, attributes: AttributeWriter): MappedLogRecordHead {
  attributes.set(ATTR.direction, directionName(record.direction));
  attributes.set(ATTR.length, record.length);
  attributes.set(ATTR.truncated, record.truncated);
  return {
    eventName: EVENT_NAME.raw,
    timestamp: hrTimeFromNs(record.timestampNs),
    severityNumber: SEVERITY.info.number,
    severityText: SEVERITY.info.text,
    body: payloads ? payloadBody(record.payload, record.truncated) : '',
  };
}

function mapWebSocket(message: WebSocketMessage, payloads: boolean, attributes: AttributeWriter): MappedLogRecordHead {
  if (message.target !== '') {
    const target = splitTarget(message.target);
    attributes.set(ATTR.urlPath, target.path);
    if (target.query !== undefined) attributes.set(ATTR.urlQuery, target.query);
  }
  attributes.set(ATTR.networkProtocolName, 'websocket');
  attributes.set(ATTR.direction, directionName(message.direction));
  attributes.set(ATTR.side, message.side);
  attributes.set(ATTR.websocketSender, message.sender);
  attributes.set(ATTR.websocketType, message.type);
  attributes.set(ATTR.websocketFrames, message.frames);
  if (message.compressed) attributes.set(ATTR.websocketCompressed, true);
  attributes.set(ATTR.length, message.length);
  attributes.set(ATTR.truncated, message.truncated);
  attributes.set(ATTR.incomplete, !message.complete);
  const severity = message.complete ? SEVERITY.info : SEVERITY.warn;
  let body: string | Uint8Array = '';
  if (payloads) {
    // Text frames are UTF-8 by definition; an inflated-or-plain binary frame stays bytes.
    body = message.type === 'text' ? payloadBody(message.payload, message.truncated) : message.payload;
  }
  return {
    eventName: EVENT_NAME.websocketMessage,
    timestamp: hrTimeFromNs(message.timestampNs),
    severityNumber: severity.number,
    severityText: severity.text,
    body,
  };
}

function headerValues(headers: readonly HeaderPair[], name: string): string[] {
  const values: string[] = [];
  for (const [key, value] of headers) if (isHeaderName(key, name)) values.push(value);
  return values;
}

function firstHeader(headers: readonly HeaderPair[], name: string): string | undefined {
  for (const [key, value] of headers) if (isHeaderName(key, name)) return value;
  return undefined;
}

const BRACKETED_AUTHORITY = /^\[([^\]]*)\](?::(\d+))?$/;

/** Splits `host`, `host:port`, `[v6]:port` (a Host header or an authority). */
export function splitAuthority(authority: string): { host: string; port?: number } {
  const text = authority.trim();
  if (text.charCodeAt(0) === 0x5b /* [ */) {
    const bracket = BRACKETED_AUTHORITY.exec(text);
    if (bracket) {
      const host = bracket[1] ?? '';
      return bracket[2] !== undefined ? { host, port: Number(bracket[2]) } : { host };
    }
  }
  const colon = text.lastIndexOf(':');
  if (colon > 0 && text.indexOf(':') === colon && colon + 1 < text.length) {
    // host:port only when everything after the one colon is digits.
    let digits = true;
    for (let i = colon + 1; i < text.length && digits; i++) {
      const code = text.charCodeAt(i);
      digits = code >= 0x30 && code <= 0x39;
    }
    if (digits) return { host: text.slice(0, colon), port: Number(text.slice(colon + 1)) };
  }
  return { host: text };
}

const ABSOLUTE_TARGET = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)/;

/** Path, query and (for absolute-form targets) authority of a request target. */
export function splitTarget(target: string): { path: string; query?: string; authority?: string } {
  let rest = target;
  let authority: string | undefined;
  // Origin form (`/path`) is by far the most common: no scheme to look for.
  const absolute = target.charCodeAt(0) === 0x2f /* / */ ? null : ABSOLUTE_TARGET.exec(rest);
  if (absolute) {
    authority = absolute[1] ?? '';
    const at = authority.lastIndexOf('@');
    if (at >= 0) authority = authority.slice(at + 1);
    rest = rest.slice(absolute[0].length);
  }
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  const path = (q >= 0 ? rest.slice(0, q) : rest) || (authority !== undefined ? '/' : '');
  const out: { path: string; query?: string; authority?: string } = { path };
  if (q >= 0) out.query = rest.slice(q + 1);
  if (authority !== undefined) out.authority = authority;
  return out;
}

function addHeaderAttributes(
  prefix: string,
  names: readonly string[],
  headers: readonly HeaderPair[],
  into: AttributeWriter,
): void {
  for (const name of names) {
    const values = headerValues(headers, name);
    if (values.length > 0) into.set(`${prefix}${name}`, values);
  }
}

function mapHttpExchange(
  exchange: HttpExchangeView,
  options: ResolvedMappingOptions,
  attributes: AttributeWriter,
): MappedLogRecordHead {
  const { connection, request, response } = exchange;
  const client = exchange.side === 'client';

  let summaryTarget = '';
  let authority: string | undefined;
  let traceContext: ParsedTraceparent | undefined;
  if (request) {
    // Method: known ones as sent; anything else as _OTHER plus the original.
    const method = KNOWN_HTTP_METHODS.has(request.method) ? request.method : '_OTHER';
    attributes.set(ATTR.httpRequestMethod, method);
    if (method === '_OTHER') attributes.set(ATTR.httpRequestMethodOriginal, request.method);

    // URL (its query's secrets were redacted before: redaction/redact-record.ts).
    const target = splitTarget(request.target);
    summaryTarget = target.path;
    attributes.set(ATTR.urlScheme, 'https');
    attributes.set(ATTR.urlPath, target.path);
    if (target.query !== undefined) attributes.set(ATTR.urlQuery, target.query);

    const headers = request.headers;
    // HTTP/2 names the server in `:authority` (a Host field is its HTTP/1 form).
    authority = exchange.authority ?? firstHeader(headers, 'host') ?? target.authority;
    const userAgent = firstHeader(headers, 'user-agent');
    if (userAgent !== undefined) attributes.set(ATTR.userAgentOriginal, userAgent);
    if (request.bodySize !== undefined) attributes.set(ATTR.httpRequestBodySize, request.bodySize);
    addHeaderAttributes(ATTR.httpRequestHeaderPrefix, options.requestHeaders, headers, attributes);

    const traceparent = firstHeader(request.headers, 'traceparent');
    if (traceparent !== undefined) traceContext = parseTraceparent(traceparent);
  }

  // Server and client: the server is named by the request (Host / authority), else the socket.
  if (authority !== undefined && authority !== '') {
    const { host, port } = splitAuthority(authority);
    attributes.set(ATTR.serverAddress, host);
    // A Host without a port names the scheme's default port.
    attributes.set(ATTR.serverPort, port ?? 443);
  } else if (connection.ipVersion !== 0) {
    attributes.set(ATTR.serverAddress, client ? connection.remoteAddress : connection.localAddress);
    attributes.set(ATTR.serverPort, client ? connection.remotePort : connection.localPort);
  }
  if (connection.ipVersion !== 0) {
    attributes.set(ATTR.clientAddress, client ? connection.localAddress : connection.remoteAddress);
    attributes.set(ATTR.clientPort, client ? connection.localPort : connection.remotePort);
  }

  attributes.set(ATTR.networkProtocolName, 'http');
  if (exchange.httpVersion !== '') attributes.set(ATTR.networkProtocolVersion, exchange.httpVersion);

  let warn = exchange.incomplete !== undefined;
  // error.type per the HTTP conventions: 5xx always, 4xx on the client side; an incomplete exchange's reason wins.
  let errorType = exchange.incomplete;
  if (response) {
    attributes.set(ATTR.httpResponseStatusCode, response.statusCode);
    if (response.bodySize !== undefined) attributes.set(ATTR.httpResponseBodySize, response.bodySize);
    addHeaderAttributes(ATTR.httpResponseHeaderPrefix, options.responseHeaders, response.headers, attributes);
    const failed = response.statusCode >= 500 || (client && response.statusCode >= 400);
    if (failed && errorType === undefined) errorType = String(response.statusCode);
    if (response.statusCode >= 500) warn = true;
  }
  const rpc = exchange.rpc;
  if (rpc !== undefined) {
    attributes.set(ATTR.rpcSystem, 'grpc');
    if (rpc.service !== '') attributes.set(ATTR.rpcService, rpc.service);
    if (rpc.method !== '') attributes.set(ATTR.rpcMethod, rpc.method);
    if (rpc.statusCode !== undefined) {
      attributes.set(ATTR.rpcGrpcStatusCode, rpc.statusCode);
      // A gRPC error travels in a 200 response: its status code is the error.
      if (rpc.statusCode !== 0) {
        if (errorType === undefined) errorType = String(rpc.statusCode);
        warn = true;
      }
    }
    if (rpc.statusMessage !== undefined) attributes.set(ATTR.grpcStatusMessage, rpc.statusMessage);
    attributes.set(ATTR.grpcRequestMessages, rpc.requestMessages);
    attributes.set(ATTR.grpcResponseMessages, rpc.responseMessages);
  }
  if (errorType !== undefined) attributes.set(ATTR.errorType, errorType);

  if (exchange.durationNs !== undefined) attributes.set(ATTR.duration, Number(exchange.durationNs) / 1e9);
  attributes.set(ATTR.side, exchange.side);
  attributes.set(ATTR.incomplete, exchange.incomplete !== undefined);
  attributes.set(ATTR.truncated, exchange.truncated);
  attributes.set(ATTR.protocol, exchange.protocol);
  if (exchange.parseError !== undefined) attributes.set(ATTR.parseError, exchange.parseError);
  if (exchange.late) attributes.set(ATTR.late, true);
  if (exchange.upgrade !== undefined) attributes.set(ATTR.upgrade, exchange.upgrade);
  if (exchange.streamId !== undefined) attributes.set(ATTR.http2StreamId, exchange.streamId);
  if (exchange.headersIncomplete) attributes.set(ATTR.http2HeadersIncomplete, true);
  if (exchange.errorCode !== undefined) attributes.set(ATTR.http2ErrorCode, exchange.errorCode);

  const left = request ? `${request.method} ${summaryTarget}` : '(no request)';
  let right = response ? String(response.statusCode) : `(${exchange.incomplete ?? 'no response'})`;
  if (rpc?.statusCode !== undefined) right += ` grpc-status ${rpc.statusCode}`;
  const severity = warn ? SEVERITY.warn : SEVERITY.info;
  const mapped: MappedLogRecordHead = {
    eventName: EVENT_NAME.httpExchange,
    timestamp: hrTimeFromNs(exchange.timestampNs),
    severityNumber: severity.number,
    severityText: severity.text,
    body: `${left} → ${right}`,
  };
  return traceContext ? { ...mapped, traceContext } : mapped;
}

/** The connection a record was captured on (every record kind has one). */
export function connectionOf(record: MappableRecord): ConnectionFacts | undefined {
  return (record as { connection?: ConnectionFacts }).connection;
}

/**
 * Maps the record's own attributes into `attributes` (the connection's are not included: see
 * mapConnectionAttributes) and returns the rest. Throws for a record kind it does not know.
 */
export function mapRecord(
  record: MappableRecord,
  options: ResolvedMappingOptions,
  attributes: AttributeWriter,
): MappedLogRecordHead {
  switch (record.kind) {
    case 'raw':
      return mapRaw(record, options.payloads, attributes);
    case 'http1.exchange':
      return mapHttpExchange(http1ExchangeView(record), options, attributes);
    case 'http2.exchange':
      return mapHttpExchange(http2ExchangeView(record), options, attributes);
    case 'http-exchange-view':
      return mapHttpExchange(record, options, attributes);
    case 'websocket.message':
      return mapWebSocket(record, options.payloads, attributes);
    case 'shell.command':
      return mapShellCommand(record, attributes);
    case 'db.query':
      return mapDbQuery(record, attributes);
    default:
      throw new Error(`no log record mapping for record kind ${String((record as { kind?: unknown }).kind)}`);
  }
}

export function createLogRecordMapper(options: LogRecordMappingOptions = {}): LogRecordMapper {
  const resolved = resolveMappingOptions(options);
  return {
    map(record) {
      const attributes = new ObjectAttributes();
      const connection = connectionOf(record);
      if (connection !== undefined) mapConnectionAttributes(connection, attributes);
      const head = mapRecord(record, resolved, attributes);
      return { ...head, attributes: attributes.attributes };
    },
  };
}
