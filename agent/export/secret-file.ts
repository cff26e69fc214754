/**
 * Opens a file that will hold secrets (a key log, a pcapng with Decryption Secrets Blocks):
 * created 0600; an existing file is appended to only when it is a regular file already 0600 and
 * owned by this user, otherwise refused: plaintap never widens who can read secrets, nor writes
 * them through a symbolic link.
 */
import fs from 'node:fs';

export class SecretFileError extends Error {
  override readonly name = 'SecretFileError';
}

export interface SecretFile {
  readonly fd: number;
  /** True when the file existed and is appended to. */
  readonly appended: boolean;
}

export function openSecretFile(file: string, what: string): SecretFile {
  const { O_WRONLY, O_CREAT, O_EXCL, O_APPEND, O_NOFOLLOW } = fs.constants;
  try {
    const fd = fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    fs.fchmodSync(fd, 0o600); // the umask may have taken bits away; it cannot add any
    return { fd, appended: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new SecretFileError(`cannot create ${what} ${file}: ${(error as Error).message}`);
  }
  let fd: number;
  try {
    fd = fs.openSync(file, O_WRONLY | O_APPEND | O_NOFOLLOW);
  } catch (error) {
    throw new SecretFileError(`cannot append to ${what} ${file}: ${(error as Error).message}`);
  }
  const stat = fs.fstatSync(fd);
  const uid = process.getuid?.() ?? 0;
  const problem = !stat.isFile()
    ? 'it is not a regular file'
    : (stat.mode & 0o777) !== 0o600
      ? `its mode is ${(stat.mode & 0o777).toString(8).padStart(4, '0')}, not 0600`
      : stat.uid !== uid
        ? `it is owned by uid ${stat.uid}, not by this user (uid ${uid})`
        : undefined;
  if (problem !== undefined) {
    fs.closeSync(fd);
    throw new SecretFileError(
      `refusing to append TLS secrets to the existing ${what} ${file}: ${problem} (remove it or make it 0600 and yours)`,
    );
  }
  return { fd, appended: true };
}
