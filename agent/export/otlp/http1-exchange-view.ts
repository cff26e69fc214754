/** The HTTP/1 parser's exchange record in the version-neutral shape the OTLP mapping reads. */
import type { HttpExchange } from '../../exchange/http-exchange';
import type { HttpExchangeView, HttpRequestView, HttpResponseView } from './http-exchange-view';

type MutableView = { -readonly [K in keyof HttpExchangeView]: HttpExchangeView[K] };

export function http1ExchangeView(exchange: HttpExchange): HttpExchangeView {
  const { request, response } = exchange;
  const lost = (request?.body.lostBytes ?? 0) + (response?.body.lostBytes ?? 0);
  // Built field by field (one object per record on the export path), optional fields only when set.
  const view: MutableView = {
    connection: exchange.connection,
    protocol: 'http1',
    httpVersion: (request ?? response)?.version ?? '',
    side: exchange.side,
    timestampNs: exchange.timestampNs,
    truncated: lost > 0,
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
  if (exchange.upgrade !== undefined) view.upgrade = exchange.upgrade;
  return view;
}
