/**
 * The container image, for real (`npm run test:image`, as root; not part of `npm test`: the first
 * run debootstraps a Debian base and installs the build stage's toolchain, many minutes): the
 * Dockerfile builds with buildah on a locally made base image (no registry is reachable here),
 * carries its OCI labels and entrypoint, and the agent runs from it with the DaemonSet's args,
 * env, mounts and capabilities as the chart renders them (capabilities mode) — in the host's PID namespace, as hostPID gives it —
 * capturing a host curl against nginx and exporting it to a real OTLP receiver.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startAgent } from '../support/agent-process';
import { agentContainer, materialise } from '../support/chart-pod';
import { curl } from '../support/clients';
import { freePort } from '../support/free-port';
import { REPO_ROOT, helmTemplate, parseManifests } from '../support/helm';
import { httpGet } from '../support/http-get';
import { startNginx, type NginxServer } from '../support/nginx-server';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver';
import { exchangesOf } from '../support/otlp-records';
import { kernelTestSkipReason } from '../support/privileges';
import { makeCertificate } from '../support/tls-fixtures';

const IMAGE = 'localhost/plaintap:test';
/**
 * What `buildah run` grants unless told otherwise; dropped one by one for the chart's `drop: [ALL]`
 * (buildah's `--cap-drop ALL` would also drop what `--cap-add` adds).
 */
const BUILDAH_DEFAULT_CAPABILITIES = [
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'SETGID',
  'SETUID',
  'SETPCAP',
  'NET_BIND_SERVICE',
  'SYS_CHROOT',
  'SETFCAP',
];

function run(file: string, args: readonly string[], what: string): string {
  const result = spawnSync(file, args, { encoding: 'utf8', cwd: REPO_ROOT, maxBuffer: 64 << 20 });
  assert.equal(result.status, 0, `${what} failed (exit ${result.status}):\n${result.stderr.slice(-6000)}`);
  return result.stdout;
}

