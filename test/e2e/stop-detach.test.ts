/**
 * Detach at stop (issue 16): uprobes attach as uprobe_multi links where the kernel has them (one
 * link per program and file), and as perf-event uprobes with PLAINTAP_UPROBE_MULTI=0. Either way
 * curl's TLS through nginx is captured at SSL_write's entry and SSL_read's return, SIGTERM
 * detaches everything (the `stopped` line says how long it took: detach_ms), and no link of the
 * agent is left in the kernel after its exit. Counts and presence only: timing is the
 * stop-time benchmark's.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startAgent, type AgentProcess } from '../support/agent-process';
import { curl } from '../support/clients';
import { startNginx, type NginxServer } from '../support/nginx-server';
import { kernelTestSkipReason } from '../support/privileges';
import { makeCertificate } from '../support/tls-fixtures';

type JsonRecord = Record<string, unknown>;
const skip = kernelTestSkipReason();

interface LinkFd {
  readonly id: number;
  /**
   * As the kernel names it in fdinfo: 'uprobe_multi' or 'uretprobe_multi', 'perf' (tracepoints,
   * perf-event uprobes)…
   */
  readonly type: string;
  /** The rest of the fdinfo (a uprobe_multi link lists its path and offsets). */
  readonly info: string;
}

const isUprobeMulti = (link: LinkFd): boolean => /^u(ret)?probe_multi$/.test(link.type);

/** The BPF links a process holds, from /proc/PID/fdinfo. */
function linksOf(pid: number): LinkFd[] {
  const dir = `/proc/${pid}/fdinfo`;
  const links: LinkFd[] = [];
  for (const fd of fs.readdirSync(dir)) {
    let info: string;
    try {
      info = fs.readFileSync(`${dir}/${fd}`, 'utf8');
    } catch {
      continue; // closed meanwhile
    }
    const type = /^link_type:\s*(\S+)/m.exec(info)?.[1];
    const id = /^link_id:\s*(\d+)/m.exec(info)?.[1];
    if (type !== undefined && id !== undefined) links.push({ id: Number(id), type, info });
  }
  return links;
}

/** Ids of every BPF link in the kernel (bpftool). */
function kernelLinkIds(): Set<number> {
  const list = JSON.parse(execFileSync('bpftool', ['link', 'list', '--json'], { encoding: 'utf8' })) as {
    id: number;
  }[];
  return new Set(list.map((link) => link.id));
}

/** Lines of the kernel's uprobe_events that libbpf made for this pid (its legacy uprobes). */
function legacyUprobeEvents(pid: number): string[] {
  const file = ['/sys/kernel/tracing/uprobe_events', '/sys/kernel/debug/tracing/uprobe_events'].find((f) =>
    fs.existsSync(f),
  );
  if (file === undefined) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.includes(`libbpf_${pid}_`));
}

describe('detach at stop', { skip }, () => {
  let nginx: NginxServer;

  before(async () => {
    nginx = await startNginx(makeCertificate());
  });
  after(async () => {
    await nginx?.stop();
  });

  /**
   * Runs one agent: captures a curl exchange (entry and return probes fired), stops it with
   * SIGTERM, and returns its links as they were while it ran, and its `stopped` line.
   */
  async function captureAndStop(
    env: Record<string, string>,
  ): Promise<{ links: LinkFd[]; stopped: string; tracepoints: number }> {
    const agent: AgentProcess = await startAgent(['--raw', '--output', 'json', '--comm', 'curl'], { env });
    try {
      const pid = agent.child.pid;
      assert.ok(pid !== undefined);
      const links = linksOf(pid);
      const run = await curl(`https://127.0.0.1:${nginx.port}/hello?stop-detach`);
      assert.equal(run.code, 0, run.stderr);
      const mine = (r: JsonRecord): boolean => r['pid'] === run.pid;
      const request = await agent.waitFor(
        () => agent.records().find((r) => mine(r) && r['direction'] === 'egress'),
        10_000,
        "curl's request (SSL_write entry)",
      );
      await agent.waitFor(
        () => agent.records().find((r) => mine(r) && r['direction'] === 'ingress'),
        10_000,
        "curl's response (SSL_read return)",
      );
      assert.equal(request['tls_library'], 'openssl');

      assert.equal(await agent.stop('SIGTERM'), 0, agent.stderr());
      const stopped = agent
        .stderr()
        .split('\n')
        .find((line) => line.startsWith('info stopped'));
      assert.ok(stopped !== undefined, agent.stderr());
      // Gone from the kernel: the link ids the agent held, and any legacy uprobe event of its.
      const remaining = kernelLinkIds();
      assert.deepEqual(
        links.filter((link) => remaining.has(link.id)),
        [],
        'no link of the agent outlives it',
      );
      assert.deepEqual(legacyUprobeEvents(pid), [], 'no uprobe event of the agent is left');
      const tracepoints = Number(/\bkernel\[(\d+)\]/.exec(agent.readyLine)?.[1]);
      return { links, stopped, tracepoints };
    } finally {
      await agent.stop('SIGKILL');
    }
  }

  test('uprobe_multi links: capture, then SIGTERM detaches every link and reports detach_ms', async () => {
    const { links, stopped, tracepoints } = await captureAndStop({});
    const multi = links.filter((link) => isUprobeMulti(link));
    assert.ok(multi.length > 0, `uprobe_multi links while running: ${links.map((l) => l.type).join(',')}`);
    assert.ok(
      multi.some((link) => /libssl\.so/.test(link.info) && link.type === 'uprobe_multi'),
      'an entry link on libssl',
    );
    assert.ok(
      multi.some((link) => /libssl\.so/.test(link.info) && link.type === 'uretprobe_multi'),
      'a return link on libssl',
    );
    assert.equal(links.filter((link) => link.type === 'perf').length, tracepoints, 'only tracepoints are perf links');
    assert.match(stopped, /\bdetach_ms=\d+/);
    assert.match(stopped, /\bstop_ms=\d+/);
  });

  test('PLAINTAP_UPROBE_MULTI=0: perf-event uprobes still capture, and detach as well', async () => {
    const { links, stopped, tracepoints } = await captureAndStop({ PLAINTAP_UPROBE_MULTI: '0' });
    assert.deepEqual(
      links.filter((link) => isUprobeMulti(link)),
      [],
      'no uprobe_multi link',
    );
    // The tracepoints are perf links in both modes; here the uprobes are too.
    const perf = links.filter((link) => link.type === 'perf').length;
    assert.ok(tracepoints > 0 && perf > tracepoints, `${perf} perf links, ${tracepoints} of them tracepoints`);
    assert.match(stopped, /\bdetach_ms=\d+/);
  });
});
