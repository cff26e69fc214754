import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePostgresTitle } from '../../../../agent/capture/postgres-title';
import { sqlOperationName } from '../../../../agent/protocols/sql/sql-operation';

describe('sqlOperationName', () => {
  it('is the first keyword, after comments and parentheses', () => {
    assert.equal(sqlOperationName('select 1'), 'SELECT');
    assert.equal(sqlOperationName('  /* hint */ -- x\n (SELECT 1) UNION (SELECT 2)'), 'SELECT');
    assert.equal(sqlOperationName('WITH a AS (SELECT 1) SELECT * FROM a'), 'WITH');
    assert.equal(sqlOperationName(''), '');
  });
});

describe('parsePostgresTitle', () => {
  it('reads user, database and client from a backend title', () => {
    assert.deepEqual(parsePostgresTitle('postgres: alice app 127.0.0.1(50432) idle'), {
      user: 'alice',
      namespace: 'app',
      clientAddress: '127.0.0.1',
      clientPort: 50432,
    });
    assert.deepEqual(parsePostgresTitle('postgres: 15/main: bob shop [local] SELECT'), {
      user: 'bob',
      namespace: 'shop',
      clientAddress: '',
      clientPort: 0,
    });
    assert.equal(parsePostgresTitle('postgres: checkpointer'), undefined);
    assert.equal(parsePostgresTitle('/usr/lib/postgresql/15/bin/postgres -D /data'), undefined);
  });
});
