/**
 * One HTTP/2 connection seen passively: a frame reader and an HPACK decoder per direction,
 * header blocks (HEADERS / PUSH_PROMISE + CONTINUATION) assembled and decoded in order (the
 * HPACK tables depend on every block), SETTINGS applied when acknowledged, and one exchange per
 * stream, emitted when both ends have ended it (or RST_STREAM, GOAWAY, a gap, the timeout or
 * the connection's end cut it short).
 *
 * Roles: the direction that sent the client preface, or whose first decoded header block has
 * `:method`, is the client's. If the captured process wrote it (Egress) it is the client side.
 */
import { Direction, type ConnectionFacts } from '../../capture/captured-event';
import { NO_HEADERS, type HttpHeader } from '../../exchange/http-headers';
import type { Http2Exchange } from '../../exchange/http2-exchange';
import type { ProtocolParser, RecordSink, StreamChunk } from '../protocol';
import { errorCodeName, Flag, FrameType, SettingsId } from './frame-types';
import { FrameReader, type FrameEvents } from './frame-reader';
import { HpackDecoder } from './hpack/hpack-decoder';
import type { ResolvedHttp2Options } from './http2-options';
import type { Http2FrameError } from './http2-stats';
import { Http2Stream, pseudoHeader, type MessageSide, type SplitHeaders } from './http2-stream';

/** A header block being assembled from HEADERS / PUSH_PROMISE and CONTINUATION frames. */
interface OpenBlock {
  readonly streamId: number;
  readonly push: boolean;
  readonly promisedId: number;
  readonly endStream: boolean;
  buffer: Uint8Array;
  fill: number;
  /** Past the cap: the block is skipped (its HPACK effects are lost). */
  overflow: boolean;
}

/** How often (at most) a busy connection looks for timed-out streams while pushing. */
const EXPIRE_EVERY_NS = 1_000_000_000n;

export class Http2Connection implements ProtocolParser {
  private readonly readers: [FrameReader, FrameReader];
  private readonly decoders: [HpackDecoder, HpackDecoder];
  private readonly started = [false, false];
  private readonly blocks: [OpenBlock | null, OpenBlock | null] = [null, null];
  /** SETTINGS sent by each direction, waiting for the other's ACK. */
  private readonly pendingSettings: [Map<number, number>[], Map<number, number>[]] = [[], []];
  private readonly streams = new Map<number, Http2Stream>();
  /** Highest stream id seen, for odd (client) and even (server) ids: lower unknown ids are old streams. */
  private highestOdd = 0;
  private highestEven = 0;
  private clientDir: Direction | undefined = undefined;
  private nowNs = 0n;
  private tid = 0;
  private earlyResets = 0;
  private rapidReset = false;
  private emptyData = 0;
  private emptyDataFlood = false;
  private lastExpireNs = 0n;
  private closed = false;

  constructor(
    private readonly connection: ConnectionFacts,
    private readonly sink: RecordSink,
    private readonly options: ResolvedHttp2Options,
  ) {
    this.readers = [
      new FrameReader(this.eventsFor(Direction.Egress), options.maxHeaderListBytes),
      new FrameReader(this.eventsFor(Direction.Ingress), options.maxHeaderListBytes),
    ];
    const hpack = { maxHeaderListBytes: options.maxHeaderListBytes };
    this.decoders = [new HpackDecoder(hpack), new HpackDecoder(hpack)];
  }

  push(chunk: StreamChunk): void {
    if (this.closed) return;
    const dir = chunk.direction;
    this.nowNs = chunk.timestampNs;
    this.tid = chunk.tid;
    if (chunk.gapBefore > 0) this.gap(dir, chunk.gapBefore);
    this.readers[dir].push(chunk.bytes);
    if (this.streams.size > 0 && chunk.timestampNs - this.lastExpireNs >= EXPIRE_EVERY_NS) {
      this.lastExpireNs = chunk.timestampNs;
      this.expire(chunk.timestampNs);
    }
  }

  idle(nowNs: bigint): void {
    if (!this.closed && this.streams.size > 0) this.expire(nowNs);
  }

  close(nowNs: bigint): void {
    if (this.closed) return;
    this.closed = true;
    this.nowNs = nowNs;
    for (const stream of [...this.streams.values()]) {
      if (stream.reportedIncomplete && !stream.done) {
        this.streams.delete(stream.id);
        continue;
      }
      if (!stream.done) stream.fail('connection-closed');
      this.finish(stream);
    }
  }

