/**
 * The Helm chart, for real: Helm (built from the Go module proxy) lints and renders it for the
 * default values and each mode in charts/plaintap/ci/; every rendered object is decoded strictly
 * into the Kubernetes API's own Go types; bad values files are rejected by values.schema.json.
 * Then the DaemonSet's container — its args, env and mounts as the kubelet would give them — runs
 * on this host through bin/plaintap (no container runtime can run the image here): the agent
 * accepts every option the chart passes, its probe paths answer on the named port, and it exports
 * captured exchanges to a real OTLP receiver (over TLS with the CA and headers from "Secrets").
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { PLAINTAP_BIN, startAgent } from '../support/agent-process';
import { curl } from '../support/clients';
import { freePort } from '../support/free-port';
import { agentContainer, find, materialise } from '../support/chart-pod';
import { CHART_DIR, helm, helmTemplate, parseManifests, validateManifests } from '../support/helm';
import { httpGet } from '../support/http-get';
import { nginxForSuite } from '../support/suite-nginx';
import { startOtlpReceiver } from '../support/otlp-receiver';
import { exchangesOf } from '../support/otlp-records';
import { kernelTestSkipReason } from '../support/privileges';
import { makeTempDir } from '../support/temp-dir';

const MODES = fs
  .readdirSync(path.join(CHART_DIR, 'ci'))
  .filter((file) => file.endsWith('-values.yaml'))
  .sort();

function valuesArgs(mode: string | undefined): string[] {
  return mode === undefined ? [] : ['-f', path.join(CHART_DIR, 'ci', mode)];
}

function writeValues(values: string): string {
  const file = path.join(makeTempDir('values'), 'values.yaml');
  fs.writeFileSync(file, values);
  return file;
}

describe('Helm chart: lint, render, Kubernetes schemas', () => {
  for (const mode of [undefined, ...MODES]) {
    test(`${mode ?? 'default values'}: helm lint --strict, and every object decodes strictly`, () => {
      const lint = helm(['lint', '--strict', '.', ...valuesArgs(mode)]);
      assert.equal(lint.status, 0, lint.stdout + lint.stderr);
      const manifests = helmTemplate(valuesArgs(mode));
      const validated = validateManifests(manifests);
      assert.equal(validated.status, 0, validated.stderr);
      const objects = parseManifests(manifests);
      assert.equal(validated.stdout.trim().split('\n').length, objects.length, validated.stdout);
    });
  }

  test('the validator is strict: a misspelt field, a wrong type and a bad quantity fail', () => {
    const manifests = helmTemplate();
    for (const [from, to, message] of [
      ['hostPID: true', 'hostPid: true', /unknown field "spec.template.spec.hostPid"/],
      ['terminationGracePeriodSeconds: 30', 'terminationGracePeriodSeconds: "30"', /cannot unmarshal string/],
      ['memory: 512Mi', 'memory: 512Mx', /quantities must match/],
    ] as const) {
      assert.ok(manifests.includes(from), from);
      const run = validateManifests(manifests.replace(from, to));
      assert.equal(run.status, 1, `${to} must fail`);
      assert.match(run.stderr, message);
    }
  });

  test('default: a privileged DaemonSet on every node, host PID, probes, downward API, config checksum', () => {
    const objects = parseManifests(helmTemplate());
    assert.deepEqual(objects.map((o) => o.kind).sort(), ['ConfigMap', 'DaemonSet', 'ServiceAccount']);
    const daemonSet = find(objects, 'DaemonSet');
    const { pod, container } = agentContainer(objects);
    assert.equal(pod.hostPID, true);
    assert.deepEqual(pod.tolerations, [{ operator: 'Exists' }]);
    assert.equal(pod.priorityClassName, 'system-node-critical');
    assert.ok(pod.terminationGracePeriodSeconds > 5, 'longer than the default otlp.shutdown_timeout (5s)');
    assert.equal(daemonSet.spec.updateStrategy.type, 'RollingUpdate');
    assert.deepEqual(container.securityContext, { readOnlyRootFilesystem: true, privileged: true });
    assert.deepEqual(container.ports, [{ name: 'metrics', containerPort: 9464, protocol: 'TCP' }]);
    assert.deepEqual(container.livenessProbe.httpGet, { path: '/healthz', port: 'metrics' });
    assert.deepEqual(container.readinessProbe.httpGet, { path: '/readyz', port: 'metrics' });
    const fieldRefs = Object.fromEntries(
      container.env.flatMap((e) => (e.valueFrom?.fieldRef ? [[e.name, e.valueFrom.fieldRef.fieldPath]] : [])),
    );
    assert.deepEqual(fieldRefs, {
      K8S_NODE_NAME: 'spec.nodeName',
      K8S_POD_NAME: 'metadata.name',
      K8S_NAMESPACE_NAME: 'metadata.namespace',
      HOST_IP: 'status.hostIP',
    });
    const mounts = Object.fromEntries(container.volumeMounts.map((m) => [m.mountPath, m.readOnly ?? false]));
    assert.deepEqual(mounts, {
      '/etc/plaintap': true,
      '/sys/kernel/tracing': false,
      '/sys/kernel/debug': false,
      '/sys/fs/cgroup': true,
    });
    const config = find(objects, 'ConfigMap').data['plaintap.yaml'];
    assert.match(config, /address: 0\.0\.0\.0:9464/);
    const checksum = daemonSet.spec.template.metadata.annotations['checksum/config'];
    const changed = find(parseManifests(helmTemplate(['--set', 'config.log.level=debug'])), 'DaemonSet');
    assert.notEqual(
      changed.spec.template.metadata.annotations['checksum/config'],
      checksum,
      'a new config rolls the pods',
    );
  });

  test('hostPaths switch off one by one', () => {
    const objects = parseManifests(
      helmTemplate([
        '--set',
        'hostPaths.tracing=false',
        '--set',
        'hostPaths.debug=false',
        '--set',
        'hostPaths.cgroup=false',
      ]),
    );
    const { pod, container } = agentContainer(objects);
    assert.deepEqual(
      container.volumeMounts.map((m) => m.mountPath),
      ['/etc/plaintap'],
    );
    assert.equal(pod.volumes.length, 1);
  });

  test('capabilities mode: the listed capabilities plus extra, drop ALL, AppArmor and seccomp unconfined', () => {
    // An extra one as a pcapng needs it (the CI values have none: uprobe_multi links need no SYS_ADMIN).
    const extra = ['--set', 'capabilities.extra={NET_ADMIN}'];
    const { container } = agentContainer(
      parseManifests(helmTemplate([...valuesArgs('capabilities-values.yaml'), ...extra])),
    );
    assert.deepEqual(container.securityContext, {
      readOnlyRootFilesystem: true,
      privileged: false,
      allowPrivilegeEscalation: false,
      capabilities: {
        drop: ['ALL'],
        add: ['BPF', 'PERFMON', 'SYS_PTRACE', 'DAC_READ_SEARCH', 'CHECKPOINT_RESTORE', 'NET_ADMIN'],
      },
      appArmorProfile: { type: 'Unconfined' },
      seccompProfile: { type: 'Unconfined' },
    });
  });

  test('ServiceMonitor and PodMonitor select the agent pods by their metrics port', () => {
    const withService = parseManifests(helmTemplate(valuesArgs('servicemonitor-values.yaml')));
    const selector = find(withService, 'DaemonSet').spec.selector.matchLabels;
    const service = find(withService, 'Service');
    assert.deepEqual(service.spec.selector, selector);
    assert.equal(service.spec.ports[0].targetPort, 'metrics');
    const serviceMonitor = find(withService, 'ServiceMonitor');
    assert.equal(serviceMonitor.metadata.labels?.['release'], 'kube-prometheus-stack');
    assert.deepEqual(serviceMonitor.spec.selector.matchLabels, selector);
    assert.equal(serviceMonitor.spec.endpoints[0].port, 'metrics');
    const podMonitor = find(parseManifests(helmTemplate(valuesArgs('podmonitor-values.yaml'))), 'PodMonitor');
    assert.deepEqual(podMonitor.spec.selector.matchLabels, selector);
    assert.equal(podMonitor.spec.podMetricsEndpoints[0].port, 'metrics');
    assert.equal(podMonitor.spec.podMetricsEndpoints[0].interval, '15s');
    // A ServiceMonitor needs the Service: said clearly, not rendered half.
    const alone = helm(['template', 'pt', '.', '--set', 'metrics.serviceMonitor.enabled=true']);
    assert.notEqual(alone.status, 0);
    assert.match(alone.stderr, /needs metrics\.service\.enabled/);
  });

  test("dashboards: a ConfigMap for Grafana's sidecar holding the dashboard file as is", () => {
    const configMap = find(
      parseManifests(helmTemplate(valuesArgs('dashboards-values.yaml'))),
      'ConfigMap',
      'pt-plaintap-dashboards',
    );
    assert.equal(configMap.metadata.namespace, 'monitoring');
    assert.equal(configMap.metadata.labels?.['grafana_dashboard'], '1');
    const file = fs.readFileSync(path.join(CHART_DIR, 'dashboards', 'plaintap.json'), 'utf8');
    assert.equal(configMap.data['plaintap.json'], file.trimEnd());
  });

  test('OTLP with headers and CA from Secrets: env from the Secret, the CA mounted where the config points', () => {
    const objects = parseManifests(helmTemplate(valuesArgs('otlp-secret-values.yaml')));
    const { container } = agentContainer(objects);
    const headers = container.env.find((e) => e.name === 'OTEL_EXPORTER_OTLP_LOGS_HEADERS');
    assert.deepEqual(headers?.valueFrom, { secretKeyRef: { name: 'plaintap-otlp', key: 'headers' } });
    const config = find(objects, 'ConfigMap').data['plaintap.yaml'] as string;
    assert.match(config, /endpoint: https:\/\/otel-collector\.observability:4317/);
    assert.match(config, /certificate: \/etc\/plaintap\/otlp-ca\/ca\.crt/);
    assert.ok(container.volumeMounts.some((m) => m.mountPath === '/etc/plaintap/otlp-ca'));
  });

  const BAD_VALUES: readonly [string, string, RegExp][] = [
    ['a wrong type', 'metrics:\n  port: "9464"\n', /metrics\/port.*want integer/],
    ['an unknown key', 'hostNetwork: true\n', /additional properties 'hostNetwork' not allowed/],
    ['an unknown plaintap option', 'config:\n  capture:\n    pid: [1]\n', /additional properties 'pid' not allowed/],
    ['a value outside its enum', 'securityMode: root\n', /securityMode.*must be one of/],
    ['an option the chart owns', 'config:\n  metrics:\n    address: 0.0.0.0:1\n', /additional properties 'metrics'/],
    ['a plaintap enum', 'config:\n  output:\n    format: xml\n', /format.*must be one of 'console', 'json', 'none'/],
  ];
  for (const [what, values, message] of BAD_VALUES) {
    test(`a values file with ${what} is rejected by values.schema.json`, () => {
      const run = helm(['template', 'pt', '.', '-f', writeValues(values)]);
      assert.notEqual(run.status, 0, `must fail:\n${values}`);
      assert.match(run.stderr, message);
    });
  }
});

describe('the rendered DaemonSet container runs on this host', { skip: kernelTestSkipReason() }, () => {
  const nginx = nginxForSuite();

  for (const mode of ['default values', 'otlp-secret-values.yaml', 'capabilities-values.yaml']) {
    test(`${mode}: the agent takes the args, env and config, answers its probes and exports`, async () => {
      const tls = mode === 'otlp-secret-values.yaml';
      const receiver = await startOtlpReceiver(
        tls ? { tls: { key: fs.readFileSync(nginx.cert.keyFile), cert: fs.readFileSync(nginx.cert.certFile) } } : {},
      );
      const port = await freePort();
      const set = ['--set', `metrics.port=${port}`, '--set', `otlp.endpoint=${receiver.endpoint}`];
      const objects = parseManifests(helmTemplate([...valuesArgs(mode.endsWith('.yaml') ? mode : undefined), ...set]));
      const { args, env } = materialise(objects, {
        'plaintap-otlp': {
          headers: 'x-api-key=chart%20secret',
          'ca.crt': fs.readFileSync(nginx.cert.certFile, 'utf8'),
        },
      });
      // In capabilities mode, with exactly the container's capabilities (root's bounding set).
      const added = agentContainer(objects).container.securityContext.capabilities?.add;
      const command = added
        ? ['setpriv', `--bounding-set=-all,${added.map((c) => `+${c.toLowerCase()}`).join(',')}`, PLAINTAP_BIN]
        : undefined;
      const agent = await startAgent(args, { env, configuredMetricsAddress: true, ...(command && { command }) });
      try {
        assert.match(agent.readyLine, new RegExp(` metrics=0\\.0\\.0\\.0:${port} `));
        assert.ok(agent.readyLine.endsWith(` otlp=${receiver.endpoint}`), agent.readyLine);
        // The probes as the kubelet sends them: the path, on the named port's containerPort.
        const { container } = agentContainer(objects);
        const named = (name: string) => container.ports.find((p) => p.name === name)?.containerPort;
        for (const probe of [container.livenessProbe, container.readinessProbe]) {
          const answer = await httpGet(`http://127.0.0.1:${named(probe.httpGet.port)}${probe.httpGet.path}`);
          assert.equal(answer.status, 200, `${probe.httpGet.path}: ${answer.body}`);
        }
        const run = await curl(`https://127.0.0.1:${nginx.port}/hello?chart=1`);
        assert.equal(run.code, 0, run.stderr);
        // The otlp-secret values capture nginx only (capture.comms); the others every process.
        const pid = tls ? nginx.workerPid : run.pid;
        const records = await receiver.waitFor((all) => exchangesOf(all, pid).length >= 1, 20_000);
        const record = records.find((r) => r.attributes['process.pid'] === pid)!;
        assert.equal(record.resource['k8s.node.name'], 'node-chart-e2e');
        assert.equal(record.resource['k8s.pod.name'], 'pt-plaintap-x7k2p');
        if (tls) {
          assert.equal(receiver.callHeaders[0]?.['x-api-key'], 'chart secret', 'headers from the Secret');
          assert.equal(record.attributes['http.request.header.content-type'], undefined);
        }
      } finally {
        const code = await agent.stop('SIGTERM');
        await receiver.stop();
        assert.equal(code, 0, agent.stderr());
      }
    });
  }
});
