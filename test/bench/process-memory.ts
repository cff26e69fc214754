/** Resident memory of a process as the kernel counts it (/proc/PID/status and smaps), in bytes. */
import fs from 'node:fs';

export interface ProcessMemory {
  /** VmRSS: resident now. */
  readonly rssBytes: number;
  /** VmHWM: the peak of VmRSS since the process started. */
  readonly peakRssBytes: number;
  /** RssAnon: the process's own allocations (V8 heap, malloc). */
  readonly anonBytes: number;
  /** RssFile: mapped files (the node binary, libraries) and BPF maps mapped into it. */
  readonly fileBytes: number;
  /**
   * Resident pages of mapped BPF maps: the ring buffer. The kernel maps its data pages twice in a
   * row (so records never wrap), and RSS counts both: a 16 MiB ring shows as 32 MiB.
   */
  readonly bpfMapBytes: number;
}

export function readProcessMemory(pid: number): ProcessMemory {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return {
    rssBytes: kib('VmRSS'),
    peakRssBytes: kib('VmHWM'),
    anonBytes: kib('RssAnon'),
    fileBytes: kib('RssFile'),
    bpfMapBytes: bpfMapRss(pid),
  };
}

function bpfMapRss(pid: number): number {
  let total = 0;
  let inBpfMap = false;
  for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) inBpfMap = line.endsWith('anon_inode:bpf-map');
    else if (inBpfMap && line.startsWith('Rss:')) total += Number(/(\d+) kB/.exec(line)?.[1] ?? 0) * 1024;
  }
  return total;
}

/** Bytes as MiB with one decimal, for tables. */
export function mib(bytes: number | undefined): string {
  return bytes === undefined || Number.isNaN(bytes) ? '-' : (bytes / 1024 / 1024).toFixed(1);
}
