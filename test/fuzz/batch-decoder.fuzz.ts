/**
 * Fuzzes the kernel record batch decoder: batches of valid data and close records (as the kernel
 * writes them), split, truncated and mutated — lengths past the batch, unknown types, bad ABI
 * versions. The decoder must count what it cannot decode, never throw.
 */
import { BatchDecoder } from '../../agent/capture/batch-decoder';
import { WallClock } from '../../agent/capture/wall-clock';
import { buildRecord } from '../support/kernel-records';
import { fuzzMain, type FuzzCase, type FuzzTarget } from './fuzz-harness';

const request = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1');

function batch(...records: Buffer[]): Uint8Array {
  return Buffer.concat(records);
}

const clock = new WallClock(0n);

export const batchDecoderTarget: FuzzTarget = {
  name: 'batch-decoder',
  seeds: [
    batch(buildRecord({ payload: request })),
    batch(
      buildRecord({ payload: request, pid: 10, fd: 3 }),
      buildRecord({ payload: request, pid: 11, fd: 4, direction: 1, family: 10 }),
      buildRecord({ type: 2, pid: 10, fd: 3 }),
    ),
    batch(buildRecord({ payload: new Uint8Array(16384).fill(0x61), originalLen: 100_000, flags: 1 })),
  ],
  fixed: [[new Uint8Array(0)], [new Uint8Array(119)], [new Uint8Array(120)]],
  run(input: FuzzCase) {
    const decoder = new BatchDecoder(clock);
    // Each piece is a batch of its own, as the addon hands them over.
    for (const piece of input) decoder.decode(piece);
  },
};

if (require.main === module) void fuzzMain(batchDecoderTarget);
