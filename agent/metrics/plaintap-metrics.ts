/**
 * plaintap's own health as Prometheus metrics, in a Registry of its own (never prom-client's
 * global one). Counters and gauges are filled at scrape time by `collect()` callbacks that read
 * the stage snapshots of MetricsSources; nothing here runs on the capture hot path.
 * Every metric is documented in docs/metrics.md.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { VERSION } from '../version';
import { SnapshotHistogramMetric } from './snapshot-histogram-metric';
import { HTTP2_EVENTS, WORKER_CLOSE_REASONS, type CountsBy, type MetricsSources } from './metrics-sources';
import type { ExchangeDurationLabels } from './exchange-duration-histogram';
import type { DbQueryDurationLabel } from './source-stats';

export interface PlaintapMetricsOptions {
  readonly sources?: MetricsSources;
  /** `plaintap_build_info{version}`; default: package.json's version. */
  readonly version?: string;
  /** Node.js process metrics (`process_*`, `nodejs_*`). Default true. */
  readonly defaultMetrics?: boolean;
}

export interface PlaintapMetrics {
  readonly registry: Registry;
  /** Adds or replaces providers (the agent wires stages as they start). */
  setSources(this: void, sources: MetricsSources): void;
  /** The exposition text, as `/metrics` serves it. */
  scrape(): Promise<string>;
}

/** Names of every plaintap_* metric, for docs and tests. */
export const PLAINTAP_METRIC_NAMES = [
  'plaintap_build_info',
  'plaintap_events_received_total',
  'plaintap_captured_bytes_total',
  'plaintap_kernel_lost_samples_total',
  'plaintap_native_dropped_total',
  'plaintap_native_reader_waits_total',
  'plaintap_processor_dropped_total',
  'plaintap_connection_workers',
  'plaintap_connection_workers_opened_total',
  'plaintap_connection_workers_closed_total',
  'plaintap_connection_sweeps_total',
  'plaintap_truncations_total',
  'plaintap_parse_errors_total',
  'plaintap_parse_skipped_ranges_total',
  'plaintap_parse_skipped_bytes_total',
  'plaintap_protocol_redetections_total',
  'plaintap_http2_events_total',
  'plaintap_exchanges_total',
  'plaintap_exchange_duration_seconds',
  'plaintap_db_queries_total',
  'plaintap_db_query_duration_seconds',
  'plaintap_shell_commands_total',
  'plaintap_records_exported_total',
  'plaintap_export_failures_total',
  'plaintap_export_failed_records_total',
  'plaintap_export_retries_total',
  'plaintap_export_dropped_total',
  'plaintap_export_queue_depth',
  'plaintap_export_queue_capacity',
  'plaintap_export_queue_bytes',
  'plaintap_export_queue_bytes_capacity',
  'plaintap_export_degraded',
  'plaintap_attached_targets',
  'plaintap_tls_secrets_total',
  'plaintap_key_lines_total',
  'plaintap_pcap_packets_total',
  'plaintap_metrics_source_errors_total',
] as const;

type SourceName = keyof MetricsSources;

