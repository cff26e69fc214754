import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, it } from 'node:test';
import { procFdSocketReader, socketInode } from '../../../agent/capture/fd-socket';
import { makeTempDir } from '../../support/temp-dir';

describe('fd-socket', () => {
  it('reads the inode of a socket link target, and nothing else', () => {
    assert.equal(socketInode('socket:[123456]'), 123456);
    assert.equal(socketInode('pipe:[123456]'), 'not-socket');
    assert.equal(socketInode('/var/log/x.log'), 'not-socket');
  });

  it("reads this process's own fds through /proc", async () => {
    const read = procFdSocketReader();
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
      const inode = read(process.pid, fd);
      assert.equal(typeof inode, 'number');
      assert.equal(inode, fs.statSync(`/proc/self/fd/${fd}`).ino);
    } finally {
      server.close();
    }
    assert.equal(read(process.pid, 1_000_000), 'gone', 'no such fd');
  });

  it('says gone for a process that does not exist and not-socket for a file', () => {
    const root = makeTempDir('fd-socket');
    fs.mkdirSync(path.join(root, '7', 'fd'), { recursive: true });
    fs.symlinkSync('/etc/hostname', path.join(root, '7', 'fd', '3'));
    fs.symlinkSync('socket:[42]', path.join(root, '7', 'fd', '4'));
    const read = procFdSocketReader(root);
    assert.equal(read(7, 3), 'not-socket');
    assert.equal(read(7, 4), 42);
    assert.equal(read(8, 3), 'gone');
  });
});
