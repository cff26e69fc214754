/** The HTTP/2 parser's exchange record (and its gRPC call) in the version-neutral shape the OTLP mapping reads. */
import type { Http2Exchange } from '../../exchange/http2-exchange';
import type { HttpExchangeView, HttpRequestView, HttpResponseView, RpcView } from './http-exchange-view';

type MutableView = { -readonly [K in keyof HttpExchangeView]: HttpExchangeView[K] };

export function http2ExchangeView(exchange: Http2Exchange): HttpExchangeView {
  const { request, response, grpc } = exchange;
  const lost = (request?.body.lostBytes ?? 0) + (response?.body.lostBytes ?? 0);
  const view: MutableView = {
    connection: exchange.connection,
    protocol: grpc !== undefined ? 'grpc' : 'http2',
    httpVersion: '2',
    side: exchange.side,
    timestampNs: exchange.timestampNs,
    truncated: lost > 0 || exchange.incompleteReason === 'capture-gap',
    streamId: exchange.streamId,
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
  if (exchange.authority !== undefined) view.authority = exchange.authority;
  if (exchange.incompleteReason !== undefined) view.incomplete = exchange.incompleteReason;
  if (exchange.late) view.late = true;
  if (exchange.headersIncomplete) view.headersIncomplete = true;
  if (exchange.errorCode !== undefined) view.errorCode = exchange.errorCode;
  if (grpc !== undefined) {
    const rpc: { -readonly [K in keyof RpcView]: RpcView[K] } = {
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
