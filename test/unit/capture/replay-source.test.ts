import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { CapturedEvent, DataEvent } from '../../../agent/capture/captured-event';
import { RecordFileError, RecordFileWriter } from '../../../agent/capture/record-file';
import { ReplaySource } from '../../../agent/capture/replay-source';
import { buildRecord } from '../../support/kernel-records';
import { makeTempDir } from '../../support/temp-dir';

function recordFile(batches: Array<[bigint, Buffer]>, offsetNs = 1_000_000_000_000n): string {
  const file = path.join(makeTempDir('replay'), 'x.ptap');
  const writer = new RecordFileWriter(file, offsetNs);
  for (const [ns, batch] of batches) writer.write(batch, ns);
  writer.close();
  return file;
}

test('replays every batch in order with the original wall-clock times', async () => {
  const file = recordFile([
    [1_000n, buildRecord({ timestampNs: 500n, payload: Buffer.from('GET / HTTP/1.1\r\n\r\n') })],
    [
      2_000n,
      Buffer.concat([
        buildRecord({ timestampNs: 700n, direction: 1, payload: Buffer.from('HTTP/1.1 204 No Content\r\n\r\n') }),
        buildRecord({ type: 2, timestampNs: 800n }),
      ]),
    ],
  ]);
  const events: CapturedEvent[] = [];
  const summary = await new ReplaySource(file, { realtime: false }).run((batch) => events.push(...batch));
  assert.deepEqual(summary, { batches: 2, records: 3, bytes: summary.bytes });
  assert.deepEqual(
    events.map((e) => e.kind),
    ['data', 'data', 'close'],
  );
  assert.equal(events[0]?.timestampNs, 1_000_000_000_500n);
  assert.equal(Buffer.from((events[1] as DataEvent).payload).toString(), 'HTTP/1.1 204 No Content\r\n\r\n');
});

test('--realtime keeps the recorded pacing', async () => {
  const file = recordFile([
    [0n, buildRecord({ payload: Buffer.from('a') })],
    [300_000_000n, buildRecord({ payload: Buffer.from('b') })],
  ]);
  const started = process.hrtime.bigint();
  await new ReplaySource(file, { realtime: true }).run(() => undefined);
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  assert.ok(elapsedMs >= 290, `waited the recorded 300 ms, took ${elapsedMs} ms`);
});

test('a truncated file delivers its complete batches and then rejects clearly', async () => {
  const file = recordFile([
    [1n, buildRecord({ payload: Buffer.from('kept') })],
    [2n, buildRecord({ payload: Buffer.alloc(200) })],
  ]);
  fs.truncateSync(file, fs.statSync(file).size - 100);
  const events: CapturedEvent[] = [];
  await assert.rejects(
    new ReplaySource(file, { realtime: false }).run((batch) => events.push(...batch)),
    (e: Error) => e instanceof RecordFileError && /truncated/.test(e.message),
  );
  assert.equal(events.length, 1);
});
