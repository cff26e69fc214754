import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExchangeDurationHistogram, statusClass } from '../../../agent/metrics/exchange-duration-histogram';

describe('ExchangeDurationHistogram', () => {
  it('buckets by upper bound (le) with an overflow bucket, and sums', () => {
    const h = new ExchangeDurationHistogram([0.1, 1]);
    h.record('http1', 'GET', 200, 'client', 0.1); // le=0.1 is inclusive
    h.record('http1', 'GET', 201, 'client', 0.5);
    h.record('http1', 'GET', 299, 'client', 3);
    const [series, ...rest] = h.snapshot().series;
    assert.equal(rest.length, 0, 'one label set: same protocol, method, class, side');
    assert.deepEqual(series?.labels, { protocol: 'http1', method: 'GET', status_class: '2xx', side: 'client' });
    assert.deepEqual(series?.counts, [1, 1, 1]);
    assert.equal(series?.count, 3);
    assert.equal(series?.sum, 3.6);
  });

  it('keeps labels bounded', () => {
    const h = new ExchangeDurationHistogram();
    h.record('http1', 'get', 200, 'server', 0.01);
    h.record('Weird Protocol!', 'MKCOL', 999, 'server', 0.01);
    h.record('http2', 'POST', undefined, 'client', 0.01);
    const labels = h.snapshot().series.map((s) => s.labels);
    assert.deepEqual(labels, [
      { protocol: 'http1', method: '_OTHER', status_class: '2xx', side: 'server' },
      { protocol: 'other', method: '_OTHER', status_class: 'other', side: 'server' },
      { protocol: 'http2', method: 'POST', status_class: 'none', side: 'client' },
    ]);
  });

  it('ignores negative and non-finite durations', () => {
    const h = new ExchangeDurationHistogram();
    h.record('http1', 'GET', 200, 'client', -1);
    h.record('http1', 'GET', 200, 'client', Number.NaN);
    assert.equal(h.snapshot().series.length, 0);
  });

  it('snapshots are copies', () => {
    const h = new ExchangeDurationHistogram();
    h.record('http1', 'GET', 200, 'client', 0.01);
    const before = h.snapshot();
    h.record('http1', 'GET', 200, 'client', 0.01);
    assert.equal(before.series[0]?.count, 1);
  });

  it('statusClass', () => {
    assert.equal(statusClass(101), '1xx');
    assert.equal(statusClass(404), '4xx');
    assert.equal(statusClass(599), '5xx');
    assert.equal(statusClass(600), 'other');
    assert.equal(statusClass(undefined), 'none');
  });
});
