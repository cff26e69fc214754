import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExportHealth } from '../../../agent/export/export-health';
import type { OtlpExporterStats } from '../../../agent/export/otlp/export-books';

function stats(overrides: Partial<OtlpExporterStats> = {}): OtlpExporterStats {
  return {
    received: 0,
    accepted: 0,
    dropped: { queueFull: 0, shutdown: 0, mappingError: 0 },
    exported: 0,
    failed: 0,
    exportCalls: 0,
    exportFailures: 0,
    exportRetries: 0,
    queueDepth: 0,
    inFlight: 0,
    maxQueueSize: 8192,
    queueBytes: 0,
    maxQueueBytes: 1 << 23,
    ...overrides,
  };
}

describe('ExportHealth', () => {
  it('idle with nothing waiting is healthy, however long', () => {
    let now = 0;
    const health = new ExportHealth(
      () => stats(),
      1000,
      () => now,
    );
    now = 60_000;
    assert.deepEqual(health.check(), { degraded: false });
  });

  it('records waiting and nothing exported past the threshold: degraded; an export recovers it', () => {
    let now = 0;
    let current = stats({ queueDepth: 5 });
    const health = new ExportHealth(
      () => current,
      1000,
      () => now,
    );
    assert.equal(health.check().degraded, false);
    now = 900;
    assert.equal(health.check().degraded, false, 'not yet');
    now = 1500;
    const state = health.check();
    assert.equal(state.degraded, true);
    assert.match(state.reason ?? '', /collector unreachable: nothing exported for 2s while 5 records wait/);
    now = 1600;
    current = stats({ exported: 5, queueDepth: 0 });
    assert.deepEqual(health.check(), { degraded: false });
  });

  it('queue-full drops: degraded for the threshold after the last one', () => {
    let now = 0;
    let current = stats();
    const health = new ExportHealth(
      () => current,
      1000,
      () => now,
    );
    current = stats({ dropped: { queueFull: 3, shutdown: 0, mappingError: 0 }, exported: 1 });
    now = 10;
    assert.match(health.check().reason ?? '', /export queue full/);
    now = 900;
    current = { ...current, exported: 2 };
    assert.equal(health.check().degraded, true);
    now = 1100;
    current = { ...current, exported: 3 };
    assert.deepEqual(health.check(), { degraded: false });
  });
});
