/**
 * Workers ordered by last activity, oldest first: an intrusive doubly linked
 * list, so touching a worker on every event is O(1) and a sweep visits only
 * the workers that have expired.
 */
export interface IdleQueueEntry<T> {
  /** Processor clock (wall ns) of the last event. */
  lastActiveNs: bigint;
  idlePrev: T | null;
  idleNext: T | null;
  inIdleQueue: boolean;
}

export class IdleQueue<T extends IdleQueueEntry<T>> {
  private head: T | null = null;
  private tail: T | null = null;

  /** Marks `entry` active at `nowNs` and moves it to the young end. */
  touch(entry: T, nowNs: bigint): void {
    entry.lastActiveNs = nowNs;
    if (entry.inIdleQueue) {
      if (entry === this.tail) return;
      this.remove(entry);
    }
    entry.idlePrev = this.tail;
    entry.idleNext = null;
    if (this.tail === null) this.head = entry;
    else this.tail.idleNext = entry;
    this.tail = entry;
    entry.inIdleQueue = true;
  }

  /** Removes and returns the oldest entry if it was last active at or before `deadlineNs`. */
  popExpired(deadlineNs: bigint): T | null {
    const entry = this.head;
    if (entry === null || entry.lastActiveNs > deadlineNs) return null;
    this.remove(entry);
    return entry;
  }

  remove(entry: T): void {
    if (!entry.inIdleQueue) return;
    if (entry.idlePrev === null) this.head = entry.idleNext;
    else entry.idlePrev.idleNext = entry.idleNext;
    if (entry.idleNext === null) this.tail = entry.idlePrev;
    else entry.idleNext.idlePrev = entry.idlePrev;
    entry.idlePrev = null;
    entry.idleNext = null;
    entry.inIdleQueue = false;
  }
}
