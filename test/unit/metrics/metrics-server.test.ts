import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { startMetricsServer } from '../../../agent/metrics/metrics-server';
import { createPlaintapMetrics } from '../../../agent/metrics/plaintap-metrics';

describe('metrics server', () => {
  it('serves /metrics, /healthz and /readyz on a free port of 127.0.0.1', async () => {
    const metrics = createPlaintapMetrics({ version: '9.9.9' });
    let ready = false;
    const server = await startMetricsServer({ port: 0, registry: metrics.registry, isReady: () => ready });
    try {
      assert.equal(server.host, '127.0.0.1');
      assert.ok(server.port > 0);
      assert.equal(server.url, `http://127.0.0.1:${server.port}`);

      const scrape = await fetch(`${server.url}/metrics`);
      assert.equal(scrape.status, 200);
      assert.match(scrape.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      assert.match(await scrape.text(), /^plaintap_build_info\{version="9\.9\.9"\} 1$/m);

      const health = await fetch(`${server.url}/healthz`);
      assert.equal(health.status, 200);
      assert.equal(await health.text(), 'ok\n');

      assert.equal((await fetch(`${server.url}/readyz`)).status, 503);
      ready = true;
      const readyz = await fetch(`${server.url}/readyz`);
      assert.equal(readyz.status, 200);
      assert.equal(await readyz.text(), 'ready\n');

      const head = await fetch(`${server.url}/healthz`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(await head.text(), '');
      assert.equal((await fetch(`${server.url}/nope`)).status, 404);
      assert.equal((await fetch(`${server.url}/metrics`, { method: 'POST' })).status, 405);
      assert.equal((await fetch(`${server.url}/metrics?x=1`)).status, 200, 'query strings are ignored');
    } finally {
      await server.close();
    }
  });

  it('counts a throwing readiness check as not ready, and answers 500 if collection fails', async () => {
    const registry = new Registry();
    registry.registerMetric({
      name: 'broken',
      help: 'x',
      get: () => Promise.reject(new Error('collect failed')),
    } as never);
    const server = await startMetricsServer({
      port: 0,
      registry,
      isReady: () => {
        throw new Error('not yet');
      },
    });
    try {
      assert.equal((await fetch(`${server.url}/readyz`)).status, 503);
      const res = await fetch(`${server.url}/metrics`);
      assert.equal(res.status, 500);
      assert.match(await res.text(), /collect failed/);
    } finally {
      await server.close();
    }
  });

  it('binds IPv6 loopback and brackets it in the URL', async () => {
    const server = await startMetricsServer({ host: '::1', port: 0, registry: new Registry() }).catch(() => undefined);
    if (!server) return; // no IPv6 loopback on this machine
    try {
      assert.equal(server.url, `http://[::1]:${server.port}`);
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    } finally {
      await server.close();
    }
  });

  it('fails to start on a port in use', async () => {
    const first = await startMetricsServer({ port: 0, registry: new Registry() });
    try {
      await assert.rejects(startMetricsServer({ port: first.port, registry: new Registry() }), /EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});
