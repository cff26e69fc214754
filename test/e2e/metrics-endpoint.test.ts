/**
 * plaintap's own health end to end: the real agent serves /metrics, /healthz and /readyz on the
 * address of its ready line; its counters follow real curl traffic; Prometheus' own linter
 * (promtool) accepts the exposition, and a real Prometheus scrapes it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { commFlags } from '../support/agent-flags';
import { runAgentToExit, startAgent, type AgentProcess } from '../support/agent-process';
import { metricsAddress, metricsBase } from '../support/agent-metrics';
import { curl } from '../support/clients';
import { httpGet, sampleValue } from '../support/http-get';
import { startNginx, type NginxServer } from '../support/nginx-server';
import { kernelTestSkipReason } from '../support/privileges';
import { startPrometheus } from '../support/prometheus';
import { makeCertificate, type Certificate } from '../support/tls-fixtures';

const skip = kernelTestSkipReason();

/** prom-client's nodejs_active_*_total are gauges named like counters: an upstream choice promtool flags. */
const KNOWN_PROMTOOL_COMPLAINT = /^nodejs_active_(handles|requests|resources)_total /;

describe('metrics and health endpoints of the running agent', { skip }, () => {
  let cert: Certificate;
  let nginx: NginxServer;
  let agent: AgentProcess;
  let base: string;

  before(async () => {
    cert = makeCertificate();
    nginx = await startNginx(cert);
    // This nginx worker only (by pid): other TLS servers on the host must not count in the totals below.
    agent = await startAgent([
      '--output',
      'none',
      ...commFlags('curl'),
      '--pid',
      String(nginx.workerPid),
      '--metrics-address',
      '127.0.0.1:0',
    ]);
    base = metricsBase(agent);
  });
  after(async () => {
    const code = await agent?.stop('SIGTERM');
    await nginx?.stop();
    assert.equal(code, 0, `agent exit code; stderr:\n${agent?.stderr()}`);
  });

  test('the ready line gives the port chosen for port 0, and says export is off', () => {
    assert.match(
      agent.readyLine,
      /^ready attached=.*libssl\.so[.\d]*\[\d+\].* metrics=127\.0\.0\.1:[1-9]\d* otlp=off$/,
    );
    assert.match(agent.readyLine, /kernel\[\d+\]/);
  });

  test('/healthz and /readyz answer 200 once probes are attached', async () => {
    const health = await httpGet(`${base}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(health.body, 'ok\n');
    const ready = await httpGet(`${base}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(ready.body, 'ready\n');
    assert.equal((await httpGet(`${base}/nope`)).status, 404);
  });

  test('/metrics follows real traffic: events, bytes, workers, attached library, exchanges', async () => {
    const run = await curl(`https://127.0.0.1:${nginx.port}/hello`);
    assert.equal(run.code, 0, run.stderr);
    let text: string;
    const deadline = Date.now() + 15_000;
    for (;;) {
      text = (await httpGet(`${base}/metrics`)).body;
      const complete =
        sampleValue(text, 'plaintap_exchanges_total', { protocol: 'http1', completeness: 'complete' }) ?? 0;
      if (complete >= 2 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.match(text, /^plaintap_build_info\{version="[^"]+"\} 1$/m);
    assert.ok(
      (sampleValue(text, 'plaintap_events_received_total', { kind: 'data' }) ?? 0) >= 4,
      'request and response, both sides',
    );
    assert.ok((sampleValue(text, 'plaintap_captured_bytes_total') ?? 0) > 0);
    assert.ok((sampleValue(text, 'plaintap_connection_workers_opened_total') ?? 0) >= 2);
    assert.equal(sampleValue(text, 'plaintap_kernel_lost_samples_total'), 0);
    assert.ok((sampleValue(text, 'plaintap_attached_targets', { library: 'openssl', result: 'attached' }) ?? 0) >= 1);
    assert.equal(
      sampleValue(text, 'plaintap_exchanges_total', { protocol: 'http1', completeness: 'complete' }),
      2,
      'client and server side',
    );
    assert.ok(
      (sampleValue(text, 'plaintap_exchange_duration_seconds_count', {
        protocol: 'http1',
        method: 'GET',
        status_class: '2xx',
        side: 'client',
      }) ?? 0) >= 1,
    );
    assert.match(text, /^process_cpu_user_seconds_total /m, 'Node.js process metrics');
    assert.doesNotMatch(text, /plaintap_records_exported_total\{/, 'no OTLP exporter, no exporter series');
  });

  test('promtool check metrics accepts the exposition (plaintap_* entirely)', async () => {
    const text = (await httpGet(`${base}/metrics`)).body;
    const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(
      result.error,
      undefined,
      'promtool runs (Debian package prometheus, installed by scripts/setup --test)',
    );
    const complaints = `${result.stdout}${result.stderr}`
      .split('\n')
      .filter((line) => line.trim() !== '' && !KNOWN_PROMTOOL_COMPLAINT.test(line));
    assert.deepEqual(complaints, [], 'promtool findings');
    assert.ok(result.status === 0 || complaints.length === 0);
  });

  test('a real Prometheus scrapes the agent', async () => {
    const prometheus = await startPrometheus('plaintap', [metricsAddress(agent)]);
    try {
      const deadline = Date.now() + 30_000;
      let events: number | undefined;
      let up: string | undefined;
      while (Date.now() < deadline) {
        up = (await prometheus.query('up{job="plaintap"}'))[0]?.value[1];
        const [sample] = await prometheus.query('sum(plaintap_events_received_total{job="plaintap",kind="data"})');
        events = sample ? Number(sample.value[1]) : undefined;
        if (up === '1' && events !== undefined && events > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.equal(up, '1', `the scrape target is up\n${prometheus.stderr().slice(-2000)}`);
      assert.ok(events !== undefined && events > 0, `plaintap_events_received_total stored by Prometheus: ${events}`);
      const [info] = await prometheus.query('plaintap_build_info');
      assert.equal(info?.value[1], '1');
    } finally {
      await prometheus.stop();
    }
  });
});

describe('metrics address choices', { skip }, () => {
  test('--metrics-address off: no listener, said in the ready line', async () => {
    const agent = await startAgent(['--output', 'none', '--comm', 'curl', '--metrics-address', 'off']);
    assert.match(agent.readyLine, / metrics=off otlp=off$/);
    assert.equal(await agent.stop(), 0);
  });

  test('an address in use: one clear message, exit 1, before any probe is attached', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as net.AddressInfo;
    try {
      const result = await runAgentToExit(['--metrics-address', `127.0.0.1:${port}`]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`plaintap cannot serve metrics on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
      assert.doesNotMatch(result.stderr, /^ready/m);
    } finally {
      holder.close();
    }
  });
});
