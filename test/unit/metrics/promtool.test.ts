/**
 * `promtool check metrics` (Prometheus' own linter, Debian package `prometheus`) on a real scrape
 * of the plaintap registry with every source wired. prom-client's `nodejs_active_*_total` gauges
 * break the "counters end in _total" rule on purpose upstream; those findings are filtered out.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ExchangeDurationHistogram } from '../../../agent/metrics/exchange-duration-histogram';
import { createPlaintapMetrics } from '../../../agent/metrics/plaintap-metrics';

const KNOWN_UPSTREAM = /^nodejs_active_\w+_total /;

function promtoolPresent(): boolean {
  return spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
}

describe('promtool check metrics', () => {
  it('accepts the scrape of the plaintap registry', async (t) => {
    if (!promtoolPresent()) {
      const message =
        'promtool NOT INSTALLED: metrics lint skipped (apt-get install --no-install-recommends prometheus)';
      process.stderr.write(`\n*** ${message} ***\n\n`);
      t.skip(message);
      return;
    }
    const durations = new ExchangeDurationHistogram();
    durations.record('http1', 'GET', 200, 'client', 0.02);
    const metrics = createPlaintapMetrics({
      version: '0.0.0-test',
      sources: {
        capture: () => ({ eventsReceived: { data: 1, close: 1 }, bytesCaptured: 10 }),
        native: () => ({ kernelLostSamples: 0, dropped: { batch_queue_full: 0 } }),
        processor: () => ({
          dropped: { intake_full: 1 },
          liveWorkers: 1,
          workersOpened: 1,
          workersClosed: { idle: 1 },
          truncations: { message_cap: 1 },
        }),
        protocols: () => ({ parseErrors: { http1: 0 } }),
        exchanges: () => ({ http1: { complete: 1, incomplete: 0 } }),
        exporters: () => [
          {
            exporter: 'otlp',
            exported: 1,
            exportFailures: 0,
            failedRecords: 0,
            exportRetries: 0,
            dropped: { queue_full: 0 },
            queueDepth: 0,
            queueCapacity: 2048,
          },
        ],
        attachedTargets: () => [{ library: 'openssl', result: 'attached', count: 1 }],
        exchangeDurations: () => durations.snapshot(),
      },
    });
    const scrape = await metrics.scrape();
    const result = spawnSync('promtool', ['check', 'metrics'], { input: scrape, encoding: 'utf8' });
    const findings = `${result.stdout}${result.stderr}`
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !KNOWN_UPSTREAM.test(line));
    assert.deepEqual(findings, [], `promtool findings:\n${findings.join('\n')}`);
  });
});
