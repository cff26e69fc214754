/**
 * One HTTP/2 stream while its frames go by, and the exchange record it becomes: request and
 * response header blocks (pseudo-headers taken out), interim responses, trailers, bodies, and
 * the gRPC call when it is one.
 */
import type { ConnectionFacts } from '../../capture/captured-event';
import type { HttpInterimResponse, HttpRequest, HttpResponse } from '../../exchange/http-exchange';
import { NO_HEADERS, type HttpHeader, type HttpHeaders } from '../../exchange/http-headers';
import type { GrpcCall, Http2Exchange, Http2IncompleteReason } from '../../exchange/http2-exchange';
import { BodyCapture, NO_BODY } from '../http-body/body-capture';
import { GrpcMessageReader } from './grpc-message-reader';
import type { ResolvedHttp2Options } from './http2-options';
import type { Http2Stats } from './http2-stats';

/** A decoded header block split into pseudo-headers and regular fields. */
export interface SplitHeaders {
  /** Pseudo-headers as fields, in order (the first of a name counts; see `pseudoHeader`). */
  readonly pseudo: HttpHeaders;
  readonly fields: HttpHeader[];
  /** Compressed block bytes (the `headerBytes` of the message). */
  readonly blockBytes: number;
}

export interface MessageSide {
  head: SplitHeaders | undefined;
  trailers: HttpHeaders;
  body: BodyCapture | null;
  grpc: GrpcMessageReader | null;
  startNs: bigint;
  endNs: bigint;
  tid: number;
  /** END_STREAM seen from this side (or no more will come). */
  done: boolean;
  /** Ended as framed. */
  complete: boolean;
}

function side(): MessageSide {
  return {
    head: undefined,
    trailers: NO_HEADERS,
    body: null,
    grpc: null,
    startNs: 0n,
    endNs: 0n,
    tid: 0,
    done: false,
    complete: false,
  };
}

const NO_INTERIM: readonly HttpInterimResponse[] = Object.freeze([]);

export class Http2Stream {
  readonly request = side();
  readonly response = side();
  interim: HttpInterimResponse[] | null = null;
  pushed = false;
  isGrpc = false;
  headersIncomplete = false;
  reason: Http2IncompleteReason | undefined = undefined;
  errorCode: string | undefined = undefined;
  reportedIncomplete = false;
  /** A response header block arrived (interim or final): the stream was answered. */
  answered = false;

  constructor(
    readonly id: number,
    public firstNs: bigint,
    public lastActivityNs: bigint,
  ) {}

  fail(reason: Http2IncompleteReason): void {
    if (this.reason === undefined) this.reason = reason;
  }

  get done(): boolean {
    return this.request.done && this.response.done;
  }

  /** Starts a message side from its head: body capture and, for gRPC, the message reader. */
  startSide(message: MessageSide, head: SplitHeaders, ns: bigint, tid: number, options: ResolvedHttp2Options): void {
    message.head = head;
    message.startNs = ns;
    message.endNs = ns;
    message.tid = tid;
    if (this.isGrpc) {
      message.grpc = new GrpcMessageReader(options);
      message.body = new BodyCapture('', -1, options);
    } else {
      const length = headerOf(head.fields, 'content-length');
      const hint = length !== undefined && /^\d{1,15}$/.test(length) ? Number(length) : -1;
      message.body = new BodyCapture(headerOf(head.fields, 'content-encoding') ?? '', hint, options);
    }
  }