describe('container image', { skip: kernelTestSkipReason() }, () => {
  let nginx: NginxServer;
  let receiver: OtlpReceiver;
  /** Working containers made from the image, removed at the end. */
  const containers: string[] = [];

  before(async () => {
    const base = run(path.join(REPO_ROOT, 'scripts', 'build-base-image.sh'), [], 'build-base-image.sh').trim();
    // --layers: an unchanged step is taken from buildah's cache (a rebuild after a source edit
    // reruns only the steps from the first changed COPY).
    // npm behind this machine's TLS-intercepting proxy: its CA as a build secret (not in the image).
    const ca = process.env['NODE_EXTRA_CA_CERTS'];
    const secret = ca ? ['--secret', `id=ca,src=${ca}`] : [];
    run(
      'buildah',
      ['build', '--isolation', 'chroot', '--layers', ...secret, '--build-arg', `BASE_IMAGE=${base}`, '-t', IMAGE, '.'],
      'buildah build',
    );
    nginx = await startNginx(makeCertificate());
    receiver = await startOtlpReceiver();
  });

  after(async () => {
    for (const container of containers) run('buildah', ['rm', container], 'buildah rm');
    await receiver?.stop();
    await nginx?.stop();
  });

  test('the image has its OCI labels and the plaintap entrypoint', () => {
    const config = JSON.parse(run('buildah', ['inspect', '--type', 'image', IMAGE], 'buildah inspect')) as {
      OCIv1: { config: { Labels: Record<string, string>; Entrypoint: string[] } };
    };
    const { Labels: labels, Entrypoint: entrypoint } = config.OCIv1.config;
    assert.deepEqual(entrypoint, ['/opt/plaintap/bin/plaintap']);
    assert.equal(labels['org.opencontainers.image.title'], 'plaintap');
    assert.equal(labels['org.opencontainers.image.licenses'], 'Apache-2.0');
    assert.ok(labels['org.opencontainers.image.version']);
    const plain = fromImage();
    containers.push(plain);
    const node = run('buildah', ['run', '--isolation', 'chroot', plain, '--', 'node', '--version'], 'node');
    assert.match(node, /^v20\./);
  });

  test("the agent runs from the image with the chart's args, env and mounts and captures a host curl", async () => {
    const port = await freePort();
    // Capabilities mode: this sandbox cannot give a container every capability (it lacks
    // CAP_SYS_RESOURCE itself), so privileged mode cannot be reproduced; the capability list can.
    const objects = parseManifests(
      helmTemplate([
        '-f',
        path.join(REPO_ROOT, 'charts', 'plaintap', 'ci', 'capabilities-values.yaml'),
        '--set',
        `metrics.port=${port}`,
        '--set',
        `otlp.endpoint=${receiver.endpoint}`,
      ]),
    );
    const added = agentContainer(objects).container.securityContext.capabilities?.add ?? [];
    assert.ok(added.includes('BPF'), JSON.stringify(added));
    const pod = materialise(objects, {}, true);
    // Seccomp is set when the working container is made (AppArmor is not enabled on this host).
    const unconfined = fromImage(['--security-opt', 'seccomp=unconfined']);
    containers.push(unconfined);
    const mounts = pod.mounts.flatMap((m) => ['-v', `${m.source}:${m.target}:${m.readOnly ? 'ro' : 'rw'}`]);
    const env = Object.entries(pod.env).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
    // buildah run shares the host's PID and network namespaces (hostPID; the port on the pod IP);
    // the securityContext: exactly the rendered capabilities.
    const security = [
      ...BUILDAH_DEFAULT_CAPABILITIES.filter((cap) => !added.includes(cap)).flatMap((cap) => [
        '--cap-drop',
        `CAP_${cap}`,
      ]),
      ...added.flatMap((cap) => ['--cap-add', `CAP_${cap}`]),
    ];
    const agent = await startAgent(pod.args, {
      command: [
        'buildah',
        'run',
        '--isolation',
        'chroot',
        ...security,
        ...mounts,
        ...env,
        unconfined,
        '--',
        '/opt/plaintap/bin/plaintap',
      ],
      configuredMetricsAddress: true,
      readyTimeoutMs: 60_000,
    });
    try {
      assert.match(agent.readyLine, new RegExp(` metrics=0\\.0\\.0\\.0:${port} `));
      for (const probe of ['/healthz', '/readyz']) {
        assert.equal((await httpGet(`http://127.0.0.1:${port}${probe}`)).status, 200, probe);
      }
      const client = await curl(`https://127.0.0.1:${nginx.port}/hello?from=image`);
      assert.equal(client.code, 0, client.stderr);
      const records = await receiver.waitFor((all) => exchangesOf(all, client.pid).length >= 1, 30_000);
      const record = records.find((r) => r.attributes['process.pid'] === client.pid)!;
      assert.equal(record.attributes['url.path'], '/hello');
      assert.equal(record.resource['k8s.node.name'], 'node-chart-e2e');
    } finally {
      // As the kubelet stops a container: SIGTERM to its process (buildah run itself would kill
      // it), which flushes and exits 0; buildah run then exits with its status.
      const inContainer = descendants(agent.child.pid!).find((pid) => readComm(pid) === 'node');
      assert.ok(inContainer, 'the agent process under buildah run');
      process.kill(inContainer, 'SIGTERM');
      const code = await new Promise((resolve) => {
        if (agent.child.exitCode !== null) resolve(agent.child.exitCode);
        else agent.child.once('exit', (status) => resolve(status));
      });
      assert.equal(code, 0, agent.stderr());
    }
  });

  function readComm(pid: number): string {
    try {
      return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      return '';
    }
  }

  /** Every process below `root` (host PID namespace: the container's processes are visible). */
  function descendants(root: number): number[] {
    const children = new Map<number, number[]>();
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
      } catch {
        // gone meanwhile
      }
    }
    const out: number[] = [];
    const walk = (pid: number): void => {
      for (const child of children.get(pid) ?? []) {
        out.push(child);
        walk(child);
      }
    };
    walk(root);
    return out;
  }

  function fromImage(options: readonly string[] = []): string {
    return run('buildah', ['from', '--pull=never', ...options, IMAGE], 'buildah from').trim();
  }
});
