/**
 * The one mechanism that finds what to probe, for every capture source:
 * on start the sources' own files and every running process's mapped files;
 * on each `sched_process_exec` record the new program's files (now, and again
 * while its loader maps its libraries); and a periodic rescan of processes
 * not seen yet as the safety net (an exec record lost in a full ring, a
 * library loaded later with dlopen). Files are reached through
 * /proc/PID/root, so a container's libraries are found too, and each file
 * (device + inode) is examined once: a uprobe on a file covers every process
 * that maps it, on the host and in containers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ElfFile } from './elf-file';
import { livePids, mappedFiles } from './process-maps';
import type { CandidateFile, TargetDecision, TargetFinder } from './target-finder';

export interface TargetPlan {
  /** The canonical path of the file (as this process sees it). */
  readonly path: string;
  readonly foundIn: string;
  readonly finder: string;
  readonly decision: TargetDecision;
  /** When an exec made the watcher look (wall clock, ns since the epoch). */
  readonly execTimeNs?: bigint;
}

export interface TargetWatcherOptions {
  readonly finders: readonly TargetFinder[];
  readonly procRoot?: string;
  /**
   * After an exec, the process's maps are read again after these delays (ms): the dynamic
   * loader maps the libraries after the kernel's exec, while the process already runs.
   */
  readonly execFollowUpsMs?: readonly number[];
}

const DEFAULT_EXEC_FOLLOW_UPS_MS = [0, 20, 100, 500];

export class TargetWatcher {
  private readonly examined = new Set<string>();
  private readonly scannedPids = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly procRoot: string;
  private stopped = false;
  /** Statistics for logs and tests. */
  readonly stats = { execs: 0, filesExamined: 0 };

  constructor(
    private readonly options: TargetWatcherOptions,
    /** Receives the plans of files not examined before (possibly later, from a timer). */
    private readonly apply: (plans: TargetPlan[]) => void,
  ) {
    this.procRoot = options.procRoot ?? '/proc';
  }

  /** Start: every source's own files, then every running process. Returns the plans (also not applied). */
  initialScan(): TargetPlan[] {
    const plans: TargetPlan[] = [];
    for (const finder of this.options.finders) {
      for (const file of finder.startupFiles()) this.examine(file, plans, finder);
    }
    plans.push(...this.scanNewProcesses());
    return plans;
  }

  /** The safety net: processes not scanned yet. */
  rescan(): void {
    if (this.stopped) return;
    const plans = this.scanNewProcesses();
    if (plans.length > 0) this.apply(plans);
  }

  /** A `sched_process_exec` record: the program of `pid` changed; look at its files now and as it loads. */
  processExec(pid: number, execTimeNs?: bigint): void {
    if (this.stopped) return;
    this.stats.execs++;
    const key = String(pid);
    this.scannedPids.add(key);
    for (const delay of this.options.execFollowUpsMs ?? DEFAULT_EXEC_FOLLOW_UPS_MS) {
      if (delay === 0) {
        this.applyNonEmpty(this.scanProcess(key, execTimeNs));
        continue;
      }
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (!this.stopped) this.applyNonEmpty(this.scanProcess(key, execTimeNs));
      }, delay);
      timer.unref();
      this.timers.add(timer);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private applyNonEmpty(plans: TargetPlan[]): void {
    if (plans.length > 0) this.apply(plans);
  }

  private scanNewProcesses(): TargetPlan[] {
    const plans: TargetPlan[] = [];
    const live = new Set(livePids(this.procRoot));
    for (const pid of this.scannedPids) if (!live.has(pid)) this.scannedPids.delete(pid);
    for (const pid of live) {
      if (this.scannedPids.has(pid)) continue;
      this.scannedPids.add(pid);
      plans.push(...this.scanProcess(pid));
    }
    return plans;
  }

  private scanProcess(pid: string, execTimeNs?: bigint): TargetPlan[] {
    const plans: TargetPlan[] = [];
    const root = path.join(this.procRoot, pid, 'root');
    for (const mapped of mappedFiles(path.join(this.procRoot, pid, 'maps'))) {
      this.examine({ path: path.join(root, mapped), mappedPath: mapped, foundIn: `pid:${pid}` }, plans);
    }
    return execTimeNs === undefined ? plans : plans.map((plan) => ({ ...plan, execTimeNs }));
  }

  /** Every finder (or only `only`) looks at the file, once per device + inode and finder. */
  private examine(file: CandidateFile, into: TargetPlan[], only?: TargetFinder): void {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file.path);
    } catch {
      return;
    }
    if (!stat.isFile()) return;
    const identity = `${stat.dev}:${stat.ino}`;
    const finders = (only ? [only] : this.options.finders).filter((f) => !this.examined.has(`${f.name}@${identity}`));
    if (finders.length === 0) return;
    for (const finder of finders) this.examined.add(`${finder.name}@${identity}`);
    const elf = ElfFile.open(file.path);
    if (!elf) return;
    this.stats.filesExamined++;
    try {
      const canonical = sameFile(realPath(file.path), stat) ? realPath(file.path) : file.path;
      for (const finder of finders) {
        let decision: TargetDecision | undefined;
        try {
          decision = finder.examine(file, elf);
        } catch {
          decision = undefined; // an odd file is not a target, and must not stop the other finders
        }
        if (decision) into.push({ path: canonical, foundIn: file.foundIn, finder: finder.name, decision });
      }
    } finally {
      elf.close();
    }
  }
}

/**
 * Is `candidate` the file `stat` describes? realpath of /proc/PID/root/… resolves that link to
 * *our* root: the same file on the host, but in a container another file (the image's own libssl)
 * or none, and then the target must stay at its /proc/PID/root path.
 */
function sameFile(candidate: string, stat: fs.Stats): boolean {
  try {
    const other = fs.statSync(candidate);
    return other.dev === stat.dev && other.ino === stat.ino;
  } catch {
    return false;
  }
}

/** The canonical name (libssl.so → libssl.so.3) reads better in reports; the inode is the same. */
function realPath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}
