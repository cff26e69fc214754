import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OutputRecord } from '../../../agent/exchange/output-record';
import { SideFilterSink, filterSide } from '../../../agent/export/side-filter-sink';
import type { RecordSink } from '../../../agent/protocols/protocol';

const record = (kind: string, side?: 'client' | 'server'): OutputRecord => ({ kind, side }) as unknown as OutputRecord;

test('keeps the chosen side and every raw record, counting what it leaves out', () => {
  const seen: OutputRecord[] = [];
  const sink = new SideFilterSink('server', { emit: (r) => seen.push(r) });
  sink.emit(record('http1.exchange', 'client'));
  sink.emit(record('http1.exchange', 'server'));
  sink.emit(record('websocket.message', 'client'));
  sink.emit(record('raw'));
  assert.deepEqual(
    seen.map((r) => [r.kind, (r as { side?: string }).side]),
    [
      ['http1.exchange', 'server'],
      ['raw', undefined],
    ],
  );
  assert.equal(sink.filtered, 2);
});

test('both: no filter at all', () => {
  const next: RecordSink = { emit: () => undefined };
  assert.equal(filterSide('both', next), next);
  assert.ok(filterSide('client', next) instanceof SideFilterSink);
});
