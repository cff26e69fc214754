import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactShellLine } from '../../../agent/redaction/shell-secrets';
import { maskSqlLiterals } from '../../../agent/redaction/sql-literals';

describe('shell secrets', () => {
  it('redacts secret options and assignments, keeps the rest', () => {
    assert.equal(redactShellLine('mysql --password=hunter2 -e 1'), 'mysql --password=REDACTED -e 1');
    assert.equal(redactShellLine('TOKEN=abc ./deploy.sh'), 'TOKEN=REDACTED ./deploy.sh');
    assert.equal(redactShellLine('export GITHUB_TOKEN="a b c"; ls'), 'export GITHUB_TOKEN=REDACTED; ls');
    assert.equal(
      redactShellLine("DB_PASSWORD='x y' AWS_SECRET_ACCESS_KEY=k cmd"),
      'DB_PASSWORD=REDACTED AWS_SECRET_ACCESS_KEY=REDACTED cmd',
    );
    assert.equal(redactShellLine('curl --api-token=t0k https://x'), 'curl --api-token=REDACTED https://x');
    assert.equal(redactShellLine('ls -la /tmp'), 'ls -la /tmp');
    assert.equal(redactShellLine('echo PATH=/usr/bin'), 'echo PATH=/usr/bin');
  });
});

describe('SQL literals', () => {
  it('replaces strings and numbers by ?, keeps identifiers, parameters and comments', () => {
    assert.equal(
      maskSqlLiterals("SELECT * FROM t1 WHERE a = 'x' AND b = 42"),
      'SELECT * FROM t1 WHERE a = ? AND b = ?',
    );
    assert.equal(
      maskSqlLiterals("INSERT INTO t VALUES (1.5e3, 'it''s', E'a\\'b', X'0F', -7)"),
      'INSERT INTO t VALUES (?, ?, ?, ?, -?)',
    );
    assert.equal(
      maskSqlLiterals('SELECT abalance FROM pgbench_accounts WHERE aid = $1;'),
      'SELECT abalance FROM pgbench_accounts WHERE aid = $1;',
    );
    assert.equal(maskSqlLiterals('SELECT $$secret$$, $tag$x$tag$'), 'SELECT ?, ?');
    assert.equal(
      maskSqlLiterals('SELECT "col 1", `t2`.c3 FROM x -- note 5\n'),
      'SELECT "col 1", `t2`.c3 FROM x -- note 5\n',
    );
    assert.equal(maskSqlLiterals("SELECT 'unterminated"), 'SELECT ?');
  });
});
