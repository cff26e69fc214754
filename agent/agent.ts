/**
 * The running agent: kernel capture → processor (workers, protocols) →
 * redaction → outputs (stdout, OTLP), with its health on /metrics, until
 * SIGINT/SIGTERM, then a clean stop that loses nothing already captured.
 */
import { createAgentOutputs, type AgentOutputs } from './agent-outputs';
import { CaptureFiles } from './capture-files';
import { CaptureError, CaptureSource, summarizeAttach, summarizeSecretTargets } from './capture/capture-source';
import { resolvePcapInterfaces, type ResolvedInterfaces } from './capture/pcap-interfaces';
import { ContainerIdentityCache } from './capture/container-identity-cache';
import { procFdSocketReader } from './capture/fd-socket';
import { PreflightError } from './capture/preflight';
import { RecordFileWriter } from './capture/record-file';
import { ReplaySource } from './capture/replay-source';
import type { ContainerIdentity } from './capture/container-identity';
import type { NativeError } from './capture/native-addon';
import { WallClock } from './capture/wall-clock';
import { protocolSettings, type PlaintapConfig } from './config/plaintap-config';
import { filterSide } from './export/side-filter-sink';
import { KeyLogFile } from './export/keylog/key-log-file';
import { PcapngFile } from './export/pcap/pcapng-file';
import { ExportHealth } from './export/export-health';
import { otlpExporterStatsSnapshot } from './export/otlp/export-books';
import { Logger } from './log';
import { formatHostPort } from './metrics/metrics-address';
import { startMetricsServer, type MetricsServer } from './metrics/metrics-server';
import type { CaptureFilesStatsSnapshot } from './metrics/metrics-sources';
import { createPlaintapMetrics } from './metrics/plaintap-metrics';
import {
  attachedTargetCounts,
  captureSnapshot,
  nativeSnapshot,
  processorSnapshot,
  protocolSnapshot,
} from './metrics/stage-snapshots';
import { Processor } from './processor/processor';
import { createProtocols } from './protocols/protocol-list';
import { feedReplay } from './replay-feed';
import { VERSION } from './version';

const EXIT_OK = 0;
/** Cannot capture (privilege, kernel feature, native failure) or cannot serve metrics. */
const EXIT_CANNOT_START = 1;
const EXIT_BAD_CONFIG = 2;
/** A second stop signal arrived while stopping: exited at once, without waiting for the flush. */
export const EXIT_FORCED = 3;

/**
 * Signals that stop the agent cleanly (flush, drain OTLP, summary). SIGHUP stops too rather than
 * reloading: a terminal closing or a supervisor's HUP must not kill the agent without a flush.
 */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** What feeds the processor: the kernel (optionally recording), or a record file. */
export type AgentMode =
  { readonly kind: 'capture' } | { readonly kind: 'replay'; readonly file: string; readonly realtime: boolean };

