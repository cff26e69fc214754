/**
 * Exec-time attachment through the real kernel path: programs started 100 ms after `ready` are
 * captured from their first request, with the rescan switched off so that only the
 * `sched_process_exec` record can have found them. curl uses the system libssl (attached on
 * start); `tls-get-new` is a fresh copy (a new inode no scan has seen) of a client that links
 * OpenSSL statically: the exec watch finds its SSL_* functions in its static symbol table. A
 * brand-new executable is attached some milliseconds after its exec (docs/exec-watch.md), so
 * that one waits for the attach (a condition, from the agent's log) before its first request.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { startAgent, type AgentProcess } from '../support/agent-process';
import { commFlags } from '../support/agent-flags';
import { jsonExchangesOf, type JsonRecord } from '../support/json-records';
import { curl, localPort, type ClientRun } from '../support/clients';
import { startNginx, type NginxServer } from '../support/nginx-server';
import { kernelTestSkipReason } from '../support/privileges';
import { testProgram } from '../support/test-programs';
import { makeCertificate, type Certificate } from '../support/tls-fixtures';

const skip = kernelTestSkipReason();

describe('exec-time attachment', { skip }, () => {
  let cert: Certificate;
  let nginx: NginxServer;
  let agent: AgentProcess;
  let readyAt: number;

  const exchangesOf = (pid: number): JsonRecord[] => jsonExchangesOf(agent.records(), pid);

  before(async () => {
    cert = makeCertificate();
    nginx = await startNginx(cert);
    testProgram('tls-get'); // built before the agent starts: the build is no part of the scenario
    agent = await startAgent([
      '--output',
      'json',
      '--log-level',
      'debug',
      '--rescan-interval',
      '0',
      ...commFlags('curl', 'tls-get-new'),
    ]);
    readyAt = Date.now();
  });

  after(async () => {
    const code = await agent?.stop();
    await nginx?.stop();
    assert.equal(code, 0, `agent exit code; stderr:\n${agent?.stderr()}`);
  });

  test('curl and a new static-OpenSSL executable started 100 ms after ready: every request captured', async () => {
    const dir = fs.mkdtempSync(path.join(cert.dir, 'exec-'));
    const fresh = path.join(dir, 'tls-get-new');
    fs.copyFileSync(testProgram('tls-get'), fresh);
    fs.chmodSync(fresh, 0o755);
    // The scenario (not a wait for a condition): the clients start 100 ms after `ready`.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, readyAt + 100 - Date.now())));
    const [curlRun, freshRun] = await Promise.all([
      curl(`https://127.0.0.1:${nginx.port}/hello`),
      runAfterAttach(agent, fresh, ['127.0.0.1', String(nginx.port), '/hello', '2', 'wait']),
    ]);
    assert.equal(curlRun.code, 0, curlRun.stderr);
    assert.equal(freshRun.code, 0, freshRun.stderr);

    const [curlExchange] = await agent.waitFor(
      () => (exchangesOf(curlRun.pid).length >= 1 ? exchangesOf(curlRun.pid) : undefined),
      10_000,
      "curl's exchange",
    );
    assert.equal(curlExchange?.['request']['method'], 'GET');
    assert.equal(curlExchange?.['request']['target'], '/hello');
    assert.equal(curlExchange?.['response']['status_code'], 200);
    assert.equal(curlExchange?.['src_port'], localPort(curlRun));
    assert.equal(curlExchange?.['dst_port'], nginx.port);

    const [fd, port] = freshRun.stdout.trim().split(' ').map(Number);
    const exchanges = await agent.waitFor(
      () => (exchangesOf(freshRun.pid).length >= 2 ? exchangesOf(freshRun.pid) : undefined),
      10_000,
      "the new executable's two exchanges",
    );
    assert.deepEqual(
      exchanges.map((x) => [x['request']['method'], x['request']['target'], x['response']['status_code']]),
      [
        ['GET', '/hello', 200],
        ['GET', '/hello', 200],
      ],
      'from the first request on',
    );
    for (const x of exchanges) {
      assert.equal(x['comm'], 'tls-get-new');
      assert.equal(x['tls_library'], 'openssl');
      assert.equal(x['fd'], fd);
      assert.equal(x['src_addr'], '127.0.0.1');
      assert.equal(x['src_port'], port);
      assert.equal(x['dst_port'], nginx.port);
      assert.equal(x['side'], 'client');
      assert.equal(x['response']['body']['size'], 'hello from nginx\n'.length);
    }
  });
});

/** Runs `file` (a tls-get copy in `wait` mode) and lets it start once the agent logged its attach. */
async function runAfterAttach(agent: AgentProcess, file: string, args: readonly string[]): Promise<ClientRun> {
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const attachedLine = new RegExp(
    `tls target attached path=${file.replace(/[.]/g, '\\.')} .*found_in=pid:${child.pid}`,
  );
  await agent.waitFor(
    () =>
      agent
        .stderr()
        .split('\n')
        .find((l) => attachedLine.test(l)),
    10_000,
    `the attach to ${file}`,
  );
  child.stdin.end('go\n');
  const code = await exited;
  return { pid: child.pid ?? 0, code, stdout, stderr };
}
