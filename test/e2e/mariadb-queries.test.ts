/**
 * MariaDB statements through the real kernel path: a private server (mariadb-install-db +
 * mariadbd on 127.0.0.1 and a unix socket), `mariadb -e` with SELECT / INSERT / an error, and
 * binary prepared statements (DBD::MariaDB with server-side prepare): each statement once with
 * its duration, status, database and client; literals masked by default.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startAgent, type AgentProcess } from '../support/agent-process';
import { runClient } from '../support/clients';
import { startMariadb, type MariadbServer } from '../support/mariadb-server';
import { kernelTestSkipReason } from '../support/privileges';

type JsonRecord = Record<string, unknown>;
const skip = kernelTestSkipReason();
const PREPARED_CLIENT = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'mariadb', 'prepared.pl');

describe('MariaDB queries', { skip }, () => {
  let server: MariadbServer;
  let agent: AgentProcess;

  /** Records of our server (other tests may run servers beside us). */
  const ours = (): JsonRecord[] => agent.records().filter((r) => r['kind'] === 'db.query' && r['pid'] === server.pid);
  const waitForQuery = (text: string, what: string): Promise<JsonRecord> =>
    agent.waitFor(() => ours().find((r) => r['query'] === text), 20_000, what);

  before(async () => {
    server = await startMariadb();
    agent = await startAgent(['--sources', 'mysql', '--output', 'json']);
  });

  after(async () => {
    const code = await agent?.stop();
    await server?.stop();
    assert.equal(code, 0, `agent exit code; stderr:\n${agent?.stderr()}`);
  });

  test('the ready line lists mariadbd', () => {
    assert.match(agent.readyLine, /mysql:\S*mariadbd\[\d+\]/);
  });

  test('mariadb -e over TCP: SELECT, INSERT and an error, each once, literals masked', async () => {
    const setup = await server.query('CREATE DATABASE shop; CREATE TABLE shop.people (id INT, name VARCHAR(40))');
    assert.equal(setup.code, 0, setup.stderr);
    const run = await server.query(
      "INSERT INTO people VALUES (1, 'alice'), (2, 'bob'); SELECT name FROM people WHERE name = 'alice'; SELECT * FROM missing_table",
      'shop',
    );
    assert.notEqual(run.code, 0, 'the last statement fails');
    const failed = await waitForQuery('SELECT * FROM missing_table', 'the failing statement');
    const insert = await waitForQuery('INSERT INTO people VALUES (?, ?), (?, ?)', 'the INSERT');
    const select = await waitForQuery('SELECT name FROM people WHERE name = ?', 'the SELECT');
    assert.ok(!agent.stdout().includes('alice'), 'literals never reach the output');

    for (const record of [insert, select, failed]) {
      assert.equal(record['db_system'], 'mysql');
      assert.equal(record['namespace'], 'shop');
      assert.equal(record['client_addr'], '127.0.0.1');
      assert.equal(record['server_port'], server.port);
      assert.equal(typeof record['duration_ns'], 'number');
    }
    assert.equal(insert['operation'], 'INSERT');
    assert.equal(insert['status'], 'ok');
    assert.equal(select['status'], 'ok');
    assert.equal(failed['status'], 'error');
    assert.equal(failed['error_number'], 1146);
    assert.equal(failed['sql_state'], '42S02');
    const texts = ours().map((r) => r['query']);
    for (const text of [insert['query'], select['query'], failed['query']]) {
      assert.equal(texts.filter((t) => t === text).length, 1, `${String(text)} reported once`);
    }
  });

  test('over the unix socket: no client tuple, the database still known', async () => {
    const run = await server.querySocket('SELECT COUNT(*) FROM people', 'shop');
    assert.equal(run.code, 0, run.stderr);
    const record = await waitForQuery('SELECT COUNT(*) FROM people', 'the socket query');
    assert.equal(record['client_addr'], null);
    assert.equal(record['namespace'], 'shop');
  });

  test('binary prepared statements: the text at prepare, each execute with its statement id', async () => {
    const run = await runClient('perl', [PREPARED_CLIENT, String(server.port), 'shop']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split('\n'), ['alice', 'bob']);
    const prepare = await waitForQuery('SELECT name FROM people WHERE id = ?', 'the prepare');
    assert.equal(prepare['command'], 'prepare');
    const executes = await agent.waitFor(
      () => {
        const found = ours().filter((r) => r['command'] === 'execute' && r['client_port'] === prepare['client_port']);
        return found.length >= 2 ? found : undefined;
      },
      20_000,
      'two executes',
    );
    assert.equal(executes.length, 2);
    for (const execute of executes) {
      assert.equal(execute['operation'], 'EXECUTE');
      assert.equal(execute['status'], 'ok');
      assert.equal(typeof execute['statement_id'], 'number');
    }
  });
});
