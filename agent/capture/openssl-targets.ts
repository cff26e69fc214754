/**
 * Finds the OpenSSL (libssl) files to probe: the system's library directories
 * and every library mapped by a running process (through /proc/PID/root, so
 * that libraries inside containers are found too). One entry per file
 * (device + inode): a uprobe on a file covers every process that maps it.
 */
import fs from 'node:fs';
import path from 'node:path';

export const SYSTEM_LIBRARY_DIRS: readonly string[] = [
  '/lib',
  '/lib64',
  '/usr/lib',
  '/usr/lib64',
  '/usr/local/lib',
  `/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`,
  `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`,
];

const LIBSSL_NAME = /^libssl\.so(\.\d+)*$/;

export interface LibraryTarget {
  /** A path this process can open. */
  readonly path: string;
  /** Where it was found: 'system' or 'pid:<pid>'. */
  readonly foundIn: string;
}

export interface DiscoveryOptions {
  readonly libraryDirs?: readonly string[];
  readonly procRoot?: string;
  /** Extra files given by the user (e.g. a binary that links OpenSSL statically). */
  readonly extraPaths?: readonly string[];
}

export function discoverOpenSslTargets(options: DiscoveryOptions = {}): LibraryTarget[] {
  const seen = new Set<string>();
  const targets: LibraryTarget[] = [];
  const add = (file: string, foundIn: string): void => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return;
    }
    if (!stat.isFile()) return;
    const identity = `${stat.dev}:${stat.ino}`;
    if (seen.has(identity)) return;
    seen.add(identity);
    targets.push({ path: realPath(file), foundIn });
  };

  for (const file of options.extraPaths ?? []) add(file, 'option');
  for (const dir of options.libraryDirs ?? SYSTEM_LIBRARY_DIRS) {
    for (const name of readDir(dir)) if (LIBSSL_NAME.test(name)) add(path.join(dir, name), 'system');
  }
  const procRoot = options.procRoot ?? '/proc';
  for (const pid of readDir(procRoot)) {
    if (!/^\d+$/.test(pid)) continue;
    for (const mapped of mappedLibraries(path.join(procRoot, pid, 'maps'))) {
      if (LIBSSL_NAME.test(path.basename(mapped))) add(path.join(procRoot, pid, 'root', mapped), `pid:${pid}`);
    }
  }
  return targets;
}

/** The canonical name (libssl.so → libssl.so.3) reads better in reports; the inode is the same. */
function realPath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

function readDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** File paths in a /proc/PID/maps file (processes may exit while we read: that is not an error). */
function mappedLibraries(mapsFile: string): Set<string> {
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
