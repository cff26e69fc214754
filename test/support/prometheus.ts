/** A real Prometheus (Debian `prometheus`) on 127.0.0.1 scraping given targets every second. */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './free-port';
import { httpGet } from './http-get';
import { makeTempDir } from './temp-dir';

export interface PrometheusServer {
  readonly url: string;
  /** An instant query; the result vector (`metric` labels and `[time, "value"]`). */
  query(expression: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  stderr(): string;
  stop(): Promise<void>;
}

export async function startPrometheus(job: string, targets: readonly string[]): Promise<PrometheusServer> {
  const dir = makeTempDir('prometheus');
  const port = await freePort();
  const config = path.join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      'scrape_configs:',
      `  - job_name: ${job}`,
      '    static_configs:',
      `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`,
      '',
    ].join('\n'),
  );
  const child = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}):\n${stderr}`);
    const ready = await httpGet(`${url}/-/ready`).catch(() => undefined);
    if (ready?.status === 200) break;
    if (Date.now() > deadline) throw new Error(`prometheus did not become ready:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    stderr: () => stderr,
    async query(expression) {
      const answer = await httpGet(`${url}/api/v1/query?query=${encodeURIComponent(expression)}`);
      const parsed = JSON.parse(answer.body) as { status: string; data?: { result?: [] }; error?: string };
      if (parsed.status !== 'success')
        throw new Error(`prometheus query ${expression}: ${parsed.error ?? answer.body}`);
      return parsed.data?.result ?? [];
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
