/**
 * The kernel side as one object: preflight, tracefs, load, attach, then
 * batches decoded into events. Everything it attached or failed to attach is
 * reported, never hidden.
 */
import type { Logger } from '../log';
import { BatchDecoder } from './batch-decoder';
import { resolveCgroup } from './cgroup-path';
import type { CapturedEvent } from './captured-event';
import type { AttachResult, NativeAddon, NativeCaptureSession, NativeCounters, TracefsStatus } from './native-addon';
import { loadNativeAddon } from './native-addon';
import { checkPreflight } from './preflight';
import type { RecordFileWriter } from './record-file';
import { TlsLibraryByName } from './events-abi.generated';
import { GnuTlsTargetFinder } from './targets/gnutls';
import { OpenSslTargetFinder } from './targets/openssl';
import type { TargetFinder } from './targets/target-finder';
import { TargetWatcher, type TargetPlan } from './targets/target-watcher';
import type { WallClock } from './wall-clock';

export interface CaptureSourceOptions {
  readonly pids: readonly number[];
  readonly comms: readonly string[];
  /** --cgroup: cgroup v2 directories or cgroup paths. */
  readonly cgroups: readonly string[];
  readonly opensslPaths: readonly string[];
  readonly ringBufferBytes: number;
  readonly maxPendingBatches: number;
  /** How often to look for TLS files of processes not seen yet (the exec watch's safety net); 0 = never. */
  readonly rescanIntervalMs: number;
  readonly logger: Logger;
  readonly clock: WallClock;
  /** For tests: another addon build. */
  readonly addon?: NativeAddon;
}

export interface AttachReport {
  readonly tracefs: TracefsStatus;
  /** Grows when an exec or a rescan finds new files (attached, skipped or failed). */
  readonly results: AttachResult[];
}

export class CaptureError extends Error {
  override readonly name = 'CaptureError';
}

export class CaptureSource {
  readonly decoder: BatchDecoder;
  private stopped = false;
  private rescanTimer: NodeJS.Timeout | undefined;
  private watcher!: TargetWatcher;
  private finders: readonly TargetFinder[] = [];

  private constructor(
    private readonly session: NativeCaptureSession,
    readonly report: AttachReport,
    private readonly options: CaptureSourceOptions,
  ) {
    this.decoder = new BatchDecoder(options.clock);
  }

  /** Loads and attaches everything; throws PreflightError / CaptureError with a clear message. */
  static open(options: CaptureSourceOptions): CaptureSource {
    checkPreflight();
    const { logger } = options;
    const addon = options.addon ?? loadAddonOrExplain();
    const tracefs = addon.ensureTracefs();
    if (tracefs.mountedNow) logger.info('tracefs was not mounted: mounted it', { path: tracefs.path });

    const session = new addon.CaptureSession({
      selfPid: process.pid,
      ringBufferBytes: options.ringBufferBytes,
      pids: options.pids,
      comms: options.comms,
      cgroupIds: cgroupIds(options.cgroups),
    });
    const results: AttachResult[] = [];
    const source = new CaptureSource(session, { tracefs, results }, options);
    const finders: TargetFinder[] = [
      new OpenSslTargetFinder({ extraPaths: options.opensslPaths }),
      new GnuTlsTargetFinder(),
    ];
    source.finders = finders;
    source.watcher = new TargetWatcher({ finders }, (plans) => source.applyPlans(plans, 'info'));
    try {
      const tracepoints = session.attachTracepoints();
      results.push(...tracepoints);
      if (!tracepoints.some((r) => r.ok)) {
        throw new CaptureError(`no tracepoint could be attached: ${describeFailures(tracepoints)}`);
      }
      const plans = source.watcher.initialScan();
      source.applyPlans(plans, 'debug');
      const uprobes = results.filter((r) => r.target !== 'kernel' && r.skipped === undefined);
      if (!uprobes.some((r) => r.ok)) {
        throw new CaptureError(
          uprobes.length === 0
            ? 'no TLS library (libssl.so* or a file defining SSL_read/SSL_write) found in the system library directories or in any running process; give one with --openssl-path'
            : `no TLS probe could be attached: ${describeFailures(uprobes)}`,
        );
      }
    } catch (error) {
      source.watcher.stop();
      session.stop();
      throw error;
    }
    return source;
  }

  /** The safety net: files of processes not seen yet (an exec record lost, a library loaded later). */
  rescan(): void {
    this.watcher.rescan();
  }

  /**
   * Starts delivering decoded events; `onEvents` runs on the JS thread once per kernel drain.
   * Exec records go to the target watcher, before the batch's data is processed.
   * With a recorder, every raw batch is written to the record file first.
   */
  start(onEvents: (events: CapturedEvent[]) => void, recorder?: RecordFileWriter): void {
    const deliver = (batch: Buffer): void => {
      const events = this.decoder.decode(batch);
      for (const event of events) if (event.kind === 'exec') this.watcher.processExec(event.pid, event.timestampNs);
      onEvents(events);
    };
    const onBatch = recorder
      ? (batch: Buffer): void => {
          recorder.write(batch);
          deliver(batch);
        }
      : deliver;
    this.session.start(onBatch, {
      maxPendingBatches: this.options.maxPendingBatches,
    });
    if (this.options.rescanIntervalMs > 0) {
      this.rescanTimer = setInterval(() => this.rescan(), this.options.rescanIntervalMs).unref();
    }
  }

