/**
 * Replays a record file through the same decoder the live capture uses: as
 * fast as it can, or with the original pacing (`realtime`). Times are the
 * original wall-clock times (the file carries the capture's clock offset).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { BatchDecoder } from './batch-decoder';
import type { CapturedEvent } from './captured-event';
import { RecordFileReader } from './record-file';
import { WallClock } from './wall-clock';

/**
 * As fast as it can, a replay still lets the event loop run every few batches: exporters send,
 * their progress comes back (the export queue's room), timers fire. setImmediate, not a 1 ms
 * timer: it costs no waiting.
 */
const YIELD_EVERY_BATCHES = 4;
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface ReplayOptions {
  /** Keep the recorded gaps between batches. */
  readonly realtime: boolean;
}

/** Called before each batch: a promise holds the next batch back until it settles (backpressure). */
export type ReplayPace = () => Promise<void> | undefined;

export interface ReplaySummary {
  readonly batches: number;
  readonly records: number;
  readonly bytes: number;
}

export class ReplaySource {
  readonly clock: WallClock;
  readonly decoder: BatchDecoder;
  private readonly reader: RecordFileReader;
  private stopped = false;

  /** Throws RecordFileError when the file is missing, not a record file, or from another ABI. */
  constructor(
    file: string,
    private readonly options: ReplayOptions,
  ) {
    this.reader = new RecordFileReader(file);
    this.clock = new WallClock(this.reader.header.wallClockOffsetNs);
    this.decoder = new BatchDecoder(this.clock);
  }

  /**
   * Feeds every batch to `onEvents`, yielding to the event loop between batches so
   * that exporters and timers run, and waiting whenever `pace` says so. Rejects with
   * RecordFileError at a truncated or corrupt batch, after the batches before it were delivered.
   */
  async run(onEvents: (events: CapturedEvent[]) => void, pace?: ReplayPace): Promise<ReplaySummary> {
    let batches = 0;
    let bytes = 0;
    let previousNs: bigint | undefined;
    let startedNs = process.hrtime.bigint();
    for (const batch of this.reader.batches()) {
      if (this.stopped) break;
      if (this.options.realtime && previousNs !== undefined) {
        const dueNs = startedNs + (batch.monotonicNs - previousNs);
        const waitMs = Number(dueNs - process.hrtime.bigint()) / 1e6;
        if (waitMs > 0) await sleep(waitMs);
        startedNs = dueNs;
      } else if (batches % YIELD_EVERY_BATCHES === YIELD_EVERY_BATCHES - 1) {
        await yieldToEventLoop();
      }
      const wait = pace?.();
      if (wait !== undefined) await wait;
      previousNs = batch.monotonicNs;
      onEvents(this.decoder.decode(batch.bytes));
      batches++;
      bytes += batch.bytes.byteLength;
    }
    return { batches, records: this.decoder.stats.records, bytes };
  }

  stop(): void {
    this.stopped = true;
  }
}
