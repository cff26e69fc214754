/**
 * One connection: both directions, in capture order, through one protocol parser.
 *
 * The worker turns data records into stream chunks (with the gaps the kernel
 * left), detects the protocol — again at later chunk starts when the first
 * bytes matched nothing (redetectProtocol) — and shields the processor from parser bugs:
 * a parser that throws is replaced by the fallback protocol for the rest of
 * the connection, and the bytes it dropped are counted.
 */
import { Direction, type ConnectionFacts, type DataEvent } from '../capture/captured-event';
import type { ContainerIdentity } from '../capture/container-identity';
import type { Protocol, ProtocolParser, StreamChunk } from '../protocols/protocol';
import { GapTracker } from './gap-tracker';
import type { IdleQueueEntry } from './idle-queue';
import type { SweepState } from './connection-sweep';
import { ProtocolDetection, redetectProtocol, type DetectionDecision } from './protocol-detection';
import type { WorkerContext } from './worker-context';

export class ConnectionWorker implements IdleQueueEntry<ConnectionWorker>, SweepState {
  readonly facts: ConnectionFacts;
  /**
   * Keyed by (pid, fd, sockId) and closed by its socket's close records;
   * otherwise keyed by (pid, SSL object) and closed when idle.
   */
  readonly tracked: boolean;
  /** Kernel socket identity; 0n when unknown. */
  readonly sockId: bigint;
  readonly pid: number;
  readonly fd: number;
  /** Second key part of a worker without socket identity (SSL pointer, or a thread stand-in). */
  readonly untrackedKey: bigint;

  lastActiveNs = 0n;
  idlePrev: ConnectionWorker | null = null;
  idleNext: ConnectionWorker | null = null;
  inIdleQueue = false;
  lastDataNs = 0n;
  socketInode = 0;
  suspectSinceNs = 0n;

  private parser: ProtocolParser | null = null;
  private protocol: Protocol | null = null;
  private detection: ProtocolDetection | null;
  private readonly egressGaps = new GapTracker();
  private readonly ingressGaps = new GapTracker();
  /** Set when even the fallback parser threw: later bytes are dropped, counted. */
  private failed = false;
  /** The fallback took the connection because nothing matched: each later chunk start is tried again. */
  private redetecting = false;

  constructor(
    event: DataEvent,
    untrackedKey: bigint,
    private readonly context: WorkerContext,
  ) {
    this.facts = factsOf(event, context.identify?.(event.pid));
    this.sockId = event.sockId;
    this.pid = event.pid;
    this.fd = event.fd;
    this.tracked = isTracked(event);
    this.untrackedKey = untrackedKey;
    this.detection = new ProtocolDetection(context.protocols, context.detectionLimitBytes);
  }

  /** Name of the protocol parsing this connection; undefined while detecting. */
  get protocolName(): string | undefined {
    return this.protocol?.name;
  }

  push(event: DataEvent): void {
    const bytes = event.payload;
    const gaps = event.direction === Direction.Egress ? this.egressGaps : this.ingressGaps;
    const gapBefore = gaps.next(event.chunkOffset, bytes.length, event.originalLength);
    if (bytes.length === 0) return;
    const counters = this.context.counters;
    counters.bytesMissed += gapBefore;
    if (this.failed) {
      counters.drop('parser-error', bytes.length);
      return;
    }
    const chunk: StreamChunk = {
      direction: event.direction,
      timestampNs: event.timestampNs,
      bytes,
      gapBefore,
      tid: event.tid,
    };
    if (this.parser === null) this.detect(chunk);
    else {
      if (this.redetecting) this.redetect(chunk);
      this.feed(chunk);
    }
  }

  /** The connection was silent for the idle timeout (socket-tracked workers only). */
  idle(nowNs: bigint): void {
    // Undecided after a whole idle period: the awaited bytes are not coming; report what we have.
    if (this.parser === null && this.detection?.hasPending()) this.settle(this.detection.fallback());
    const parser = this.parser;
    if (parser === null) return;
    try {
      parser.idle(nowNs);
    } catch (error) {
      this.fail(error, null);
    }
  }

  close(nowNs: bigint): void {
    if (this.parser === null && this.detection?.hasPending()) this.settle(this.detection.fallback());
    const counters = this.context.counters;
    counters.bytesMissed += this.egressGaps.unreported() + this.ingressGaps.unreported();
    const parser = this.parser;
    this.parser = null;
    this.failed = true;
    if (parser === null) return;
    try {
      parser.close(nowNs);
    } catch (error) {
      this.reportError(error);
    }
  }

