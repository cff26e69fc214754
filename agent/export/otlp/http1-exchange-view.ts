/** The HTTP/1 parser's exchange record in the version-neutral shape the OTLP mapping reads. */
import type { HttpExchange } from '../../exchange/http-exchange';
import type { HttpExchangeView } from './http-exchange-view';

export function http1ExchangeView(exchange: HttpExchange): HttpExchangeView {
  const { request, response } = exchange;
  const lost = (request?.body.lostBytes ?? 0) + (response?.body.lostBytes ?? 0);
  return {
    connection: exchange.connection,
    protocol: 'http1',
    httpVersion: (request ?? response)?.version ?? '',
    side: exchange.side,
    timestampNs: exchange.timestampNs,
    truncated: lost > 0,
    ...(request
      ? { request: { method: request.method, target: request.target, headers: request.headers, bodySize: request.body.bytes } }
      : {}),
    ...(response
      ? {
          response: { statusCode: response.statusCode, headers: response.headers, bodySize: response.body.bytes },
          durationNs: exchange.durationNs,
        }
      : {}),
    ...(exchange.incompleteReason !== undefined ? { incomplete: exchange.incompleteReason } : {}),
    ...(exchange.late ? { late: true } : {}),
    ...(exchange.upgrade !== undefined ? { upgrade: exchange.upgrade } : {}),
  };
}
