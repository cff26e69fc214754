/**
 * One replay of a record file through the agent's own parts, the way `plaintap replay FILE
 * --output none [--otlp-endpoint URL]` runs it: ReplaySource (decode) → Processor → protocols
 * (HTTP/1) → redaction → outputs (createAgentOutputs: the OTLP exporter when an endpoint is
 * given), then the processor's and the exporter's shutdown, which delivers everything. The
 * clock runs from the first batch to the exporter's last answer.
 */
import { createAgentOutputs } from '../../agent/agent-outputs';
import { ReplaySource } from '../../agent/capture/replay-source';
import { loadConfig } from '../../agent/config/load-config';
import { protocolSettings, toPlaintapConfig } from '../../agent/config/plaintap-config';
import { createLogRecordMapper, type MappableRecord } from '../../agent/export/otlp/log-record-mapping';
import { Logger } from '../../agent/log';
import { Processor } from '../../agent/processor/processor';
import { createProtocols } from '../../agent/protocols/protocol-list';
import { feedReplay } from '../../agent/replay-feed';
import type { RunMeasurement } from './pinned-runs';
import type { LogRecordTemplate } from './sdk-alone-export';

export interface ReplayRunOptions {
  readonly file: string;
  /** OTLP endpoint; undefined: processing only (no exporter). */
  readonly endpoint?: string;
  /** More agent flags (e.g. batch sizes). */
  readonly flags?: readonly string[];
  /** Where the exporter's SDK side runs (default: the agent's default, a worker thread). */
  readonly exportThread?: 'worker' | 'main';
}

export interface ReplayRunResult {
  /** HTTP exchanges the processor emitted. */
  readonly exchanges: number;
  /** Every record the outputs saw (exchanges and any other kind). */
  readonly records: number;
  /** Captured payload bytes the processor received. */
  readonly payloadBytes: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  /** Exporter counters (zero without an endpoint). */
  readonly exported: number;
  readonly dropped: number;
  readonly failed: number;
}

export async function runReplayPipeline(options: ReplayRunOptions): Promise<ReplayRunResult> {
  const argv = ['--output', 'none', '--metrics-address', 'off', '--log-level', 'warn', ...(options.flags ?? [])];
  if (options.endpoint !== undefined) argv.push('--otlp-endpoint', options.endpoint);
  const config = toPlaintapConfig(loadConfig({ argv, env: {} }).values);
  const logger = new Logger(config.log.level);
  const outputs = createAgentOutputs({
    config,
    logger,
    stdout: process.stdout,
    env: {},
    ...(options.exportThread ? { exportThread: options.exportThread } : {}),
  });
  let records = 0;
  const counted = { emit: (record: Parameters<typeof outputs.sink.emit>[0]) => (records++, outputs.sink.emit(record)) };
  let nowNs = 0n;
  const processor = new Processor({
    protocols: createProtocols(protocolSettings(config)),
    sink: counted,
    idleTimeoutMs: config.processor.idleTimeoutMs,
    maxConnections: config.processor.maxConnections,
    clock: () => nowNs,
    logger,
  });
  // Reading the file is I/O, not pipeline: before the clock starts.
  const source = new ReplaySource(options.file, { realtime: false });
  const { exporter } = outputs;

  const cpu0 = process.cpuUsage();
  const started = process.hrtime.bigint();
  await feedReplay(source, processor, {
    setNow: (ns) => (nowNs = ns),
    ...(exporter ? { pace: () => exporter.waitForRoom() } : {}),
  });
  processor.shutdown();
  await exporter?.shutdown(30_000);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpu0);

  const counts = outputs.exchangeStats.countsSnapshot();
  let exchanges = 0;
  for (const n of Object.values(counts)) exchanges += n.complete + n.incomplete + (n.late ?? 0);
  const stats = exporter?.stats();
  return {
    exchanges,
    records,
    payloadBytes: processor.stats().bytesReceived,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    exported: stats?.exported ?? 0,
    dropped: stats ? stats.dropped.queueFull + stats.dropped.shutdown + stats.dropped.mappingError : 0,
    failed: stats?.failed ?? 0,
  };
}

/** One replay as a pinned run's figures (pinned-runs.ts): exchanges are the items counted. */
export async function measureReplayPipeline(options: ReplayRunOptions): Promise<RunMeasurement> {
  const r = await runReplayPipeline(options);
  return {
    items: r.exchanges,
    records: r.records,
    payloadBytes: r.payloadBytes,
    seconds: r.seconds,
    cpuSeconds: r.cpuSeconds,
    exported: r.exported,
    dropped: r.dropped,
    failed: r.failed,
  };
}

/** The first HTTP exchange of the file as the OTLP mapping makes it: the SDK-alone run's record shape. */
export async function firstExchangeTemplate(file: string): Promise<LogRecordTemplate> {
  let first: MappableRecord | undefined;
  let nowNs = 0n;
  const config = toPlaintapConfig(
    loadConfig({ argv: ['--output', 'none', '--metrics-address', 'off'], env: {} }).values,
  );
  const processor = new Processor({
    protocols: createProtocols(protocolSettings(config)),
    sink: { emit: (record) => void (first ??= record as MappableRecord) },
    clock: () => nowNs,
    logger: new Logger('warn'),
  });
  const source = new ReplaySource(file, { realtime: false });
  // Stop reading once a record came out.
  const pace = (): undefined => void (first !== undefined && source.stop());
  await feedReplay(source, processor, { setNow: (ns) => (nowNs = ns), pace });
  processor.shutdown();
  if (first === undefined) throw new Error(`${file}: no record`);
  const mapped = createLogRecordMapper().map(first);
  if (typeof mapped.body !== 'string') throw new Error(`${file}: the first record has a binary body`);
  return {
    eventName: mapped.eventName,
    severityNumber: mapped.severityNumber,
    severityText: mapped.severityText,
    body: mapped.body,
    attributes: mapped.attributes,
  };
}
