/**
 * The agent as a user runs it: console output (the PID/Comm/Src/Dest process line), the
 * --pid filter, --truncate, tracefs missing, no privilege, bad configuration.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { CLI_PATH, asNobody, runAgentToExit, startAgent } from '../support/agent-process';
import { PYTHON, curl, localPort } from '../support/clients';
import { startNginx } from '../support/nginx-server';
import { nginxForSuite } from '../support/suite-nginx';
import { kernelTestSkipReason } from '../support/privileges';
import { makeCertificate } from '../support/tls-fixtures';
import { makeTempDir } from '../support/temp-dir';

const skip = kernelTestSkipReason();

describe('plaintap from the command line', { skip }, () => {
  const nginx = nginxForSuite();

  test('--raw console output: each direction under its PID/Comm/Src/Dest line', async () => {
    const agent = await startAgent(['--raw', '--comm', 'curl']);
    const run = await curl(`https://127.0.0.1:${nginx.port}/hello`);
    assert.equal(run.code, 0, run.stderr);
    const header = `PID:${run.pid}, Comm:curl, Src:127.0.0.1:${localPort(run)}, Dest:127.0.0.1:${nginx.port},`;
    await agent.waitFor(
      () => (agent.stdout().split(header).length >= 3 ? true : undefined),
      10_000,
      'two console records',
    );
    assert.equal(await agent.stop(), 0);
    const blocks = agent.stdout().split(header).slice(1);
    assert.match(blocks[0] ?? '', /^[^\n]*\nGET \/hello HTTP\/1\.1\r?\n/);
    assert.match(blocks[1] ?? '', /^[^\n]*\nHTTP\/1\.1 200 OK\r?\n[\s\S]*hello from nginx/);
    assert.doesNotMatch(agent.stdout(), /Comm:nginx/, '--comm curl filters nginx out in the kernel');
  });

  test('--pid captures only that process', async () => {
    // The client waits for a line on stdin so that its pid is known before it connects.
    const script = `
import ssl, sys, urllib.request
sys.stdin.readline()
urllib.request.urlopen('https://127.0.0.1:${nginx.port}/hello?pid-filter', context=ssl._create_unverified_context()).read()
`;
    const child = spawn(PYTHON, ['-c', script], { stdio: ['pipe', 'ignore', 'inherit'] });
    const agent = await startAgent(['--raw', '--output', 'json', '--pid', String(child.pid)]);
    // Probes go into that process only: no other process traps.
    assert.match(agent.readyLine, new RegExp(`libssl\\.so[.\\d]*@${child.pid}\\[\\d+\\]`));
    assert.doesNotMatch(agent.readyLine, /libssl\.so[.\d]*\[/, 'no system-wide attach');
    const other = await curl(`https://127.0.0.1:${nginx.port}/hello?not-me`);
    child.stdin.end('go\n');
    await new Promise((resolve) => child.once('exit', resolve));
    await agent.waitFor(() => agent.records().find((r) => r['direction'] === 'ingress'), 10_000, 'python response');
    assert.equal(await agent.stop(), 0);
    const pids = new Set(agent.records().map((r) => r['pid']));
    assert.deepEqual([...pids], [child.pid], `only the filtered pid (curl was ${other.pid}, nginx ${nginx.workerPid})`);
  });

  test('--truncate caps each message and marks it, counting every byte seen', async () => {
    const agent = await startAgent(['--raw', '--output', 'json', '--comm', 'curl', '--truncate', '100']);
    const run = await curl(`https://127.0.0.1:${nginx.port}/big.bin`);
    assert.equal(run.code, 0, run.stderr);
    const response = await agent.waitFor(
      () => agent.records().find((r) => r['pid'] === run.pid && r['direction'] === 'ingress'),
      10_000,
      'the big response',
    );
    assert.equal(await agent.stop(), 0);
    assert.equal(response['truncated'], true);
    assert.equal(response['captured_length'], 100);
    assert.ok((response['length'] as number) > 1024 * 1024, `length counts all bytes: ${String(response['length'])}`);
  });

  test('tracefs missing: the agent mounts it and says so (private mount namespace)', async () => {
    const script =
      `umount /sys/kernel/tracing 2>/dev/null; umount /sys/kernel/debug 2>/dev/null; ` +
      `test -e /sys/kernel/tracing/events && { echo "tracefs still mounted" >&2; exit 97; }; ` +
      `exec "${process.execPath}" "${CLI_PATH}" --output none --comm curl`;
    const agent = await startAgent([], { command: ['unshare', '-m', '--propagation', 'private', 'sh', '-c', script] });
    assert.match(agent.stderr(), /info tracefs was not mounted: mounted it path=\/sys\/kernel\/tracing/);
    assert.match(agent.readyLine, /kernel\[\d+\]/);
    const code = await agent.stop();
    assert.equal(code, 0, `exit ${String(code)}; agent stderr:\n${agent.stderr()}`);
  });

  test('loads while signals keep arriving (a CPU profiler sending SIGPROF) and captures', async () => {
    // The verifier gives up with EAGAIN when a signal is pending for the loading thread.
    const profiles = makeTempDir('prof');
    try {
      const agent = await startAgent(['--raw', '--comm', 'curl'], {
        command: [process.execPath, '--cpu-prof', '--cpu-prof-interval', '50', '--cpu-prof-dir', profiles, CLI_PATH],
      });
      const run = await curl(`https://127.0.0.1:${nginx.port}/hello`);
      assert.equal(run.code, 0, run.stderr);
      await agent.waitFor(
        () => (agent.stdout().includes('hello from nginx') ? true : undefined),
        10_000,
        'the response captured',
      );
      assert.equal(await agent.stop(), 0);
    } finally {
      fs.rmSync(profiles, { recursive: true, force: true });
    }
  });

  test('without privilege: one clear message and a non-zero exit', async () => {
    const result = await runAgentToExit([], { command: asNobody('--inh-caps=-all') });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /plaintap cannot capture: missing privilege: run as root, or grant CAP_BPF and CAP_PERFMON/,
    );
    assert.doesNotMatch(result.stderr, /^ready/m);
  });
});

describe('plaintap configuration errors (no kernel needed)', () => {
  test('a bad flag value exits 2 naming the key', async () => {
    const result = await runAgentToExit(['--truncate', 'lots']);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /plaintap: invalid configuration: output\.truncate \(from --truncate\): expected a byte size/,
    );
  });

  test('--help, --version and --print-config', () => {
    const help = execFileSync(process.execPath, [CLI_PATH, '--help'], { encoding: 'utf8' });
    assert.match(help, /--pid PID/);
    assert.match(help, /--comm COMM/);
    assert.match(help, /--output FORMAT/);
    assert.match(help, /--truncate BYTES/);
    const version = execFileSync(process.execPath, [CLI_PATH, '--version'], { encoding: 'utf8' });
    assert.match(version, /^plaintap \d+\.\d+\.\d+\n$/);
    const printed = execFileSync(process.execPath, [CLI_PATH, '--print-config', '--output', 'json'], {
      encoding: 'utf8',
      env: { ...process.env, PLAINTAP_TRUNCATE: '1KiB' },
    });
    assert.match(printed, /format: "json" {2}# flag/);
    assert.match(printed, /truncate: 1024 {2}# env/);
  });
});

describe('OpenSSL libraries of processes started later', { skip }, () => {
  test('a private copy of libssl (as in a container) is found at exec or by the rescan and captured', async () => {
    const cert = makeCertificate();
    const nginx = await startNginx(cert);
    const libDir = makeTempDir('private-libssl');
    fs.copyFileSync('/usr/lib/x86_64-linux-gnu/libssl.so.3', path.join(libDir, 'libssl.so.3'));
    const agent = await startAgent(['--raw', '--output', 'json', '--comm', 'python3', '--rescan-interval', '200ms']);
    try {
      // The process maps the copy first, then waits: the rescan must attach before it talks TLS.
      const script = `
import ssl, sys, time, urllib.request
sys.stdin.readline()
urllib.request.urlopen('https://127.0.0.1:${nginx.port}/hello?private-libssl', context=ssl._create_unverified_context()).read()
`;
      const child = spawn(PYTHON, ['-c', script], {
        stdio: ['pipe', 'ignore', 'inherit'],
        env: { ...process.env, LD_LIBRARY_PATH: libDir },
      });
      await agent.waitFor(
        () =>
          agent
            .stderr()
            .split('\n')
            .find((l) => l.includes('tls target attached') && l.includes(`found_in=pid:${child.pid} `)),
        10_000,
        'the private libssl attached',
      );
      child.stdin.end('go\n');
      await new Promise((resolve) => child.once('exit', resolve));
      const request = await agent.waitFor(
        () => agent.records().find((r) => r['pid'] === child.pid && r['direction'] === 'egress'),
        10_000,
        'the request through the private libssl',
      );
      assert.match(String(request['payload']), /^GET \/hello\?private-libssl HTTP\/1\.1/);
    } finally {
      assert.equal(await agent.stop(), 0);
      await nginx.stop();
    }
  });
});
