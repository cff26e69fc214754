/**
 * A real interactive bash under a terminal: tmux (its own server socket per test) runs
 * `bash --norc --noprofile -i` in a pane; `type` sends keys as a person would.
 */
import { execFileSync } from 'node:child_process';

export interface TmuxBash {
  /** The interactive bash's pid. */
  readonly pid: number;
  /** Types `line` and presses Enter. */
  type(line: string): void;
  stop(): void;
}

export function startTmuxBash(): TmuxBash {
  const socket = `plaintap-test-${process.pid}-${Date.now()}`;
  const tmux = (...args: string[]): string =>
    execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  tmux(
    'new-session',
    '-d',
    '-s',
    'plaintap',
    '-x',
    '160',
    '-y',
    '40',
    'env -i HOME=/tmp TERM=xterm PATH=/usr/bin:/bin PS1="$ " /bin/bash --norc --noprofile -i',
  );
  const pid = Number(tmux('display-message', '-p', '-t', 'plaintap', '#{pane_pid}').trim());
  return {
    pid,
    // -l: the text literally (no key names); Enter separately.
    type: (line) => {
      tmux('send-keys', '-t', 'plaintap', '-l', line);
      tmux('send-keys', '-t', 'plaintap', 'Enter');
    },
    stop: () => {
      try {
        tmux('kill-server');
      } catch {
        // already gone (the shell exited)
      }
    },
  };
}
