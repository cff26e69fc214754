/**
 * Bodies off by default for the machine-readable outputs (JSON lines, OTLP): unless the user set
 * `--body-capture`, HTTP body previews and WebSocket payloads are emptied before those outputs
 * (sizes, encodings and truncation still reported); the console keeps its preview.
 */
import type { HttpBody, HttpExchange } from '../exchange/http-exchange';
import type { GrpcMessages, Http2Exchange } from '../exchange/http2-exchange';
import type { OutputRecord } from '../exchange/output-record';
import type { RecordSink } from '../protocols/protocol';

const EMPTY = new Uint8Array(0);

function withoutPreview(body: HttpBody): HttpBody {
  return body.preview.length === 0 ? body : { ...body, preview: EMPTY, truncated: true };
}

export function withoutBodies(record: OutputRecord): OutputRecord {
  switch (record.kind) {
    case 'http1.exchange': {
      const { request, response } = record;
      if ((request?.body.preview.length ?? 0) === 0 && (response?.body.preview.length ?? 0) === 0) return record;
      const out: HttpExchange = {
        ...record,
        ...(request ? { request: { ...request, body: withoutPreview(request.body) } } : {}),
        ...(response ? { response: { ...response, body: withoutPreview(response.body) } } : {}),
      };
      return out;
    }
    case 'http2.exchange':
      return http2WithoutBodies(record);
    case 'websocket.message':
      return record.payload.length === 0 ? record : { ...record, payload: EMPTY, truncated: true };
    case 'raw':
      // A raw stream has no body to tell apart; `--truncate` caps it.
      return record;
    case 'shell.command':
    case 'db.query':
      // No body: the command line and the (sanitized) statement are the record itself.
      return record;
    default: {
      const unhandled: never = record;
      throw new TypeError(`without-bodies: unknown record kind ${(unhandled as { kind: string }).kind}`);
    }
  }
}

/** HTTP/2: the bodies, and the first gRPC message of each side. */
function http2WithoutBodies(record: Http2Exchange): Http2Exchange {
  const { request, response, grpc } = record;
  const out: { -readonly [K in keyof Http2Exchange]: Http2Exchange[K] } = { ...record };
  if (request) out.request = { ...request, body: withoutPreview(request.body) };
  if (response) out.response = { ...response, body: withoutPreview(response.body) };
  if (grpc) {
    out.grpc = {
      ...grpc,
      requestMessages: withoutMessage(grpc.requestMessages),
      responseMessages: withoutMessage(grpc.responseMessages),
    };
  }
  return out;
}

function withoutMessage(messages: GrpcMessages): GrpcMessages {
  return messages.preview.length === 0 ? messages : { ...messages, preview: EMPTY, truncated: true };
}

/** A sink that hands `next` every record without its bodies. */
export class BodylessSink implements RecordSink {
  constructor(private readonly next: RecordSink) {}

  emit(record: OutputRecord): void {
    this.next.emit(withoutBodies(record));
  }
}
