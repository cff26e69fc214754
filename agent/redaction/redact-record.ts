/**
 * One record with its secrets replaced, before any output sees it: header values (request,
 * response, interim responses, trailers) and query values of the redacted names, the query of
 * a WebSocket's upgrade target, header-looking lines of raw text payloads, the values of those
 * query keys in JSON and form bodies, secret options and assignments of shell command lines, the
 * literals of query texts (unless full text is asked for). Records are
 * immutable: a record that needs no change is returned as is, else a redacted copy.
 */
import type { HttpExchange, HttpInterimResponse, HttpRequest, HttpResponse } from '../exchange/http-exchange';
import type { Http2Exchange } from '../exchange/http2-exchange';
import type { OutputRecord, RawMessage } from '../exchange/output-record';
import type { WebSocketMessage } from '../exchange/websocket-message';
import { redactBody } from './redact-body';
import { redactHeaderLines } from './redact-header-lines';
import type { Redactor } from './redactor';
import { redactShellLine } from './shell-secrets';
import { maskSqlLiterals } from './sql-literals';

export interface RecordRedactionOptions {
  /** Export query texts as captured; default false: literals become `?`. */
  readonly fullQueryText?: boolean;
}

/** Every record kind an output may see (the processor's union may not list them all yet). */
export type RedactableRecord = OutputRecord | HttpExchange | WebSocketMessage;

export function redactRecord(
  record: RedactableRecord,
  redactor: Redactor,
  options: RecordRedactionOptions = {},
): RedactableRecord {
  switch (record.kind) {
    case 'shell.command': {
      const line = redactShellLine(record.line);
      return line === record.line ? record : { ...record, line };
    }
    case 'db.query': {
      if (options.fullQueryText === true) return record;
      const text = maskSqlLiterals(record.text);
      return text === record.text ? record : { ...record, text };
    }
    case 'raw':
      return redactRaw(record, redactor);
    case 'http1.exchange':
      return redactExchange(record, redactor);
    case 'http2.exchange':
      return redactExchange(record, redactor);
    case 'websocket.message': {
      const target = redactor.target(record.target);
      return target === record.target ? record : { ...record, target };
    }
    default: {
      // A new record kind must say here what in it is secret.
      const unhandled: never = record;
      throw new TypeError(`redaction: unknown record kind ${String((unhandled as { kind?: unknown }).kind)}`);
    }
  }
}

function redactRaw(message: RawMessage, redactor: Redactor): RawMessage {
  const payload = redactHeaderLines(message.payload, redactor);
  return payload === message.payload ? message : { ...message, payload };
}

/** HTTP/1 and HTTP/2 exchanges share the request / response shape (HTTP/2 `cookie` fields each redacted, `:path` as the target). */
function redactExchange<E extends HttpExchange | Http2Exchange>(exchange: E, redactor: Redactor): E {
  const request = exchange.request && redactRequest(exchange.request, redactor);
  const response = exchange.response && redactResponse(exchange.response, redactor);
  if (request === exchange.request && response === exchange.response) return exchange;
  return {
    ...exchange,
    ...(request !== undefined ? { request } : {}),
    ...(response !== undefined ? { response } : {}),
  };
}

function redactRequest(request: HttpRequest, redactor: Redactor): HttpRequest {
  const target = redactor.target(request.target);
  const headers = redactor.headers(request.headers);
  const trailers = redactor.headers(request.trailers);
  const body = redactBody(request.body, request.headers, redactor);
  if (
    target === request.target &&
    headers === request.headers &&
    trailers === request.trailers &&
    body === request.body
  )
    return request;
  return { ...request, target, headers, trailers, body };
}

function redactResponse(response: HttpResponse, redactor: Redactor): HttpResponse {
  const headers = redactor.headers(response.headers);
  const trailers = redactor.headers(response.trailers);
  const body = redactBody(response.body, response.headers, redactor);
  const interim = redactInterim(response.interim, redactor);
  if (
    headers === response.headers &&
    trailers === response.trailers &&
    body === response.body &&
    interim === response.interim
  )
    return response;
  return { ...response, headers, trailers, body, interim };
}

/** The interim (1xx) responses with their headers redacted; the same array when nothing changed. */
function redactInterim(interim: readonly HttpInterimResponse[], redactor: Redactor): readonly HttpInterimResponse[] {
  let out: HttpInterimResponse[] | undefined;
  for (let i = 0; i < interim.length; i++) {
    const item = interim[i] as HttpInterimResponse;
    const headers = redactor.headers(item.headers);
    if (headers === item.headers) continue;
    out ??= interim.slice();
    out[i] = { ...item, headers };
  }
  return out ?? interim;
}
