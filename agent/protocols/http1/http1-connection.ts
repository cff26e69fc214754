/**
 * One HTTP/1 connection: a message parser per direction, requests paired
 * with responses in order (pipelining included), exchanges emitted the
 * moment their framing says they are complete, and the hand-over to
 * WebSocket or an opaque tunnel after a protocol switch.
 *
 * Roles: the direction whose first message is a request carries requests.
 * If the captured process wrote it (Egress) it is the client side, if it
 * read it (Ingress) the server side.
 */
import { Direction, type ConnectionFacts } from '../../capture/captured-event';
import type { HttpExchange } from '../../exchange/http-exchange';
import type { HttpHeader } from '../../exchange/http-headers';
import type { ProtocolParser, RecordSink, StreamChunk } from '../protocol';
import { WebSocketSession } from '../websocket/websocket-session';
import { BodyCapture } from '../http-body/body-capture';
import { Framing, requestFraming, responseFraming } from './body-framing';
import type { ResolvedHttp1Options } from './http1-options';
import type { MessageHead } from './message-head';
import { MessageParser, ParserState, type BreakReason, type MessageEvents } from './message-parser';
import { Expect } from './message-start';
import { PendingExchange } from './pending-exchange';

export class Http1Connection implements ProtocolParser, MessageEvents {
  private readonly egress: MessageParser;
  private readonly ingress: MessageParser;
  /** Known once the first message was parsed. */
  private side: 'client' | 'server' | undefined = undefined;
  private requestParser: MessageParser | null = null;
  /** Exchanges not emitted yet, oldest first. */
  private pending: PendingExchange[] = [];
  /** The exchange whose request is being parsed. */
  private requestState: PendingExchange | null = null;
  /** The exchange whose response (or a 1xx of it) is being parsed. */
  private responseState: PendingExchange | null = null;
  private interimOpen = false;
  private websocket: WebSocketSession | null = null;
  private closed = false;

  constructor(
    private readonly connection: ConnectionFacts,
    private readonly sink: RecordSink,
    private readonly options: ResolvedHttp1Options,
  ) {
    this.egress = new MessageParser(Direction.Egress, this, options, options.stats);
    this.ingress = new MessageParser(Direction.Ingress, this, options, options.stats);
  }

  push(chunk: StreamChunk): void {
    if (this.closed) return;
    const parser = chunk.direction === Direction.Egress ? this.egress : this.ingress;
    parser.push(chunk.bytes, chunk.timestampNs, chunk.tid, chunk.gapBefore);
    if (this.pending.length > 0) this.expire(chunk.timestampNs);
  }

  /** Reports exchanges past the exchange timeout; safe to call as often as wanted. */
  idle(nowNs: bigint): void {
    if (!this.closed && this.pending.length > 0) this.expire(nowNs);
  }

  /** Earliest time at which `idle` would report an exchange; undefined when nothing waits. */
  nextDeadlineNs(): bigint | undefined {
    let activity = 0n;
    for (const exchange of this.pending) {
      if (exchange.lastActivityNs > activity) activity = exchange.lastActivityNs;
      if (!exchange.reportedIncomplete && !exchange.done) return activity + this.options.exchangeTimeoutNs;
    }
    return undefined;
  }

  close(nowNs: bigint): void {
    if (this.closed) return;
    this.closed = true;
    // A close-delimited response ends with the connection: that is its framing, not a failure.
    const responseParser = this.requestParser === null ? null : this.otherParser(this.requestParser);
    responseParser?.endOfStream();
    this.requestState?.fail('connection-closed');
    if (this.requestState !== null) this.requestState.requestDone = true;
    this.responseState?.fail('connection-closed');
    if (this.responseState !== null) this.responseState.responseDone = true;
    this.requestState = null;
    this.responseState = null;
    for (const exchange of this.pending) {
      if (exchange.done) {
        this.emit(exchange);
      } else if (!exchange.reportedIncomplete) {
        exchange.fail('connection-closed');
        this.emit(exchange);
      }
    }
    this.pending = [];
    this.websocket?.close(nowNs);
  }