export async function runAgent(config: PlaintapConfig, mode: AgentMode = { kind: 'capture' }): Promise<number> {
  const logger = new Logger(config.log.level);
  const clock = new WallClock();
  let outputs: AgentOutputs;
  try {
    outputs = createAgentOutputs({ config, logger, stdout: process.stdout, env: process.env });
  } catch (error) {
    logger.error(`plaintap: invalid OTLP exporter configuration: ${(error as Error).message}`);
    return EXIT_BAD_CONFIG;
  }
  const { exporter } = outputs;
  // A replay runs on the recorded clock: the time of the batch being replayed.
  let replayNowNs: bigint | undefined;
  const processor = new Processor({
    protocols: createProtocols(protocolSettings(config)),
    sink: filterSide(config.http.side, outputs.sink),
    idleTimeoutMs: config.processor.idleTimeoutMs,
    connectionSweepIntervalMs: config.processor.sweepIntervalMs,
    maxIdleMs: config.processor.maxIdleMs,
    maxConnections: config.processor.maxConnections,
    clock: () => replayNowNs ?? clock.nowNs(),
    logger,
    // A replay's pids belong to another time (or host): its records carry no container identity,
    // and /proc cannot say whether its connections' sockets are still there.
    ...(mode.kind === 'capture' && { identify: identityLookup(), readFdSocket: procFdSocketReader() }),
  });

  // Ready: probes attached and the exporter (where configured) up; not ready again once stopping.
  let attached = false;
  let stopping = false;
  const isReady = (): boolean => attached && !stopping && (exporter?.ready ?? true);
  // Degraded export turns /readyz to 503 with its reason, and is logged once per episode.
  const exportHealth = exporter && config.otlp && new ExportHealth(() => exporter.stats(), config.otlp.degradedAfterMs);
  let degradedLogged = false;
  const checkExportHealth = (): string | undefined => {
    if (!exportHealth) return undefined;
    const state = exportHealth.check();
    if (state.degraded && !degradedLogged) logger.warn('export degraded', { reason: state.reason });
    if (!state.degraded && degradedLogged) logger.info('export recovered');
    degradedLogged = state.degraded;
    return state.reason;
  };
  const healthTimer = exportHealth && setInterval(checkExportHealth, 1000).unref();

  // The listener first, so /healthz answers while probes attach (that can take seconds).
  const metrics = createPlaintapMetrics({ version: VERSION });
  let server: MetricsServer | undefined;
  const address = config.metrics.address;
  if (address !== 'off') {
    try {
      server = await startMetricsServer({
        host: address.host,
        port: address.port,
        registry: metrics.registry,
        isReady,
        degradedReason: checkExportHealth,
      });
    } catch (error) {
      logger.error(
        `plaintap cannot serve metrics on ${formatHostPort(address.host, address.port)}: ${(error as Error).message}`,
      );
      await exporter?.shutdown(0);
      return EXIT_CANNOT_START;
    }
  }

  const finish = async (): Promise<void> => {
    processor.shutdown();
    // Everything processed is now in the exporter's queue: flush and close within the deadline.
    if (exporter && config.otlp) await exporter.shutdown(config.otlp.shutdownTimeoutMs);
  };

  if (mode.kind === 'replay') {
    const code = await replay(mode, {
      processor,
      logger,
      setSources: metrics.setSources,
      outputs,
      finish,
      ready: () => (attached = true),
      setNow: (ns) => (replayNowNs = ns),
    });
    await server?.close();
    return code;
  }

  let recorder: RecordFileWriter | undefined;
  if (config.capture.recordFile !== '') {
    try {
      recorder = new RecordFileWriter(config.capture.recordFile, clock.offsetNs);
    } catch (error) {
      logger.error((error as Error).message);
      await exporter?.shutdown(0);
      await server?.close();
      return EXIT_CANNOT_START;
    }
    logger.warn('recording captured plaintext to a file readable by root only (0600): it holds secrets', {
      file: recorder.file,
    });
  }

  let files: CaptureFiles | undefined;
  let pcapInterfaces: ResolvedInterfaces | undefined;
  try {
    ({ files, pcapInterfaces } = openCaptureFiles(config, logger));
  } catch (error) {
    logger.error((error as Error).message);
    recorder?.close();
    await exporter?.shutdown(0);
    await server?.close();
    return EXIT_CANNOT_START;
  }

  let source: CaptureSource;
  try {
    source = CaptureSource.open({
      ...config.capture,
      secrets: files !== undefined,
      pcapInterfaces: pcapInterfaces?.interfaces ?? [],
      logger,
      clock,
    });
  } catch (error) {
    logger.error(describeStartFailure(error));
    files?.close();
    await exporter?.shutdown(0);
    await server?.close();
    return EXIT_CANNOT_START;
  }

  metrics.setSources({
    capture: () => captureSnapshot(processor.stats()),
    native: () => nativeSnapshot(source.counters(), source.decoder.stats),
    processor: () => processorSnapshot(processor.stats(), outputs.truncations.snapshot()),
    protocols: () => protocolSnapshot(processor.protocols),
    exchanges: () => outputs.exchangeStats.countsSnapshot(),
    exchangeDurations: () => outputs.exchangeStats.durations.snapshot(),
    sourceCounts: () => outputs.sourceStats.counts(),
    dbQueryDurations: () => outputs.sourceStats.durations(),
    exporters: () => [
      ...(outputs.stdout ? [outputs.stdout.stats()] : []),
      ...(exporter
        ? [{ ...otlpExporterStatsSnapshot(exporter.stats()), degraded: checkExportHealth() !== undefined }]
        : []),
    ],
    attachedTargets: () => attachedTargetCounts(source.report.results, source.libraries),
    ...(files ? { captureFiles: () => captureFilesSnapshot(files, source) } : {}),
  });

  processor.start();
  source.start(
    files ? (events) => processor.handleBatch(files.route(events)) : (events) => processor.handleBatch(events),
    recorder,
  );
  attached = true;
  if (exporter) {
    const { connection } = exporter;
    logger.info('otlp export on', {
      endpoint: connection.endpoint,
      tls: !connection.insecure,
      compression: connection.compression,
      headers: Object.keys(connection.headers).join(',') || undefined,
    });
  }
  const summary = (): Record<string, number | bigint | undefined> => {
    const counters = source.counters();
    const stats = processor.stats();
    const otlp = exporter?.stats();
    return {
      records: counters.records,
      kernel_lost: counters.kernelLost,
      native_dropped: counters.droppedRecords,
      processor_dropped: Object.values(stats.eventsDropped).reduce((a, b) => a + b, 0),
      malformed: [...source.decoder.stats.malformed.values()].reduce((a, b) => a + b, 0),
      stdout_dropped: outputs.stdout?.stats().dropped['output_closed'] || undefined,
      otlp_exported: otlp?.exported,
      otlp_failed: otlp?.failed,
      otlp_dropped: otlp && otlp.dropped.queueFull + otlp.dropped.shutdown + otlp.dropped.mappingError,
      recorded_batches: recorder?.batches,
      keylog_lines: files?.keylog?.lines,
      pcap_packets: files?.pcap?.stats.packetsWritten,
    };
  };
  // Listening before the ready line: a signal sent the moment it is read must find a handler.
  const stopSignal = waitForStopSignal((second) => {
    // A second signal while stopping means "now": whatever is still queued is not flushed.
    logger.warn(`stopped by a second ${second} before the flush finished`, { ...summary(), exit_code: EXIT_FORCED });
    process.exit(EXIT_FORCED);
  });
  const metricsShown = server ? formatHostPort(server.host, server.port) : 'off';
  const recordShown = recorder ? ` record=${recorder.file}` : '';
  const keylogShown = files?.keylog ? ` keylog=${files.keylog.file}` : '';
  const pcapShown = files?.pcap
    ? ` pcapng=${files.pcap.file} interfaces=${summarizeInterfaces(source, pcapInterfaces)}`
    : '';
  const secretsShown = files ? ` secrets_from=${summarizeSecretTargets(source.report)}` : '';
  process.stderr.write(
    `ready ${summarizeAttach(source.report)} metrics=${metricsShown} otlp=${exporter?.connection.endpoint ?? 'off'}${recordShown}${keylogShown}${pcapShown}${secretsShown}\n`,
  );

  const signal = await stopSignal;
  logger.info('stopping', { signal });
  const stopStarted = process.hrtime.bigint();
  stopping = true;
  clearInterval(healthTimer);
  // Uprobes are detached on return; the tracepoints' links go on a worker thread meanwhile.
  source.stop();
  // The reader's last batch is queued for this thread: let it arrive before the final flush.
  await new Promise((resolve) => setTimeout(resolve, 50));
  recorder?.close();
  files?.close();
  await finish();
  await server?.close();
  const { detachMs } = await source.detached();
  logger.info('stopped', {
    ...summary(),
    stop_ms: Math.round(Number(process.hrtime.bigint() - stopStarted) / 1e6),
    detach_ms: Math.round(detachMs),
  });
  return EXIT_OK;
}

