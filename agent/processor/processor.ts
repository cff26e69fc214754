/**
 * The dispatcher: routes captured events to
 * one worker per connection, runs the two worker lifecycles from a single
 * sweep timer, closes connections whose close record was lost from a second,
 * slower one (the connection sweep), and counts everything it receives, drops and closes.
 *
 * Synchronous by design: the capture source hands over a batch, the processor
 * runs it to completion, records leave through the sink before handleBatch returns.
 */
import {
  CloseReason,
  type CapturedEvent,
  type CloseEvent,
  type DataEvent,
  type SourceEvent,
} from '../capture/captured-event';
import type { SourceRecord } from '../exchange/output-record';
import { ConnectionSweep } from './connection-sweep';
import { ConnectionTable } from './connection-table';
import { ConnectionWorker, isTracked } from './connection-worker';
import { IdleQueue } from './idle-queue';
import { resolveProcessorOptions, type ProcessorOptions, type ResolvedProcessorOptions } from './processor-options';
import { ProcessorCounters, type ProcessorStats, type WorkerCloseReason } from './processor-stats';
import { dbQueryRecord, isBlankLine, shellCommandRecord } from './source-records';
import type { Protocol } from '../protocols/protocol';
import type { WorkerContext } from './worker-context';

export class Processor {
  private readonly options: ResolvedProcessorOptions;
  private readonly counters = new ProcessorCounters();
  private readonly context: WorkerContext;
  private readonly table = new ConnectionTable();
  /** Workers by last activity (or last idle call), oldest first: the sweep pops only expired ones. */
  private readonly idleQueue = new IdleQueue<ConnectionWorker>();
  private readonly connectionSweep: ConnectionSweep;
  private timer: NodeJS.Timeout | null = null;
  private connectionSweepTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(options: ProcessorOptions) {
    this.options = resolveProcessorOptions(options);
    this.context = {
      protocols: this.options.protocols,
      sink: this.options.sink,
      detectionLimitBytes: this.options.detectionLimitBytes,
      counters: this.counters,
      logger: this.options.logger,
      identify: this.options.identify,
    };
    this.connectionSweep = new ConnectionSweep(this.options.readFdSocket, this.options.maxIdleNs);
  }

  /** Starts the sweep timers (unref'd: they never keep the process alive). Idempotent. */
  start(): void {
    if (this.timer !== null || this.stopped) return;
    this.timer = setInterval(() => this.sweep(this.options.clock()), this.options.sweepIntervalMs);
    this.timer.unref();
    this.connectionSweepTimer = setInterval(
      () => this.sweepConnections(this.options.clock()),
      this.options.connectionSweepIntervalMs,
    );
    this.connectionSweepTimer.unref();
  }

  handle(event: CapturedEvent): void {
    this.dispatch(event, this.options.clock());
  }

  handleBatch(events: Iterable<CapturedEvent>): void {
    // One clock read per batch: the events of a batch arrived together.
    const nowNs = this.options.clock();
    for (const event of events) this.dispatch(event, nowNs);
  }

  /**
   * Applies both lifecycles as of `nowNs`: a worker without socket identity
   * silent for the idle timeout closes; a tracked one gets `idle()` once per
   * idle period while silent and stays until its socket closes. The timer calls this; tests call it directly.
   */
  sweep(nowNs: bigint): void {
    const deadlineNs = nowNs - this.options.idleTimeoutNs;
    let worker: ConnectionWorker | null;
    while ((worker = this.idleQueue.popExpired(deadlineNs)) !== null) {
      if (worker.tracked) {
        this.counters.idleFlushes++;
        worker.idle(nowNs);
        // Idle again after another period: protocol timeouts (an unanswered request) fire on quiet connections.
        this.idleQueue.touch(worker, nowNs);
      } else {
        this.closeWorker(worker, 'idle', nowNs);
      }
    }
  }

  /**
   * Closes the workers whose close record was lost (their socket is gone from the process, or
   * another one is on their fd) and those without data for the idle maximum; see ConnectionSweep.
   * The connection sweep timer calls this; tests call it directly.
   */
  sweepConnections(nowNs: bigint): void {
    this.counters.connectionSweeps++;
    for (const worker of this.table.all()) {
      const reason = this.connectionSweep.verdict(worker, nowNs);
      if (reason !== null) this.closeWorker(worker, reason, nowNs);
    }
  }

  /** Closes every worker (reason 'shutdown') and stops the timers; later events are dropped, counted. */
  shutdown(): void {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
    if (this.connectionSweepTimer !== null) {
      clearInterval(this.connectionSweepTimer);
      this.connectionSweepTimer = null;
    }
    this.stopped = true;
    const nowNs = this.options.clock();
    for (const worker of this.table.all()) this.closeWorker(worker, 'shutdown', nowNs);
  }

  stats(): ProcessorStats {
    return this.counters.snapshot(this.table.size);
  }

