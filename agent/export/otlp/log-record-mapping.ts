/**
 * Pure mapping of plaintap's output records to OpenTelemetry log records: event name, timestamp,
 * severity, body and semantic-convention attributes. No SDK objects, no I/O: the exporter hands
 * the result to an SDK logger.
 */
import type { ConnectionFacts } from '../../capture/captured-event';
import type { HttpExchange } from '../../exchange/http-exchange';
import type { OutputRecord, RawMessage } from '../../exchange/output-record';
import type { WebSocketMessage } from '../../exchange/websocket-message';
import { createRedactor, type HeaderPair, type Redactor } from '../../redaction/redactor';
import { directionName } from '../direction-name';
import { isPrintableText } from '../printable-text';
import { http1ExchangeView } from './http1-exchange-view';
import type { HttpExchangeView } from './http-exchange-view';
import { ATTR, EVENT_NAME, KNOWN_HTTP_METHODS } from './semantic-attributes';
import { parseTraceparent, type ParsedTraceparent } from './traceparent';

/** OTLP SeverityNumber values plaintap uses (api-logs `SeverityNumber.INFO` / `.WARN`). */
export const SEVERITY = {
  info: { number: 9, text: 'INFO' },
  warn: { number: 13, text: 'WARN' },
} as const;

export type AttributeValue = string | number | boolean | readonly string[];
export type LogAttributes = Record<string, AttributeValue>;

export interface MappedLogRecord {
  readonly eventName: string;
  /** [seconds, nanoseconds] since the epoch, as the SDK's HrTime. */
  readonly timestamp: [number, number];
  readonly severityNumber: number;
  readonly severityText: string;
  /** A one-line summary (exchanges), or the captured payload: text when printable, else bytes. */
  readonly body: string | Uint8Array;
  readonly attributes: LogAttributes;
  /** From a W3C `traceparent` request header: the record joins the caller's trace. */
  readonly traceContext?: ParsedTraceparent;
}

/**
 * A mapped record with its connection's attributes apart: those (process, thread, network, TLS
 * library) are one shared object per connection, cheap to send once for many records.
 * `{ ...connectionAttributes, ...attributes }` is `MappedLogRecord.attributes`, in that order.
 */
export interface MappedLogRecordParts extends Omit<MappedLogRecord, 'attributes'> {
  /** Shared by every record of the connection: never modify it. */
  readonly connectionAttributes: Readonly<LogAttributes>;
  readonly attributes: LogAttributes;
}

export interface LogRecordMappingOptions {
  /** Request header names (any case) exported as `http.request.header.<name>`. Default none. */
  readonly requestHeaders?: readonly string[];
  /** Response header names (any case) exported as `http.response.header.<name>`. Default none. */
  readonly responseHeaders?: readonly string[];
  /** Applied to header values and query strings before they are exported. Default: the defaults. */
  readonly redactor?: Redactor;
  /** Put raw and WebSocket payloads in the body (default true); false exports only metadata. */
  readonly payloads?: boolean;
}

/** An HTTP exchange already in the version-neutral view (a parser without its own mapping yet). */
export type HttpExchangeViewRecord = { readonly kind: 'http-exchange-view' } & HttpExchangeView;

/** Everything the mapping accepts: the processor's records (the union may not list them all yet). */
export type MappableRecord = OutputRecord | HttpExchange | WebSocketMessage | HttpExchangeViewRecord;

export interface LogRecordMapper {
  map(record: MappableRecord): MappedLogRecord;
  /** The same mapping, the connection's attributes apart. */
  mapParts(record: MappableRecord): MappedLogRecordParts;
}

/** [seconds, nanoseconds] from wall-clock nanoseconds. */
export function hrTimeFromNs(ns: bigint): [number, number] {
  const seconds = ns / 1_000_000_000n;
  return [Number(seconds), Number(ns - seconds * 1_000_000_000n)];
}

function connectionAttributes(connection: ConnectionFacts, into: LogAttributes): void {
  into[ATTR.processPid] = connection.pid;
  if (connection.comm !== '') into[ATTR.processExecutableName] = connection.comm;
  into[ATTR.processUserId] = connection.uid;
  into[ATTR.threadId] = connection.tid;
  into[ATTR.networkTransport] = 'tcp';
  if (connection.ipVersion !== 0) {
    into[ATTR.networkType] = connection.ipVersion === 6 ? 'ipv6' : 'ipv4';
    into[ATTR.networkPeerAddress] = connection.remoteAddress;
    into[ATTR.networkPeerPort] = connection.remotePort;
    into[ATTR.networkLocalAddress] = connection.localAddress;
    into[ATTR.networkLocalPort] = connection.localPort;
  }
  if (connection.tlsLibrary !== '') into[ATTR.tlsLibrary] = connection.tlsLibrary;
}

const utf8 = new TextDecoder('utf-8');

/** The payload as a string when it is printable UTF-8 (a cut last character allowed), else the bytes. */
export function payloadBody(payload: Uint8Array, cut = false): string | Uint8Array {
  if (!isPrintableText(payload, cut)) return payload;
  // A character cut by the cap decodes to U+FFFD: drop it.
  const text = utf8.decode(payload);
  return cut && text.endsWith('\uFFFD') ? text.slice(0, -1) : text;
}

