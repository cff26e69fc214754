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

/**
 * Runs a load generator for about `seconds` and returns its stdout; killed (and rejected) when it
 * is still running well after, so that a wedged server cannot hang a benchmark.
 */
export async function runLoad(file: string, args: readonly string[], seconds: number): Promise<string> {
  const deadlineMs = (seconds + 60) * 1000;
  return new Promise<string>((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} still running after ${deadlineMs / 1000} s:\n${text}`));
    }, deadlineMs);
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(text);
    });
  });
}

/** Runs wrk and returns requests/s. */
export async function wrk(url: string, seconds: number, connections: number): Promise<number> {
  const out = await runLoad('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, url], seconds);
  const match = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (!match?.[1]) throw new Error(`wrk printed no rate:\n${out}`);
  if (/Non-2xx/.test(out)) throw new Error(`wrk saw errors:\n${out}`);
  return Number(match[1]);
}

/** How much load h2load applies: a number of requests, or a duration. */
export type H2loadAmount = { readonly requests: number } | { readonly seconds: number };

/**
 * Runs h2load (nghttp2-client: HTTP/2 by ALPN, `streams` concurrent streams per connection) and
 * returns requests/s and how long it ran; every request must succeed with a 2xx.
 */
export async function h2load(
  url: string,
  amount: H2loadAmount,
  connections: number,
  streams: number,
): Promise<{ rate: number; seconds: number }> {
  const byCount = 'requests' in amount;
  const args = [
    '-t1',
    `-c${connections}`,
    `-m${streams}`,
    byCount ? `-n${amount.requests}` : `-D${amount.seconds}`,
    url,
  ];
  const out = await runLoad('h2load', args, byCount ? 120 : amount.seconds);
  const finished = /finished in ([\d.]+)(m?s), ([\d.]+) req\/s/.exec(out);
  if (!finished?.[1] || !finished[3] || !/Application protocol: h2/.test(out))
    throw new Error(`h2load did not run HTTP/2:\n${out}`);
  const failed = /requests: .* (\d+) failed, (\d+) errored/.exec(out);
  if (!failed || failed[1] !== '0' || failed[2] !== '0') throw new Error(`h2load saw errors:\n${out}`);
  if (!/status codes: \d+ 2xx, 0 3xx, 0 4xx, 0 5xx/.test(out)) throw new Error(`h2load saw non-2xx:\n${out}`);
  const seconds = Number(finished[1]) / (finished[2] === 'ms' ? 1000 : 1);
  return { rate: Number(finished[3]), seconds };
}

/** Starts a process and waits (at most `timeoutMs`) for a line starting with `ready` on stdout or stderr. */
export async function startReady(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 120_000,
): Promise<ChildProcess> {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let seen = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${file} not ready after ${timeoutMs} ms:\n${seen}`)), timeoutMs);
      const onData = (chunk: Buffer): void => {
        seen += chunk.toString();
        if (/^ready/m.test(seen)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${file} exited ${code} before ready:\n${seen}`));
      });
    });
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return child;
}

/** SIGINT, then SIGKILL when it has not exited after `timeoutMs`. */
export async function stopProcess(child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}
