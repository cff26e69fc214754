/**
 * The kernel side as one object: preflight, tracefs, load, attach, then
 * batches decoded into events. Everything it attached or failed to attach is
 * reported, never hidden.
 */
import fs from 'node:fs';
import type { Logger } from '../log';
import { BatchDecoder } from './batch-decoder';
import { resolveCgroup } from './cgroup-path';
import type { CapturedEvent } from './captured-event';
import type {
  AttachResult,
  NativeAddon,
  NativeCaptureSession,
  NativeCounters,
  NativeStopResult,
  TracefsStatus,
} from './native-addon';
import { loadNativeAddon } from './native-addon';
import { KNOWN_LAYOUTS, layoutFor } from './openssl-layouts';
import type { NetInterface } from './pcap-interfaces';
import { checkPreflight } from './preflight';
import type { RecordFileWriter } from './record-file';
import { TlsLibraryByName } from './events-abi.generated';
import { BASH_SPEC } from './targets/bash';
import { GoTargetFinder } from './targets/go-targets';
import { GnuTlsTargetFinder } from './targets/gnutls';
import { MYSQL_SPEC } from './targets/mysql';
import { NssTargetFinder } from './targets/nss';
import { OpenSslTargetFinder } from './targets/openssl';
import { POSTGRES_SPEC } from './targets/postgres';
import { SourceTargetFinder, type SourceFinderSpec, type SourceName } from './targets/source-finder';
import type { TargetFinder, UprobePlan } from './targets/target-finder';
import { TargetWatcher, type TargetPlan } from './targets/target-watcher';
import type { WallClock } from './wall-clock';

/** What can be captured: TLS plaintext (OpenSSL), interactive bash lines, MySQL/MariaDB and PostgreSQL statements. */
export type CaptureSourceName = 'openssl' | SourceName;
export const CAPTURE_SOURCE_NAMES: readonly CaptureSourceName[] = ['openssl', 'bash', 'mysql', 'postgres'];

const SOURCE_SPECS: Readonly<Record<SourceName, SourceFinderSpec>> = {
  bash: BASH_SPEC,
  mysql: MYSQL_SPEC,
  postgres: POSTGRES_SPEC,
};

export interface CaptureSourceOptions {
  readonly pids: readonly number[];
  readonly comms: readonly string[];
  /** --cgroup: cgroup v2 directories or cgroup paths. */
  readonly cgroups: readonly string[];
  /** Enabled sources; default: openssl only. */
  readonly sources?: readonly CaptureSourceName[];
  readonly opensslPaths: readonly string[];
  readonly bashPaths?: readonly string[];
  readonly mysqlPaths?: readonly string[];
  readonly postgresPaths?: readonly string[];
  readonly ringBufferBytes: number;
  readonly maxPendingBatches: number;
  /** How often to look for TLS files of processes not seen yet (the exec watch's safety net); 0 = never. */
  readonly rescanIntervalMs: number;
  /** Read each session's TLS secrets (for a key log file or a pcapng). */
  readonly secrets: boolean;
  /** Interfaces to take pcapng packets on (TC); empty = no packets. */
  readonly pcapInterfaces: readonly NetInterface[];
  readonly pcapSnaplen: number;
  /** Uprobes as uprobe_multi links where the kernel has them; default: unless PLAINTAP_UPROBE_MULTI=0. */
  readonly uprobeMulti?: boolean;
  readonly logger: Logger;
  readonly clock: WallClock;
  /** For tests: another addon build. */
  readonly addon?: NativeAddon;
}

export interface AttachReport {
  readonly tracefs: TracefsStatus;
  /** The enabled capture sources. */
  readonly sources: readonly CaptureSourceName[];
  /** Grows when an exec or a rescan finds new files (attached, skipped or failed). */
  readonly results: AttachResult[];
  /** With secrets on: per library, the layout its secrets are read with, or why they are not. */
  readonly secretTargets: SecretTarget[];
  /** Interface names a TC classifier was attached to (pcapng). */
  readonly pcapInterfaces: string[];
}

