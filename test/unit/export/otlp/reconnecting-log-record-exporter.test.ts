import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReconnectingLogRecordExporter } from '../../../../agent/export/otlp/reconnecting-log-record-exporter';
import { exportOnce, grpcError, ScriptedLogExporter, type ExportResult } from '../../../support/scripted-log-exporter';

function setup(script: ExportResult[]): {
  exporter: ReconnectingLogRecordExporter;
  created: ScriptedLogExporter[];
  clock: { now: number };
} {
  const clock = { now: 0 };
  const created: ScriptedLogExporter[] = [];
  const next = (): ExportResult => script.shift() ?? { code: 0 };
  const exporter = new ReconnectingLogRecordExporter(
    () => {
      const fake = new ScriptedLogExporter(next);
      created.push(fake);
      return fake;
    },
    5000,
    () => clock.now,
  );
  return { exporter, created, clock };
}

const run = exportOnce;

describe('ReconnectingLogRecordExporter', () => {
  it('passes results through and keeps its exporter while exports succeed', async () => {
    const { exporter, created } = setup([{ code: 0 }, { code: 0 }]);
    assert.equal((await run(exporter)).code, 0);
    assert.equal((await run(exporter)).code, 0);
    assert.equal(created.length, 1);
    assert.equal(exporter.reconnects, 0);
  });

  it('replaces an exporter that failed with UNAVAILABLE once it lived the minimum lifetime', async () => {
    const unavailable = { code: 1, error: grpcError(14) };
    const { exporter, created, clock } = setup([unavailable, unavailable, { code: 0 }]);
    // Young: the failure is passed on, the channel kept (its own backoff applies).
    assert.equal((await run(exporter)).error, unavailable.error);
    assert.equal(created.length, 1);
    clock.now = 5000;
    assert.equal((await run(exporter)).error, unavailable.error);
    assert.equal(created.length, 2);
    assert.equal(exporter.reconnects, 1);
    assert.equal(created[0]?.shutdowns, 1);
    // The next export goes to the new exporter.
    assert.equal((await run(exporter)).code, 0);
    assert.equal(created[1]?.exports, 1);
  });

  it('keeps its exporter on other failures', async () => {
    const { exporter, created, clock } = setup([
      { code: 1, error: grpcError(3) },
      { code: 1, error: new Error('no code') },
      { code: 1 },
    ]);
    clock.now = 60_000;
    for (let i = 0; i < 3; i++) assert.equal((await run(exporter)).code, 1);
    assert.equal(created.length, 1);
    assert.equal(exporter.reconnects, 0);
  });

  it('shuts down the exporter in use', async () => {
    const { exporter, created } = setup([]);
    await exporter.shutdown();
    assert.equal(created[0]?.shutdowns, 1);
  });
});
