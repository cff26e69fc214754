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
import { OpenSslTargetScanner, type LibraryTarget } from './openssl-targets';
import { checkPreflight } from './preflight';
import type { RecordFileWriter } from './record-file';
import type { WallClock } from './wall-clock';

export interface CaptureSourceOptions {
  readonly pids: readonly number[];
  readonly comms: readonly string[];
  /** --cgroup: cgroup v2 directories or cgroup paths. */
  readonly cgroups: readonly string[];
  readonly opensslPaths: readonly string[];
  readonly ringBufferBytes: number;
  readonly maxPendingBatches: number;
  /** How often to look for OpenSSL libraries of new processes; 0 = never. */
  readonly rescanIntervalMs: number;
  readonly logger: Logger;
  readonly clock: WallClock;
  /** For tests: another addon build. */
  readonly addon?: NativeAddon;
}

export interface AttachReport {
  readonly tracefs: TracefsStatus;
  /** Grows when a rescan attaches new libraries. */
  readonly results: AttachResult[];
}

export class CaptureError extends Error {
  override readonly name = 'CaptureError';
}

export class CaptureSource {
  readonly decoder: BatchDecoder;
  private stopped = false;
  private rescanTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly session: NativeCaptureSession,
    readonly report: AttachReport,
    private readonly options: CaptureSourceOptions,
    private readonly scanner: OpenSslTargetScanner,
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
    const scanner = new OpenSslTargetScanner({ extraPaths: options.opensslPaths });
    try {
      const tracepoints = session.attachTracepoints();
      results.push(...tracepoints);
      if (!tracepoints.some((r) => r.ok)) {
        throw new CaptureError(`no tracepoint could be attached: ${describeFailures(tracepoints)}`);
      }
      const libraries = scanner.scan();
      for (const library of libraries)
        results.push(...attachLibrary(session, library, logger, perProcessPids(options)));
      if (!results.some((r) => r.ok && r.target !== 'kernel')) {
        throw new CaptureError(
          libraries.length === 0
            ? 'no OpenSSL library (libssl.so*) found in the system library directories or in any running process; give one with --openssl-path'
            : `no TLS probe could be attached: ${describeFailures(results.filter((r) => r.target !== 'kernel'))}`,
        );
      }
    } catch (error) {
      session.stop();
      throw error;
    }
    return new CaptureSource(session, { tracefs, results }, options, scanner);
  }

  /**
   * Attaches to OpenSSL files mapped by processes started since the last scan
   * (a new container, a binary with its own libssl). Returns what was tried.
   */
  rescan(): AttachResult[] {
    if (this.stopped) return [];
    const results: AttachResult[] = [];
    for (const library of this.scanner.scan()) {
      const attached = attachLibrary(this.session, library, this.options.logger, perProcessPids(this.options));
      results.push(...attached);
      this.options.logger.info('new OpenSSL library attached', {
        path: library.path,
        found_in: library.foundIn,
        probes: attached.filter((r) => r.ok).length,
        failed: attached.filter((r) => !r.ok).length,
      });
    }
    this.report.results.push(...results);
    return results;
  }

  /**
   * Starts delivering decoded events; `onEvents` runs on the JS thread once per kernel drain.
   * With a recorder, every raw batch is written to the record file first.
   */
  start(onEvents: (events: CapturedEvent[]) => void, recorder?: RecordFileWriter): void {
    const onBatch = recorder
      ? (batch: Buffer): void => {
          recorder.write(batch);
          onEvents(this.decoder.decode(batch));
        }
      : (batch: Buffer): void => onEvents(this.decoder.decode(batch));
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

  /** Detaches every probe; records already in the ring are still delivered. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.rescanTimer);
    this.session.stop();
  }
}

/**
 * Probes on one library. With only --pid filters they are attached per process, so that no other
 * process pays for a breakpoint; --comm needs every process probed (the kernel then filters).
 */
function attachLibrary(
  session: NativeCaptureSession,
  library: LibraryTarget,
  logger: Logger,
  pids: readonly number[],
): AttachResult[] {
  const attached =
    pids.length === 0
      ? session.attachOpenSsl(library.path)
      : pids.flatMap((pid) => session.attachOpenSsl(library.path, pid));
  logger.debug('openssl target', {
    path: library.path,
    found_in: library.foundIn,
    probes: attached.filter((r) => r.ok).length,
  });
  return attached;
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

/** The one-line summary of what was attached, for the `ready` line. */
export function summarizeAttach(report: AttachReport): string {
  const byTarget = new Map<string, { ok: number; failed: string[] }>();
  for (const result of report.results) {
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
  return `attached=${attached.join(',') || 'none'} failed=${failed.length === 0 ? 'none' : failed.join('; ')}`;
}
