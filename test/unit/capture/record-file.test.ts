import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { RecordFileError, RecordFileReader, RecordFileWriter } from '../../../agent/capture/record-file';
import { buildRecord } from '../../support/kernel-records';
import { makeTempDir } from '../../support/temp-dir';

const tmp = (): string => path.join(makeTempDir('record'), 'capture.ptap');

test('batches round-trip with their times and the wall-clock offset; the file is 0600', () => {
  const file = tmp();
  const one = buildRecord({ payload: Buffer.from('GET / HTTP/1.1\r\n\r\n') });
  const two = Buffer.concat([
    buildRecord({ payload: Buffer.from('HTTP/1.1 200 OK\r\n\r\n'), direction: 1 }),
    buildRecord({ type: 2 }),
  ]);
  const writer = new RecordFileWriter(file, 1_700_000_000_000_000_000n);
  writer.write(one, 10n);
  writer.write(two, 20n);
  writer.close();
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  const reader = new RecordFileReader(file);
  assert.equal(reader.header.wallClockOffsetNs, 1_700_000_000_000_000_000n);
  const batches = [...reader.batches()];
  assert.deepEqual(
    batches.map((b) => b.monotonicNs),
    [10n, 20n],
  );
  assert.deepEqual(batches[0]?.bytes, one);
  assert.deepEqual(batches[1]?.bytes, two);
});

test('an existing file is made 0600 too', () => {
  const file = tmp();
  fs.writeFileSync(file, 'old', { mode: 0o644 });
  new RecordFileWriter(file, 0n).close();
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
});

test('a truncated file yields its complete batches, then a clear error', () => {
  const file = tmp();
  const writer = new RecordFileWriter(file, 0n);
  writer.write(buildRecord({ payload: Buffer.from('first') }), 1n);
  writer.write(buildRecord({ payload: Buffer.alloc(100) }), 2n);
  writer.close();
  fs.truncateSync(file, fs.statSync(file).size - 30);
  const seen: bigint[] = [];
  assert.throws(
    () => {
      for (const batch of new RecordFileReader(file).batches()) seen.push(batch.monotonicNs);
    },
    (e: Error) =>
      e instanceof RecordFileError &&
      /is truncated: the batch at byte \d+ needs \d+ bytes, \d+ are left/.test(e.message),
  );
  assert.deepEqual(seen, [1n]);
});

test('not a record file, another version, another ABI: clear errors', () => {
  const file = tmp();
  fs.writeFileSync(file, 'hello world, not a capture at all');
  assert.throws(() => new RecordFileReader(file), /is not a plaintap record file/);
  const header = Buffer.alloc(24);
  header.write('PLAINTAP', 0, 'latin1');
  header.writeUInt32LE(9, 8);
  header.writeUInt32LE(1, 12);
  fs.writeFileSync(file, header);
  assert.throws(() => new RecordFileReader(file), /record file version 9 is not supported/);
  header.writeUInt32LE(1, 8);
  header.writeUInt32LE(7, 12);
  fs.writeFileSync(file, header);
  assert.throws(() => new RecordFileReader(file), /recorded with record ABI 7/);
  assert.throws(() => new RecordFileReader(path.join(os.tmpdir(), 'does-not-exist.ptap')), /cannot read record file/);
});
