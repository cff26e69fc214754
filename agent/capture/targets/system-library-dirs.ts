/** Where shared libraries live on the host: looked at on start, before any process maps them. */
import fs from 'node:fs';
import path from 'node:path';
import type { CandidateFile } from './target-finder';

const MULTIARCH = process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';

export const SYSTEM_LIBRARY_DIRS: readonly string[] = [
  '/lib',
  '/lib64',
  '/usr/lib',
  '/usr/lib64',
  '/usr/local/lib',
  `/lib/${MULTIARCH}`,
  `/usr/lib/${MULTIARCH}`,
];

/** Files named like `name` in the system library directories (or `dirs`). */
export function systemLibraries(name: RegExp, dirs: readonly string[] = SYSTEM_LIBRARY_DIRS): CandidateFile[] {
  const files: CandidateFile[] = [];
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (!name.test(entry)) continue;
      const file = path.join(dir, entry);
      files.push({ path: file, mappedPath: file, foundIn: 'system' });
    }
  }
  return files;
}

/** Files the user named (their existence is checked by the watcher). */
export function optionFiles(paths: readonly string[]): CandidateFile[] {
  return paths.map((file) => ({ path: file, mappedPath: file, foundIn: 'option' }));
}
