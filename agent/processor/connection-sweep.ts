/**
 * The periodic check that ends connections whose close record never arrived (the kernel ring
 * was full, the agent was stopped, ...): without it their workers would live until shutdown.
 *
 * For each socket-tracked worker it asks /proc what the worker's (pid, fd) is now: the socket
 * inode seen at the first look is remembered, and a later look that finds the process or fd
 * gone, or another socket (or no socket) on the fd, marks the worker. A worker still marked at
 * the next sweep, with no data since, is closed: a close record that was merely late (the
 * reader behind the ring) has a whole sweep interval to arrive first. A worker of any kind with
 * no data for `maxIdleNs` is closed at once.
 */
import type { FdSocketReader } from '../capture/fd-socket';
import type { WorkerCloseReason } from './processor-stats';

export type SweepCloseReason = Extract<WorkerCloseReason, 'swept' | 'fd-reused' | 'max-idle'>;

/** What the sweep remembers of a worker; the worker carries it as fields (no side table to keep in step). */
export interface SweepState {
  /** Processor clock of the worker's last data event. */
  lastDataNs: bigint;
  /** Socket inode of (pid, fd) at the sweep's first look; 0 before it. */
  socketInode: number;
  /** When a sweep found its socket gone or replaced; 0n when not. */
  suspectSinceNs: bigint;
}

/** A connection worker as the sweep sees it. */
export interface SweptConnection extends SweepState {
  readonly pid: number;
  readonly fd: number;
  /** Keyed by its socket (else closed by the idle timeout, and only the idle maximum applies). */
  readonly tracked: boolean;
}

export class ConnectionSweep {
  constructor(
    /** Undefined when there is no live /proc to ask (a replay): only `maxIdleNs` applies. */
    private readonly readFdSocket: FdSocketReader | undefined,
    private readonly maxIdleNs: bigint,
  ) {}

  /** Why `worker` must close now, or null to keep it. Updates the worker's sweep state. */
  verdict(worker: SweptConnection, nowNs: bigint): SweepCloseReason | null {
    if (nowNs - worker.lastDataNs > this.maxIdleNs) return 'max-idle';
    if (!worker.tracked || this.readFdSocket === undefined) return null;
    const finding = this.look(worker, this.readFdSocket);
    if (finding === null) {
      worker.suspectSinceNs = 0n;
      return null;
    }
    // First finding, or data came since the last one: the close may still be on its way.
    if (worker.suspectSinceNs === 0n || worker.lastDataNs > worker.suspectSinceNs) {
      worker.suspectSinceNs = nowNs;
      return null;
    }
    return finding;
  }

  /** What /proc says about the worker's (pid, fd): null when it is still the same socket (or cannot tell). */
  private look(worker: SweptConnection, readFdSocket: FdSocketReader): 'swept' | 'fd-reused' | null {
    const now = readFdSocket(worker.pid, worker.fd);
    if (now === 'gone') return 'swept';
    if (now === 'not-socket') return 'fd-reused';
    if (now === 'unknown') return null;
    if (worker.socketInode === 0) {
      worker.socketInode = now;
      return null;
    }
    return worker.socketInode === now ? null : 'fd-reused';
  }
}
