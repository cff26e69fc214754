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
  /** Resident pages of `[heap]`: glibc malloc's main arena (the main thread's allocations). */
  readonly mallocHeapBytes: number;
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
    ...mappingRss(pid),
  };
}

/** Resident bytes of the BPF map mappings and of malloc's `[heap]`, from /proc/PID/smaps. */
function mappingRss(pid: number): { bpfMapBytes: number; mallocHeapBytes: number } {
  let bpfMapBytes = 0;
  let mallocHeapBytes = 0;
  let mapping: 'bpf' | 'heap' | null = null;
  for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) {
      mapping = line.endsWith('anon_inode:bpf-map') ? 'bpf' : line.endsWith('[heap]') ? 'heap' : null;
    } else if (mapping !== null && line.startsWith('Rss:')) {
      const bytes = Number(/(\d+) kB/.exec(line)?.[1] ?? 0) * 1024;
      if (mapping === 'bpf') bpfMapBytes += bytes;
      else mallocHeapBytes += bytes;
    }
  }
  return { bpfMapBytes, mallocHeapBytes };
}

/** Bytes as MiB with one decimal, for tables. */
export function mib(bytes: number | undefined): string {
  return bytes === undefined || Number.isNaN(bytes) ? '-' : (bytes / 1024 / 1024).toFixed(1);
}
