/**
 * The running agent: kernel capture → processor (workers, protocols) →
 * outputs, until SIGINT/SIGTERM, then a clean stop that loses nothing
 * already captured.
 */
import { CaptureError, CaptureSource, summarizeAttach } from './capture/capture-source';
import { PreflightError } from './capture/preflight';
import type { NativeError } from './capture/native-addon';
import { WallClock } from './capture/wall-clock';
import type { PlaintapConfig } from './config/plaintap-config';
import { createOutputSink } from './export/output-sink';
import { Logger } from './log';
import { Processor } from './processor/processor';
import { RawProtocol } from './protocols/raw/raw-protocol';

const EXIT_OK = 0;
const EXIT_CANNOT_CAPTURE = 1;

export async function runAgent(config: PlaintapConfig): Promise<number> {
  const logger = new Logger(config.log.level);
  const clock = new WallClock();
  const sink = createOutputSink(config.output, process.stdout);
  const processor = new Processor({
    protocols: [new RawProtocol({ truncateBytes: config.output.truncateBytes })],
    sink,
    idleTimeoutMs: config.processor.idleTimeoutMs,
    maxConnections: config.processor.maxConnections,
    clock: () => clock.nowNs(),
    logger,
  });

  let source: CaptureSource;
  try {
    source = CaptureSource.open({ ...config.capture, logger, clock });
  } catch (error) {
    logger.error(describeStartFailure(error));
    return EXIT_CANNOT_CAPTURE;
  }

  processor.start();
  source.start((events) => processor.handleBatch(events));
  process.stderr.write(`ready ${summarizeAttach(source.report)}\n`);

  const signal = await waitForStopSignal();
  logger.info('stopping', { signal });
  source.stop();
  // The reader's last batch is queued for this thread: let it arrive before the final flush.
  await new Promise((resolve) => setTimeout(resolve, 50));
  processor.shutdown();
  const counters = source.counters();
  const stats = processor.stats();
  logger.info('stopped', {
    records: counters.records,
    kernel_lost: counters.kernelLost,
    native_dropped: counters.droppedRecords,
    processor_dropped: Object.values(stats.eventsDropped).reduce((a, b) => a + b, 0),
    malformed: [...source.decoder.stats.malformed.values()].reduce((a, b) => a + b, 0),
  });
  return EXIT_OK;
}

function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      // A second signal while stopping means "now".
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve(signal);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
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