/** The key log and pcapng files, when asked for; stderr says what they hold. Throws with a clear message. */
function openCaptureFiles(
  config: PlaintapConfig,
  logger: Logger,
): { files: CaptureFiles | undefined; pcapInterfaces: ResolvedInterfaces | undefined } {
  const { keylogFile, pcapngFile } = config.capture;
  if (keylogFile === '' && pcapngFile === '') return { files: undefined, pcapInterfaces: undefined };
  const keylog = keylogFile !== '' ? new KeyLogFile(keylogFile) : undefined;
  let pcap: PcapngFile | undefined;
  let pcapInterfaces: ResolvedInterfaces | undefined;
  try {
    if (pcapngFile !== '') {
      pcapInterfaces = resolvePcapInterfaces(config.capture.pcapInterfaces);
      if (pcapInterfaces.interfaces.length === 0) {
        throw new Error(
          `no interface to take packets on for ${pcapngFile}: ${pcapInterfaces.skipped.map((s) => `${s.name} (${s.reason})`).join(', ') || 'none given'}`,
        );
      }
      pcap = new PcapngFile(pcapngFile, pcapInterfaces.interfaces, config.capture.pcapSnaplen, `plaintap ${VERSION}`);
    }
  } catch (error) {
    keylog?.close();
    throw error;
  }
  if (keylog) {
    logger.warn(
      `writing TLS secrets to the key log ${keylog.file} (0600${keylog.appended ? ', appending' : ''}): anyone who can read it can decrypt the captured sessions`,
    );
  }
  if (pcap) {
    logger.warn(
      `writing packets with their TLS secrets embedded to ${pcap.file} (0600${pcap.appended ? ', appending a new section' : ''}): anyone who can read it can decrypt them`,
    );
  }
  return { files: new CaptureFiles(keylog, pcap), pcapInterfaces };
}

