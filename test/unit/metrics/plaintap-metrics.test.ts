import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { register as globalRegistry } from 'prom-client';
import { ExchangeDurationHistogram } from '../../../agent/metrics/exchange-duration-histogram';
import type { MetricsSources, ProcessorStatsSnapshot } from '../../../agent/metrics/metrics-sources';
import { createPlaintapMetrics, PLAINTAP_METRIC_NAMES } from '../../../agent/metrics/plaintap-metrics';

/** Value of the sample line `name{labels}` (labels as printed), or undefined. */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

function fullSources(): MetricsSources {
  const durations = new ExchangeDurationHistogram();
  durations.record('http1', 'GET', 200, 'client', 0.004);
  durations.record('http1', 'GET', 204, 'client', 0.2);
  durations.record('http2', 'BREW', undefined, 'server', 100);
  return {
    capture: () => ({ eventsReceived: { data: 120, close: 7 }, bytesCaptured: 65_536 }),
    native: () => ({
      kernelLostSamples: 3,
      socketUnresolved: 11,
      goReadUnmatched: 12,
      dropped: { batch_queue_full: 2 },
    }),
    processor: () => ({
      dropped: { intake_full: 5 },
      liveWorkers: 4,
      workersOpened: 10,
      workersClosed: { idle: 3, 'fd-closed': 2, 'socket-destroyed': 1 },
      truncations: { message_cap: 9 },
      redetections: { http1: 2 },
    }),
    protocols: () => ({
      parseErrors: { http1: 1, http9: 4 },
      parseErrorsByReason: { http1: { 'bare-cr': 1, 'obs-fold': 0 } },
      skippedRanges: { http1: 3 },
      skippedBytes: { http1: 300 },
    }),
    exchanges: () => ({ http1: { complete: 40, incomplete: 2 } }),
    exporters: () => [
      {
        exporter: 'otlp',
        exported: 38,
        exportFailures: 1,
        failedRecords: 2,
        exportRetries: 4,
        dropped: { queue_full: 6, shutdown: 0 },
        queueDepth: 12,
        queueCapacity: 2048,
        queueBytes: 12_345,
        queueBytesCapacity: 33_554_432,
      },
    ],
    attachedTargets: () => [
      { library: 'openssl', result: 'attached', count: 3 },
      { library: 'gnutls', result: 'failed', count: 1 },
    ],
    exchangeDurations: () => durations.snapshot(),
  };
}

