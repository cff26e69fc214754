/**
 * C and TypeScript must never drift: compile bpf/events.h with the host C
 * compiler, print every offset, size and enum value, compare with record-layout.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import * as layout from '../../../agent/capture/record-layout';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
/** TS names whose C field is named differently. */
const C_FIELD: Record<string, string> = { originalLen: 'original_len', capturedLen: 'captured_len' };

function cLayout(): Record<string, number> {
  const fields = Object.keys(layout.RecordOffset)
    .map(
      (name) => `  printf("\\"${name}\\": %zu,\\n", offsetof(struct record_header, ${C_FIELD[name] ?? snake(name)}));`,
    )
    .join('\n');
  const source = `
#include <linux/types.h>
#include <stddef.h>
#include <stdio.h>
#include "events.h"
int main(void) {
  printf("{\\n");
${fields}
  printf("\\"size\\": %zu,\\n", sizeof(struct record_header));
  printf("\\"commLength\\": %zu,\\n", sizeof(((struct record_header *)0)->comm));
  printf("\\"addressLength\\": %zu,\\n", sizeof(((struct record_header *)0)->local_addr));
  printf("\\"abi\\": %d, \\"chunk\\": %d, \\"maxChunks\\": %d, \\"maxComms\\": %d,\\n", PLAINTAP_ABI_VERSION, PLAINTAP_CHUNK_BYTES, PLAINTAP_MAX_CHUNKS, PLAINTAP_MAX_COMM_FILTERS);
  printf("\\"typeData\\": %d, \\"typeClose\\": %d, \\"flagTruncated\\": %u, \\"flagNoSocket\\": %u,\\n", RECORD_TYPE_DATA, RECORD_TYPE_CLOSE, RECORD_FLAG_TRUNCATED, RECORD_FLAG_NO_SOCKET);
  printf("\\"egress\\": %d, \\"ingress\\": %d, \\"openssl\\": %d, \\"fdClosed\\": %d, \\"sockDestroyed\\": %d,\\n", DIRECTION_EGRESS, DIRECTION_INGRESS, TLS_LIBRARY_OPENSSL, CLOSE_REASON_FD_CLOSED, CLOSE_REASON_SOCK_DESTROYED);
  printf("\\"typeExec\\": %d, \\"execPathBytes\\": %d,\\n", RECORD_TYPE_PROCESS_EXEC, PLAINTAP_EXEC_PATH_BYTES);
  printf("\\"go\\": %d, \\"gnutls\\": %d, \\"nss\\": %d, \\"boringssl\\": %d, \\"nodejs\\": %d,\\n", TLS_LIBRARY_GO, TLS_LIBRARY_GNUTLS, TLS_LIBRARY_NSS, TLS_LIBRARY_BORINGSSL, TLS_LIBRARY_NODEJS);
  printf("\\"counterLost\\": %d, \\"counterUnresolved\\": %d}\\n", COUNTER_RINGBUF_LOST, COUNTER_SOCKET_UNRESOLVED);
  return 0;
}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaintap-layout-'));
  const file = path.join(dir, 'layout.c');
  fs.writeFileSync(file, source);
  execFileSync('cc', ['-o', path.join(dir, 'layout'), '-I', path.join(repoRoot, 'bpf'), file]);
  const output = execFileSync(path.join(dir, 'layout'), { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  return JSON.parse(output) as Record<string, number>;
}

test('record-layout.ts matches bpf/events.h', () => {
  const c = cLayout();
  for (const [name, offset] of Object.entries(layout.RecordOffset)) {
    assert.equal(offset, c[name], `offset of ${name}`);
  }
  assert.equal(layout.RECORD_HEADER_SIZE, c['size']);
  assert.equal(layout.COMM_LENGTH, c['commLength']);
  assert.equal(layout.ADDRESS_LENGTH, c['addressLength']);
  assert.equal(layout.ABI_VERSION, c['abi']);
  assert.equal(layout.CHUNK_BYTES, c['chunk']);
  assert.equal(layout.MAX_CHUNKS, c['maxChunks']);
  assert.equal(layout.MAX_COMM_FILTERS, c['maxComms']);
  assert.equal(layout.RecordType.Data, c['typeData']);
  assert.equal(layout.RecordType.Close, c['typeClose']);
  assert.equal(layout.RecordFlag.Truncated, c['flagTruncated']);
  assert.equal(layout.RecordFlag.NoSocket, c['flagNoSocket']);
  assert.equal(0, c['egress']);
  assert.equal(1, c['ingress']);
  assert.equal(layout.RecordType.ProcessExec, c['typeExec']);
  assert.equal(layout.EXEC_PATH_BYTES, c['execPathBytes']);
  for (const name of ['openssl', 'go', 'gnutls', 'nss', 'boringssl', 'nodejs'] as const) {
    assert.equal(layout.TLS_LIBRARY_NAMES[c[name] ?? -1], name);
    assert.equal(layout.TlsLibrary[name], c[name]);
  }
  assert.equal(1, c['fdClosed']);
  assert.equal(2, c['sockDestroyed']);
  assert.equal(layout.CounterIndex.RingbufLost, c['counterLost']);
  assert.equal(layout.CounterIndex.SocketUnresolved, c['counterUnresolved']);
});

/** Offsets of a struct's fields, sizes and constants printed by a compiled C program. */
function cValues(printfs: string): Record<string, number> {
  const source = `
#include <linux/types.h>
#include <stddef.h>
#include <stdio.h>
#include "events.h"
int main(void) {
  printf("{\\n");
${printfs}
  printf("\\"end\\": 0}\\n");
  return 0;
}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaintap-layout-'));
  const file = path.join(dir, 'layout.c');
  fs.writeFileSync(file, source);
  execFileSync('cc', ['-o', path.join(dir, 'layout'), '-I', path.join(repoRoot, 'bpf'), file]);
  const output = execFileSync(path.join(dir, 'layout'), { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  return JSON.parse(output) as Record<string, number>;
}

const SOURCE_C_FIELD: Record<string, string> = {
  capturedLen: 'captured_len',
  lineLen: 'line_len',
  queryLen: 'query_len',
};

function offsetsOf(struct: string, offsets: Record<string, number>, prefix: string): string {
  return Object.keys(offsets)
    .map(
      (name) =>
        `  printf("\\"${prefix}${name}\\": %zu,\\n", offsetof(struct ${struct}, ${SOURCE_C_FIELD[name] ?? snake(name)}));`,
    )
    .join('\n');
}

test('shell_command_record and db_query_record match bpf/events.h', () => {
  const c = cValues(
    [
      offsetsOf('shell_command_record', layout.ShellOffset, 'shell.'),
      offsetsOf('db_query_record', layout.DbOffset, 'db.'),
      '  printf("\\"shellSize\\": %zu, \\"dbSize\\": %zu,\\n", sizeof(struct shell_command_record), sizeof(struct db_query_record));',
      '  printf("\\"shellType\\": %d, \\"dbType\\": %d, \\"truncated\\": %u, \\"statusKnown\\": %u,\\n", RECORD_TYPE_SHELL_COMMAND, RECORD_TYPE_DB_QUERY, SOURCE_FLAG_TRUNCATED, SOURCE_FLAG_STATUS_KNOWN);',
      '  printf("\\"mysql\\": %d, \\"postgresql\\": %d, \\"ok\\": %d, \\"error\\": %d, \\"stateLost\\": %d,\\n", DB_SYSTEM_MYSQL, DB_SYSTEM_POSTGRESQL, DB_STATUS_OK, DB_STATUS_ERROR, COUNTER_SOURCE_STATE_LOST);',
      '  printf("\\"lineBytes\\": %d, \\"queryBytes\\": %d, \\"tty\\": %d, \\"dbSession\\": %d,\\n", PLAINTAP_SHELL_LINE_BYTES, PLAINTAP_DB_QUERY_BYTES, PLAINTAP_TTY_LEN, PLAINTAP_DB_SESSION_LEN);',
    ].join('\n'),
  );
  for (const [name, offset] of Object.entries(layout.ShellOffset))
    assert.equal(offset, c[`shell.${name}`], `shell ${name}`);
  for (const [name, offset] of Object.entries(layout.DbOffset)) assert.equal(offset, c[`db.${name}`], `db ${name}`);
  assert.equal(layout.SHELL_RECORD_SIZE, c['shellSize']);
  assert.equal(layout.DB_RECORD_SIZE, c['dbSize']);
  assert.equal(layout.SourceRecordType.ShellCommand, c['shellType']);
  assert.equal(layout.SourceRecordType.DbQuery, c['dbType']);
  assert.equal(layout.SourceFlag.Truncated, c['truncated']);
  assert.equal(layout.SourceFlag.StatusKnown, c['statusKnown']);
  assert.equal(layout.DB_SYSTEM_NAMES[c['mysql'] ?? -1], 'mysql');
  assert.equal(layout.DB_SYSTEM_NAMES[c['postgresql'] ?? -1], 'postgresql');
  assert.equal(layout.DbStatus.Ok, c['ok']);
  assert.equal(layout.DbStatus.Error, c['error']);
  assert.equal(layout.CounterIndex.SourceStateLost, c['stateLost']);
  assert.equal(layout.PLAINTAP_SHELL_LINE_BYTES, c['lineBytes']);
  assert.equal(layout.PLAINTAP_DB_QUERY_BYTES, c['queryBytes']);
  assert.equal(layout.TTY_LENGTH, c['tty']);
  assert.equal(layout.DB_SESSION_LENGTH, c['dbSession']);
});
