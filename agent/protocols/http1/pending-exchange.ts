/**
 * The state of one exchange while its messages stream by, and the record it
 * becomes. Requests and responses pair in order: a connection keeps these in
 * a FIFO and answers the oldest one still waiting for a final response.
 */
import type { ConnectionFacts } from '../../capture/captured-event';
import type {
  HttpBody,
  HttpExchange,
  HttpIncompleteReason,
  HttpInterimResponse,
  HttpRequest,
  HttpResponse,
  HttpUpgrade,
} from '../../exchange/http-exchange';
import { NO_HEADERS, type HttpHeaders } from '../../exchange/http-headers';
import { NO_BODY, type BodyCapture } from '../http-body/body-capture';
import type { Http1ParseError, Http1Stats } from './http1-stats';
import type { MessageHead } from './message-head';

const NO_INTERIM: readonly HttpInterimResponse[] = Object.freeze([]);

export class PendingExchange {
  request: MessageHead | undefined = undefined;
  requestStartNs = 0n;
  /** Last request byte seen (the end once `requestComplete`). */
  requestEndNs = 0n;
  requestTid = 0;
  requestBody: BodyCapture | null = null;
  requestTrailers: HttpHeaders = NO_HEADERS;
  /** No more request bytes will come for this exchange (ended, broken, lost). */
  requestDone = false;
  /** The request ended as framed. */
  requestComplete = false;
  /** The request asked to leave HTTP/1 (Upgrade, CONNECT): its direction waits for the answer. */
  wantsSwitch = false;

  response: MessageHead | undefined = undefined;
  responseStartNs = 0n;
  responseEndNs = 0n;
  responseTid = 0;
  responseBody: BodyCapture | null = null;
  responseTrailers: HttpHeaders = NO_HEADERS;
  responseDone = false;
  responseComplete = false;
  interim: HttpInterimResponse[] | null = null;

  /** The first thing that went wrong; undefined while all is well. */
  reason: HttpIncompleteReason | undefined = undefined;
  /** With reason `parse-error`: the rule a message broke. */
  parseError: Http1ParseError | undefined = undefined;
  /** Reported incomplete on timeout (a later completion is emitted with `late`). */
  reportedIncomplete = false;
  upgrade: HttpUpgrade | undefined = undefined;

  constructor(
    /** Last time a byte of this exchange was seen. */
    public lastActivityNs: bigint,
  ) {}

  get done(): boolean {
    return this.requestDone && this.responseDone;
  }

  /** Neither message was seen: a stand-in for a lost request (nothing to report on its own). */
  get empty(): boolean {
    return this.request === undefined && this.response === undefined;
  }

  fail(reason: HttpIncompleteReason, parseError?: Http1ParseError): void {
    this.parseError ??= parseError;
    this.reason ??= reason;
  }

  /**
   * The record. `finalReport`: the exchange leaves the queue (counts decoding outcomes);
   * otherwise a snapshot (timeout) of an exchange still in progress.
   */
  toRecord(
    connection: ConnectionFacts,
    side: 'client' | 'server',
    stats: Http1Stats,
    forcedReason: HttpIncompleteReason | undefined,
    finalReport: boolean,
  ): HttpExchange {
    const countInto = finalReport ? stats : null;
    const request = this.request !== undefined ? this.requestRecord(this.request, countInto) : undefined;
    const response = this.response !== undefined ? this.responseRecord(this.response, countInto) : undefined;
    const complete =
      this.reason === undefined &&
      forcedReason === undefined &&
      this.requestComplete &&
      this.responseComplete &&
      request !== undefined &&
      response !== undefined;
    const timestampNs = request !== undefined ? this.requestStartNs : this.responseStartNs;
    let endNs = response !== undefined ? this.responseEndNs : this.requestEndNs;
    if (endNs < timestampNs) endNs = timestampNs;
    const exchange: {
      -readonly [K in keyof HttpExchange]: HttpExchange[K];
    } = {
      kind: 'http1.exchange',
      connection,
      side,
      complete,
      late: finalReport && this.reportedIncomplete,
      timestampNs,
      endNs,
      durationNs: endNs - timestampNs,
    };
    if (request !== undefined) exchange.request = request;
    if (response !== undefined) exchange.response = response;
    if (!complete) exchange.incompleteReason = this.reason ?? forcedReason ?? 'connection-closed';
    if (!complete && this.parseError !== undefined) exchange.parseError = this.parseError;
    if (this.upgrade !== undefined) exchange.upgrade = this.upgrade;
    return exchange;
  }

  private requestRecord(head: MessageHead, stats: Http1Stats | null): HttpRequest {
    return {
      method: head.method,
      target: head.target,
      version: head.version,
      headers: head.headers,
      trailers: this.requestTrailers,
      headerBytes: head.headBytes,
      body: finishBody(this.requestBody, this.requestComplete, stats),
      startNs: this.requestStartNs,
      endNs: this.requestEndNs,
      tid: this.requestTid,
      complete: this.requestComplete,
    };
  }

  private responseRecord(head: MessageHead, stats: Http1Stats | null): HttpResponse {
    return {
      version: head.version,
      statusCode: head.statusCode,
      reason: head.reason,
      headers: head.headers,
      trailers: this.responseTrailers,
      headerBytes: head.headBytes,
      body: finishBody(this.responseBody, this.responseComplete, stats),
      startNs: this.responseStartNs,
      endNs: this.responseEndNs,
      tid: this.responseTid,
      complete: this.responseComplete,
      interim: this.interim ?? NO_INTERIM,
    };
  }
}

function finishBody(body: BodyCapture | null, complete: boolean, stats: Http1Stats | null): HttpBody {
  return body === null ? NO_BODY : body.finish(complete, stats);
}