describe('plaintap metrics registry', () => {
  it('exposes every plaintap_* metric, in its own registry (not the global one)', async () => {
    const metrics = createPlaintapMetrics({ sources: fullSources(), version: '1.2.3' });
    const text = await metrics.scrape();
    for (const name of PLAINTAP_METRIC_NAMES) assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    assert.match(text, /^process_cpu_user_seconds_total /m, 'default process metrics');
    assert.match(text, /^nodejs_heap_size_total_bytes /m, 'default nodejs metrics');
    assert.equal(globalRegistry.getSingleMetric('plaintap_build_info'), undefined);
    assert.equal(globalRegistry.getMetricsAsArray().length, 0, 'nothing registered globally');
  });

  it('reads every value from the snapshots at scrape time', async () => {
    const text = await createPlaintapMetrics({
      sources: fullSources(),
      version: '1.2.3',
      defaultMetrics: false,
    }).scrape();
    const expected: Record<string, number> = {
      'plaintap_build_info{version="1.2.3"}': 1,
      'plaintap_events_received_total{kind="data"}': 120,
      'plaintap_events_received_total{kind="close"}': 7,
      plaintap_captured_bytes_total: 65_536,
      plaintap_kernel_lost_samples_total: 3,
      plaintap_records_without_socket_total: 11,
      plaintap_go_read_unmatched_total: 12,
      'plaintap_native_dropped_total{reason="batch_queue_full"}': 2,
      'plaintap_processor_dropped_total{reason="intake_full"}': 5,
      plaintap_connection_workers: 4,
      plaintap_connection_workers_opened_total: 10,
      'plaintap_connection_workers_closed_total{reason="idle"}': 3,
      'plaintap_connection_workers_closed_total{reason="fd-closed"}': 2,
      'plaintap_connection_workers_closed_total{reason="socket-destroyed"}': 1,
      'plaintap_connection_workers_closed_total{reason="shutdown"}': 0,
      'plaintap_truncations_total{reason="message_cap"}': 9,
      'plaintap_parse_errors_total{protocol="http1",reason="bare-cr"}': 1,
      'plaintap_parse_errors_total{protocol="http1",reason="obs-fold"}': 0,
      // A protocol without reasons shows its total.
      'plaintap_parse_errors_total{protocol="http9",reason="unknown"}': 4,
      'plaintap_parse_skipped_ranges_total{protocol="http1"}': 3,
      'plaintap_parse_skipped_bytes_total{protocol="http1"}': 300,
      'plaintap_protocol_redetections_total{protocol="http1"}': 2,
      'plaintap_exchanges_total{protocol="http1",completeness="complete"}': 40,
      'plaintap_exchanges_total{protocol="http1",completeness="incomplete"}': 2,
      'plaintap_records_exported_total{exporter="otlp"}': 38,
      'plaintap_export_failures_total{exporter="otlp"}': 1,
      'plaintap_export_failed_records_total{exporter="otlp"}': 2,
      'plaintap_export_retries_total{exporter="otlp"}': 4,
      'plaintap_export_dropped_total{exporter="otlp",reason="queue_full"}': 6,
      'plaintap_export_dropped_total{exporter="otlp",reason="shutdown"}': 0,
      'plaintap_export_queue_depth{exporter="otlp"}': 12,
      'plaintap_export_queue_capacity{exporter="otlp"}': 2048,
      'plaintap_export_queue_bytes{exporter="otlp"}': 12_345,
      'plaintap_export_queue_bytes_capacity{exporter="otlp"}': 33_554_432,
      'plaintap_attached_targets{library="openssl",result="attached"}': 3,
      'plaintap_attached_targets{library="gnutls",result="failed"}': 1,
      'plaintap_exchange_duration_seconds_bucket{protocol="http1",method="GET",status_class="2xx",side="client",le="0.005"}': 1,
      'plaintap_exchange_duration_seconds_bucket{protocol="http1",method="GET",status_class="2xx",side="client",le="0.25"}': 2,
      'plaintap_exchange_duration_seconds_bucket{protocol="http1",method="GET",status_class="2xx",side="client",le="+Inf"}': 2,
      'plaintap_exchange_duration_seconds_count{protocol="http1",method="GET",status_class="2xx",side="client"}': 2,
      'plaintap_exchange_duration_seconds_sum{protocol="http1",method="GET",status_class="2xx",side="client"}':
        0.004 + 0.2,
      'plaintap_exchange_duration_seconds_bucket{protocol="http2",method="_OTHER",status_class="none",side="server",le="60"}': 0,
      'plaintap_exchange_duration_seconds_bucket{protocol="http2",method="_OTHER",status_class="none",side="server",le="+Inf"}': 1,
    };
    for (const [series, value] of Object.entries(expected)) assert.equal(sample(text, series), value, series);
  });

  it('shows zeros (and the always-known label values) when no source is wired', async () => {
    const text = await createPlaintapMetrics({ defaultMetrics: false, version: 'x' }).scrape();
    assert.equal(sample(text, 'plaintap_captured_bytes_total'), 0);
    assert.equal(sample(text, 'plaintap_connection_workers'), 0);
    assert.equal(sample(text, 'plaintap_events_received_total{kind="data"}'), 0);
    assert.equal(sample(text, 'plaintap_connection_workers_closed_total{reason="idle"}'), 0);
    assert.doesNotMatch(text, /plaintap_exchange_duration_seconds_bucket/);
  });

  it('follows the sources between scrapes, each provider called once per scrape', async () => {
    let live = 1;
    let calls = 0;
    const processor = (): ProcessorStatsSnapshot => {
      calls += 1;
      return { dropped: {}, liveWorkers: live, workersOpened: live, workersClosed: {}, truncations: {} };
    };
    const metrics = createPlaintapMetrics({ defaultMetrics: false, sources: { processor } });
    assert.equal(sample(await metrics.scrape(), 'plaintap_connection_workers'), 1);
    assert.equal(calls, 1, 'one snapshot shared by every metric of the scrape');
    live = 5;
    const text = await metrics.scrape();
    assert.equal(sample(text, 'plaintap_connection_workers'), 5);
    assert.equal(sample(text, 'plaintap_connection_workers_opened_total'), 5);
    assert.equal(calls, 2);
  });

  it('keeps the last good values when a provider throws, and counts the error', async () => {
    let fail = false;
    const metrics = createPlaintapMetrics({
      defaultMetrics: false,
      sources: {
        capture: () => {
          if (fail) throw new Error('boom');
          return { eventsReceived: { data: 9 }, bytesCaptured: 100 };
        },
      },
    });
    assert.equal(sample(await metrics.scrape(), 'plaintap_captured_bytes_total'), 100);
    fail = true;
    const text = await metrics.scrape();
    assert.equal(sample(text, 'plaintap_captured_bytes_total'), 100, 'a counter never goes back');
    assert.equal(sample(text, 'plaintap_metrics_source_errors_total{source="capture"}'), 1);
  });

  it('setSources adds providers later', async () => {
    const metrics = createPlaintapMetrics({ defaultMetrics: false });
    metrics.setSources({ native: () => ({ kernelLostSamples: 42, dropped: {} }) });
    assert.equal(sample(await metrics.scrape(), 'plaintap_kernel_lost_samples_total'), 42);
  });

  it('documents every plaintap_* metric in docs/metrics.md', () => {
    let dir = __dirname;
    while (!existsSync(path.join(dir, 'docs', 'metrics.md')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
    const doc = readFileSync(path.join(dir, 'docs', 'metrics.md'), 'utf8');
    for (const name of PLAINTAP_METRIC_NAMES)
      assert.ok(doc.includes(`\`${name}\``), `${name} missing from docs/metrics.md`);
  });
});
