/** The servers traced-app-cost can trace (BENCH_SERVER), each a workload of its own file. */
import { goWorkload, nodeWorkload } from './traced-go-node';
import { nginxH2Workload, nginxWorkload } from './traced-nginx';
import type { TracedWorkload, WorkloadSettings } from './traced-app-rounds';

export const TRACED_SERVERS: Readonly<Record<string, (settings: WorkloadSettings) => Promise<TracedWorkload>>> = {
  nginx: nginxWorkload,
  'nginx-h2': nginxH2Workload,
  go: goWorkload,
  node: nodeWorkload,
};