  counters(): NativeCounters {
    return this.session.counters();
  }

  /** Every library label the target finders can report (for metrics that show zeros too). */
  get libraries(): readonly string[] {
    return this.finders.flatMap((f) => f.libraries);
  }

  /** Exec records seen and files examined by the target watcher. */
  watcherStats(): { readonly execs: number; readonly filesExamined: number } {
    return this.watcher.stats;
  }

  /** Detaches every probe; records already in the ring are still delivered. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.rescanTimer);
    this.watcher.stop();
    this.session.stop();
  }

  /** Attaches what the finders chose, records skips; every outcome goes to the report. */
  private applyPlans(plans: readonly TargetPlan[], level: 'debug' | 'info'): void {
    if (this.stopped) return;
    const { logger } = this.options;
    for (const plan of plans) {
      const { decision } = plan;
      if (decision.action === 'skip') {
        this.report.results.push({
          target: plan.path,
          point: 'skipped',
          ok: false,
          library: decision.library,
          skipped: decision.reason,
        });
        logger.info('tls target skipped', { path: plan.path, library: decision.library, reason: decision.reason });
        continue;
      }
      const probes = decision.probes.map((p) => ({
        program: p.program,
        offset: p.offset,
        retprobe: p.retprobe,
        point: `${p.retprobe ? 'uretprobe' : 'uprobe'}:${p.symbol}`,
        cookie: TlsLibraryByName[decision.library],
      }));
      const pids = perProcessPids(this.options);
      const attached = (
        pids.length === 0
          ? this.session.attachUprobes(plan.path, probes)
          : pids.flatMap((pid) => this.session.attachUprobes(plan.path, probes, pid))
      ).map((r) => ({ ...r, library: decision.library }));
      this.report.results.push(...attached);
      logger[level]('tls target attached', {
        path: plan.path,
        library: decision.library,
        found_in: plan.foundIn,
        probes: attached.filter((r) => r.ok).length,
        failed: attached.filter((r) => !r.ok).length,
        ...(plan.execTimeNs === undefined
          ? {}
          : { after_exec_ms: (Number(this.options.clock.nowNs() - plan.execTimeNs) / 1e6).toFixed(1) }),
      });
    }
  }
}

/** The pids to attach per process: only when --pid is the sole filter. */
function perProcessPids(options: CaptureSourceOptions): readonly number[] {
  return options.comms.length === 0 && options.cgroups.length === 0 ? options.pids : [];
}

/** The ids the kernel compares with the current task's cgroup and its ancestors. */
function cgroupIds(cgroups: readonly string[]): bigint[] {
  return cgroups.map((cgroup) => {
    const resolved = resolveCgroup(cgroup);
    if ('problem' in resolved) throw new CaptureError(`--cgroup: ${resolved.problem}`);
    return resolved.id;
  });
}

function loadAddonOrExplain(): NativeAddon {
  try {
    return loadNativeAddon();
  } catch (error) {
    throw new CaptureError(`cannot load the native addon (${(error as Error).message}); build it with: npm run build`);
  }
}

function describeFailures(results: readonly AttachResult[]): string {
  return results
    .filter((r) => !r.ok)
    .map((r) => `${r.target} ${r.point}: ${r.error ?? 'failed'}`)
    .join('; ');
}

/** The one-line summary of what was attached, skipped and failed, for the `ready` line. */
export function summarizeAttach(report: AttachReport): string {
  const byTarget = new Map<string, { ok: number; failed: string[] }>();
  const skipped: string[] = [];
  for (const result of report.results) {
    if (result.skipped !== undefined) {
      skipped.push(`${result.target} (${result.library ?? 'tls'}: ${result.skipped})`);
      continue;
    }
    const entry = byTarget.get(result.target) ?? { ok: 0, failed: [] };
    if (result.ok) entry.ok++;
    else entry.failed.push(`${result.point} (${result.error ?? 'failed'})`);
    byTarget.set(result.target, entry);
  }
  const attached: string[] = [];
  const failed: string[] = [];
  for (const [target, entry] of byTarget) {
    if (entry.ok > 0) attached.push(`${target}[${entry.ok}]`);
    for (const failure of entry.failed) failed.push(`${target} ${failure}`);
  }
  return (
    `attached=${attached.join(',') || 'none'} skipped=${skipped.length === 0 ? 'none' : skipped.join('; ')} ` +
    `failed=${failed.length === 0 ? 'none' : failed.join('; ')}`
  );
}
