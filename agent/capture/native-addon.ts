/** The typed face of native/plaintap_native.node (see native/capture_session.cc). */
import type { OpenSslLayout } from './openssl-layouts';
import path from 'node:path';
import { ABI_VERSION, RECORD_HEADER_SIZE } from './events-abi.generated';

export interface NativeSessionOptions {
  readonly selfPid: number;
  readonly ringBufferBytes: number;
  readonly pids: readonly number[];
  readonly comms: readonly string[];
  /** cgroup v2 ids (directory inodes) for the --cgroup filter. */
  readonly cgroupIds: readonly bigint[];
  /** Read TLS secrets at the end of handshakes (key log, pcapng). */
  readonly secrets?: boolean;
  /** struct openssl_layout entries; entry i is attach cookie i + 1. */
  readonly opensslLayouts?: readonly OpenSslLayout[];
  /** Take packets of the captured processes' flows (TC), for the pcapng. */
  readonly pcap?: boolean;
  readonly snaplen?: number;
  /**
   * Attach uprobes as uprobe_multi links where the kernel has them (6.6+; default true): one link
   * per program and file, detached at stop with one wait instead of one per probe.
   */
  readonly uprobeMulti?: boolean;
}

export interface AttachResult {
  /** Library path for uprobes, 'kernel' for tracepoints. */
  readonly target: string;
  /** e.g. 'uprobe:SSL_write', 'uretprobe:SSL_read', 'syscalls/sys_enter_close'; 'skipped' for a skipped file. */
  readonly point: string;
  readonly ok: boolean;
  /** The capture source the probe belongs to (set by the agent; absent: openssl). */
  readonly source?: string;
  readonly errno?: number;
  readonly error?: string;
  /** The TLS library of a uprobe target (set by the capture source, not the addon). */
  readonly library?: string;
  /** Why a file that carries a TLS library was not probed (point 'skipped', ok false). */
  readonly skipped?: string;
}

/** One uprobe to attach: a program of the eBPF object at a file offset. */
export interface NativeUprobe {
  readonly program: string;
  readonly offset: number;
  readonly retprobe: boolean;
  /** The name reported in results, e.g. 'uprobe:SSL_write'. */
  readonly point: string;
  /**
   * Given to the program as its attach cookie (bpf_get_attach_cookie): the enum tls_library value
   * for programs shared by several libraries; a bigint (64 bits) for programs that read their own
   * settings from it (Go's struct offsets).
   */
  readonly cookie: number | bigint;
}

export interface NativeCounters {
  /** Records the kernel could not put in the ring buffer (full). */
  readonly kernelLost: number;
  /** Data records emitted without fd/tuple. */
  readonly socketUnresolved: number;
  /** TLS secret records the kernel could not put in the ring buffer. */
  readonly secretLost: number;
  /** SSL objects whose version or cipher id did not fit the layout: no secrets read. */
  readonly secretLayoutMismatch: number;
  /** Packets the TC classifier could not put in the ring buffer. */
  readonly packetLost: number;
  /** Go (*tls.Conn).Read returns seen without their entry (entry evicted or lost). */
  readonly goReadUnmatched: number;
  /** Shell/database records lost because their per-thread state could not be created. */
  readonly sourceStateLost?: number;
  readonly records: number;
  readonly bytes: number;
  readonly batches: number;
  /** Records dropped in native: read, then a stop came while JS had too many undelivered batches. */
  readonly droppedRecords: number;
  readonly droppedBatches: number;
  /** Times the reader paused because JS had `maxPendingBatches` batches waiting (records then wait in the ring). */
  readonly backpressureWaits: number;
}

export interface NativeCaptureSession {
  attachTracepoints(): AttachResult[];
  /** With a pid, the probes trap in that process only (target reads `path@pid`). */
  attachUprobes(file: string, probes: readonly NativeUprobe[], pid?: number): AttachResult[];
  /** The TC classifier on one interface and direction (target 'kernel', point 'tc/NAME/ingress|egress'). */
  attachTc(ifindex: number, name: string, ingress: boolean): AttachResult[];
  /** The file with this inode number holds NSS's SSL layer (bpf/tls_nss.bpf.h). */
  addNssSslFile(inode: bigint): void;
  start(onBatch: (batch: Buffer) => void, options: { maxPendingBatches: number }): void;
  counters(): NativeCounters;
  /** Detaches the uprobes and TC filters; the tracepoints on a worker thread (see detached). Idempotent. */
  stop(): void;
  /** Settles once everything stop() began is detached; detachMs runs from stop() to the last link. */
  detached(): Promise<NativeStopResult>;
  /** True when uprobes attach as uprobe_multi links, false as perf-event uprobes. */
  readonly uprobeMulti: boolean;
}

export interface NativeStopResult {
  readonly detachMs: number;
}

export interface TracefsStatus {
  readonly path: string;
  readonly mountedNow: boolean;
}

export interface NativeAddon {
  /** PLAINTAP_ABI_VERSION of the events.h the addon (and its embedded BPF object) was built from. */
  readonly abiVersion: number;
  /** sizeof(struct record_header) as the addon's compiler saw it. */
  readonly recordHeaderSize: number;
  readonly CaptureSession: new (options: NativeSessionOptions) => NativeCaptureSession;
  ensureTracefs(): TracefsStatus;
}

/** Errors thrown by the addon carry these (like Node's system errors). */
export interface NativeError extends Error {
  readonly code?: string;
  readonly errno?: number;
  readonly syscall?: string;
}

export const DEFAULT_ADDON_PATH = path.join(
  __dirname,
  '..',
  '..',
  '..',
  'native',
  'build',
  'Release',
  'plaintap_native.node',
);

export function loadNativeAddon(addonPath = process.env['PLAINTAP_NATIVE_ADDON'] ?? DEFAULT_ADDON_PATH): NativeAddon {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a path known only at run time
  const addon = require(addonPath) as NativeAddon;
  checkAddonAbi(addon, addonPath);
  return addon;
}

/**
 * Refuses an addon built from another bpf/events.h than the TypeScript decoder was generated
 * from: its records would be misread, not rejected.
 */
export function checkAddonAbi(addon: Pick<NativeAddon, 'abiVersion' | 'recordHeaderSize'>, addonPath: string): void {
  if (addon.abiVersion !== ABI_VERSION || addon.recordHeaderSize !== RECORD_HEADER_SIZE) {
    throw new Error(
      `native addon ${addonPath} speaks record ABI ${addon.abiVersion} (header ${addon.recordHeaderSize} bytes), ` +
        `this agent decodes ABI ${ABI_VERSION} (header ${RECORD_HEADER_SIZE} bytes)`,
    );
  }
}