  // ---- MessageEvents --------------------------------------------------------------------------

  onHead(parser: MessageParser, head: MessageHead): Framing {
    if (this.side === undefined) this.learnRoles(parser, head.isRequest);
    if (head.malformed !== undefined) {
      // Kept on its exchange as seen; the parser then breaks the message (onBroken).
      if (head.isRequest) this.requestHead(parser, head);
      else this.adoptResponse(parser, head);
      return Framing.Invalid;
    }
    return head.isRequest ? this.requestHead(parser, head) : this.responseHead(parser, head);
  }

  onBody(parser: MessageParser, bytes: Uint8Array, start: number, end: number): void {
    const exchange = parser === this.requestParser ? this.requestState : this.responseState;
    if (exchange === null) return;
    exchange.lastActivityNs = parser.chunkNs;
    if (parser === this.requestParser) {
      exchange.requestEndNs = parser.chunkNs;
      exchange.requestBody?.add(bytes, start, end);
    } else {
      exchange.responseEndNs = parser.chunkNs;
      exchange.responseBody?.add(bytes, start, end);
    }
  }

  onBodyLost(parser: MessageParser, length: number): void {
    const exchange = parser === this.requestParser ? this.requestState : this.responseState;
    if (exchange === null) return;
    (parser === this.requestParser ? exchange.requestBody : exchange.responseBody)?.lose(length);
  }

  onTrailers(parser: MessageParser, trailers: HttpHeader[]): void {
    const exchange = parser === this.requestParser ? this.requestState : this.responseState;
    if (exchange === null) return;
    if (parser === this.requestParser) exchange.requestTrailers = trailers;
    else exchange.responseTrailers = trailers;
  }

  onEnd(parser: MessageParser): void {
    if (parser === this.requestParser) {
      const exchange = this.requestState;
      if (exchange === null) return;
      this.requestState = null;
      exchange.requestDone = true;
      exchange.requestComplete = true;
      exchange.requestEndNs = parser.chunkNs;
      exchange.lastActivityNs = parser.chunkNs;
      if (exchange.requestBody !== null) exchange.requestBody.framingBytes = parser.framingBytes;
      // Bytes after an upgrade / CONNECT request belong to whichever protocol the answer picks.
      if (exchange.wantsSwitch && exchange.response === undefined && parser.state === ParserState.Start) {
        parser.startHold();
      }
    } else {
      const exchange = this.responseState;
      if (exchange === null) return;
      this.responseState = null;
      exchange.lastActivityNs = parser.chunkNs;
      if (this.interimOpen) {
        this.interimOpen = false;
        return;
      }
      exchange.responseDone = true;
      exchange.responseComplete = true;
      exchange.responseEndNs = parser.chunkNs;
      if (exchange.responseBody !== null) exchange.responseBody.framingBytes = parser.framingBytes;
    }
    this.flush();
  }

  onBroken(parser: MessageParser, reason: BreakReason, afterHead: boolean): void {
    // A malformed first message still says which way requests flow, when its start line did.
    if (
      this.requestParser === null &&
      !afterHead &&
      parser.startedRequest !== undefined &&
      reason !== 'unexpected-message'
    ) {
      this.learnRoles(parser, parser.startedRequest);
    }
    // Before the roles are known there is nothing to pair a lost message with.
    if (this.requestParser === null) return;
    const failure = reason === 'capture-gap' ? 'capture-gap' : 'parse-error';
    const parseError = reason === 'capture-gap' ? undefined : reason;
    // Junk where a message should start is skipped; it does not stand for a message.
    const lostMessage = afterHead || (reason !== 'invalid-start-line' && reason !== 'unexpected-message');
    if (parser === this.requestParser) {
      if (afterHead && this.requestState !== null) {
        const exchange = this.requestState;
        this.requestState = null;
        exchange.fail(failure, parseError);
        exchange.requestDone = true;
      } else if (lostMessage) {
        // A request was lost or unreadable: hold its place so that its response does not pair with the next one.
        const standIn = new PendingExchange(parser.chunkNs);
        standIn.fail(failure, parseError);
        standIn.requestDone = true;
        this.enqueue(standIn);
      }
    } else {
      // The response being parsed broke, or one was lost before its head: either way its exchange has it.
      const exchange = afterHead ? this.responseState : lostMessage ? this.awaitingResponse() : undefined;
      this.interimOpen = false;
      this.responseState = null;
      if (exchange !== null && exchange !== undefined) {
        exchange.fail(failure, parseError);
        exchange.responseDone = true;
      }
    }
    this.flush();
  }

