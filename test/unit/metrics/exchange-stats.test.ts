import { facts } from '../../support/captured-events';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpBody, HttpExchange, HttpRequest, HttpResponse } from '../../../agent/exchange/http-exchange';
import { ExchangeStats, type ObservedRecord } from '../../../agent/metrics/exchange-stats';
import { createPlaintapMetrics } from '../../../agent/metrics/plaintap-metrics';
import { httpBody } from '../../support/output-records';

const connection = facts({ pid: 1, tid: 1, uid: 0, fd: 3, sockId: 1n, localPort: 1 });
const body: HttpBody = httpBody();
const common = {
  version: '1.1',
  headers: [],
  trailers: [],
  headerBytes: 10,
  body,
  startNs: 0n,
  endNs: 0n,
  tid: 1,
  complete: true,
};
const request: HttpRequest = { ...common, method: 'GET', target: '/' };
const response: HttpResponse = { ...common, statusCode: 200, reason: 'OK', interim: [] };

function exchange(extra: Partial<HttpExchange>): HttpExchange {
  return {
    kind: 'http1.exchange',
    connection,
    side: 'client',
    request,
    response,
    complete: true,
    late: false,
    timestampNs: 0n,
    endNs: 20_000_000n,
    durationNs: 20_000_000n,
    ...extra,
  };
}

describe('ExchangeStats', () => {
  it('counts exchanges by completeness and records latencies of answered requests', async () => {
    const stats = new ExchangeStats();
    const seen: ObservedRecord[] = [];
    const sink = stats.sink<ObservedRecord>({ emit: (record) => seen.push(record) });
    sink.emit(exchange({}));
    sink.emit(exchange({ late: true }));
    sink.emit({ kind: 'raw' });
    const { response: _unused, ...noResponse } = exchange({ complete: false, incompleteReason: 'timeout' });
    sink.emit(noResponse);
    assert.equal(seen.length, 4, 'every record is forwarded');
    assert.deepEqual(stats.countsSnapshot(), { http1: { complete: 1, incomplete: 1, late: 1 } });
    const durations = stats.durations.snapshot();
    assert.equal(durations.series.length, 1);
    assert.equal(durations.series[0]?.count, 2);

    const metrics = createPlaintapMetrics({
      defaultMetrics: false,
      sources: { exchanges: () => stats.countsSnapshot(), exchangeDurations: () => stats.durations.snapshot() },
    });
    const text = await metrics.scrape();
    assert.match(text, /^plaintap_exchanges_total\{protocol="http1",completeness="late"\} 1$/m);
    assert.match(
      text,
      /^plaintap_exchange_duration_seconds_count\{protocol="http1",method="GET",status_class="2xx",side="client"\} 2$/m,
    );
  });
});
