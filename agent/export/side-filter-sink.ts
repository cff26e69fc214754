/**
 * `--side client|server`: of the two observations of a connection seen on one host (the
 * process that sent the request, and the one that answered it), keep one. Records without a
 * side (raw bytes, shell commands, queries) pass.
 */
import type { OutputRecord } from '../exchange/output-record';
import type { RecordSink } from '../protocols/protocol';

export type CapturedSide = 'client' | 'server' | 'both';

export class SideFilterSink implements RecordSink {
  /** Records left out because they were observed on the other side. */
  filtered = 0;

  constructor(
    private readonly keep: Exclude<CapturedSide, 'both'>,
    private readonly next: RecordSink,
  ) {}

  emit(record: OutputRecord): void {
    const side = (record as { readonly side?: string }).side;
    if (side !== undefined && side !== this.keep) {
      this.filtered++;
      return;
    }
    this.next.emit(record);
  }
}

/** The sink for a `--side` setting: the next sink itself for 'both'. */
export function filterSide(side: CapturedSide, next: RecordSink): RecordSink {
  return side === 'both' ? next : new SideFilterSink(side, next);
}