  /** Open streams (for tests and the hostile-input checks). */
  get openStreams(): number {
    return this.streams.size;
  }

  // ---- frames ---------------------------------------------------------------------------------

  private eventsFor(dir: Direction): FrameEvents {
    return {
      onFrame: (type, flags, streamId, payload, start, end) =>
        this.frame(dir, type, flags, streamId, payload, start, end),
      onData: (streamId, bytes, start, end) => this.data(dir, streamId, bytes, start, end),
      onDataEnd: (streamId, flags, length) => this.dataEnd(dir, streamId, flags, length),
      onFrameError: (error, type, streamId) => this.frameError(dir, error, type, streamId),
      onResync: (skipped) => {
        this.options.stats.resyncs++;
        this.options.stats.bytesSkipped += skipped;
      },
    };
  }

  /** The first frame of a direction says whether its HPACK table's history is known. */
  private begin(dir: Direction): void {
    if (this.started[dir]) return;
    this.started[dir] = true;
    const reader = this.readers[dir];
    if (reader.sawPreface) this.clientDir ??= dir;
    if (reader.pickedUp) this.decoders[dir].pickUp();
  }

  private frame(
    dir: Direction,
    type: number,
    flags: number,
    streamId: number,
    payload: Uint8Array,
    start: number,
    end: number,
  ): void {
    this.begin(dir);
    const open = this.blocks[dir];
    if (open !== null) {
      if (type === FrameType.Continuation && streamId === open.streamId) {
        this.continuation(dir, open, flags, payload, start, end);
        return;
      }
      // Anything else inside a header block breaks the connection (RFC 9113 §6.10).
      this.blocks[dir] = null;
      this.blockLost(dir, open.streamId, 'continuation-expected');
    }
    const length = end - start;
    switch (type) {
      case FrameType.Headers:
      case FrameType.PushPromise:
        this.headersFrame(dir, type, flags, streamId, payload, start, end);
        return;
      case FrameType.Continuation:
        this.frameError(dir, 'unexpected-continuation', type, streamId);
        return;
      case FrameType.RstStream:
        if (streamId === 0 || length !== 4) return this.frameError(dir, 'invalid-frame', type, streamId);
        this.reset(streamId, readUint32(payload, start));
        return;
      case FrameType.Settings:
        if (streamId !== 0 || length % 6 !== 0) return this.frameError(dir, 'invalid-frame', type, streamId);
        this.settings(dir, flags, payload, start, end);
        return;
      case FrameType.Goaway:
        if (streamId !== 0 || length < 8) return this.frameError(dir, 'invalid-frame', type, streamId);
        this.goaway(dir, readUint32(payload, start) & 0x7fffffff, readUint32(payload, start + 4));
        return;
      case FrameType.Priority:
        if (streamId === 0 || length !== 5) this.frameError(dir, 'invalid-frame', type, streamId);
        return;
      case FrameType.Ping:
        if (streamId !== 0 || length !== 8) this.frameError(dir, 'invalid-frame', type, streamId);
        return;
      case FrameType.WindowUpdate:
        if (length !== 4) this.frameError(dir, 'invalid-frame', type, streamId);
        return;
      default:
        // Unknown frame types are ignored (RFC 9113 §4.1).
        return;
    }
  }

  private headersFrame(
    dir: Direction,
    type: number,
    flags: number,
    streamId: number,
    payload: Uint8Array,
    start: number,
    end: number,
  ): void {
    if (streamId === 0) return this.frameError(dir, 'invalid-frame', type, streamId);
    let from = start;
    let to = end;
    if (flags & Flag.Padded) {
      const pad = payload[from] as number;
      from++;
      if (pad > to - from) {
        this.frameError(dir, 'invalid-padding', type, streamId);
        // The block's HPACK effects are lost with it.
        this.decoders[dir].forget();
        return;
      }
      to -= pad;
    }
    let promisedId = 0;
    if (type === FrameType.PushPromise) {
      if (to - from < 4) return this.blockLost(dir, streamId, 'invalid-frame');
      promisedId = readUint32(payload, from) & 0x7fffffff;
      from += 4;
    } else if (flags & Flag.Priority) {
      if (to - from < 5) return this.blockLost(dir, streamId, 'invalid-frame');
      from += 5;
    }
    const endStream = type === FrameType.Headers && (flags & Flag.EndStream) !== 0;
    if (flags & Flag.EndHeaders) {
      this.headerBlock(dir, streamId, type === FrameType.PushPromise, promisedId, endStream, payload, from, to, false);
      return;
    }
    const length = to - from;
    const buffer = new Uint8Array(Math.min(Math.max(length * 2, 1024), this.options.maxHeaderListBytes));
    buffer.set(payload.subarray(from, to));
    this.blocks[dir] = {
      streamId,
      push: type === FrameType.PushPromise,
      promisedId,
      endStream,
      buffer,
      fill: length,
      overflow: false,
    };
  }

