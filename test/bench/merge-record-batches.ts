/**
 * A copy of a record file whose batches are `factor` consecutive recorded batches joined (records
 * are 8-byte aligned, so batches concatenate), each at the time of the last one it holds: the
 * same bytes as the capture, handed to JS in fewer, larger calls. For measuring what the batch
 * size costs per call (the native reader's batching decides it in a live capture).
 */
import fs from 'node:fs';
import path from 'node:path';
import { RecordFileReader, RecordFileWriter } from '../../agent/capture/record-file';

export function mergeRecordBatches(file: string, factor: number): string {
  const reader = new RecordFileReader(file);
  const merged = path.join(path.dirname(file), `${path.basename(file, '.ptap')}-x${factor}.ptap`);
  const writer = new RecordFileWriter(merged, reader.header.wallClockOffsetNs);
  let pending: Buffer[] = [];
  let lastNs = 0n;
  const flush = (): void => {
    if (pending.length > 0) writer.write(Buffer.concat(pending), lastNs);
    pending = [];
  };
  for (const batch of reader.batches()) {
    pending.push(batch.bytes);
    lastNs = batch.monotonicNs;
    if (pending.length === factor) flush();
  }
  flush();
  writer.close();
  fs.chmodSync(merged, 0o600);
  return merged;
}
