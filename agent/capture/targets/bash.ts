/**
 * bash: the line comes from readline's return, the exit status from the outermost
 * execute_command's return, `exit` from exit_builtin (docs/sources.md). Debian links readline
 * into bash; a bash built against a shared libreadline gets the readline probe there, with
 * cookie 1: the kernel then keeps only lines read by a process named bash (psql, python and
 * others use readline too).
 */
import type { SourceFinderSpec } from './source-finder';

export const BASH_SPEC: SourceFinderSpec = {
  name: 'bash',
  standardPaths: () => ['/bin/bash', '/usr/bin/bash', '/usr/local/bin/bash'],
  requiredSymbols: ['execute_command', 'exit_builtin'],
  probes: [
    { symbol: 'readline', program: 'bash_readline_return', retprobe: true },
    { symbol: 'execute_command', program: 'bash_execute_command_entry' },
    { symbol: 'execute_command', program: 'bash_execute_command_return', retprobe: true },
    { symbol: 'exit_builtin', program: 'bash_exit_builtin_entry' },
  ],
  library: {
    name: /^libreadline\.so(\.\d+)*$/,
    requiredSymbols: ['readline'],
    probes: [{ symbol: 'readline', program: 'bash_readline_return', retprobe: true, cookie: 1n }],
  },
};
