/**
 * Finds the OpenSSL (libssl) files to probe: the system's library directories
 * and every library mapped by a running process (through /proc/PID/root, so
 * that libraries inside containers are found too). One entry per file
 * (device + inode): a uprobe on a file covers every process that maps it.
 * The scanner remembers what it saw, so a periodic rescan only reads the maps
 * of processes started since and reports only files not seen before.
 */
import fs from 'node:fs';
import path from 'node:path';

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

const LIBSSL_NAME = /^libssl\.so(\.\d+)*$/;

export interface LibraryTarget {
  /** A path this process can open. */
  readonly path: string;
  /** Where it was found: 'system', 'option' or 'pid:<pid>'. */
  readonly foundIn: string;
}

export interface DiscoveryOptions {
  readonly libraryDirs?: readonly string[];
  readonly procRoot?: string;
  /** Extra files given by the user (e.g. a binary that links OpenSSL statically). */
  readonly extraPaths?: readonly string[];
}

export class OpenSslTargetScanner {
  private readonly seenFiles = new Set<string>();
  private readonly scannedPids = new Set<string>();
  private firstScan = true;

  constructor(private readonly options: DiscoveryOptions = {}) {}

  /** Targets not reported before: on the first call everything, later only what new processes map. */
  scan(): LibraryTarget[] {
    const found: LibraryTarget[] = [];
    if (this.firstScan) {
      this.firstScan = false;
      for (const file of this.options.extraPaths ?? []) this.add(file, 'option', found);
      for (const dir of this.options.libraryDirs ?? SYSTEM_LIBRARY_DIRS) {
        for (const name of readDir(dir)) if (LIBSSL_NAME.test(name)) this.add(path.join(dir, name), 'system', found);
      }
    }
    const procRoot = this.options.procRoot ?? '/proc';
    const live = new Set(readDir(procRoot).filter((name) => /^\d+$/.test(name)));
    for (const pid of this.scannedPids) if (!live.has(pid)) this.scannedPids.delete(pid);
    for (const pid of live) {
      if (this.scannedPids.has(pid)) continue;
      this.scannedPids.add(pid);
      for (const mapped of mappedFiles(path.join(procRoot, pid, 'maps'))) {
        if (LIBSSL_NAME.test(path.basename(mapped)))
          this.add(path.join(procRoot, pid, 'root', mapped), `pid:${pid}`, found);
      }
    }
    return found;
  }

  private add(file: string, foundIn: string, into: LibraryTarget[]): void {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return;
    }
    if (!stat.isFile()) return;
    const identity = `${stat.dev}:${stat.ino}`;
    if (this.seenFiles.has(identity)) return;
    this.seenFiles.add(identity);
    into.push({ path: realPath(file), foundIn });
  }
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
function mappedFiles(mapsFile: string): Set<string> {
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
