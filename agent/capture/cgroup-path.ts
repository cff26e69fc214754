/**
 * `--cgroup PATH` → the cgroup v2 id the kernel filter compares with bpf_get_current_cgroup_id():
 * the inode number of the cgroup's directory in the unified hierarchy. PATH is a directory on a
 * cgroup2 mount (`/sys/fs/cgroup/unified/kubepods/...`) or a cgroup path as /proc/PID/cgroup shows
 * it (`/kubepods/...`), looked up under every cgroup2 mount of this mount namespace.
 */
import fs from 'node:fs';
import path from 'node:path';

/** statfs f_type of cgroup2 (CGROUP2_SUPER_MAGIC). */
const CGROUP2_SUPER_MAGIC = 0x63677270;

export interface ResolvedCgroup {
  /** The directory found. */
  readonly directory: string;
  readonly id: bigint;
}

/** Mount points of cgroup2 file systems, from mountinfo (`… - cgroup2 cgroup2 rw`). */
export function cgroup2Mounts(mountinfo: string): string[] {
  const mounts: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const separator = line.indexOf(' - ');
    if (separator < 0) continue;
    if (line.slice(separator + 3).split(' ')[0] !== 'cgroup2') continue;
    const mountPoint = line.slice(0, separator).split(' ')[4];
    // mountinfo escapes space, tab, newline and backslash as octal.
    if (mountPoint)
      mounts.push(mountPoint.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))));
  }
  return mounts;
}

function isCgroup2Directory(candidate: string): boolean {
  try {
    return fs.statSync(candidate).isDirectory() && fs.statfsSync(candidate).type === CGROUP2_SUPER_MAGIC;
  } catch {
    return false;
  }
}

/** The cgroup's id, or a sentence saying why PATH is not a cgroup v2 directory. */
export function resolveCgroup(cgroup: string, mountinfo?: string): ResolvedCgroup | { problem: string } {
  if (!cgroup.startsWith('/')) return { problem: `"${cgroup}" is not an absolute cgroup path` };
  const candidates = [cgroup];
  let mounts: string[] = [];
  try {
    mounts = cgroup2Mounts(mountinfo ?? fs.readFileSync('/proc/self/mountinfo', 'utf8'));
  } catch {
    // No mountinfo: only an absolute directory can be used.
  }
  for (const mount of mounts) candidates.push(path.join(mount, cgroup));
  for (const candidate of candidates) {
    if (isCgroup2Directory(candidate)) {
      return { directory: candidate, id: fs.statSync(candidate, { bigint: true }).ino };
    }
  }
  return {
    problem:
      mounts.length === 0
        ? `"${cgroup}": no cgroup v2 (unified) hierarchy is mounted; the --cgroup filter needs one`
        : `"${cgroup}" is not a cgroup v2 directory, nor a cgroup path under ${mounts.join(', ')}`,
  };
}