function mapRaw(record: RawMessage, payloads: boolean, attributes: LogAttributes): MappedLogRecord {
  attributes[ATTR.direction] = directionName(record.direction);
  attributes[ATTR.length] = record.length;
  attributes[ATTR.truncated] = record.truncated;
  return {
    eventName: EVENT_NAME.raw,
    timestamp: hrTimeFromNs(record.timestampNs),
    severityNumber: SEVERITY.info.number,
    severityText: SEVERITY.info.text,
    body: payloads ? payloadBody(record.payload, record.truncated) : '',
    attributes,
  };
}

function mapWebSocket(message: WebSocketMessage, redactor: Redactor, payloads: boolean, attributes: LogAttributes): MappedLogRecord {
  if (message.target !== '') {
    const target = splitTarget(message.target);
    attributes[ATTR.urlPath] = target.path;
    if (target.query !== undefined) attributes[ATTR.urlQuery] = redactor.query(target.query);
  }
  attributes[ATTR.networkProtocolName] = 'websocket';
  attributes[ATTR.direction] = directionName(message.direction);
  attributes[ATTR.side] = message.side;
  attributes[ATTR.websocketSender] = message.sender;
  attributes[ATTR.websocketType] = message.type;
  attributes[ATTR.websocketFrames] = message.frames;
  if (message.compressed) attributes[ATTR.websocketCompressed] = true;
  attributes[ATTR.length] = message.length;
  attributes[ATTR.truncated] = message.truncated;
  attributes[ATTR.incomplete] = !message.complete;
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
    attributes,
  };
}

function headerValues(headers: readonly HeaderPair[], name: string): string[] {
  const values: string[] = [];
  for (const [key, value] of headers) if (key.toLowerCase() === name) values.push(value);
  return values;
}

function firstHeader(headers: readonly HeaderPair[], name: string): string | undefined {
  for (const [key, value] of headers) if (key.toLowerCase() === name) return value;
  return undefined;
}

/** Splits `host`, `host:port`, `[v6]:port` (a Host header or an authority). */
export function splitAuthority(authority: string): { host: string; port?: number } {
  const text = authority.trim();
  const bracket = /^\[([^\]]*)\](?::(\d+))?$/.exec(text);
  if (bracket) {
    const host = bracket[1] ?? '';
    return bracket[2] !== undefined ? { host, port: Number(bracket[2]) } : { host };
  }
  const colon = text.lastIndexOf(':');
  if (colon > 0 && text.indexOf(':') === colon && /^\d+$/.test(text.slice(colon + 1))) {
    return { host: text.slice(0, colon), port: Number(text.slice(colon + 1)) };
  }
  return { host: text };
}

/** Path, query and (for absolute-form targets) authority of a request target. */
export function splitTarget(target: string): { path: string; query?: string; authority?: string } {
  let rest = target;
  let authority: string | undefined;
  const absolute = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)/.exec(rest);
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
  into: LogAttributes,
): void {
  for (const name of names) {
    const values = headerValues(headers, name);
    if (values.length > 0) into[`${prefix}${name}`] = values;
  }
}

