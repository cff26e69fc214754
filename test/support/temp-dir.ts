/**
 * Temporary directories for one test file, removed when its process exits (`node --test` runs
 * each file in a process of its own), so that runs leave nothing behind in /tmp.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made: string[] = [];

process.on('exit', () => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** A new empty directory named `plaintap-<purpose>-XXXXXX` under the system's temporary directory. */
export function makeTempDir(purpose: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `plaintap-${purpose}-`));
  made.push(dir);
  return dir;
}
