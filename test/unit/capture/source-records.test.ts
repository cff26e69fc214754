/** Decoding of shell-command and db-query records, built byte for byte as the kernel writes them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchDecoder, unpackSqlState } from '../../../agent/capture/batch-decoder';
import type { DbQueryEvent, ShellCommandEvent } from '../../../agent/capture/captured-event';
import {
  DB_QUERY_RECORD_SIZE as DB_RECORD_SIZE,
  DbQueryRecordOffset as D,
  RECORD_ALIGN,
  SHELL_COMMAND_RECORD_SIZE as SHELL_RECORD_SIZE,
  ShellCommandRecordOffset as S,
} from '../../../agent/capture/events-abi.generated';
import { WallClock } from '../../../agent/capture/wall-clock';
import { buildRecord } from '../../support/kernel-records';

const clock = new WallClock();

function padded(fixed: number, text: string): Buffer {
  const bytes = Buffer.from(text);
  return Buffer.alloc((fixed + bytes.length + RECORD_ALIGN - 1) & ~(RECORD_ALIGN - 1));
}

function shellRecord(line: string, flags: number, exitStatus = 0): Buffer {
  const b = padded(SHELL_RECORD_SIZE, line);
  b.writeUInt32LE(6, 0);
  b.writeUInt32LE(1, 4);
  b.writeBigUInt64LE(1_000n, S.timestampNs);
  b.writeBigUInt64LE(flags & 2 ? 3_000n : 0n, S.endNs);
  b.writeUInt32LE(4242, S.pid);
  b.writeUInt32LE(4242, S.tid);
  b.writeUInt32LE(4200, S.ppid);
  b.writeUInt32LE(1000, S.uid);
  b.writeInt32LE(exitStatus, S.exitStatus);
  b.writeUInt32LE(Buffer.byteLength(line), S.lineLen);
  b.writeUInt32LE(Buffer.byteLength(line), S.capturedLen);
  b.writeUInt8(flags, S.flags);
  b.write('bash', S.comm);
  b.write('pts3', S.tty);
  b.write(line, SHELL_RECORD_SIZE);
  return b;
}

function dbRecord(
  system: number,
  text: string,
  fields: { status: number; errorCode?: number; sqlstate?: string; db?: string; family?: number },
): Buffer {
  const b = padded(DB_RECORD_SIZE, text);
  b.writeUInt32LE(7, 0);
  b.writeUInt32LE(1, 4);
  b.writeBigUInt64LE(1_000n, D.startNs);
  b.writeBigUInt64LE(251_000n, D.endNs);
  b.writeUInt32LE(5000, D.pid);
  b.writeUInt32LE(5001, D.tid);
  b.writeUInt32LE(105, D.uid);
  b.writeUInt32LE(fields.errorCode ?? 0, D.errorCode);
  b.writeUInt32LE(Buffer.byteLength(text), D.queryLen);
  b.writeUInt32LE(Buffer.byteLength(text), D.capturedLen);
  b.writeUInt16LE(fields.family ?? 0, D.family);
  if (fields.family === 2) {
    b.writeUInt16LE(3306, D.localPort);
    b.writeUInt16LE(41000, D.remotePort);
    Buffer.from([127, 0, 0, 1]).copy(b, D.localAddr);
    Buffer.from([127, 0, 0, 2]).copy(b, D.remoteAddr);
  }
  b.writeUInt8(system, D.dbSystem);
  b.writeUInt8(system === 1 ? 3 : 0, D.command);
  b.writeUInt8(fields.status, D.status);
  if (fields.sqlstate) b.write(fields.sqlstate, D.sqlstate);
  b.write('server', D.comm);
  if (fields.db) b.write(fields.db, D.session);
  b.write(text, DB_RECORD_SIZE);
  return b;
}

describe('source records', () => {
  it('decodes a shell command with its status and terminal', () => {
    const [event] = new BatchDecoder(clock).decode(shellRecord('ls -la', 2, 1)) as ShellCommandEvent[];
    assert.equal(event?.kind, 'shell-command');
    assert.equal(event?.line, 'ls -la');
    assert.equal(event?.pid, 4242);
    assert.equal(event?.ppid, 4200);
    assert.equal(event?.uid, 1000);
    assert.equal(event?.tty, 'pts/3');
    assert.equal(event?.exitStatus, 1);
    assert.equal(event && event.endNs !== undefined ? event.endNs - event.timestampNs : undefined, 2_000n);
  });

  it('a shell command without a known status has none', () => {
    const [event] = new BatchDecoder(clock).decode(shellRecord('exit', 0, 7)) as ShellCommandEvent[];
    assert.equal(event?.exitStatus, undefined);
    assert.equal(event?.endNs, undefined);
  });

  it('decodes a MySQL error with its tuple and database, then a PostgreSQL one with its SQLSTATE', () => {
    const batch = Buffer.concat([
      dbRecord(1, 'SELECT * FROM nope', { status: 2, errorCode: 1146, sqlstate: '42S02', db: 'shop', family: 2 }),
      dbRecord(2, 'SELECT 1', { status: 2, errorCode: 0x2c21c1, db: 'postgres: alice app 10.0.0.9(50000) idle' }),
      buildRecord({ type: 2 }),
    ]);
    const decoder = new BatchDecoder(clock);
    const [mysql, postgres, close] = decoder.decode(batch) as [DbQueryEvent, DbQueryEvent, { kind: string }];
    assert.equal(mysql.system, 'mysql');
    assert.equal(mysql.ok, false);
    assert.equal(mysql.errorNumber, 1146);
    assert.equal(mysql.sqlState, '42S02');
    assert.equal(mysql.namespace, 'shop');
    assert.equal(mysql.clientAddress, '127.0.0.2');
    assert.equal(mysql.clientPort, 41000);
    assert.equal(mysql.serverPort, 3306);
    assert.equal(mysql.endNs - mysql.timestampNs, 250_000n);
    assert.equal(postgres.system, 'postgresql');
    assert.equal(postgres.sqlState, unpackSqlState(0x2c21c1));
    assert.equal(postgres.namespace, 'app');
    assert.equal(postgres.user, 'alice');
    assert.equal(postgres.clientPort, 50000);
    assert.equal(close.kind, 'close');
    assert.equal(decoder.stats.malformed.size, 0);
  });

  it('unpacks PostgreSQL SQLSTATEs (MAKE_SQLSTATE) and reads 0 as an internal error', () => {
    const pack = (s: string): number => [...s].reduce((n, c, i) => n + (((c.charCodeAt(0) - 48) & 0x3f) << (6 * i)), 0);
    assert.equal(unpackSqlState(pack('42P01')), '42P01');
    assert.equal(unpackSqlState(pack('23505')), '23505');
    assert.equal(unpackSqlState(0), 'XX000');
  });

  it('a record cut short is counted, never read past the batch', () => {
    const record = shellRecord('echo hello', 0);
    const decoder = new BatchDecoder(clock);
    assert.deepEqual(decoder.decode(record.subarray(0, SHELL_RECORD_SIZE + 3)), []);
    assert.equal(decoder.stats.malformed.get('length'), 1);
  });
});
