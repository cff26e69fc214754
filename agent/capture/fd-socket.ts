/**
 * What a process's file descriptor refers to now, read from /proc/PID/fd/FD (a symlink whose
 * target is `socket:[INODE]` for a socket). The connection sweep compares it with what it saw
 * before to find connections whose close record never arrived.
 */
import fs from 'node:fs';

/**
 * - a number: the fd is a socket with this inode,
 * - `gone`: the process or the fd no longer exists,
 * - `not-socket`: the fd now names something else (a file, a pipe),
 * - `unknown`: /proc would not say (permissions, a /proc from another PID namespace).
 */
export type FdSocket = number | 'gone' | 'not-socket' | 'unknown';

export type FdSocketReader = (pid: number, fd: number) => FdSocket;

/** A reader over `procRoot` (the host's /proc; tests pass their own directory). */
export function procFdSocketReader(procRoot = '/proc'): FdSocketReader {
  return (pid, fd) => {
    let target: string;
    try {
      target = fs.readlinkSync(`${procRoot}/${pid}/fd/${fd}`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'ENOENT' || code === 'ESRCH' ? 'gone' : 'unknown';
    }
    return socketInode(target);
  };
}

/** The inode of a `socket:[INODE]` link target, else 'not-socket'. */
export function socketInode(linkTarget: string): number | 'not-socket' {
  const match = /^socket:\[(\d+)\]$/.exec(linkTarget);
  if (match === null) return 'not-socket';
  return Number(match[1]);
}
