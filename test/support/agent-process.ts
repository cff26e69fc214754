/** Runs the real agent as a child process, the way a user does: through its launcher (bin/plaintap). */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { parseJsonLines, type JsonRecord } from './json-records';

export const CLI_PATH = path.resolve(__dirname, '..', '..', 'agent', 'cli.js');
/** bin/plaintap: node with the launcher's V8 flags, then dist/agent/cli.js (made by `npm run build`). */
export const PLAINTAP_BIN = path.resolve(__dirname, '..', '..', '..', 'bin', 'plaintap');

/**
 * The command that runs the agent (dist/agent/cli.js) as user and group 65534 (nobody), with the
 * capability flags of setpriv(1) given (`--inh-caps=-all`, `--ambient-caps=+bpf` …).
 */
export function asNobody(...capabilityFlags: readonly string[]): string[] {
  return [
    'setpriv',
    '--reuid=65534',
    '--regid=65534',
    '--clear-groups',
    ...capabilityFlags,
    process.execPath,
    CLI_PATH,
  ];
}

export interface AgentProcess {
  readonly child: ChildProcess;
  /** The `ready …` line. */
  readonly readyLine: string;
  stdout(): string;
  stderr(): string;
  /** stdout parsed as JSON lines (for --output json). */
  records(): JsonRecord[];
  waitFor<T>(find: () => T | undefined, timeoutMs?: number, what?: string): Promise<T>;
  /** Sends `signal` (SIGINT), then resolves with the exit code, or the signal name when one killed it. */
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
}

export interface StartAgentOptions {
  readonly command?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly readyTimeoutMs?: number;
  /** The agent's own configuration sets the metrics address: PLAINTAP_METRICS_ADDRESS is left unset. */
  readonly configuredMetricsAddress?: boolean;
}

/**
 * Agents may run side by side in tests: unless a test says otherwise (flag or env), each one
 * serves its metrics on a free port (a second one on the default 127.0.0.1:9464 would not start).
 */
function agentEnv(options: StartAgentOptions): NodeJS.ProcessEnv {
  if (options.configuredMetricsAddress) {
    const { PLAINTAP_METRICS_ADDRESS: _inherited, ...env } = process.env;
    return { ...env, ...options.env };
  }
  return { ...process.env, PLAINTAP_METRICS_ADDRESS: '127.0.0.1:0', ...options.env };
}

/** Spawns the agent (or `options.command` with `args` after it), collecting what it writes. */
function spawnAgent(
  args: readonly string[],
  options: StartAgentOptions,
): { child: ChildProcess; stdout(): string; stderr(): string } {
  const command = options.command ?? [PLAINTAP_BIN];
  const [file, ...prefix] = command as [string, ...string[]];
  const child = spawn(file, [...prefix, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: agentEnv(options) });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { child, stdout: () => out, stderr: () => err };
}

export async function startAgent(args: readonly string[], options: StartAgentOptions = {}): Promise<AgentProcess> {
  const { child, stdout, stderr } = spawnAgent(args, options);
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );

  const waitFor = async <T>(find: () => T | undefined, timeoutMs = 10_000, what = 'condition'): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what}\n--- agent stderr ---\n${stderr()}\n--- agent stdout (tail) ---\n${stdout().slice(-4000)}`,
        );
      if (child.exitCode !== null)
        throw new Error(`agent exited (${child.exitCode}) while waiting for ${what}\n${stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const readyLine = await waitFor(
    () =>
      stderr()
        .split('\n')
        .find((line) => line.startsWith('ready')),
    options.readyTimeoutMs ?? 30_000,
    'the ready line',
  );

  return {
    child,
    readyLine,
    stdout,
    stderr,
    // Complete lines only: a record larger than one pipe read arrives in pieces.
    records: () => parseJsonLines(stdout()),
    waitFor,
    stop: async (signal = 'SIGINT') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs the agent to completion (for commands that must fail), returning exit code and output. */
export async function runAgentToExit(
  args: readonly string[],
  options: StartAgentOptions & { timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { child, stdout, stderr } = spawnAgent(args, options);
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout: stdout(), stderr: stderr() };
}
