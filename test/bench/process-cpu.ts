/**
 * CPU time read from /proc, for benchmarks that report what each process (and the rest of the
 * machine) used during a run.
 */
import fs from 'node:fs';

/** utime + stime of a process, seconds (0 for pid ≤ 0). */
export function processCpuSeconds(pid: number): number {
  if (pid <= 0) return 0;
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

/** CPU time all CPUs spent busy since boot, seconds (/proc/stat). */
export function machineBusySeconds(): number {
  const fields = (fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return (fields.reduce((a, b) => a + b, 0) - idle) / 100;
}