  /** The protocols in priority order (the metrics read their parser counters). */
  get protocols(): readonly Protocol[] {
    return this.options.protocols;
  }

  private dispatch(event: CapturedEvent, nowNs: bigint): void {
    if (event.kind === 'data') this.onData(event, nowNs);
    else if (event.kind === 'close') this.onClose(event);
    // exec records are the target watcher's (capture side); a replayed one has nothing to do here.
    // Secrets and packets are not byte streams: the agent routes them to their own outputs.
    else if (event.kind === 'shell-command' || event.kind === 'db-query') this.onSourceEvent(event);
  }

  /** A shell command or a query is complete as the kernel reports it: straight to the sink. */
  private onSourceEvent(event: SourceEvent): void {
    const counters = this.counters;
    let record: SourceRecord;
    if (event.kind === 'shell-command') {
      counters.shellCommandEvents++;
      if (isBlankLine(event)) return;
      record = shellCommandRecord(event);
    } else {
      counters.dbQueryEvents++;
      record = dbQueryRecord(event);
    }
    if (this.stopped) {
      counters.drop('after-shutdown', 0);
      return;
    }
    try {
      this.options.sink.emit(record);
    } catch (error) {
      counters.drop('output-error', 0);
      this.options.logger.warn('an output failed on a record', { kind: record.kind, error: (error as Error).message });
    }
  }

  private onData(event: DataEvent, nowNs: bigint): void {
    const counters = this.counters;
    counters.dataEvents++;
    counters.bytesReceived += event.payload.length;
    if (this.stopped) {
      counters.drop('after-shutdown', event.payload.length);
      return;
    }
    let worker: ConnectionWorker | undefined;
    let untrackedKey = 0n;
    if (isTracked(event)) {
      worker = this.table.getTracked(event.pid, event.fd);
      if (worker !== undefined && worker.sockId !== event.sockId) {
        // The fd now names another socket, so the old one was closed and its close record lost.
        this.closeWorker(worker, 'fd-reused', event.timestampNs);
        worker = undefined;
      }
    } else {
      // Without an SSL pointer the thread is the best stand-in for the connection;
      // negative so it cannot collide with a pointer.
      untrackedKey = event.sslPtr !== 0n ? event.sslPtr : -BigInt(event.tid) - 1n;
      worker = this.table.getUntracked(event.pid, untrackedKey);
    }
    if (worker === undefined) {
      if (this.table.size >= this.options.maxConnections) {
        counters.drop('connection-limit', event.payload.length);
        return;
      }
      worker = this.openWorker(event, untrackedKey);
    }
    this.idleQueue.touch(worker, nowNs);
    worker.lastDataNs = nowNs;
    worker.push(event);
  }

  private onClose(event: CloseEvent): void {
    this.counters.closeEvents++;
    const workers = this.table.workersOfSocket(event.sockId);
    let closed = 0;
    if (workers !== undefined) {
      const destroyed = event.reason === CloseReason.SockDestroyed;
      // A destroyed socket ends every worker on it; a closed fd only the closing process's
      // (a forked child closing its copy leaves the parent's connection alive).
      // Reason None gets the narrower fd-closed treatment.
      const reason: WorkerCloseReason = destroyed ? 'socket-destroyed' : 'fd-closed';
      // Backwards: closing removes the worker from this very array.
      for (let i = workers.length - 1; i >= 0; i--) {
        const worker = workers[i];
        if (worker === undefined) continue;
        if (destroyed || (worker.pid === event.pid && (event.fd < 0 || worker.fd === event.fd))) {
          this.closeWorker(worker, reason, event.timestampNs);
          closed++;
        }
      }
    }
    if (closed === 0) this.counters.closesUnmatched++;
  }

  private openWorker(event: DataEvent, untrackedKey: bigint): ConnectionWorker {
    const worker = new ConnectionWorker(event, untrackedKey, this.context);
    this.table.add(worker);
    this.counters.workersOpened++;
    const logger = this.options.logger;
    if (logger.enabled('debug')) {
      logger.debug('worker opened', {
        pid: worker.pid,
        fd: worker.fd,
        sock: worker.tracked ? `0x${worker.sockId.toString(16)}` : undefined,
        comm: worker.facts.comm,
        tid: event.tid,
      });
    }
    return worker;
  }

  private closeWorker(worker: ConnectionWorker, reason: WorkerCloseReason, nowNs: bigint): void {
    if (!this.table.remove(worker)) return;
    this.idleQueue.remove(worker);
    this.counters.workersClosed[reason]++;
    worker.close(nowNs);
    const logger = this.options.logger;
    if (logger.enabled('debug')) {
      logger.debug('worker closed', {
        pid: worker.pid,
        fd: worker.fd,
        reason,
        sock: worker.tracked ? `0x${worker.sockId.toString(16)}` : undefined,
        protocol: worker.protocolName,
      });
    }
  }
}
