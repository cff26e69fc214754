/**
 * The benchmarks' load generators (tls-connection-holder, paced-client) as child processes,
 * started through prlimit so that they may hold many sockets, and read line by line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface LoadGenerator {
  readonly child: ChildProcess;
  /** Resolves with the first stdout line (since start) matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Writes a line to its stdin. */
  send(line: string): void;
  /** Closes stdin and waits for the exit (SIGKILL after `timeoutMs`). */
  end(timeoutMs?: number): Promise<number | null>;
}

export function startLoadGenerator(
  name: 'tls-connection-holder' | 'paced-client',
  args: readonly (string | number)[],
  nofile = 4096,
): LoadGenerator {
  const script = path.join(__dirname, `${name}.js`);
  const child = spawn(
    'prlimit',
    [`--nofile=${nofile}:${nofile}`, '--', process.execPath, script, ...args.map(String)],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  const wakers = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    for (const wake of [...wakers]) wake();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    process.stderr.write(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => {
    for (const wake of [...wakers]) wake();
  });

  return {
    child,
    waitForLine(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const found = lines.find((line) => pattern.test(line));
          if (found !== undefined) {
            done();
            resolve(found);
          } else if (child.exitCode !== null) {
            done();
            reject(new Error(`${name} exited (${child.exitCode}) before printing ${pattern}:\n${stderr.slice(-2000)}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${name} printed no ${pattern} within ${timeoutMs} ms:\n${stderr.slice(-2000)}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          wakers.delete(check);
        };
        wakers.add(check);
        check();
      });
    },
    send(line) {
      child.stdin?.write(`${line}\n`);
    },
    async end(timeoutMs = 30_000) {
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
