/** The files a process maps, read from /proc/PID/maps (a process may exit while we read: not an error). */
import fs from 'node:fs';

export function mappedFiles(mapsFile: string): Set<string> {
  const files = new Set<string>();
  let text: string;
  try {
    text = fs.readFileSync(mapsFile, 'latin1');
  } catch {
    return files;
  }
  for (const line of text.split('\n')) {
    const slash = line.indexOf('/');
    if (slash < 0) continue;
    const file = line.slice(slash);
    if (!file.endsWith(' (deleted)')) files.add(file);
  }
  return files;
}

/** Numeric entries of /proc: the live processes. */
export function livePids(procRoot: string): string[] {
  try {
    return fs.readdirSync(procRoot).filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
}
