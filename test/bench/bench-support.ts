/** Shared pieces of the benchmarks: medians, tables, wrk and h2load runs, processes that print `ready`. */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function formatNumber(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** The 1, 5 and 15 minute load averages: how busy the shared machine was around a benchmark. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
}

/** A plain-text table, columns padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Runs wrk and returns requests/s. */
export async function wrk(url: string, seconds: number, connections: number): Promise<number> {
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, url], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('error', reject);
    child.on('exit', () => resolve(text));
  });
  const match = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (!match?.[1]) throw new Error(`wrk printed no rate:\n${out}`);
  if (/Non-2xx/.test(out)) throw new Error(`wrk saw errors:\n${out}`);
  return Number(match[1]);
}

/** Runs h2load (nghttp2-client, HTTP/2 by ALPN) and returns requests/s and its duration; every request must succeed. */
export async function h2load(
  url: string,
  requests: number,
  clients: number,
  streams: number,
): Promise<{ rate: number; seconds: number }> {
  const args = ['-n', String(requests), '-c', String(clients), '-m', String(streams), url];
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('h2load', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('error', reject);
    child.on('exit', () => resolve(text));
  });
  const finished = /finished in ([\d.]+)s, ([\d.]+) req\/s/.exec(out);
  const succeeded = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded/.exec(out);
  if (!finished?.[1] || !finished[2] || Number(succeeded?.[1]) !== requests || !/Application protocol: h2/.test(out))
    throw new Error(`h2load did not complete ${requests} HTTP/2 requests:\n${out}`);
  return { rate: Number(finished[2]), seconds: Number(finished[1]) };
}

/** Starts a process and waits for a line starting with `ready` on stdout or stderr. */
export async function startReady(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChildProcess> {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (/^ready/m.test(seen)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${file} exited ${code} before ready:\n${seen}`)));
  });
  return child;
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
}