export interface SecretTarget {
  readonly path: string;
  /** e.g. 'openssl-3.0 (3.0.22)'; undefined when no secrets can be read from this library. */
  readonly layout?: string;
  readonly problem?: string;
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
      secrets: options.secrets,
      pcap: options.pcapInterfaces.length > 0,
      snaplen: options.pcapSnaplen,
      opensslLayouts: KNOWN_LAYOUTS.map((known) => known.layout),
      uprobeMulti: options.uprobeMulti ?? process.env['PLAINTAP_UPROBE_MULTI'] !== '0',
    });
    logger.debug('uprobe links', { kind: session.uprobeMulti ? 'uprobe_multi' : 'perf_event' });
    const secretTargets: SecretTarget[] = [];
    const pcapInterfaces: string[] = [];
    const results: AttachResult[] = [];
    const sources = options.sources ?? ['openssl'];
    const source = new CaptureSource(session, { tracefs, results, sources, secretTargets, pcapInterfaces }, options);
    const finders = createFinders(options, sources);
    source.finders = finders;
    source.watcher = new TargetWatcher({ finders }, (plans) => source.applyPlans(plans, 'info'));
    try {
      const tracepoints = session.attachTracepoints();
      results.push(...tracepoints);
      if (!tracepoints.some((r) => r.ok)) {
        throw new CaptureError(`no tracepoint could be attached: ${describeFailures(tracepoints)}`);
      }
      for (const iface of options.pcapInterfaces) {
        // On loopback every packet passes egress once and ingress once more: egress alone sees each once.
        const tc = session.attachTc(iface.ifindex, iface.name, false);
        if (!iface.loopback) tc.push(...session.attachTc(iface.ifindex, iface.name, true));
        results.push(...tc);
        if (tc.some((r) => r.ok)) pcapInterfaces.push(iface.name);
      }
      if (options.pcapInterfaces.length > 0 && pcapInterfaces.length === 0) {
        throw new CaptureError(
          `no TC classifier could be attached for the pcapng: ${describeFailures(results.filter((r) => r.point.startsWith('tc/')))}`,
        );
      }
      const plans = source.watcher.initialScan();
      source.applyPlans(plans, 'debug');
      const uprobes = results.filter((r) => r.target !== 'kernel' && r.skipped === undefined);
      const isTls = (r: AttachResult): boolean => !(r.library !== undefined && r.library in SOURCE_SPECS);
      const tls = uprobes.filter(isTls);
      if (sources.includes('openssl') && !tls.some((r) => r.ok)) {
        throw new CaptureError(
          tls.length === 0
            ? 'no TLS library (libssl.so* or a file defining SSL_read/SSL_write) found in the system library directories or in any running process, and no Go program using crypto/tls is running; give one with --openssl-path'
            : `no TLS probe could be attached: ${describeFailures(tls)}`,
        );
      }
      for (const name of sources) {
        if (name === 'openssl') continue;
        const own = uprobes.filter((r) => r.library === name);
        if (!own.some((r) => r.ok)) {
          throw new CaptureError(
            own.length === 0
              ? `source ${name}: no ${name} executable found in the standard paths or in any running process; give one with --${name}-path`
              : `source ${name}: no probe could be attached: ${describeFailures(own)}`,
          );
        }
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

  /**
   * Detaches every probe (the tracepoints finish in the background: `detached()`); records already
   * in the ring are still delivered. Idempotent.
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.rescanTimer);
    this.watcher.stop();
    this.session.stop();
  }

  /** Settles once every link is detached; detachMs: from stop() to the last one. */
  detached(): Promise<NativeStopResult> {
    return this.session.detached();
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
      if (decision.role === 'nss-ssl-layer' && !this.registerNssSslFile(plan.path)) continue;
      // Bits 8..15 of the cookie: the OpenSSL layout its secrets are read with (0: none).
      const layout = this.options.secrets && decision.library === 'openssl' ? this.secretLayout(plan.path) : 0;
      const plans = layout === 0 ? decision.probes : [...decision.probes, ...secretProbes(decision.probes)];
      const probes = plans.map((p) => ({
        program: p.program,
        offset: p.offset,
        retprobe: p.retprobe,
        point: `${p.retprobe ? 'uretprobe' : 'uprobe'}:${p.symbol}`,
        // Go's programs and the shell/database sources take their own cookie; TLS libraries library | layout.
        cookie:
          p.cookie ??
          (decision.library in TlsLibraryByName
            ? TlsLibraryByName[decision.library as keyof typeof TlsLibraryByName] | (layout << 8)
            : 0),
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

  /**
   * Tells the kernel which file holds NSS's SSL layer (by inode number, see bpf/tls_nss.bpf.h);
   * false, reported as a failure, when it cannot: its probes alone would miss TLS sockets.
   */
  private registerNssSslFile(file: string): boolean {
    try {
      this.session.addNssSslFile(fs.statSync(file, { bigint: true }).ino);
      return true;
    } catch (error) {
      this.report.results.push({
        target: file,
        point: 'nss-ssl-layer',
        ok: false,
        library: 'nss',
        error: (error as Error).message,
      });
      this.options.logger.warn('cannot register the NSS SSL library', { path: file, error: (error as Error).message });
      return false;
    }
  }

  /** The 1-based index of the layout a library's secrets are read with; 0 (and said so) when none fits. */
  private secretLayout(path: string): number {
    const found = layoutFor(path);
    if ('problem' in found) {
      this.report.secretTargets.push({ path, problem: found.problem });
      this.options.logger.warn('no TLS secrets from this library', { path, reason: found.problem });
      return 0;
    }
    this.report.secretTargets.push({ path, layout: `${found.known.name} (${found.version})` });
    return KNOWN_LAYOUTS.indexOf(found.known) + 1;
  }
}

/** The target finders of the enabled sources, for the shared watcher. */
function createFinders(options: CaptureSourceOptions, sources: readonly CaptureSourceName[]): TargetFinder[] {
  const finders: TargetFinder[] = [];
  if (sources.includes('openssl')) {
    // The TLS plaintext source: every TLS library plaintap reads.
    finders.push(
      new OpenSslTargetFinder({ extraPaths: options.opensslPaths }),
      new GnuTlsTargetFinder(),
      new NssTargetFinder(),
      new GoTargetFinder(),
    );
  }
  const extra: Readonly<Record<SourceName, readonly string[]>> = {
    bash: options.bashPaths ?? [],
    mysql: options.mysqlPaths ?? [],
    postgres: options.postgresPaths ?? [],
  };
  for (const name of Object.keys(SOURCE_SPECS) as SourceName[]) {
    if (sources.includes(name)) finders.push(new SourceTargetFinder(SOURCE_SPECS[name], extra[name]));
  }
  return finders;
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

/** With secrets on: the end of a handshake, where they are read (the return of SSL_do_handshake). */
function secretProbes(probes: readonly UprobePlan[]): UprobePlan[] {
  const handshake = probes.find((p) => p.symbol === 'SSL_do_handshake' && !p.retprobe);
  return handshake ? [{ ...handshake, program: 'ssl_do_handshake_return', retprobe: true }] : [];
}

/** Where secrets come from, for the `ready` line: `openssl-3.0 (3.0.22)[2]`, and the libraries without. */
export function summarizeSecretTargets(report: AttachReport): string {
  const layouts = new Map<string, number>();
  const without: string[] = [];
  for (const target of report.secretTargets) {
    if (target.layout !== undefined) layouts.set(target.layout, (layouts.get(target.layout) ?? 0) + 1);
    else without.push(`${target.path} (${target.problem ?? 'unknown'})`);
  }
  const from = [...layouts].map(([layout, n]) => `${layout}[${n}]`).join(',') || 'none';
  return without.length === 0 ? from : `${from} without=${without.join(';')}`;
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
    // Shell and database targets are named with their source: `postgres:/usr/lib/…/postgres`.
    const target =
      result.library !== undefined && result.library in SOURCE_SPECS
        ? `${result.library}:${result.target}`
        : result.target;
    const entry = byTarget.get(target) ?? { ok: 0, failed: [] };
    if (result.ok) entry.ok++;
    else entry.failed.push(`${result.point} (${result.error ?? 'failed'})`);
    byTarget.set(target, entry);
  }
  const attached: string[] = [];
  const failed: string[] = [];
  for (const [target, entry] of byTarget) {
    if (entry.ok > 0) attached.push(`${target}[${entry.ok}]`);
    for (const failure of entry.failed) failed.push(`${target} ${failure}`);
  }
  return (
    `attached=${attached.join(',') || 'none'} skipped=${skipped.length === 0 ? 'none' : skipped.join('; ')} ` +
    `failed=${failed.length === 0 ? 'none' : failed.join('; ')} sources=${report.sources.join(',')}`
  );
}
