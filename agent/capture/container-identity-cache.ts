/**
 * Container identity per pid, read from /proc/PID/cgroup once per pid and kept in a bounded
 * LRU: a connection's first record asks, later connections of the same process hit the cache.
 * Entries expire so that a reused pid is read again.
 */
import fs from 'node:fs';
import { identityFromProcCgroup, type ContainerIdentity } from './container-identity';

export interface ContainerIdentityCacheOptions {
  /** Pids remembered at most (least recently used go first). Default 4096. */
  readonly maxEntries?: number;
  /** How long an entry is trusted, in ms. Default 60 000. */
  readonly ttlMs?: number;
  /** For tests: the procfs root and the clock. */
  readonly procRoot?: string;
  readonly now?: () => number;
}

interface Entry {
  readonly identity: ContainerIdentity;
  readonly readAtMs: number;
}

const NONE: ContainerIdentity = {};

export class ContainerIdentityCache {
  private readonly entries = new Map<number, Entry>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly procRoot: string;
  private readonly now: () => number;
  /** /proc/PID/cgroup reads that failed (the process was gone): those records carry no identity. */
  readFailures = 0;
  reads = 0;

  constructor(options: ContainerIdentityCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 4096;
    this.ttlMs = options.ttlMs ?? 60_000;
    this.procRoot = options.procRoot ?? '/proc';
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  lookup(pid: number): ContainerIdentity {
    const now = this.now();
    const entry = this.entries.get(pid);
    if (entry !== undefined) {
      this.entries.delete(pid);
      if (now - entry.readAtMs < this.ttlMs) {
        this.entries.set(pid, entry);
        return entry.identity;
      }
    }
    const identity = this.read(pid);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(pid, { identity, readAtMs: now });
    return identity;
  }

  private read(pid: number): ContainerIdentity {
    this.reads++;
    try {
      return identityFromProcCgroup(fs.readFileSync(`${this.procRoot}/${pid}/cgroup`, 'latin1'));
    } catch {
      this.readFailures++;
      return NONE;
    }
  }
}
