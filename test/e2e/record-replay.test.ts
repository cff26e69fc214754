/**
 * `plaintap record` / `--record` and `plaintap replay`: a real capture written
 * to a file replays offline into the same records the live run printed.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { commFlags } from '../support/agent-flags';
import { runAgentToExit, startAgent } from '../support/agent-process';
import { curl } from '../support/clients';
import { startNginx, type NginxServer } from '../support/nginx-server';
import { kernelTestSkipReason } from '../support/privileges';
import { makeCertificate, type Certificate } from '../support/tls-fixtures';

const skip = kernelTestSkipReason();

const lines = (text: string): string[] =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .sort();

describe('record and replay', { skip }, () => {
  let cert: Certificate;
  let nginx: NginxServer;
  let file: string;
  let live: string;

  before(async () => {
    cert = makeCertificate();
    nginx = await startNginx(cert);
    file = path.join(cert.dir, 'capture.ptap');
    const agent = await startAgent([
      '--record',
      file,
      '--output',
      'json',
      ...commFlags('curl', 'nginx'),
      '--metrics-address',
      'off',
    ]);
    assert.match(agent.stderr(), /warn recording captured plaintext to a file readable by root only \(0600\)/);
    assert.match(agent.readyLine, new RegExp(`record=${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    for (const target of ['/hello', '/big.bin', '/hello?again'])
      assert.equal((await curl(`https://127.0.0.1:${nginx.port}${target}`)).code, 0);
    await agent.waitFor(
      () => (agent.records().filter((r) => r['kind'] === 'http1.exchange').length >= 6 ? true : undefined),
      15_000,
      'six exchanges',
    );
    assert.equal(await agent.stop(), 0);
    live = agent.stdout();
  });

  after(async () => {
    await nginx?.stop();
  });

  test('the record file is 0600', () => {
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  });

  test('replay gives exactly the records the live run printed', async () => {
    const result = await runAgentToExit(['replay', file, '--output', 'json']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /info replayed file=.* batches=\d+ records=\d+/);
    assert.ok(lines(live).length >= 6);
    assert.deepEqual(lines(result.stdout), lines(live));
  });

  test('replay --realtime gives the same records', async () => {
    const result = await runAgentToExit(['replay', file, '--output', 'json', '--realtime']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(lines(result.stdout), lines(live));
  });

  test('a truncated file replays what is complete, then fails clearly', async () => {
    const cut = path.join(cert.dir, 'cut.ptap');
    fs.copyFileSync(file, cut);
    fs.truncateSync(cut, fs.statSync(cut).size - 1000);
    const result = await runAgentToExit(['replay', cut, '--output', 'json']);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /plaintap replay stopped: .*cut\.ptap is truncated: the batch at byte \d+ needs \d+ bytes, \d+ are left/,
    );
    assert.ok(lines(result.stdout).length > 0, 'the complete batches were processed');
  });

  test('not a record file, and a missing FILE: clear errors', async () => {
    const bogus = path.join(cert.dir, 'bogus.ptap');
    fs.writeFileSync(bogus, 'GET / HTTP/1.1\r\n\r\n');
    const bad = await runAgentToExit(['replay', bogus]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /plaintap cannot replay: .*bogus\.ptap is not a plaintap record file/);
    const missing = await runAgentToExit(['replay']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /plaintap replay needs a FILE/);
    const unknown = await runAgentToExit(['recrod', 'x']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "recrod"/);
  });
});