  onSwitched(parser: MessageParser, bytes: Uint8Array, start: number, end: number, gapBefore: number): void {
    if (this.websocket !== null) {
      this.websocket.push(parser.direction, bytes, start, end, parser.chunkNs, parser.chunkTid, gapBefore);
    } else {
      this.options.stats.tunnelBytes += end - start;
    }
  }

  // ---- pairing --------------------------------------------------------------------------------

  private learnRoles(parser: MessageParser, isRequest: boolean): void {
    const requests = isRequest ? parser : this.otherParser(parser);
    this.requestParser = requests;
    this.side = requests.direction === Direction.Egress ? 'client' : 'server';
    requests.expect = Expect.Request;
    this.otherParser(requests).expect = Expect.Response;
  }

  private otherParser(parser: MessageParser): MessageParser {
    return parser === this.egress ? this.ingress : this.egress;
  }

  private requestHead(parser: MessageParser, head: MessageHead): Framing {
    const exchange = new PendingExchange(parser.chunkNs);
    exchange.request = head;
    exchange.requestStartNs = parser.messageStartNs;
    exchange.requestEndNs = parser.chunkNs;
    exchange.requestTid = parser.messageTid;
    exchange.wantsSwitch = head.method === 'CONNECT' || head.upgrade !== '';
    const framing = requestFraming(head);
    if (framing === Framing.Length || framing === Framing.Chunked) {
      exchange.requestBody = new BodyCapture(head.contentEncoding, head.contentLength, this.options);
    }
    this.requestState = exchange;
    this.enqueue(exchange);
    return framing;
  }

  /** The exchange a response head answers (one is made when no request was seen); it becomes the one being parsed. */
  private responseExchange(parser: MessageParser): PendingExchange {
    let exchange = this.awaitingResponse();
    if (exchange === undefined) {
      // A response to a request never seen (the agent started after it was sent, or it was lost).
      exchange = new PendingExchange(parser.chunkNs);
      exchange.fail('no-request');
      exchange.requestDone = true;
      this.enqueue(exchange);
    }
    exchange.lastActivityNs = parser.chunkNs;
    this.responseState = exchange;
    return exchange;
  }

  /** A response head that will not be followed (malformed): kept on its exchange as seen. */
  private adoptResponse(parser: MessageParser, head: MessageHead): void {
    const exchange = this.responseExchange(parser);
    this.interimOpen = false;
    exchange.response = head;
    exchange.responseStartNs = parser.messageStartNs;
    exchange.responseEndNs = parser.chunkNs;
    exchange.responseTid = parser.messageTid;
  }

  private responseHead(parser: MessageParser, head: MessageHead): Framing {
    const exchange = this.responseExchange(parser);
    const status = head.statusCode;
    if (status >= 100 && status < 200 && status !== 101) {
      (exchange.interim ??= []).push({
        statusCode: status,
        reason: head.reason,
        headers: head.headers,
        headerBytes: head.headBytes,
        timestampNs: parser.messageStartNs,
      });
      this.interimOpen = true;
      return Framing.None;
    }
    exchange.response = head;
    exchange.responseStartNs = parser.messageStartNs;
    exchange.responseEndNs = parser.chunkNs;
    exchange.responseTid = parser.messageTid;
    const framing = responseFraming(head, exchange.request?.method);
    if (framing === Framing.Switch) {
      this.switchProtocols(exchange, head);
      return framing;
    }
    if (framing === Framing.Length || framing === Framing.Chunked || framing === Framing.UntilClose) {
      const hint = framing === Framing.Length ? head.contentLength : -1;
      exchange.responseBody = new BodyCapture(head.contentEncoding, hint, this.options);
    }
    // An upgrade or CONNECT refused: the held bytes are HTTP after all.
    if (exchange.wantsSwitch) this.requestParser?.release();
    return framing;
  }

