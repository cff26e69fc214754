/** Files of secrets: created 0600, appended to only when already 0600 and ours, never through a link. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openSecretFile, SecretFileError } from '../../../agent/export/secret-file';
import { makeTempDir } from '../../support/temp-dir';

const tmp = (): string => makeTempDir('secret-file');

test('a new file is 0600 whatever the umask', () => {
  const file = path.join(tmp(), 'keys.log');
  const previous = process.umask(0);
  try {
    const opened = openSecretFile(file, 'key log file');
    fs.closeSync(opened.fd);
    assert.equal(opened.appended, false);
  } finally {
    process.umask(previous);
  }
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
});

test('an existing 0600 file of ours is appended to', () => {
  const file = path.join(tmp(), 'keys.log');
  fs.writeFileSync(file, 'first\n', { mode: 0o600 });
  const opened = openSecretFile(file, 'key log file');
  fs.writeSync(opened.fd, 'second\n');
  fs.closeSync(opened.fd);
  assert.equal(opened.appended, true);
  assert.equal(fs.readFileSync(file, 'utf8'), 'first\nsecond\n');
});

test('an existing file readable by others is refused and left alone', () => {
  const file = path.join(tmp(), 'keys.log');
  fs.writeFileSync(file, 'x');
  fs.chmodSync(file, 0o644);
  assert.throws(
    () => openSecretFile(file, 'key log file'),
    (error: Error) => {
      assert.ok(error instanceof SecretFileError);
      assert.match(error.message, /its mode is 0644, not 0600/);
      return true;
    },
  );
  assert.equal(fs.statSync(file).mode & 0o777, 0o644);
  assert.equal(fs.readFileSync(file, 'utf8'), 'x');
});

test('a symbolic link is not followed', () => {
  const dir = tmp();
  const target = path.join(dir, 'target');
  fs.writeFileSync(target, '', { mode: 0o600 });
  const link = path.join(dir, 'keys.log');
  fs.symlinkSync(target, link);
  assert.throws(() => openSecretFile(link, 'key log file'), SecretFileError);
});
