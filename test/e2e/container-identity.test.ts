/**
 * Container and pod identity end to end: real python3 clients moved into cgroups named like
 * containerd (systemd driver), CRI-O (cgroupfs driver) and Docker ones — in the cgroup v2
 * hierarchy and in a v1 one — talk TLS to a real nginx; the real agent reports each with the
 * right `container.id` and `k8s.pod.uid` (JSON lines and OTLP), and `--cgroup` (filtered in the
 * kernel) keeps only the processes in the chosen container and pod.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startAgent, type AgentProcess } from '../support/agent-process';
import { commFlags, otlpFlags } from '../support/agent-flags';
import { jsonExchangesOf } from '../support/json-records';
import { exchangesOf } from '../support/otlp-records';
import { spawn } from 'node:child_process';
import { PYTHON } from '../support/clients';
import { startNginx, type NginxServer } from '../support/nginx-server';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver';
import { kernelTestSkipReason } from '../support/privileges';
import { makeCertificate } from '../support/tls-fixtures';

const UNIFIED = '/sys/fs/cgroup/unified';
const V1 = '/sys/fs/cgroup/pids';

function cgroupSkipReason(): string | false {
  const kernel = kernelTestSkipReason();
  if (kernel) return kernel;
  // This host is hybrid (v2 at /sys/fs/cgroup/unified, v1 controllers beside it), as DESIGN.md says.
  if (!fs.existsSync(`${UNIFIED}/cgroup.procs`) || !fs.existsSync(`${V1}/cgroup.procs`)) {
    return `SKIPPED: container identity tests need cgroup v2 at ${UNIFIED} and v1 at ${V1}`;
  }
  return false;
}

const skip = cgroupSkipReason();

/** One HTTPS GET with Python's OpenSSL, then it waits for stdin to close. */
const GET_THEN_WAIT = [
  'import ssl, sys, urllib.request',
  'urllib.request.urlopen(sys.argv[1], context=ssl._create_unverified_context()).read()',
  'print("done", flush=True)',
  'sys.stdin.read()',
].join('\n');

interface HeldClient {
  readonly pid: number;
  /** Closes its stdin and waits for exit 0. */
  release(): Promise<void>;
}

/**
 * A python3 client that first moves itself into `cgroupDirs` (none: it stays on the host), does
 * its request and stays alive until released: the agent reads a process's identity from
 * /proc/PID/cgroup when its first connection shows up, which a process that has already exited
 * no longer has (see docs/otlp.md).
 */
async function clientIn(cgroupDirs: readonly string[], url: string): Promise<HeldClient> {
  const moves = cgroupDirs.map((dir) => `echo $$ > '${dir}/cgroup.procs' && `).join('');
  const child = spawn('/bin/sh', ['-c', `${moves}exec ${PYTHON} -c "$0" "$1"`, GET_THEN_WAIT, url], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => out.includes('done') && resolve());
    void exited.then((code) => reject(new Error(`client exited (${code}) before its request: ${err}`)));
  });
  return {
    pid: child.pid!,
    release: async () => {
      child.stdin.end();
      assert.equal(await exited, 0, err);
    },
  };
}

function hex64(): string {
  return randomBytes(32).toString('hex');
}

