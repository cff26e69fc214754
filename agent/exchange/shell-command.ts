/** A command line an interactive shell read: an audit record, not part of any connection. */
export interface ShellCommand {
  readonly kind: 'shell.command';
  /** Wall-clock nanoseconds when the line was read. */
  readonly timestampNs: bigint;
  /** Until the command finished; undefined when that is unknown. */
  readonly durationNs: bigint | undefined;
  readonly pid: number;
  readonly tid: number;
  readonly ppid: number;
  readonly uid: number;
  /** The shell's comm (`bash`). */
  readonly comm: string;
  /** The session's terminal (`pts/3`), '' when none. */
  readonly tty: string;
  /** The line as read (after redaction, on its way to the outputs). */
  readonly line: string;
  /** Bytes of the line, kept or not. */
  readonly lineLength: number;
  readonly truncated: boolean;
  /** The command's exit status, when it could be paired (see docs/sources.md). */
  readonly exitStatus: number | undefined;
}
