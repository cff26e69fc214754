/**
 * `--pid` values that name no running process. Attaching probes to such a pid fails deep inside
 * libbpf with kilobytes of output; refused at start instead, in one line.
 */
import fs from 'node:fs';

export function missingProcesses(pids: readonly number[], procRoot = '/proc'): number[] {
  return pids.filter((pid) => !fs.existsSync(`${procRoot}/${pid}`));
}