  private continuation(
    dir: Direction,
    open: OpenBlock,
    flags: number,
    payload: Uint8Array,
    start: number,
    end: number,
  ): void {
    const length = end - start;
    if (!open.overflow) {
      const needed = open.fill + length;
      if (needed > this.options.maxHeaderListBytes) {
        // The CONTINUATION-flood shape: stop keeping, say so once, skip to END_HEADERS.
        open.overflow = true;
        open.buffer = new Uint8Array(0);
        this.frameError(dir, 'header-block-too-large', FrameType.Continuation, open.streamId);
      } else {
        if (needed > open.buffer.length) {
          const grown = new Uint8Array(
            Math.min(Math.max(needed, open.buffer.length * 2), this.options.maxHeaderListBytes),
          );
          grown.set(open.buffer.subarray(0, open.fill));
          open.buffer = grown;
        }
        open.buffer.set(payload.subarray(start, end), open.fill);
        open.fill = needed;
      }
    }
    if ((flags & Flag.EndHeaders) === 0) return;
    this.blocks[dir] = null;
    if (open.overflow) {
      this.blockLost(dir, open.streamId, undefined);
      return;
    }
    this.headerBlock(dir, open.streamId, open.push, open.promisedId, open.endStream, open.buffer, 0, open.fill, false);
  }

  /** A header block could not be decoded: the table is forgotten and the stream marked. */
  private blockLost(dir: Direction, streamId: number, error: Http2FrameError | undefined): void {
    if (error !== undefined) this.frameError(dir, error, FrameType.Headers, streamId);
    this.decoders[dir].forget();
    const stream = this.streams.get(streamId);
    if (stream !== undefined) {
      stream.headersIncomplete = true;
      stream.fail('parse-error');
    }
  }

  private headerBlock(
    dir: Direction,
    streamId: number,
    push: boolean,
    promisedId: number,
    endStream: boolean,
    block: Uint8Array,
    start: number,
    end: number,
    _lost: boolean,
  ): void {
    const stats = this.options.stats;
    const result = this.decoders[dir].decode(block, start, end);
    if (result.error !== undefined) stats.hpackErrors[result.error]++;
    if (result.unknown > 0) stats.unknownHeaders += result.unknown;
    if (result.overCap) stats.headerListsOverCap++;
    const incomplete = result.error !== undefined || result.unknown > 0 || result.overCap;
    const split = splitHeaders(result.headers, end - start);

    if (push) {
      // PUSH_PROMISE: the server's promised request opens the promised stream.
      this.clientDir ??= other(dir);
      if (promisedId === 0 || (promisedId & 1) !== 0)
        return this.frameError(dir, 'invalid-frame', FrameType.PushPromise, streamId);
      const stream = this.open(promisedId);
      if (stream === undefined) return;
      stream.pushed = true;
      this.applyRequestHead(stream, split);
      stream.request.done = true;
      stream.request.complete = true;
      if (incomplete) stream.headersIncomplete = true;
      return;
    }

    if (this.clientDir === undefined) {
      if (pseudoHeader(split, ':method') !== undefined) this.clientDir = dir;
      else if (pseudoHeader(split, ':status') !== undefined) this.clientDir = other(dir);
      else {
        this.options.stats.orphanFrames++;
        return;
      }
    }
    const fromClient = dir === this.clientDir;
    let stream = this.streams.get(streamId);
    if (stream === undefined) {
      const isNew = (streamId & 1) === 1 ? streamId > this.highestOdd : streamId > this.highestEven;
      if (!isNew) {
        stats.orphanFrames++;
        return;
      }
      stream = this.open(streamId);
      if (stream === undefined) return;
      // A response to a request never seen (the agent started after it).
      if (!fromClient) {
        stream.fail('no-request');
        stream.request.done = true;
      }
    }
    if (incomplete) stream.headersIncomplete = true;
    stream.lastActivityNs = this.nowNs;
    if (fromClient) {
      if (stream.request.head === undefined && !stream.request.done) this.applyRequestHead(stream, split);
      else stream.request.trailers = split.fields;
      if (endStream) this.endSide(stream.request);
    } else {
      stream.answered = true;
      const status = Number(pseudoHeader(split, ':status'));
      const response = stream.response;
      if (response.head === undefined && status >= 100 && status < 200 && status !== 101) {
        (stream.interim ??= []).push({
          statusCode: status,
          reason: '',
          headers: split.fields,
          headerBytes: split.blockBytes,
          timestampNs: this.nowNs,
        });
      } else if (response.head === undefined) {
        if (!stream.isGrpc && stream.request.head === undefined) stream.isGrpc = isGrpc(split.fields);
        stream.startSide(response, split, this.nowNs, this.tid, this.options);
      } else {
        response.trailers = split.fields;
      }
      if (endStream) this.endSide(response);
    }
    if (stream.done) this.finish(stream);
  }

