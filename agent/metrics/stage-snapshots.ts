/**
 * The stages' own counters in the shapes MetricsSources asks for. Pure functions: the agent
 * calls them from the providers, at scrape time only.
 */
import type { DecodeStats } from '../capture/batch-decoder';
import type { AttachResult, NativeCounters } from '../capture/native-addon';
import type { ProcessorStats } from '../processor/processor-stats';
import type { Protocol } from '../protocols/protocol';
import type {
  AttachedTargetCount,
  CaptureStatsSnapshot,
  CountsBy,
  Http2Event,
  NativeStatsSnapshot,
  ProcessorStatsSnapshot,
  ProtocolStatsSnapshot,
} from './metrics-sources';

/** What reached user space: the processor sees every decoded record. */
export function captureSnapshot(processor: ProcessorStats): CaptureStatsSnapshot {
  return {
    eventsReceived: {
      data: processor.eventsReceived.data,
      close: processor.eventsReceived.close,
      shell_command: processor.eventsReceived.shellCommand,
      db_query: processor.eventsReceived.dbQuery,
    },
    bytesCaptured: processor.bytesReceived,
  };
}

/** Kernel ring overflow, records the addon could not hand to JavaScript, records that would not decode. */
export function nativeSnapshot(counters: NativeCounters, decoder: DecodeStats): NativeStatsSnapshot {
  let malformed = 0;
  for (const n of decoder.malformed.values()) malformed += n;
  return {
    kernelLostSamples: counters.kernelLost,
    socketUnresolved: counters.socketUnresolved,
    goReadUnmatched: counters.goReadUnmatched,
    dropped: {
      batch_queue_full: counters.droppedRecords,
      malformed,
      // Shell/database records whose per-thread kernel state could not be created.
      ...(counters.sourceStateLost !== undefined ? { source_state: counters.sourceStateLost } : {}),
    },
    readerWaits: counters.backpressureWaits,
  };
}

export function processorSnapshot(stats: ProcessorStats, truncations: CountsBy): ProcessorStatsSnapshot {
  return {
    dropped: stats.eventsDropped,
    liveWorkers: stats.liveWorkers,
    workersOpened: stats.workersOpened,
    workersClosed: stats.workersClosed,
    connectionSweeps: stats.connectionSweeps,
    truncations,
    redetections: stats.redetections,
  };
}

/** A protocol that keeps parser counters exposes them as `stats` (Http1Protocol, Http2Protocol do). */
interface ParseErrorCounting {
  readonly stats?: {
    parseErrorTotal?: () => number;
    parseErrorsByReason?: () => CountsBy;
    http2Events?: () => CountsBy<Http2Event>;
    /** HTTP/1 names its skipped ranges so; HTTP/2 counts them as resyncs. */
    skippedRanges?: number;
    resyncs?: number;
    bytesSkipped?: number;
  };
}

export function protocolSnapshot(protocols: readonly Protocol[]): ProtocolStatsSnapshot {
  const parseErrors: Record<string, number> = {};
  const parseErrorsByReason: Record<string, CountsBy> = {};
  const skippedRanges: Record<string, number> = {};
  const skippedBytes: Record<string, number> = {};
  let http2Events: CountsBy<Http2Event> | undefined;
  for (const protocol of protocols) {
    const stats = (protocol as Protocol & ParseErrorCounting).stats;
    if (stats === undefined) continue;
    const name = protocol.name;
    const total = stats.parseErrorTotal?.();
    if (total !== undefined) parseErrors[name] = (parseErrors[name] ?? 0) + total;
    const byReason = stats.parseErrorsByReason?.();
    if (byReason !== undefined) parseErrorsByReason[name] = byReason;
    const ranges = stats.skippedRanges ?? stats.resyncs;
    if (ranges !== undefined) skippedRanges[name] = (skippedRanges[name] ?? 0) + ranges;
    if (stats.bytesSkipped !== undefined) skippedBytes[name] = (skippedBytes[name] ?? 0) + stats.bytesSkipped;
    http2Events ??= stats.http2Events?.();
  }
  const snapshot = { parseErrors, parseErrorsByReason, skippedRanges, skippedBytes };
  return http2Events !== undefined ? { ...snapshot, http2Events } : snapshot;
}

/**
 * TLS library files by library and outcome: `attached` when at least one probe of the file is
 * attached, `skipped` when a target finder chose not to probe it (e.g. symbols hidden), else
 * `failed`. Tracepoints (target `kernel`) are no library and are left out. Every library a
 * finder can report shows all three results, zero included, so that alerts see the series.
 */
export function attachedTargetCounts(
  results: readonly AttachResult[],
  libraries: readonly string[] = ['openssl'],
): AttachedTargetCount[] {
  const byTarget = new Map<string, { library: string; outcome: 'attached' | 'failed' | 'skipped' }>();
  for (const result of results) {
    if (result.target === 'kernel') continue;
    const library = result.library ?? 'openssl';
    const key = `${library}\0${result.target}`;
    const previous = byTarget.get(key)?.outcome;
    const outcome = result.skipped !== undefined ? 'skipped' : result.ok ? 'attached' : 'failed';
    if (previous === 'attached' || (previous === 'skipped' && outcome === 'failed')) continue;
    byTarget.set(key, { library, outcome });
  }
  const counts = new Map<string, { library: string; result: string; count: number }>();
  const slot = (library: string, result: 'attached' | 'failed' | 'skipped'): { count: number } => {
    const key = `${library}/${result}`;
    let count = counts.get(key);
    if (!count) {
      count = { library, result, count: 0 };
      counts.set(key, count);
    }
    return count;
  };
  for (const library of libraries)
    for (const result of ['attached', 'failed', 'skipped'] as const) slot(library, result);
  for (const { library, outcome } of byTarget.values()) slot(library, outcome).count++;
  return [...counts.values()];
}
