/**
 * PostgreSQL statements through the real kernel path: a private server (initdb + postgres on
 * 127.0.0.1), psql simple queries and a failing one, pgbench's extended and prepared protocols;
 * every statement reported once with its duration and result, literals masked, the session's
 * database, user and client; the records at the real OTLP/gRPC receiver and in /metrics.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { otlpFlags } from '../support/agent-flags';
import { scrapeMetrics } from '../support/agent-metrics';
import { startAgent, type AgentProcess } from '../support/agent-process';
import { startOtlpReceiver, type DecodedLogRecord, type OtlpReceiver } from '../support/otlp-receiver';
import { startPostgres, type PostgresServer } from '../support/postgres-server';
import { kernelTestSkipReason } from '../support/privileges';

type JsonRecord = Record<string, unknown>;
const skip = kernelTestSkipReason();
const DB = `plaintap_${process.pid}`;
const PGBENCH_SELECT = 'SELECT abalance FROM pgbench_accounts WHERE aid = $1;';

describe('PostgreSQL queries', { skip }, () => {
  let server: PostgresServer;
  let agent: AgentProcess;
  let receiver: OtlpReceiver;

  /** Records of our server's sessions (other tests may run servers beside us). */
  const ours = (): JsonRecord[] =>
    agent.records().filter((r) => r['kind'] === 'db.query' && r['db_system'] === 'postgresql' && r['namespace'] === DB);
  const otlpOurs = (records: readonly DecodedLogRecord[]): DecodedLogRecord[] =>
    records.filter((r) => r.eventName === 'plaintap.db.query' && r.attributes['db.namespace'] === DB);

  before(async () => {
    server = await startPostgres();
    const created = await server.psql('postgres', [`CREATE DATABASE ${DB}`]);
    assert.equal(created.code, 0, created.stderr);
    receiver = await startOtlpReceiver();
    agent = await startAgent(['--sources', 'postgres', '--output', 'json', ...otlpFlags(receiver.endpoint)]);
  });

  after(async () => {
    const code = await agent?.stop();
    await receiver?.stop();
    await server?.stop();
    assert.equal(code, 0, `agent exit code; stderr:\n${agent?.stderr()}`);
  });

  test('the ready line lists the postgres executable and the sources', () => {
    assert.match(agent.readyLine, /postgres:\S*\/postgres\[\d+\]/);
    assert.match(agent.readyLine, / sources=postgres /);
  });

  test('psql: each simple query once, literals masked, a failing one with its SQLSTATE', async () => {
    const run = await server.psql(DB, [
      "SELECT 42 AS answer, 'secret-literal' AS s",
      'CREATE TABLE t (id int, name text)',
      "INSERT INTO t VALUES (7, 'alice')",
      'SELECT * FROM no_such_table',
    ]);
    assert.notEqual(run.code, 0, 'the last statement fails');
    const records = await agent.waitFor(
      () => {
        const found = ours().filter((r) => r['operation'] !== null);
        return found.some((r) => String(r['query']).includes('no_such_table')) ? found : undefined;
      },
      20_000,
      'the psql statements',
    );
    const texts = records.map((r) => r['query']);
    assert.deepEqual(texts, [
      'SELECT ? AS answer, ? AS s',
      'CREATE TABLE t (id int, name text)',
      'INSERT INTO t VALUES (?, ?)',
      'SELECT * FROM no_such_table',
    ]);
    assert.ok(!agent.stdout().includes('secret-literal'), 'literals never reach the output');
    const [select, , insert, failed] = records as [JsonRecord, JsonRecord, JsonRecord, JsonRecord];
    assert.equal(select['operation'], 'SELECT');
    assert.equal(select['status'], 'ok');
    assert.equal(select['user'], 'postgres');
    assert.equal(select['client_addr'], '127.0.0.1');
    assert.equal(typeof select['client_port'], 'number');
    assert.ok(Number(select['duration_ns']) > 0);
    assert.equal(insert['operation'], 'INSERT');
    assert.equal(failed['status'], 'error');
    assert.equal(failed['sql_state'], '42P01');
    // One backend served the whole psql session: its pid is a child of our postmaster.
    assert.equal(new Set(records.map((r) => r['pid'])).size, 1);
  });

  test('pgbench -S: extended and prepared protocols, every query once', async () => {
    const init = await server.pgbench(DB, ['-i', '-s', '1', '-q']);
    assert.equal(init.code, 0, init.stderr);
    const extended = await server.pgbench(DB, ['-S', '-M', 'extended', '-c', '2', '-t', '50']);
    assert.equal(extended.code, 0, extended.stderr);
    const prepared = await server.pgbench(DB, ['-S', '-M', 'prepared', '-c', '1', '-t', '30']);
    assert.equal(prepared.code, 0, prepared.stderr);
    const count = (): number => ours().filter((r) => r['query'] === PGBENCH_SELECT).length;
    await agent.waitFor(() => (count() >= 130 ? true : undefined), 20_000, '130 pgbench selects');
    // The statements of pgbench's last session are all in: a later psql statement arrives after them.
    await server.psql(DB, ['SELECT 1 AS fence']);
    await agent.waitFor(
      () => (ours().some((r) => r['query'] === 'SELECT ? AS fence') ? true : undefined),
      20_000,
      'the fence',
    );
    assert.equal(count(), 130, 'each pgbench query exactly once');
    const selects = ours().filter((r) => r['query'] === PGBENCH_SELECT);
    assert.ok(selects.every((r) => r['status'] === 'ok' && r['operation'] === 'SELECT'));
  });

  test('OTLP: db.* attributes at the receiver, and the duration histogram in /metrics', async () => {
    const records = await receiver.waitFor(
      (all) => otlpOurs(all).some((r) => r.attributes['db.response.status_code'] === '42P01'),
      20_000,
    );
    const ourRecords = otlpOurs(records);
    const insert = ourRecords.find((r) => r.attributes['db.operation.name'] === 'INSERT');
    assert.ok(insert, 'the INSERT at the receiver');
    assert.equal(insert.attributes['db.system.name'], 'postgresql');
    assert.equal(insert.attributes['db.query.text'], 'INSERT INTO t VALUES (?, ?)');
    assert.equal(insert.attributes['db.namespace'], DB);
    assert.equal(insert.attributes['client.address'], '127.0.0.1');
    assert.equal(typeof insert.attributes['plaintap.duration'], 'number');
    assert.equal(insert.attributes['db.response.status_code'], undefined);
    const failed = ourRecords.find((r) => r.attributes['db.response.status_code'] === '42P01');
    assert.equal(failed?.attributes['error.type'], '42P01');
    assert.equal(failed?.severityText, 'WARN');

    const text = await scrapeMetrics(agent);
    const selectCount =
      /^plaintap_db_query_duration_seconds_count\{db_system="postgresql",operation="SELECT"\} (\d+)/m.exec(text);
    assert.ok(selectCount && Number(selectCount[1]) >= 130, 'SELECT durations counted');
    assert.match(text, /^plaintap_db_queries_total\{db_system="postgresql",status="error"\} [1-9]/m);
  });
});