  private applyRequestHead(stream: Http2Stream, split: SplitHeaders): void {
    stream.isGrpc = isGrpc(split.fields);
    stream.startSide(stream.request, split, this.nowNs, this.tid, this.options);
  }

  private endSide(message: MessageSide): void {
    message.done = true;
    message.complete = message.head !== undefined;
    message.endNs = this.nowNs;
  }

  /** A new stream, unless the connection is at its cap (then counted and not followed). */
  private open(streamId: number): Http2Stream | undefined {
    if ((streamId & 1) === 1) {
      if (streamId > this.highestOdd) this.highestOdd = streamId;
    } else if (streamId > this.highestEven) {
      this.highestEven = streamId;
    }
    if (this.streams.size >= this.options.maxOpenStreams) {
      this.options.stats.streamCapDrops++;
      return undefined;
    }
    const stream = new Http2Stream(streamId, this.nowNs, this.nowNs);
    this.streams.set(streamId, stream);
    return stream;
  }

  private data(dir: Direction, streamId: number, bytes: Uint8Array, start: number, end: number): void {
    this.begin(dir);
    const stream = this.streams.get(streamId);
    if (stream === undefined || this.clientDir === undefined) return;
    const message = dir === this.clientDir ? stream.request : stream.response;
    stream.lastActivityNs = this.nowNs;
    message.endNs = this.nowNs;
    message.body?.add(bytes, start, end);
    message.grpc?.add(bytes, start, end);
  }

  private dataEnd(dir: Direction, streamId: number, flags: number, length: number): void {
    this.begin(dir);
    if (this.blocks[dir] !== null) {
      const open = this.blocks[dir];
      this.blocks[dir] = null;
      this.blockLost(dir, open.streamId, 'continuation-expected');
    }
    const stream = this.streams.get(streamId);
    if (stream === undefined || this.clientDir === undefined) {
      this.options.stats.orphanFrames++;
      return;
    }
    const endStream = (flags & Flag.EndStream) !== 0;
    if (length === 0 && !endStream && ++this.emptyData > this.options.maxEmptyDataFrames && !this.emptyDataFlood) {
      this.emptyDataFlood = true;
      this.options.stats.emptyDataFloods++;
    }
    if (!endStream) return;
    this.endSide(dir === this.clientDir ? stream.request : stream.response);
    if (stream.done) this.finish(stream);
  }

  private reset(streamId: number, code: number): void {
    const stream = this.streams.get(streamId);
    if (stream === undefined) {
      this.options.stats.orphanFrames++;
      return;
    }
    stream.lastActivityNs = this.nowNs;
    stream.fail('stream-reset');
    stream.errorCode ??= errorCodeName(code);
    stream.request.done = true;
    stream.response.done = true;
    if (!stream.answered) {
      // The rapid-reset shape (CVE-2023-44487): past the bound, such streams are counted, not reported.
      this.earlyResets++;
      if (this.earlyResets > this.options.maxEarlyResets) {
        if (!this.rapidReset) {
          this.rapidReset = true;
          this.options.stats.rapidResetConnections++;
        }
        this.options.stats.rapidResetsSuppressed++;
        this.streams.delete(streamId);
        return;
      }
    }
    this.finish(stream);
  }

  private settings(dir: Direction, flags: number, payload: Uint8Array, start: number, end: number): void {
    if (flags & Flag.Ack) {
      // The other direction's oldest SETTINGS now holds: it bounds what this direction sends.
      const settings = this.pendingSettings[other(dir)].shift();
      const tableSize = settings?.get(SettingsId.HeaderTableSize);
      if (tableSize !== undefined) this.decoders[dir].settingsLimit = tableSize;
      return;
    }
    const values = new Map<number, number>();
    for (let at = start; at + 6 <= end; at += 6) {
      values.set(((payload[at] as number) << 8) | (payload[at + 1] as number), readUint32(payload, at + 2));
    }
    const queue = this.pendingSettings[dir];
    // A peer that never acknowledges cannot make this grow.
    if (queue.length < 16) queue.push(values);
  }