function mapHttpExchange(
  exchange: HttpExchangeView,
  redactor: Redactor,
  requestHeaders: readonly string[],
  responseHeaders: readonly string[],
  attributes: LogAttributes,
): MappedLogRecord {
  const { connection, request, response } = exchange;

  const serverSocket =
    exchange.side === 'client'
      ? { address: connection.remoteAddress, port: connection.remotePort }
      : { address: connection.localAddress, port: connection.localPort };
  const clientSocket =
    exchange.side === 'client'
      ? { address: connection.localAddress, port: connection.localPort }
      : { address: connection.remoteAddress, port: connection.remotePort };

  let summaryTarget = '';
  let authority: string | undefined;
  let traceContext: ParsedTraceparent | undefined;
  if (request) {
    // Method: known ones as sent; anything else as _OTHER plus the original.
    const method = KNOWN_HTTP_METHODS.has(request.method) ? request.method : '_OTHER';
    attributes[ATTR.httpRequestMethod] = method;
    if (method === '_OTHER') attributes[ATTR.httpRequestMethodOriginal] = request.method;

    // URL, with secrets in the query redacted.
    const target = splitTarget(request.target);
    summaryTarget = target.path;
    attributes[ATTR.urlScheme] = 'https';
    attributes[ATTR.urlPath] = target.path;
    if (target.query !== undefined) attributes[ATTR.urlQuery] = redactor.query(target.query);

    const headers = redactor.headers(request.headers);
    authority = firstHeader(headers, 'host') ?? target.authority;
    const userAgent = firstHeader(headers, 'user-agent');
    if (userAgent !== undefined) attributes[ATTR.userAgentOriginal] = userAgent;
    if (request.bodySize !== undefined) attributes[ATTR.httpRequestBodySize] = request.bodySize;
    addHeaderAttributes(ATTR.httpRequestHeaderPrefix, requestHeaders, headers, attributes);

    const traceparent = firstHeader(request.headers, 'traceparent');
    if (traceparent !== undefined) traceContext = parseTraceparent(traceparent);
  }

  // Server and client: the server is named by the request (Host / authority), else the socket.
  if (authority !== undefined && authority !== '') {
    const { host, port } = splitAuthority(authority);
    attributes[ATTR.serverAddress] = host;
    // A Host without a port names the scheme's default port.
    attributes[ATTR.serverPort] = port ?? 443;
  } else if (connection.ipVersion !== 0) {
    attributes[ATTR.serverAddress] = serverSocket.address;
    attributes[ATTR.serverPort] = serverSocket.port;
  }
  if (connection.ipVersion !== 0) {
    attributes[ATTR.clientAddress] = clientSocket.address;
    attributes[ATTR.clientPort] = clientSocket.port;
  }

  attributes[ATTR.networkProtocolName] = 'http';
  if (exchange.httpVersion !== '') attributes[ATTR.networkProtocolVersion] = exchange.httpVersion;

  let warn = exchange.incomplete !== undefined;
  if (response) {
    attributes[ATTR.httpResponseStatusCode] = response.statusCode;
    if (response.bodySize !== undefined) attributes[ATTR.httpResponseBodySize] = response.bodySize;
    addHeaderAttributes(ATTR.httpResponseHeaderPrefix, responseHeaders, redactor.headers(response.headers), attributes);
    // error.type per the HTTP conventions: 5xx always, 4xx on the client side.
    const failed = response.statusCode >= 500 || (exchange.side === 'client' && response.statusCode >= 400);
    if (failed) attributes[ATTR.errorType] = String(response.statusCode);
    if (response.statusCode >= 500) warn = true;
  }
  if (exchange.incomplete !== undefined) attributes[ATTR.errorType] = exchange.incomplete;

  if (exchange.durationNs !== undefined) attributes[ATTR.duration] = Number(exchange.durationNs) / 1e9;
  attributes[ATTR.side] = exchange.side;
  attributes[ATTR.incomplete] = exchange.incomplete !== undefined;
  attributes[ATTR.truncated] = exchange.truncated;
  attributes[ATTR.protocol] = exchange.protocol;
  if (exchange.late) attributes[ATTR.late] = true;
  if (exchange.upgrade !== undefined) attributes[ATTR.upgrade] = exchange.upgrade;

  const left = request ? `${request.method} ${summaryTarget}` : '(no request)';
  const right = response ? String(response.statusCode) : `(${exchange.incomplete ?? 'no response'})`;
  const severity = warn ? SEVERITY.warn : SEVERITY.info;
  const mapped: MappedLogRecord = {
    eventName: EVENT_NAME.httpExchange,
    timestamp: hrTimeFromNs(exchange.timestampNs),
    severityNumber: severity.number,
    severityText: severity.text,
    body: `${left} → ${right}`,
    attributes,
  };
  return traceContext ? { ...mapped, traceContext } : mapped;
}

export function createLogRecordMapper(options: LogRecordMappingOptions = {}): LogRecordMapper {
  const redactor = options.redactor ?? createRedactor();
  const requestHeaders = (options.requestHeaders ?? []).map((name) => name.toLowerCase());
  const responseHeaders = (options.responseHeaders ?? []).map((name) => name.toLowerCase());
  const payloads = options.payloads !== false;
  // One attribute set per connection: its records share the facts object.
  const byConnection = new WeakMap<ConnectionFacts, Readonly<LogAttributes>>();
  const connectionOf = (connection: ConnectionFacts): Readonly<LogAttributes> => {
    let attributes = byConnection.get(connection);
    if (attributes === undefined) {
      const fresh: LogAttributes = {};
      connectionAttributes(connection, fresh);
      attributes = Object.freeze(fresh);
      byConnection.set(connection, attributes);
    }
    return attributes;
  };
  /** The record's own attributes go into `attributes`, after whatever it holds. */
  const mapInto = (record: MappableRecord, attributes: LogAttributes): MappedLogRecord => {
    switch (record.kind) {
      case 'raw':
        return mapRaw(record, payloads, attributes);
      case 'http1.exchange':
        return mapHttpExchange(http1ExchangeView(record), redactor, requestHeaders, responseHeaders, attributes);
      case 'http-exchange-view':
        return mapHttpExchange(record, redactor, requestHeaders, responseHeaders, attributes);
      case 'websocket.message':
        return mapWebSocket(record, redactor, payloads, attributes);
      default:
        throw new Error(`no log record mapping for record kind ${String((record as { kind?: unknown }).kind)}`);
    }
  };
  return {
    map(record) {
      const connection = (record as { connection?: ConnectionFacts }).connection;
      return mapInto(record, connection === undefined ? {} : { ...connectionOf(connection) });
    },
    mapParts(record) {
      const connection = (record as { connection?: ConnectionFacts }).connection;
      const mapped = mapInto(record, {});
      return { ...mapped, connectionAttributes: connection === undefined ? EMPTY_ATTRIBUTES : connectionOf(connection) };
    },
  };
}

const EMPTY_ATTRIBUTES: Readonly<LogAttributes> = Object.freeze({});
