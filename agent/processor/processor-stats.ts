/** What the processor counts, and the plain snapshot `Processor.stats()` returns. */

/** Why a connection worker ended. */
export type WorkerCloseReason =
  /** A worker without socket identity was silent for the idle timeout. */
  | 'idle'
  /** The kernel reported close(2) of the socket's fd in the worker's process. */
  | 'fd-closed'
  /** The kernel reported the socket itself destroyed. */
  | 'socket-destroyed'
  /** Data arrived for the same (pid, fd) with another socket: the close record was lost. */
  | 'fd-reused'
  /** The connection sweep found the process or its fd gone: the close record was lost. */
  | 'swept'
  /** No data for `maxIdleMs` (the connection sweep). */
  | 'max-idle'
  /** `Processor.shutdown()`. */
  | 'shutdown';

export const WORKER_CLOSE_REASONS: readonly WorkerCloseReason[] = [
  'idle',
  'fd-closed',
  'socket-destroyed',
  'fd-reused',
  'swept',
  'max-idle',
  'shutdown',
];

/** Why a data event was not delivered to a parser. */
export type DropReason =
  /** A new connection arrived while `maxConnections` workers were live. */
  | 'connection-limit'
  /** The event arrived after `shutdown()`. */
  | 'after-shutdown'
  /** The connection's parser (and its fallback) threw on these bytes. */
  | 'parser-error'
  /** A shell command or query record an output threw on. */
  | 'output-error';

export const DROP_REASONS: readonly DropReason[] = [
  'connection-limit',
  'after-shutdown',
  'parser-error',
  'output-error',
];

export interface ProcessorStats {
  readonly liveWorkers: number;
  readonly workersOpened: number;
  readonly workersClosed: Readonly<Record<WorkerCloseReason, number>>;
  readonly eventsReceived: {
    readonly data: number;
    readonly close: number;
    readonly shellCommand: number;
    readonly dbQuery: number;
  };
  /** Captured payload bytes of all data events received. */
  readonly bytesReceived: number;
  /** Bytes the TLS calls carried that were not captured (gaps and cut tails). */
  readonly bytesMissed: number;
  /** Data events not delivered, by reason. */
  readonly eventsDropped: Readonly<Record<DropReason, number>>;
  /** Captured payload bytes of the dropped events. */
  readonly bytesDropped: number;
  /** Close events that matched no live worker (a socket never seen with data). Not a drop. */
  readonly closesUnmatched: number;
  /** Connections by the protocol that parses them (fallbacks included). */
  readonly protocolsDetected: Readonly<Record<string, number>>;
  /** Connections handed to the last protocol because no earlier one decided in time. */
  readonly detectionFallbacks: number;
  /** Such connections given to a protocol later, at a message start, by that protocol. */
  readonly redetections: Readonly<Record<string, number>>;
  /** `ProtocolParser.idle()` calls made on socket-tracked workers. */
  readonly idleFlushes: number;
  /** Connection sweeps run (each checks every live worker against /proc and the idle maximum). */
  readonly connectionSweeps: number;
  /** Exceptions thrown by protocol code (detect, push, idle, close). */
  readonly parserErrors: number;
}

/** The processor's mutable counters; plain fields so the hot path only increments. */
export class ProcessorCounters {
  workersOpened = 0;
  readonly workersClosed: Record<WorkerCloseReason, number> = {
    idle: 0,
    'fd-closed': 0,
    'socket-destroyed': 0,
    'fd-reused': 0,
    swept: 0,
    'max-idle': 0,
    shutdown: 0,
  };
  dataEvents = 0;
  closeEvents = 0;
  shellCommandEvents = 0;
  dbQueryEvents = 0;
  bytesReceived = 0;
  bytesMissed = 0;
  readonly eventsDropped: Record<DropReason, number> = {
    'connection-limit': 0,
    'after-shutdown': 0,
    'parser-error': 0,
    'output-error': 0,
  };
  bytesDropped = 0;
  closesUnmatched = 0;
  // A Map, not an object: protocol names are data, not code.
  readonly protocolsDetected = new Map<string, number>();
  detectionFallbacks = 0;
  readonly redetections = new Map<string, number>();
  idleFlushes = 0;
  connectionSweeps = 0;
  parserErrors = 0;

  drop(reason: DropReason, bytes: number): void {
    this.eventsDropped[reason]++;
    this.bytesDropped += bytes;
  }

  detected(protocolName: string, fallback: boolean): void {
    this.protocolsDetected.set(protocolName, (this.protocolsDetected.get(protocolName) ?? 0) + 1);
    if (fallback) this.detectionFallbacks++;
  }

  redetected(protocolName: string): void {
    this.redetections.set(protocolName, (this.redetections.get(protocolName) ?? 0) + 1);
  }

  snapshot(liveWorkers: number): ProcessorStats {
    return {
      liveWorkers,
      workersOpened: this.workersOpened,
      workersClosed: { ...this.workersClosed },
      eventsReceived: {
        data: this.dataEvents,
        close: this.closeEvents,
        shellCommand: this.shellCommandEvents,
        dbQuery: this.dbQueryEvents,
      },
      bytesReceived: this.bytesReceived,
      bytesMissed: this.bytesMissed,
      eventsDropped: { ...this.eventsDropped },
      bytesDropped: this.bytesDropped,
      closesUnmatched: this.closesUnmatched,
      // fromEntries defines own properties: a name like '__proto__' stays a plain key.
      protocolsDetected: Object.fromEntries(this.protocolsDetected),
      detectionFallbacks: this.detectionFallbacks,
      redetections: Object.fromEntries(this.redetections),
      idleFlushes: this.idleFlushes,
      connectionSweeps: this.connectionSweeps,
      parserErrors: this.parserErrors,
    };
  }
}
