/**
 * Every PromQL query of the Grafana dashboard (charts/plaintap/dashboards/plaintap.json) runs
 * against a real Prometheus scraping a live agent under real traffic (curl → nginx, exported over
 * OTLP to a real receiver) and returns data. The dashboard's variables are given the values
 * Grafana would: `.*` for "All" instances and nodes, a rate interval covering several scrapes.
 * Every series the panels use exists from the start (counters at 0, every label value
 * pre-declared) except the exchange histogram, which needs exchanges: hence the traffic.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { commFlags, otlpFlags } from '../support/agent-flags';
import { metricsAddress } from '../support/agent-metrics';
import { startAgent, type AgentProcess } from '../support/agent-process';
import { curl } from '../support/clients';
import { CHART_DIR } from '../support/helm';
import { httpGet } from '../support/http-get';
import { startNginx, type NginxServer } from '../support/nginx-server';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver';
import { kernelTestSkipReason } from '../support/privileges';
import { startPrometheus, type PrometheusServer } from '../support/prometheus';
import { makeCertificate } from '../support/tls-fixtures';

interface Target {
  readonly expr: string;
  readonly legendFormat: string;
}
interface Panel {
  readonly title: string;
  readonly type: string;
  readonly targets?: readonly Target[];
}

const dashboard = JSON.parse(fs.readFileSync(path.join(CHART_DIR, 'dashboards', 'plaintap.json'), 'utf8')) as {
  panels: Panel[];
  templating: { list: { name: string; query?: { query: string } }[] };
};

/** What Grafana substitutes: All for the multi-value variables, an interval of several scrapes (1s here). */
function grafanaExpand(expr: string): string {
  return expr.replaceAll('$__rate_interval', '15s').replaceAll('$instance', '.*').replaceAll('$node', '.*');
}

describe('Grafana dashboard queries against a real Prometheus', { skip: kernelTestSkipReason() }, () => {
  let nginx: NginxServer;
  let receiver: OtlpReceiver;
  let agent: AgentProcess;
  let prometheus: PrometheusServer;
  let traffic: Promise<void> | undefined;
  let stopTraffic = false;

  before(async () => {
    nginx = await startNginx(makeCertificate());
    receiver = await startOtlpReceiver();
    agent = await startAgent(['--output', 'none', ...commFlags('curl'), ...otlpFlags(receiver.endpoint)]);
    prometheus = await startPrometheus('plaintap', [metricsAddress(agent)]);
    // Requests until the test ends: the 15s rate windows always see recent exchanges.
    traffic = (async () => {
      let i = 0;
      while (!stopTraffic) {
        await curl(`https://127.0.0.1:${nginx.port}/${i++ % 5 === 0 ? 'missing' : 'hello'}`);
      }
    })();
  });

  after(async () => {
    stopTraffic = true;
    await traffic;
    await prometheus?.stop();
    const code = await agent?.stop();
    await receiver?.stop();
    await nginx?.stop();
    assert.equal(code, 0);
  });

  test('the instance variable lists the agent', async () => {
    const variable = dashboard.templating.list.find((v) => v.name === 'instance');
    const match = /^label_values\((\w+), (\w+)\)$/.exec(variable?.query?.query ?? '');
    assert.ok(match, JSON.stringify(variable));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const answer = await httpGet(`${prometheus.url}/api/v1/label/${match[2]}/values?match[]=${match[1]}`);
      const values = (JSON.parse(answer.body) as { data: string[] }).data;
      if (values.length > 0) break;
      assert.ok(Date.now() < deadline, 'no instance found');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });

  const queries = dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr, legend: target.legendFormat })),
  );

  test(`all ${queries.length} panel queries return data`, async () => {
    assert.ok(queries.length >= 20, `${queries.length} queries`);
    const pending = new Map(queries.map((q) => [q.expr, q]));
    const deadline = Date.now() + 60_000;
    while (pending.size > 0) {
      const last = new Map<string, string>();
      for (const [expr, query] of pending) {
        const result = await prometheus.query(grafanaExpand(expr));
        // A quantile of an empty window is NaN: only finite samples count as data.
        const finite = result.filter((sample) => Number.isFinite(Number(sample.value[1])));
        if (finite.length > 0) pending.delete(expr);
        else last.set(`${query.panel} / ${query.legend}`, `${result.length} series`);
      }
      if (pending.size === 0) break;
      if (Date.now() > deadline) {
        assert.fail(`queries without data:\n${[...last].map(([k, v]) => `  ${k}: ${v}`).join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // The traffic got through to the collector too: the export panels show a working pipeline.
    assert.ok(receiver.records().length > 0);
  });
});