export function createPlaintapMetrics(options: PlaintapMetricsOptions = {}): PlaintapMetrics {
  const registry = new Registry();
  let sources: MetricsSources = options.sources ?? {};
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });

  // One snapshot per source per scrape: every collect() of a scrape runs in one synchronous
  // pass, so a cache cleared on the next microtask is shared by exactly that pass.
  const cache = new Map<SourceName, unknown>();
  // A provider that throws is answered with its last good snapshot, so counters never go back.
  const lastGood = new Map<SourceName, unknown>();
  let clearScheduled = false;
  // eslint-disable-next-line prefer-const -- created last, so it is also listed last in the exposition
  let sourceErrors: Counter<'source'>;
  function read<K extends SourceName>(name: K): ReturnType<NonNullable<MetricsSources[K]>> | undefined {
    type Snapshot = ReturnType<NonNullable<MetricsSources[K]>>;
    if (cache.has(name)) return cache.get(name) as Snapshot | undefined;
    const provider = sources[name] as (() => Snapshot) | undefined;
    let value: Snapshot | undefined;
    if (provider) {
      try {
        value = provider();
        lastGood.set(name, value);
      } catch {
        sourceErrors.inc({ source: name });
        value = lastGood.get(name) as Snapshot | undefined;
      }
    }
    cache.set(name, value);
    if (!clearScheduled) {
      clearScheduled = true;
      queueMicrotask(() => {
        cache.clear();
        clearScheduled = false;
      });
    }
    return value;
  }

  const registers = [registry];

  /** A counter that mirrors a monotonic total from a snapshot. */
  function counterFrom(name: string, help: string, value: () => number | undefined): void {
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(Math.max(0, value() ?? 0));
      },
    });
  }

  /** A counter labelled by one key, mirroring CountsBy; `known` keys are always present (0). */
  function labelledCounterFrom<L extends string>(
    name: string,
    help: string,
    label: L,
    counts: () => CountsBy | undefined,
    known: readonly string[] = [],
  ): void {
    new Counter<L>({
      name,
      help,
      labelNames: [label],
      registers,
      collect() {
        this.reset();
        const values = counts() ?? {};
        for (const key of known) this.inc({ [label]: key } as Record<L, string>, 0);
        for (const [key, n] of Object.entries(values)) {
          if (n !== undefined) this.inc({ [label]: key } as Record<L, string>, Math.max(0, n));
        }
      },
    });
  }

  new Gauge({
    name: 'plaintap_build_info',
    help: 'Always 1; the version label says which plaintap is running.',
    labelNames: ['version'],
    registers,
  }).set({ version: options.version ?? VERSION }, 1);

  // capture
  labelledCounterFrom(
    'plaintap_events_received_total',
    'Records received from the kernel, by kind.',
    'kind',
    () => read('capture')?.eventsReceived,
    ['data', 'close'],
  );
  counterFrom(
    'plaintap_captured_bytes_total',
    'Plaintext bytes received from the kernel.',
    () => read('capture')?.bytesCaptured,
  );

  // kernel and native addon
  counterFrom(
    'plaintap_kernel_lost_samples_total',
    'Records the kernel could not put into the ring buffer.',
    () => read('native')?.kernelLostSamples,
  );
  counterFrom(
    'plaintap_records_without_socket_total',
    'Data records reported without fd and 5-tuple because their socket could not be resolved.',
    () => read('native')?.socketUnresolved,
  );
  counterFrom(
    'plaintap_go_read_unmatched_total',
    'Returns of Go (*tls.Conn).Read seen without their entry (entry evicted): those reads were not captured.',
    () => read('native')?.goReadUnmatched,
  );
  labelledCounterFrom(
    'plaintap_native_dropped_total',
    'Records dropped inside the native addon, by reason.',
    'reason',
    () => read('native')?.dropped,
  );
  counterFrom(
    'plaintap_native_reader_waits_total',
    'Times the ring reader paused because JavaScript was behind; records waited in the kernel ring meanwhile.',
    () => read('native')?.readerWaits,
  );

  // key log and pcapng
  labelledCounterFrom(
    'plaintap_tls_secrets_total',
    'TLS sessions whose secrets were read (key log, pcapng), by result: read, unusable, lost, layout_mismatch.',
    'result',
    () => read('captureFiles')?.tlsSecrets,
  );
  counterFrom(
    'plaintap_key_lines_total',
    "Key log lines written (each TLS session's secrets once), to the key log file and the pcapng.",
    () => read('captureFiles')?.keyLines,
  );
  labelledCounterFrom(
    'plaintap_pcap_packets_total',
    'Packets for the pcapng, by result: written, lost (ring buffer full in the kernel), unknown_interface.',
    'result',
    () => read('captureFiles')?.pcapPackets,
  );

  // processor
  labelledCounterFrom(
    'plaintap_processor_dropped_total',
    'Events dropped by the processor (dispatcher, workers), by reason.',
    'reason',
    () => read('processor')?.dropped,
  );
  new Gauge({
    name: 'plaintap_connection_workers',
    help: 'Connection workers alive now.',
    registers,
    collect() {
      this.set(read('processor')?.liveWorkers ?? 0);
    },
  });
  counterFrom(
    'plaintap_connection_workers_opened_total',
    'Connection workers started.',
    () => read('processor')?.workersOpened,
  );
  labelledCounterFrom(
    'plaintap_connection_workers_closed_total',
    'Connection workers ended, by reason (idle, fd-closed, socket-destroyed, fd-reused, swept, max-idle, shutdown).',
    'reason',
    () => read('processor')?.workersClosed,
    WORKER_CLOSE_REASONS,
  );
  counterFrom(
    'plaintap_connection_sweeps_total',
    'Connection sweeps run: each closes workers whose socket is gone from their process (a lost close record) or that were idle past --max-idle.',
    () => read('processor')?.connectionSweeps,
  );
  labelledCounterFrom(
    'plaintap_truncations_total',
    'Messages or connections cut by a size cap or a capture gap, by reason.',
    'reason',
    () => read('processor')?.truncations,
  );

  // protocols and exchanges
  new Counter<'protocol' | 'reason'>({
    name: 'plaintap_parse_errors_total',
    help: 'Protocol parse errors, by protocol and reason (HTTP/1: docs/http1.md; HTTP/2: frame and HPACK errors).',
    labelNames: ['protocol', 'reason'],
    registers,
    collect() {
      this.reset();
      const snapshot = read('protocols');
      const byReason = snapshot?.parseErrorsByReason ?? {};
      for (const [protocol, total] of Object.entries(snapshot?.parseErrors ?? {})) {
        const reasons = byReason[protocol];
        // A protocol that keeps no reasons still shows its total.
        if (reasons === undefined) this.inc({ protocol, reason: 'unknown' }, Math.max(0, total ?? 0));
        else for (const [reason, n] of Object.entries(reasons)) this.inc({ protocol, reason }, Math.max(0, n ?? 0));
      }
    },
  });
  labelledCounterFrom(
    'plaintap_parse_skipped_ranges_total',
    'Byte ranges a parser skipped or refused looking for a message start (connection picked up mid-stream, after a gap or a malformed message), by protocol.',
    'protocol',
    () => read('protocols')?.skippedRanges,
  );
  labelledCounterFrom(
    'plaintap_parse_skipped_bytes_total',
    'Bytes a parser skipped or refused looking for a message start, by protocol.',
    'protocol',
    () => read('protocols')?.skippedBytes,
  );
  labelledCounterFrom(
    'plaintap_protocol_redetections_total',
    'Connections whose first bytes matched no protocol (raw) given to a protocol at a later message start, by protocol.',
    'protocol',
    () => read('processor')?.redetections,
  );
  labelledCounterFrom(
    'plaintap_http2_events_total',
    'HTTP/2 hostile or broken input, by event (frame_error, hpack_error, stream_cap_drop, rapid_reset, empty_data_flood, header_list_over_cap, unknown_header).',
    'event',
    () => read('protocols')?.http2Events,
    HTTP2_EVENTS,
  );
  new Counter<'protocol' | 'completeness'>({
    name: 'plaintap_exchanges_total',
    help: 'Request/response exchanges emitted, by protocol and completeness (complete, incomplete, late).',
    labelNames: ['protocol', 'completeness'],
    registers,
    collect() {
      this.reset();
      for (const [protocol, n] of Object.entries(read('exchanges') ?? {})) {
        this.inc({ protocol, completeness: 'complete' }, Math.max(0, n.complete));
        this.inc({ protocol, completeness: 'incomplete' }, Math.max(0, n.incomplete));
        this.inc({ protocol, completeness: 'late' }, Math.max(0, n.late ?? 0));
      }
    },
  });
  new SnapshotHistogramMetric<keyof ExchangeDurationLabels>({
    name: 'plaintap_exchange_duration_seconds',
    help: 'Time from the first request byte to the last response byte, by protocol, method, status class and side.',
    labelNames: ['protocol', 'method', 'status_class', 'side'],
    snapshot: () => read('exchangeDurations'),
  }).registerIn(registry);

  // shell commands and database queries
  new Counter<'db_system' | 'status'>({
    name: 'plaintap_db_queries_total',
    help: 'Database statements reported, by database system (mysql, postgresql) and status (ok, error).',
    labelNames: ['db_system', 'status'],
    registers,
    collect() {
      this.reset();
      for (const [key, n] of read('sourceCounts')?.dbQueries ?? []) {
        const [dbSystem = '', status = ''] = key.split('\0');
        this.inc({ db_system: dbSystem, status }, Math.max(0, n));
      }
    },
  });
  new SnapshotHistogramMetric<DbQueryDurationLabel>({
    name: 'plaintap_db_query_duration_seconds',
    help: 'Time a database server took for a statement, by database system and operation (db.operation.name; _OTHER beyond the known SQL keywords).',
    labelNames: ['db_system', 'operation'],
    snapshot: () => read('dbQueryDurations'),
  }).registerIn(registry);
  counterFrom(
    'plaintap_shell_commands_total',
    'Interactive shell command lines reported.',
    () => read('sourceCounts')?.shellCommands,
  );

  // exporters
  const exporters = () => read('exporters') ?? [];
  const perExporter = (name: string, help: string, pick: (s: ReturnType<typeof exporters>[number]) => number): void => {
    new Counter<'exporter'>({
      name,
      help,
      labelNames: ['exporter'],
      registers,
      collect() {
        this.reset();
        for (const stats of exporters()) this.inc({ exporter: stats.exporter }, Math.max(0, pick(stats)));
      },
    });
  };
  perExporter(
    'plaintap_records_exported_total',
    'Records delivered by an exporter (acknowledged by the collector, for otlp).',
    (s) => s.exported,
  );
  perExporter('plaintap_export_failures_total', 'Export calls that failed after retries.', (s) => s.exportFailures);
  perExporter('plaintap_export_failed_records_total', 'Records lost in failed export calls.', (s) => s.failedRecords);
  perExporter(
    'plaintap_export_retries_total',
    'Failed export attempts that were retried.',
    (s) => s.exportRetries ?? 0,
  );
  new Counter<'exporter' | 'reason'>({
    name: 'plaintap_export_dropped_total',
    help: 'Records dropped before export, by exporter and reason (queue_full, shutdown, mapping_error).',
    labelNames: ['exporter', 'reason'],
    registers,
    collect() {
      this.reset();
      for (const stats of exporters()) {
        for (const [reason, n] of Object.entries(stats.dropped)) {
          if (n !== undefined) this.inc({ exporter: stats.exporter, reason }, Math.max(0, n));
        }
      }
    },
  });
  /** A gauge per exporter; an exporter without the value (undefined) has no sample. */
  const perExporterGauge = (
    name: string,
    help: string,
    pick: (s: ReturnType<typeof exporters>[number]) => number | undefined,
  ): void => {
    new Gauge<'exporter'>({
      name,
      help,
      labelNames: ['exporter'],
      registers,
      collect() {
        this.reset();
        for (const stats of exporters()) {
          const value = pick(stats);
          if (value !== undefined) this.set({ exporter: stats.exporter }, value);
        }
      },
    });
  };
  perExporterGauge('plaintap_export_queue_depth', 'Records waiting in an exporter queue now.', (s) => s.queueDepth);
  perExporterGauge(
    'plaintap_export_queue_capacity',
    'Bound of an exporter queue (records); depth at capacity means drops.',
    (s) => s.queueCapacity,
  );
  perExporterGauge(
    'plaintap_export_queue_bytes',
    'Encoded bytes waiting in an exporter queue now.',
    (s) => s.queueBytes,
  );
  perExporterGauge(
    'plaintap_export_queue_bytes_capacity',
    'Bound of an exporter queue in encoded bytes; reaching it means drops (queue_full).',
    (s) => s.queueBytesCapacity,
  );

  perExporterGauge(
    'plaintap_export_degraded',
    'Export degraded now (collector unreachable past otlp.degraded_after while records wait, or queue full within it): 1, else 0.',
    (s) => (s.degraded === undefined ? undefined : s.degraded ? 1 : 0),
  );

  // attachment
  new Gauge<'library' | 'result'>({
    name: 'plaintap_attached_targets',
    help: 'TLS library targets (binaries, shared objects) by library and attach result (attached, failed, skipped).',
    labelNames: ['library', 'result'],
    registers,
    collect() {
      this.reset();
      for (const target of read('attachedTargets') ?? []) {
        this.inc({ library: target.library, result: target.result }, target.count);
      }
    },
  });

  sourceErrors = new Counter<'source'>({
    name: 'plaintap_metrics_source_errors_total',
    help: 'Stats providers that threw during a scrape, by source (their metrics repeat the last good values).',
    labelNames: ['source'],
    registers,
  });

  return {
    registry,
    setSources(next) {
      sources = { ...sources, ...next };
      cache.clear();
    },
    scrape: () => registry.metrics(),
  };
}
