/** How a `Processor` is configured, and the checked, defaulted form it runs with. */
import type { ContainerIdentity } from '../capture/container-identity';
import type { FdSocketReader } from '../capture/fd-socket';
import { Logger } from '../log';
import type { Protocol, RecordSink } from '../protocols/protocol';

export interface ProcessorOptions {
  /**
   * Protocols in priority order. The first that does not answer 'no-match'
   * decides; the last one is the fallback (normally raw) and must accept anything.
   */
  readonly protocols: readonly Protocol[];
  readonly sink: RecordSink;
  /** Silence after which a worker closes (no socket identity) or flushes (tracked). Default 1000. */
  readonly idleTimeoutMs?: number;
  /** Period of the one sweep timer started by `start()`. Default 100. */
  readonly sweepIntervalMs?: number;
  /** Period of the connection sweep (lost closes, idle maximum) started by `start()`. Default 10000. */
  readonly connectionSweepIntervalMs?: number;
  /** A connection without data this long is closed by the connection sweep. Default 3600000 (1 h). */
  readonly maxIdleMs?: number;
  /**
   * What a process's fd refers to now (the host's /proc): the connection sweep closes workers
   * whose socket is gone. Default: none (a replay's pids are not this host's), idle maximum only.
   */
  readonly readFdSocket?: FdSocketReader;
  /** Live workers at most; data of a further new connection is dropped. Default 16384. */
  readonly maxConnections?: number;
  /** Bytes per direction buffered while a protocol answers 'need-more'. Default 1024. */
  readonly detectionLimitBytes?: number;
  /** Wall-clock nanoseconds since the epoch. Tests inject their own. */
  readonly clock?: () => bigint;
  readonly logger?: Logger;
  /** The container and pod of a process, asked once per new connection. Default: none (replays). */
  readonly identify?: (pid: number) => ContainerIdentity;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 1000;
export const DEFAULT_SWEEP_INTERVAL_MS = 100;
export const DEFAULT_CONNECTION_SWEEP_INTERVAL_MS = 10_000;
export const DEFAULT_MAX_IDLE_MS = 3_600_000;
export const DEFAULT_MAX_CONNECTIONS = 16384;
export const DEFAULT_DETECTION_LIMIT_BYTES = 1024;

export interface ResolvedProcessorOptions {
  readonly protocols: readonly Protocol[];
  readonly sink: RecordSink;
  readonly idleTimeoutNs: bigint;
  readonly sweepIntervalMs: number;
  readonly connectionSweepIntervalMs: number;
  readonly maxIdleNs: bigint;
  readonly readFdSocket: FdSocketReader | undefined;
  readonly maxConnections: number;
  readonly detectionLimitBytes: number;
  readonly clock: () => bigint;
  readonly logger: Logger;
  readonly identify: ((pid: number) => ContainerIdentity) | undefined;
}

export function resolveProcessorOptions(options: ProcessorOptions): ResolvedProcessorOptions {
  if (options.protocols.length === 0) throw new RangeError('processor: at least one protocol is required');
  const idleTimeoutMs = positive('idleTimeoutMs', options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);
  return {
    protocols: [...options.protocols],
    sink: options.sink,
    idleTimeoutNs: BigInt(Math.round(idleTimeoutMs * 1e6)),
    sweepIntervalMs: positive('sweepIntervalMs', options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS),
    connectionSweepIntervalMs: positive(
      'connectionSweepIntervalMs',
      options.connectionSweepIntervalMs ?? DEFAULT_CONNECTION_SWEEP_INTERVAL_MS,
    ),
    maxIdleNs: BigInt(Math.round(positive('maxIdleMs', options.maxIdleMs ?? DEFAULT_MAX_IDLE_MS) * 1e6)),
    readFdSocket: options.readFdSocket,
    maxConnections: positiveInteger('maxConnections', options.maxConnections ?? DEFAULT_MAX_CONNECTIONS),
    detectionLimitBytes: positiveInteger(
      'detectionLimitBytes',
      options.detectionLimitBytes ?? DEFAULT_DETECTION_LIMIT_BYTES,
    ),
    clock: options.clock ?? wallClockNs(),
    logger: options.logger ?? new Logger('info'),
    identify: options.identify,
  };
}

/**
 * Wall-clock nanoseconds that never go backwards: the epoch offset is read
 * once, then advanced by the monotonic clock (Date.now() has only ms).
 */
export function wallClockNs(): () => bigint {
  const epochNs = BigInt(Date.now()) * 1_000_000n;
  const startNs = process.hrtime.bigint();
  return () => epochNs + (process.hrtime.bigint() - startNs);
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`processor: ${name} must be > 0, got ${value}`);
  return value;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`processor: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}
