/**
 * Live connection workers by key, without string keys:
 * - socket-tracked: pid → fd → worker (the worker holds the sockId to compare),
 * - without socket identity: pid → SSL pointer (or thread stand-in) → worker,
 * - and the sockId → workers index that close records are resolved through.
 */
import type { ConnectionWorker } from './connection-worker';

export class ConnectionTable {
  private readonly tracked = new Map<number, Map<number, ConnectionWorker>>();
  private readonly untracked = new Map<number, Map<bigint, ConnectionWorker>>();
  private readonly bySock = new Map<bigint, ConnectionWorker[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The tracked worker on (pid, fd), whatever its socket: the caller compares sockId. */
  getTracked(pid: number, fd: number): ConnectionWorker | undefined {
    return this.tracked.get(pid)?.get(fd);
  }

  getUntracked(pid: number, key: bigint): ConnectionWorker | undefined {
    return this.untracked.get(pid)?.get(key);
  }

  /** Workers on a socket (several when processes share it); undefined when none. */
  workersOfSocket(sockId: bigint): readonly ConnectionWorker[] | undefined {
    return this.bySock.get(sockId);
  }

  add(worker: ConnectionWorker): void {
    if (worker.tracked) {
      let byFd = this.tracked.get(worker.pid);
      if (byFd === undefined) this.tracked.set(worker.pid, (byFd = new Map<number, ConnectionWorker>()));
      byFd.set(worker.fd, worker);
      const onSock = this.bySock.get(worker.sockId);
      if (onSock === undefined) this.bySock.set(worker.sockId, [worker]);
      else onSock.push(worker);
    } else {
      let byKey = this.untracked.get(worker.pid);
      if (byKey === undefined) this.untracked.set(worker.pid, (byKey = new Map<bigint, ConnectionWorker>()));
      byKey.set(worker.untrackedKey, worker);
    }
    this.count++;
  }

  /** Removes `worker`; false when it was not in the table. */
  remove(worker: ConnectionWorker): boolean {
    if (worker.tracked) {
      const byFd = this.tracked.get(worker.pid);
      if (byFd?.get(worker.fd) !== worker) return false;
      byFd.delete(worker.fd);
      if (byFd.size === 0) this.tracked.delete(worker.pid);
      const onSock = this.bySock.get(worker.sockId);
      if (onSock !== undefined) {
        const at = onSock.indexOf(worker);
        if (at >= 0) onSock.splice(at, 1);
        if (onSock.length === 0) this.bySock.delete(worker.sockId);
      }
    } else {
      const byKey = this.untracked.get(worker.pid);
      if (byKey?.get(worker.untrackedKey) !== worker) return false;
      byKey.delete(worker.untrackedKey);
      if (byKey.size === 0) this.untracked.delete(worker.pid);
    }
    this.count--;
    return true;
  }

  /** Every live worker, as a snapshot safe to close while iterating. */
  all(): ConnectionWorker[] {
    const workers: ConnectionWorker[] = [];
    for (const byFd of this.tracked.values()) for (const worker of byFd.values()) workers.push(worker);
    for (const byKey of this.untracked.values()) for (const worker of byKey.values()) workers.push(worker);
    return workers;
  }
}
