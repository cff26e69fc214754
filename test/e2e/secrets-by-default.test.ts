/**
 * Secrets off by default, through the real kernel path: with no redaction flags at all, the query
 * keys and headers of the default lists are REDACTED on stdout (JSON) and in OTLP, and no body leaves
 * by JSON or OTLP; with `--body-capture` the body is exported with its secret JSON values redacted;
 * an opt-out is explicit and names what it opens.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commFlags, otlpFlags } from '../support/agent-flags';
import { startAgent } from '../support/agent-process';
import { curl } from '../support/clients';
import { nginxForSuite } from '../support/suite-nginx';
import { waitForJsonExchange } from '../support/json-records';
import { startOtlpReceiver } from '../support/otlp-receiver';
import { exchangesOf, recordsText } from '../support/otlp-records';
import { kernelTestSkipReason } from '../support/privileges';

const skip = kernelTestSkipReason();

const QUERY = 'token=t-s3cr3t&api_key=k-s3cr3t&code=c-s3cr3t&client_secret=cs-s3cr3t&q=1';
const BODY = '{"user":"ann","password":"pw-s3cr3t","nested":{"access_token":"at-s3cr3t"}}';

function request(port: number) {
  return curl(`https://127.0.0.1:${port}/hello?${QUERY}`, [
    '-H',
    'Content-Type: application/json',
    '--data-binary',
    BODY,
    '-H',
    'X-Auth-Token: xa-s3cr3t',
    '-H',
    'X-Api-Key: key-s3cr3t',
    '-H',
    'X-Custom-Secret: custom-s3cr3t',
  ]);
}

describe('secrets off by default', { skip }, () => {
  const nginx = nginxForSuite();

  test('no flags: listed query keys and headers REDACTED, no body in JSON or OTLP', async () => {
    const receiver = await startOtlpReceiver();
    const agent = await startAgent(['--output', 'json', ...commFlags('curl'), ...otlpFlags(receiver.endpoint)]);
    try {
      const run = await request(nginx.port);
      assert.equal(run.code, 0, run.stderr);
      const json = await waitForJsonExchange(agent, run.pid);
      assert.equal(
        json['request']['target'],
        '/hello?token=REDACTED&api_key=REDACTED&code=REDACTED&client_secret=REDACTED&q=1',
      );
      const headers = Object.fromEntries(json['request']['headers'] as [string, string][]);
      assert.equal(headers['X-Auth-Token'], 'REDACTED');
      assert.equal(headers['X-Api-Key'], 'REDACTED');
      assert.equal(headers['X-Custom-Secret'], 'REDACTED');
      assert.equal(json['request']['body']['size'], BODY.length, 'the size is still reported');
      assert.equal(json['request']['body']['captured_length'], 0, 'no body by default');
      const records = await receiver.waitFor((all) => exchangesOf(all, run.pid).length >= 1);
      assert.doesNotMatch(agent.stdout(), /s3cr3t/);
      assert.doesNotMatch(recordsText(records), /s3cr3t/);
    } finally {
      await agent.stop();
      await receiver.stop();
    }
  });

  test('--body-capture: the body is exported with secret JSON values redacted; an opt-out opens only its key', async () => {
    const agent = await startAgent([
      '--output',
      'json',
      ...commFlags('curl'),
      '--body-capture',
      '4KiB',
      '--unredact-query-key',
      'code',
    ]);
    try {
      const run = await request(nginx.port);
      assert.equal(run.code, 0, run.stderr);
      const json = await waitForJsonExchange(agent, run.pid);
      assert.equal(
        json['request']['body']['payload'],
        '{"user":"ann","password":"REDACTED","nested":{"access_token":"REDACTED"}}',
      );
      assert.equal(
        json['request']['target'],
        '/hello?token=REDACTED&api_key=REDACTED&code=c-s3cr3t&client_secret=REDACTED&q=1',
      );
      assert.deepEqual(agent.stdout().match(/[a-z]+-s3cr3t/g), ['c-s3cr3t'], 'only the opted-out value');
    } finally {
      await agent.stop();
    }
  });
});