describe('container and pod identity', { skip }, () => {
  const top = `plaintap-e2e-${process.pid}-${randomBytes(3).toString('hex')}`;
  const containerdId = hex64();
  const containerdPod = randomUUID();
  const crioId = hex64();
  const crioPod = randomUUID();
  const dockerId = hex64();
  const v1DockerId = hex64();
  // containerd, systemd cgroup driver (v2): pod UID with underscores in the slice name.
  const containerdPodPath = `/${top}/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${containerdPod.replaceAll('-', '_')}.slice`;
  const containerdPath = `${containerdPodPath}/cri-containerd-${containerdId}.scope`;
  // CRI-O, cgroupfs driver (v2).
  const crioPodPath = `/${top}/kubepods/besteffort/pod${crioPod}`;
  const crioPath = `${crioPodPath}/crio-${crioId}`;
  // Docker, systemd driver (v2), and Docker cgroupfs in a v1 hierarchy.
  const dockerPath = `/${top}/system.slice/docker-${dockerId}.scope`;
  const v1DockerPath = `/${top}/docker/${v1DockerId}`;

  let nginx: NginxServer;
  let receiver: OtlpReceiver;
  let everyClient: AgentProcess;
  let filtered: AgentProcess;
  const clients: HeldClient[] = [];

  before(async () => {
    for (const dir of [containerdPath, crioPath, dockerPath]) fs.mkdirSync(UNIFIED + dir, { recursive: true });
    fs.mkdirSync(V1 + v1DockerPath, { recursive: true });
    nginx = await startNginx(makeCertificate());
    receiver = await startOtlpReceiver();
    everyClient = await startAgent(['--output', 'json', ...commFlags('python3')]);
    // One cgroup as a directory (a container), one as /proc/PID/cgroup shows it (a whole pod).
    filtered = await startAgent(
      [
        '--output',
        'json',
        '--cgroup',
        UNIFIED + containerdPath,
        '--cgroup',
        crioPodPath,
        ...otlpFlags(receiver.endpoint),
      ],
      { env: { K8S_NODE_NAME: 'node-e2e' } },
    );
  });

  after(async () => {
    for (const client of clients) await client.release();
    const codes = [await everyClient?.stop(), await filtered?.stop()];
    await receiver?.stop();
    await nginx?.stop();
    // Deepest first; the clients have exited, so the cgroups are empty.
    const dirs = [containerdPath, crioPath, dockerPath].flatMap((leaf) => {
      const out: string[] = [];
      for (let dir = leaf; dir !== '/'; dir = path.dirname(dir)) out.push(UNIFIED + dir);
      return out;
    });
    for (let dir = v1DockerPath; dir !== '/'; dir = path.dirname(dir)) dirs.push(V1 + dir);
    for (const dir of [...new Set(dirs)].sort((a, b) => b.length - a.length)) if (fs.existsSync(dir)) fs.rmdirSync(dir);
    assert.deepEqual(codes, [0, 0]);
  });

  test('each client carries its container and pod; --cgroup keeps only the chosen container and pod', async () => {
    const url = `https://127.0.0.1:${nginx.port}/hello`;
    // The ones --cgroup must leave out first: once the later ones arrive, these would have too.
    const host = await clientIn([], url);
    const docker = await clientIn([UNIFIED + dockerPath], url);
    const v1Docker = await clientIn([V1 + v1DockerPath], url);
    const containerd = await clientIn([UNIFIED + containerdPath], url);
    const crio = await clientIn([UNIFIED + crioPath], url);
    clients.push(host, docker, v1Docker, containerd, crio);

    const exchangeOf = (agent: AgentProcess, pid: number) => jsonExchangesOf(agent.records(), pid)[0];
    const all = [host, docker, v1Docker, containerd, crio];
    await everyClient.waitFor(
      () => (all.every((run) => exchangeOf(everyClient, run.pid)) ? true : undefined),
      20_000,
      'an exchange of every client',
    );
    const identity = (run: HeldClient) => {
      const record = exchangeOf(everyClient, run.pid)!;
      return { container_id: record['container_id'], pod_uid: record['pod_uid'] };
    };
    assert.deepEqual(identity(host), { container_id: null, pod_uid: null });
    assert.deepEqual(identity(docker), { container_id: dockerId, pod_uid: null });
    assert.deepEqual(identity(v1Docker), { container_id: v1DockerId, pod_uid: null }, 'from the v1 hierarchy');
    assert.deepEqual(identity(containerd), { container_id: containerdId, pod_uid: containerdPod });
    assert.deepEqual(identity(crio), { container_id: crioId, pod_uid: crioPod });

    await filtered.waitFor(
      () => (exchangeOf(filtered, containerd.pid) && exchangeOf(filtered, crio.pid) ? true : undefined),
      20_000,
      'the exchanges of the clients in the chosen container and pod',
    );
    const pids = new Set(filtered.records().map((r) => r['pid']));
    for (const run of [host, docker, v1Docker]) assert.equal(pids.has(run.pid), false, `pid ${run.pid} filtered out`);
    // nginx answers on the host, outside the chosen cgroups: not captured either.
    assert.equal(pids.has(nginx.workerPid), false);
    assert.deepEqual([...pids].sort(), [containerd.pid, crio.pid].sort(), 'only the chosen processes');

    const records = await receiver.waitFor(
      (got) => [containerd.pid, crio.pid].every((pid) => exchangesOf(got, pid).length >= 1),
      20_000,
    );
    const otlp = (pid: number) => records.find((r) => r.attributes['process.pid'] === pid)!;
    assert.equal(otlp(containerd.pid).attributes['container.id'], containerdId);
    assert.equal(otlp(containerd.pid).attributes['k8s.pod.uid'], containerdPod);
    assert.equal(otlp(crio.pid).attributes['container.id'], crioId);
    assert.equal(otlp(crio.pid).attributes['k8s.pod.uid'], crioPod);
    assert.equal(otlp(crio.pid).resource['k8s.node.name'], 'node-e2e');
  });

  test('--cgroup naming no cgroup v2 directory is a configuration error (exit 2)', async () => {
    const agent = await startAgent(['--cgroup', `/${top}/no-such-pod`]).catch((error: Error) => error);
    assert.ok(agent instanceof Error, 'the agent must not become ready');
    assert.match(agent.message, /agent exited \(2\)/);
    assert.match(agent.message, /not a cgroup v2 directory/);
  });
});