  /** The oldest exchange still waiting for its final response. */
  private awaitingResponse(): PendingExchange | undefined {
    for (const exchange of this.pending) if (!exchange.responseDone) return exchange;
    return undefined;
  }

  private switchProtocols(exchange: PendingExchange, head: MessageHead): void {
    const stats = this.options.stats;
    const websocket = head.statusCode === 101 && /\bwebsocket\b/i.test(head.upgrade);
    exchange.upgrade = websocket ? 'websocket' : 'tunnel';
    if (websocket) {
      stats.websocketUpgrades++;
      this.websocket = new WebSocketSession(
        this.connection,
        this.sink,
        this.side ?? 'client',
        exchange.request?.target ?? '',
        {
          captureBytes: this.options.websocketCaptureBytes,
          maxCompressedBytes: this.options.maxEncodedBodyBytes,
          maxInflatedBytes: this.options.maxDecodedBodyBytes,
        },
        stats.websocket,
      );
    } else {
      stats.tunnels++;
    }
    // Whatever the request side had not finished is cut by the switch.
    if (this.requestState === exchange) {
      this.requestState = null;
      exchange.requestDone = true;
      exchange.fail('parse-error');
    }
    this.requestParser?.switchProtocols();
  }

  private enqueue(exchange: PendingExchange): void {
    this.pending.push(exchange);
    if (this.pending.length <= this.options.maxPendingExchanges) return;
    // Give up the oldest exchange that no parser is filling.
    const index = this.pending.findIndex((e) => e !== this.responseState && e !== this.requestState);
    if (index < 0) return;
    const [oldest] = this.pending.splice(index, 1);
    if (oldest === undefined || oldest.reportedIncomplete) return;
    oldest.fail('queue-overflow');
    this.emit(oldest);
  }

  /** Emits the exchanges at the head of the queue that are done, in order. */
  private flush(): void {
    const pending = this.pending;
    let count = 0;
    while (count < pending.length && (pending[count] as PendingExchange).done) count++;
    if (count === 0) return;
    const done = count === pending.length ? pending : pending.slice(0, count);
    this.pending = count === pending.length ? [] : pending.slice(count);
    for (const exchange of done) this.emit(exchange);
  }

  /**
   * Reports, once, the exchanges idle for longer than the exchange timeout; they keep their place
   * in the queue. An exchange waiting behind another (pipelining) is as active as the one before it.
   */
  private expire(nowNs: bigint): void {
    const deadline = nowNs - this.options.exchangeTimeoutNs;
    let activity = 0n;
    for (const exchange of this.pending) {
      if (exchange.lastActivityNs > activity) activity = exchange.lastActivityNs;
      if (exchange.reportedIncomplete || activity >= deadline || exchange.done) continue;
      exchange.reportedIncomplete = true;
      if (exchange.empty) continue;
      this.report(exchange.toRecord(this.connection, this.side ?? 'client', this.options.stats, 'timeout', false));
    }
  }

  /** The exchange leaves the queue. */
  private emit(exchange: PendingExchange): void {
    // A stand-in for a lost request that never got a response: nothing to show.
    if (exchange.empty) return;
    const record = exchange.toRecord(this.connection, this.side ?? 'client', this.options.stats, undefined, true);
    if (record.late) this.options.stats.lateResponses++;
    this.report(record);
  }

  private report(record: HttpExchange): void {
    const stats = this.options.stats;
    if (record.complete) stats.exchangesComplete++;
    else stats.exchangesIncomplete[record.incompleteReason ?? 'connection-closed']++;
    this.sink.emit(record);
  }
}
