/**
 * A record file fed to the processor on the recorded clock: each batch at the time of its last
 * event, the processor swept at that time, so that idle and exchange timeouts follow the
 * recording. A replay is not a live capture: when the exporter's queue fills it waits (`pace`)
 * instead of dropping records.
 */
import type { ReplayPace, ReplaySource, ReplaySummary } from './capture/replay-source';
import type { Processor } from './processor/processor';

export interface ReplayFeedOptions {
  /** Sets the processor's clock to a recorded time. */
  readonly setNow: (ns: bigint) => void;
  /** Backpressure from the outputs (the OTLP exporter's queue); none: as fast as processing goes. */
  readonly pace?: ReplayPace;
}

export function feedReplay(
  source: ReplaySource,
  processor: Processor,
  options: ReplayFeedOptions,
): Promise<ReplaySummary> {
  const { setNow } = options;
  return source.run((events) => {
    const last = events[events.length - 1];
    if (last) setNow(last.timestampNs);
    processor.handleBatch(events);
    if (last) processor.sweep(last.timestampNs);
  }, options.pace);
}