function captureFilesSnapshot(files: CaptureFiles, source: CaptureSource): CaptureFilesStatsSnapshot {
  const stats = files.stats();
  const kernel = source.counters();
  return {
    tlsSecrets: {
      read: stats.secretRecords,
      unusable: stats.unusableSecretRecords,
      lost: kernel.secretLost,
      layout_mismatch: kernel.secretLayoutMismatch,
    },
    keyLines: stats.keyLines,
    pcapPackets: files.pcap ? { written: stats.packetsWritten, lost: kernel.packetLost, ...stats.packetsDropped } : {},
  };
}

function summarizeInterfaces(source: CaptureSource, resolved: ResolvedInterfaces | undefined): string {
  const attached = source.report.pcapInterfaces.join(',') || 'none';
  const skipped = resolved?.skipped.map((s) => `${s.name}(${s.reason})`) ?? [];
  return skipped.length === 0 ? attached : `${attached} skipped=${skipped.join(',')}`;
}

interface ReplayContext {
  readonly processor: Processor;
  readonly logger: Logger;
  readonly outputs: AgentOutputs;
  readonly setSources: ReturnType<typeof createPlaintapMetrics>['setSources'];
  readonly finish: () => Promise<void>;
  readonly ready: () => void;
  /** Sets the processor's clock to a recorded time. */
  readonly setNow: (ns: bigint) => void;
}

/** `plaintap replay FILE`: the recorded batches through the same processor and outputs, then a clean finish. */
async function replay(mode: { file: string; realtime: boolean }, context: ReplayContext): Promise<number> {
  const { processor, logger } = context;
  let source: ReplaySource;
  try {
    source = new ReplaySource(mode.file, { realtime: mode.realtime });
  } catch (error) {
    logger.error(`plaintap cannot replay: ${(error as Error).message}`);
    await context.finish();
    return EXIT_CANNOT_START;
  }
  context.setSources({
    capture: () => captureSnapshot(processor.stats()),
    processor: () => processorSnapshot(processor.stats(), context.outputs.truncations.snapshot()),
    protocols: () => protocolSnapshot(processor.protocols),
    exchanges: () => context.outputs.exchangeStats.countsSnapshot(),
    exchangeDurations: () => context.outputs.exchangeStats.durations.snapshot(),
    sourceCounts: () => context.outputs.sourceStats.counts(),
    dbQueryDurations: () => context.outputs.sourceStats.durations(),
  });
  const onSignal = (): void => source.stop();
  for (const name of STOP_SIGNALS) process.once(name, onSignal);
  context.ready();
  let code = EXIT_OK;
  const started = process.hrtime.bigint();
  try {
    const exporter = context.outputs.exporter;
    const summary = await feedReplay(source, processor, {
      setNow: context.setNow,
      ...(exporter ? { pace: () => exporter.waitForRoom() } : {}),
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    logger.info('replayed', {
      file: mode.file,
      batches: summary.batches,
      records: summary.records,
      bytes: summary.bytes,
      seconds: seconds.toFixed(3),
    });
  } catch (error) {
    logger.error(`plaintap replay stopped: ${(error as Error).message}`);
    code = EXIT_CANNOT_START;
  } finally {
    for (const name of STOP_SIGNALS) process.removeListener(name, onSignal);
  }
  await context.finish();
  return code;
}

/** Container and pod of a live process, from /proc/PID/cgroup, cached per pid. */
function identityLookup(): (pid: number) => ContainerIdentity {
  const cache = new ContainerIdentityCache();
  return (pid) => cache.lookup(pid);
}

/** Resolves on the first stop signal; `onSecond` runs on any later one (the agent is stopping). */
function waitForStopSignal(onSecond: (signal: NodeJS.Signals) => void): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let first: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (first !== undefined) return onSecond(signal);
      first = signal;
      resolve(signal);
    };
    // Listeners stay: with none, a second signal would kill the process with the default action.
    for (const name of STOP_SIGNALS) process.on(name, onSignal);
  });
}

function describeStartFailure(error: unknown): string {
  if (error instanceof PreflightError || error instanceof CaptureError) return error.message;
  const native = error as NativeError;
  const details = [native.code, native.syscall && `syscall=${native.syscall}`, native.errno && `errno=${native.errno}`]
    .filter(Boolean)
    .join(' ');
  return `plaintap cannot capture: ${native.message ?? String(error)}${details ? ` (${details})` : ''}`;
}
