/**
 * The OTLP exporter's books, wherever its SDK side runs: records received, accepted into the
 * queue and refused (by reason), and the SDK side's progress (handed to the exporter, answered),
 * which gives the queue's depth, in records and in encoded bytes. A record is refused, counted,
 * before the SDK's own queue would drop it silently, or when its bytes would take the queue past
 * its byte budget; at shutdown whatever is still unanswered is counted as dropped and the books
 * are frozen.
 */
import type { LogRecordEncoder } from './log-record-encoder';
import type { MappableRecord, MappedLogRecordHead } from './log-record-mapping';
import type { OtlpExporterStats } from './otlp-log-exporter';
import type { ProtobufWriter } from './protobuf-writer';

/** What the SDK side reports: monotonic counters. */
export interface ExportProgress {
  /** Records the batch processor took off its queue and handed to the exporter. */
  readonly handed: number;
  /** Their encoded bytes. */
  readonly handedBytes: number;
  /** Records in exports that succeeded / failed after retries. */
  readonly exported: number;
  readonly failed: number;
  /** Export calls, and those that failed. */
  readonly calls: number;
  readonly failedCalls: number;
  /** Failed attempts that were retried. */
  readonly retries: number;
}

export const NO_PROGRESS: ExportProgress = {
  handed: 0,
  handedBytes: 0,
  exported: 0,
  failed: 0,
  calls: 0,
  failedCalls: 0,
  retries: 0,
};

export class ExportBooks {
  received = 0;
  accepted = 0;
  /** Encoded bytes of the accepted records. */
  acceptedBytes = 0;
  droppedQueueFull = 0;
  droppedShutdown = 0;
  droppedMapping = 0;
  /** Set when shutdown begins: records are refused from then on. */
  shuttingDown = false;
  private final: ExportProgress | undefined;
  private roomWaiters: Array<() => void> = [];

  constructor(
    readonly maxQueueSize: number,
    /** The SDK side's latest counters (possibly behind the truth, never ahead of it). */
    private readonly progress: () => ExportProgress,
    readonly maxQueueBytes = Number.POSITIVE_INFINITY,
  ) {}

  /** Accepted and not yet handed to the exporter (a batch being prepared included). */
  queueDepth(): number {
    return this.final ? 0 : Math.max(0, this.accepted - this.progress().handed);
  }

  /** Encoded bytes accepted and not yet handed to the exporter. */
  queueBytes(): number {
    return this.final ? 0 : Math.max(0, this.acceptedBytes - this.progress().handedBytes);
  }

  /** Handed to the exporter and not answered yet. */
  inFlight(): number {
    if (this.final) return 0;
    const p = this.progress();
    return Math.max(0, p.handed - p.exported - p.failed);
  }

  /** Counts the record and says whether it may be queued (else it was counted as dropped). */
  admit(): boolean {
    this.received += 1;
    if (this.shuttingDown) {
      this.droppedShutdown += 1;
      return false;
    }
    if (this.queueDepth() >= this.maxQueueSize) {
      this.droppedQueueFull += 1;
      return false;
    }
    return true;
  }

  /**
   * An admitted record, once encoded: accepted when its bytes fit the byte budget, else counted
   * as dropped (queue full) and the caller forgets it.
   */
  accept(bytes: number): boolean {
    if (this.queueBytes() + bytes > this.maxQueueBytes) {
      this.droppedQueueFull += 1;
      return false;
    }
    this.accepted += 1;
    this.acceptedBytes += bytes;
    return true;
  }

  /** Undefined while at least half the queue is free, else a promise resolved once it is. */
  waitForRoom(): Promise<void> | undefined {
    if (this.hasRoom()) return undefined;
    return new Promise<void>((resolve) => this.roomWaiters.push(resolve));
  }

  /** The SDK side moved: wake the sources waiting for room. */
  progressed(): void {
    if (this.roomWaiters.length === 0 || !this.hasRoom()) return;
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }

  beginShutdown(): void {
    this.shuttingDown = true;
    this.progressed();
  }

  /** Counts everything still queued or unanswered as dropped (shutdown), freezes the books, returns that count. */
  close(): number {
    if (this.final) return 0;
    const left = this.queueDepth() + this.inFlight();
    this.final = this.progress();
    this.droppedShutdown += left;
    return left;
  }

  stats(): OtlpExporterStats {
    const p = this.final ?? this.progress();
    return {
      received: this.received,
      accepted: this.accepted,
      dropped: { queueFull: this.droppedQueueFull, shutdown: this.droppedShutdown, mappingError: this.droppedMapping },
      exported: p.exported,
      failed: p.failed,
      exportCalls: p.calls,
      exportFailures: p.failedCalls,
      exportRetries: p.retries,
      queueDepth: this.queueDepth(),
      inFlight: this.inFlight(),
      maxQueueSize: this.maxQueueSize,
      queueBytes: this.queueBytes(),
      maxQueueBytes: this.maxQueueBytes,
    };
  }

  private hasRoom(): boolean {
    return (
      this.shuttingDown || (this.queueDepth() <= this.maxQueueSize / 2 && this.queueBytes() <= this.maxQueueBytes / 2)
    );
  }
}

/**
 * One record into an exporter's queue, the same steps in both exporters: admitted by the books,
 * encoded at the end of `out`, accepted by the byte budget. Returns its mapped fields, or
 * undefined when it was refused (queue full), could not be mapped (`mappingFailed` told) or did
 * not fit the byte budget (`out` rewound); each of those is counted in the books.
 */
export function encodeIntoQueue(
  books: ExportBooks,
  encoder: LogRecordEncoder,
  record: MappableRecord,
  observedMillis: number,
  out: ProtobufWriter,
  mappingFailed: (record: MappableRecord, error: unknown) => void,
): MappedLogRecordHead | undefined {
  if (!books.admit()) return undefined;
  const start = out.pos;
  let head: MappedLogRecordHead;
  try {
    head = encoder.encode(record, observedMillis, out);
  } catch (error) {
    books.droppedMapping += 1;
    mappingFailed(record, error);
    return undefined;
  }
  if (!books.accept(out.pos - start)) {
    out.pos = start;
    return undefined;
  }
  return head;
}
