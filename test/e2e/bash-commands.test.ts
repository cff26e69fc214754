/**
 * Interactive bash through the real kernel path: commands typed into a bash under tmux, each
 * reported once with its text, pid, uid, terminal and exit status; secrets in assignments and
 * `--password=` options redacted; empty lines not reported; `exit` reported without a status.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startAgent, type AgentProcess } from '../support/agent-process';
import { kernelTestSkipReason } from '../support/privileges';
import { startTmuxBash, type TmuxBash } from '../support/tmux-bash';

type JsonRecord = Record<string, unknown>;
const skip = kernelTestSkipReason();

describe('bash commands', { skip }, () => {
  let agent: AgentProcess;
  let shell: TmuxBash;

  const ours = (): JsonRecord[] =>
    agent.records().filter((r) => r['kind'] === 'shell.command' && r['pid'] === shell.pid);

  before(async () => {
    agent = await startAgent(['--sources', 'bash', '--output', 'json']);
    shell = startTmuxBash();
  });

  after(async () => {
    shell?.stop();
    const code = await agent?.stop();
    assert.equal(code, 0, `agent exit code; stderr:\n${agent?.stderr()}`);
  });

  test('the ready line lists bash', () => {
    assert.match(agent.readyLine, /bash:\S*\/bash\[\d+\]/);
  });

  test('three commands: text, pid, uid, terminal and exit status; a secret redacted', async () => {
    shell.type('echo plaintap-one');
    shell.type('');
    shell.type('ls /no/such/dir 2>/dev/null');
    shell.type('export API_TOKEN=s3cr3t-value; echo done --password=hunter2');
    const records = await agent.waitFor(
      () => {
        const found = ours();
        return found.length >= 3 ? found : undefined;
      },
      20_000,
      'three shell commands',
    );
    assert.deepEqual(
      records.map((r) => r['line']),
      ['echo plaintap-one', 'ls /no/such/dir 2>/dev/null', 'export API_TOKEN=REDACTED; echo done --password=REDACTED'],
    );
    const [echo, ls, exported] = records as [JsonRecord, JsonRecord, JsonRecord];
    assert.equal(echo['exit_status'], 0);
    assert.equal(ls['exit_status'], 2);
    assert.equal(exported['exit_status'], 0);
    for (const record of records) {
      assert.equal(record['uid'], process.geteuid?.());
      assert.equal(record['comm'], 'bash');
      assert.match(String(record['tty']), /^pts\/\d+$/);
      assert.equal(typeof record['ppid'], 'number');
    }
    assert.ok(!agent.stdout().includes('s3cr3t-value') && !agent.stdout().includes('hunter2'));
  });

  test('exit: reported without a status', async () => {
    shell.type('exit');
    const record = await agent.waitFor(() => ours().find((r) => r['line'] === 'exit'), 20_000, 'exit');
    assert.equal(record['exit_status'], null);
    assert.equal(ours().length, 4, 'the empty line is not reported');
  });
});