  private goaway(dir: Direction, lastStreamId: number, code: number): void {
    if (this.clientDir === undefined) return;
    // Streams opened by the GOAWAY's receiver above its last-stream-id were not processed.
    const receiverIsClient = other(dir) === this.clientDir;
    for (const stream of [...this.streams.values()]) {
      const byClient = (stream.id & 1) === 1;
      if (byClient !== receiverIsClient || stream.id <= lastStreamId) continue;
      stream.fail('goaway');
      stream.errorCode ??= errorCodeName(code);
      stream.request.done = true;
      stream.response.done = true;
      this.finish(stream);
    }
  }

  private frameError(_dir: Direction, error: Http2FrameError, _type: number, streamId: number): void {
    this.options.stats.frameErrors[error]++;
    const stream = streamId === 0 ? undefined : this.streams.get(streamId);
    if (stream !== undefined) stream.fail('parse-error');
  }

  private gap(dir: Direction, bytes: number): void {
    const stats = this.options.stats;
    stats.gaps++;
    stats.gapBytes += bytes;
    this.readers[dir].gap();
    this.blocks[dir] = null;
    this.decoders[dir].forget();
    // Any open stream may have lost frames in this direction.
    for (const stream of this.streams.values()) {
      const message = dir === this.clientDir ? stream.request : stream.response;
      if (message.done) continue;
      stream.fail('capture-gap');
      message.body?.lose(0);
      message.grpc?.lose();
    }
  }

  // ---- emission -------------------------------------------------------------------------------

  private expire(nowNs: bigint): void {
    const deadline = nowNs - this.options.exchangeTimeoutNs;
    for (const stream of this.streams.values()) {
      if (stream.reportedIncomplete || stream.lastActivityNs >= deadline) continue;
      stream.reportedIncomplete = true;
      this.report(stream.toRecord(this.connection, this.side(), this.options.stats, 'timeout', false));
    }
  }

  private finish(stream: Http2Stream): void {
    this.streams.delete(stream.id);
    if (stream.request.head === undefined && stream.response.head === undefined) return;
    const record = stream.toRecord(this.connection, this.side(), this.options.stats, undefined, true);
    if (record.late) this.options.stats.lateResponses++;
    this.report(record);
  }

  private report(record: Http2Exchange): void {
    const stats = this.options.stats;
    if (record.complete) stats.exchangesComplete++;
    else stats.exchangesIncomplete[record.incompleteReason ?? 'connection-closed']++;
    if (record.grpc !== undefined) stats.grpcCalls++;
    this.sink.emit(record);
  }

  private side(): 'client' | 'server' {
    return this.clientDir === Direction.Ingress ? 'server' : 'client';
  }
}

function other(dir: Direction): Direction {
  return dir === Direction.Egress ? Direction.Ingress : Direction.Egress;
}

function readUint32(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at] as number) * 0x1000000 +
      (((bytes[at + 1] as number) << 16) | ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number))) >>>
    0
  );
}

function isGrpc(fields: readonly HttpHeader[]): boolean {
  for (const [name, value] of fields) {
    if (name === 'content-type') return value.startsWith('application/grpc');
  }
  return false;
}

function splitHeaders(headers: HttpHeader[], blockBytes: number): SplitHeaders {
  let regular = 0;
  while (regular < headers.length && (headers[regular] as HttpHeader)[0].charCodeAt(0) === 0x3a /* : */) regular++;
  let misplaced = false;
  for (let i = regular; i < headers.length && !misplaced; i++)
    misplaced = (headers[i] as HttpHeader)[0].charCodeAt(0) === 0x3a;
  if (!misplaced) {
    if (regular === 0) return { pseudo: NO_HEADERS, fields: headers, blockBytes };
    // The whole list serves as `pseudo`: no field after the pseudo-headers has a `:` name.
    return { pseudo: headers, fields: headers.slice(regular), blockBytes };
  }
  // Pseudo-headers after a regular (or unknown) field: malformed, or an unknown entry that was a
  // pseudo-header on a connection picked up late. Either way they are pseudo-headers, not fields.
  const pseudo: HttpHeader[] = [];
  const fields: HttpHeader[] = [];
  for (const field of headers) (field[0].charCodeAt(0) === 0x3a ? pseudo : fields).push(field);
  return { pseudo, fields, blockBytes };
}
