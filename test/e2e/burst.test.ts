/**
 * A burst that fits in the kernel ring loses nothing: 8 curl processes, one keep-alive connection
 * each, 300 requests each as fast as they go, started as soon as the agent is ready — three times,
 * each against a fresh agent. nginx's access log is the ground truth: every request it served
 * comes out exactly once as an exchange. While the agent is behind, the native reader waits and the
 * records wait in the kernel ring (nothing is dropped in the addon).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startAgent } from '../support/agent-process';
import { startNginx, type NginxServer } from '../support/nginx-server';
import { kernelTestSkipReason } from '../support/privileges';
import { makeCertificate, type Certificate } from '../support/tls-fixtures';

const skip = kernelTestSkipReason();

const CLIENTS = 8;
const REQUESTS = 300;
const ROUNDS = 3;

/** One curl process: REQUESTS requests on one keep-alive connection. Resolves with its exit code. */
function curlBurst(port: number, round: number, client: number): Promise<number | null> {
  const urls: string[] = [];
  for (let i = 0; i < REQUESTS; i++) urls.push(`https://127.0.0.1:${port}/hello?r=${round}&c=${client}&i=${i}`);
  const args = ['-sk', '--http1.1', ...urls.flatMap((url) => ['-o', '/dev/null', url])];
  const child = spawn('curl', args, { stdio: 'ignore' });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('bursts lose nothing', { skip }, () => {
  let cert: Certificate;
  let nginx: NginxServer;
  let accessLog: string;

  before(async () => {
    cert = makeCertificate();
    accessLog = path.join(cert.dir, 'burst-access.log');
    nginx = await startNginx(cert, { serverDirectives: `access_log ${accessLog};` });
  });
  after(async () => {
    await nginx?.stop();
  });

  for (let round = 1; round <= ROUNDS; round++) {
    test(`burst ${round} of ${ROUNDS}: ${CLIENTS} × ${REQUESTS} keep-alive requests, each reported once`, async () => {
      const agent = await startAgent(['--output', 'json', '--comm', 'curl', '--metrics-address', 'off']);
      try {
        const codes = await Promise.all(Array.from({ length: CLIENTS }, (_, c) => curlBurst(nginx.port, round, c)));
        assert.deepEqual(codes, Array(CLIENTS).fill(0), 'every curl succeeded');
        const marker = `r=${round}&`;
        // Ground truth: what nginx served in this round.
        const served = fs
          .readFileSync(accessLog, 'utf8')
          .split('\n')
          .map((line) => /"GET (\/hello\?r=\d+&c=\d+&i=\d+) HTTP/.exec(line)?.[1])
          .filter((target): target is string => target !== undefined && target.includes(`?${marker}`));
        assert.equal(served.length, CLIENTS * REQUESTS, 'nginx served every request');
        const reported = (): string[] =>
          agent
            .records()
            .filter((r) => r['kind'] === 'http1.exchange')
            .map((r) => String((r['request'] as { target?: string } | null)?.target ?? ''))
            .filter((target) => target.includes(`?${marker}`));
        // Waits on the count, then a clean stop flushes anything left.
        await agent
          .waitFor(() => (reported().length >= served.length ? true : undefined), 60_000, 'every exchange')
          .catch(() => undefined);
        assert.equal(await agent.stop('SIGTERM'), 0, agent.stderr());
        const counts = new Map<string, number>();
        for (const target of reported()) counts.set(target, (counts.get(target) ?? 0) + 1);
        const missing = served.filter((target) => !counts.has(target));
        const repeated = [...counts].filter(([, n]) => n > 1);
        const summary = /info stopped .*/.exec(agent.stderr())?.[0] ?? agent.stderr();
        assert.deepEqual(
          missing.length,
          0,
          `missing ${missing.length}, e.g. ${missing.slice(0, 3).join(' ')}\n${summary}`,
        );
        assert.deepEqual(repeated, [], 'each exactly once');
        assert.equal(counts.size, served.length);
        assert.match(summary, /kernel_lost=0 native_dropped=0 processor_dropped=0/);
      } finally {
        await agent.stop();
      }
    });
  }
});