  toRecord(
    connection: ConnectionFacts,
    sideName: 'client' | 'server',
    stats: Http2Stats,
    forcedReason: Http2IncompleteReason | undefined,
    finalReport: boolean,
  ): Http2Exchange {
    const countInto = finalReport ? stats : null;
    const req = this.request;
    const res = this.response;
    const request: HttpRequest | undefined =
      req.head === undefined
        ? undefined
        : {
            method: pseudoHeader(req.head, ':method') ?? '',
            target: pseudoHeader(req.head, ':path') ?? '',
            version: '2',
            headers: req.head.fields,
            trailers: req.trailers,
            headerBytes: req.head.blockBytes,
            body: req.body === null ? NO_BODY : req.body.finish(req.complete, countInto),
            startNs: req.startNs,
            endNs: req.endNs,
            tid: req.tid,
            complete: req.complete,
          };
    const status = res.head === undefined ? NaN : Number(pseudoHeader(res.head, ':status'));
    const response: HttpResponse | undefined =
      res.head === undefined
        ? undefined
        : {
            statusCode: Number.isInteger(status) ? status : 0,
            reason: '',
            version: '2',
            headers: res.head.fields,
            trailers: res.trailers,
            headerBytes: res.head.blockBytes,
            body: res.body === null ? NO_BODY : res.body.finish(res.complete, countInto),
            startNs: res.startNs,
            endNs: res.endNs,
            tid: res.tid,
            complete: res.complete,
            interim: this.interim ?? NO_INTERIM,
          };
    const complete =
      this.reason === undefined &&
      forcedReason === undefined &&
      req.complete &&
      res.complete &&
      request !== undefined &&
      response !== undefined;
    const timestampNs = this.firstNs;
    let endNs = this.lastActivityNs;
    if (endNs < timestampNs) endNs = timestampNs;
    const record: { -readonly [K in keyof Http2Exchange]: Http2Exchange[K] } = {
      kind: 'http2.exchange',
      connection,
      side: sideName,
      streamId: this.id,
      pushed: this.pushed,
      headersIncomplete: this.headersIncomplete,
      complete,
      late: finalReport && this.reportedIncomplete,
      timestampNs,
      endNs,
      durationNs: endNs - timestampNs,
    };
    const scheme = req.head && pseudoHeader(req.head, ':scheme');
    if (scheme !== undefined) record.scheme = scheme;
    const authority =
      (req.head && pseudoHeader(req.head, ':authority')) ?? (req.head && headerOf(req.head.fields, 'host'));
    if (authority !== undefined) record.authority = authority;
    if (request !== undefined) record.request = request;
    if (response !== undefined) record.response = response;
    if (!complete) record.incompleteReason = this.reason ?? forcedReason ?? 'connection-closed';
    if (this.errorCode !== undefined) record.errorCode = this.errorCode;
    if (this.isGrpc) record.grpc = this.grpcCall(request?.target ?? '');
    return record;
  }

  private grpcCall(path: string): GrpcCall {
    // `/package.Service/Method`.
    const slash = path.lastIndexOf('/');
    const service = slash > 0 ? path.slice(1, slash) : '';
    const method = slash >= 0 ? path.slice(slash + 1) : '';
    const requestEncoding = this.request.head && headerOf(this.request.head.fields, 'grpc-encoding');
    const responseEncoding = this.response.head && headerOf(this.response.head.fields, 'grpc-encoding');
    const reader = (message: MessageSide, encoding: string | undefined) =>
      (
        message.grpc ??
        new GrpcMessageReader({
          bodyCaptureBytes: 0,
          maxEncodedBodyBytes: 0,
          maxDecodedBodyBytes: 1,
          maxDecodeRatio: 1,
        })
      ).finish(encoding);
    const call: { -readonly [K in keyof GrpcCall]: GrpcCall[K] } = {
      service,
      method,
      requestMessages: reader(this.request, requestEncoding),
      responseMessages: reader(this.response, responseEncoding),
    };
    // grpc-status from the trailers, or from the headers of a Trailers-Only response.
    const statusText =
      headerOf(this.response.trailers, 'grpc-status') ??
      (this.response.head && headerOf(this.response.head.fields, 'grpc-status'));
    if (statusText !== undefined && /^\d{1,5}$/.test(statusText)) call.statusCode = Number(statusText);
    const message =
      headerOf(this.response.trailers, 'grpc-message') ??
      (this.response.head && headerOf(this.response.head.fields, 'grpc-message'));
    // grpc-go sends an empty grpc-message with every status: that is no message.
    if (message !== undefined && message !== '') call.statusMessage = percentDecode(message);
    if (requestEncoding !== undefined) call.requestEncoding = requestEncoding;
    if (responseEncoding !== undefined) call.responseEncoding = responseEncoding;
    return call;
  }
}

/** A pseudo-header's value (`:method`, `:path`, `:status` …): the first one of the name. */
export function pseudoHeader(head: SplitHeaders, name: string): string | undefined {
  return headerOf(head.pseudo, name);
}

/** HTTP/2 field names are lower case on the wire: a plain comparison. */
export function headerOf(fields: HttpHeaders, name: string): string | undefined {
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as HttpHeader;
    if (field[0] === name) return field[1];
  }
  return undefined;
}

/** grpc-message is percent-encoded UTF-8 (gRPC over HTTP/2 spec). */
function percentDecode(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