  private detect(chunk: StreamChunk): void {
    const detection = this.detection;
    if (detection === null) {
      this.feed(chunk); // counts the drop when no parser is left
      return;
    }
    let decision: DetectionDecision | null;
    try {
      decision = detection.offer(chunk);
    } catch (error) {
      this.reportError(error);
      decision = detection.fallback();
    }
    if (decision === null) return;
    this.settle(decision);
    this.feed(chunk);
  }

  /** Creates the parser for `decision` and replays what waited for it. */
  private settle(decision: DetectionDecision): void {
    const detection = this.detection;
    if (detection === null) return;
    this.detection = null;
    this.context.counters.detected(decision.protocol.name, decision.fallback);
    // The last protocol (raw) matches anything: taking it, by answer or by default, means nothing else did.
    const protocols = this.context.protocols;
    this.redetecting = protocols.length > 1 && decision.protocol === protocols[protocols.length - 1];
    this.start(decision.protocol);
    // feed() counts these as dropped if no parser could be created.
    for (const pending of detection.takePending()) this.feed(pending);
  }

  /**
   * A chunk of a fallback connection that starts a message of a real protocol (an agent started
   * mid-response sees the next request): the fallback's parser ends, that protocol's begins here.
   */
  private redetect(chunk: StreamChunk): void {
    const protocol = redetectProtocol(this.context.protocols, chunk);
    if (protocol === undefined) return;
    this.redetecting = false;
    const previous = this.parser;
    this.parser = null;
    try {
      previous?.close(chunk.timestampNs);
    } catch (error) {
      this.reportError(error);
    }
    this.context.counters.redetected(protocol.name);
    this.start(protocol);
  }

  private start(protocol: Protocol): void {
    this.protocol = protocol;
    try {
      this.parser = protocol.create(this.facts, this.context.sink);
    } catch (error) {
      this.fail(error, null);
    }
  }

  private feed(chunk: StreamChunk): void {
    const parser = this.parser;
    if (parser === null) {
      this.context.counters.drop('parser-error', chunk.bytes.length);
      return;
    }
    try {
      parser.push(chunk);
    } catch (error) {
      this.fail(error, chunk);
    }
  }

  /** A parser threw: count it, drop its chunk, and go on with the fallback protocol if it was not already in use. */
  private fail(error: unknown, chunk: StreamChunk | null): void {
    this.reportError(error);
    if (chunk !== null) {
      this.context.counters.drop('parser-error', chunk.bytes.length);
      // The next parser must know these bytes are missing.
      (chunk.direction === Direction.Egress ? this.egressGaps : this.ingressGaps).lose(chunk.bytes.length);
    }
    const protocols = this.context.protocols;
    const fallback = protocols[protocols.length - 1];
    this.parser = null;
    if (fallback === undefined || this.protocol === fallback) {
      this.failed = true;
      return;
    }
    this.start(fallback);
  }

  private reportError(error: unknown): void {
    const count = ++this.context.counters.parserErrors;
    // A buggy parser fails on every connection: warn on the 1st, 2nd, 4th, 8th… error only.
    if ((count & (count - 1)) !== 0) return;
    this.context.logger.warn('parser failed', {
      protocol: this.protocol?.name ?? 'detection',
      pid: this.pid,
      fd: this.fd,
      error: error instanceof Error ? error.message : String(error),
      errors: count,
    });
  }
}

/** Both socket identity and fd are needed to key a connection by its socket. */
export function isTracked(event: DataEvent): boolean {
  return event.sockId !== 0n && event.fd >= 0;
}

/**
 * A copy of the connection facts: the event itself holds a view into the
 * whole batch buffer, which must not live as long as the connection.
 */
function factsOf(event: DataEvent, identity: ContainerIdentity | undefined): ConnectionFacts {
  return {
    pid: event.pid,
    tid: event.tid,
    uid: event.uid,
    comm: event.comm,
    fd: event.fd,
    sockId: event.sockId,
    ipVersion: event.ipVersion,
    localAddress: event.localAddress,
    localPort: event.localPort,
    remoteAddress: event.remoteAddress,
    remotePort: event.remotePort,
    tlsLibrary: event.tlsLibrary,
    ...(identity?.containerId !== undefined && { containerId: identity.containerId }),
    ...(identity?.podUid !== undefined && { podUid: identity.podUid }),
  };
}
