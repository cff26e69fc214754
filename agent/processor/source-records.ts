/**
 * Records of the non-stream sources straight from their kernel events: a shell command or a
 * database statement is complete when the kernel reports it, so it never enters a connection worker.
 */
import type { DbQueryEvent, ShellCommandEvent } from '../capture/captured-event';
import type { DbQuery } from '../exchange/db-query';
import type { ShellCommand } from '../exchange/shell-command';
import { sqlOperationName } from '../protocols/sql/sql-operation';

/** MySQL COM_* commands the kernel reports in db_query_record.command (MySQL's protocol numbers). */
const MysqlCommand = { Query: 3, StmtPrepare: 22, StmtExecute: 23 } as const;

/** Lines of only blanks run nothing: not reported (the kernel already skips empty ones). */
export function isBlankLine(event: ShellCommandEvent): boolean {
  return event.line.trim() === '';
}

export function shellCommandRecord(event: ShellCommandEvent): ShellCommand {
  return {
    kind: 'shell.command',
    timestampNs: event.timestampNs,
    durationNs:
      event.endNs !== undefined && event.endNs >= event.timestampNs ? event.endNs - event.timestampNs : undefined,
    pid: event.pid,
    tid: event.tid,
    ppid: event.ppid,
    uid: event.uid,
    comm: event.comm,
    tty: event.tty,
    line: event.line,
    lineLength: event.lineLength,
    truncated: event.truncated,
    exitStatus: event.exitStatus,
  };
}

export function dbQueryRecord(event: DbQueryEvent): DbQuery {
  const command =
    event.command === MysqlCommand.StmtPrepare
      ? 'prepare'
      : event.command === MysqlCommand.StmtExecute
        ? 'execute'
        : 'query';
  return {
    kind: 'db.query',
    system: event.system,
    timestampNs: event.timestampNs,
    durationNs: event.endNs >= event.timestampNs ? event.endNs - event.timestampNs : 0n,
    pid: event.pid,
    tid: event.tid,
    uid: event.uid,
    comm: event.comm,
    command,
    statementId: command === 'execute' ? event.statementId : undefined,
    operation: command === 'execute' ? 'EXECUTE' : sqlOperationName(event.text),
    text: event.text,
    textLength: event.textLength,
    truncated: event.truncated,
    ok: event.ok,
    errorNumber: event.errorNumber,
    sqlState: event.sqlState,
    namespace: event.namespace,
    user: event.user,
    clientAddress: event.clientAddress,
    clientPort: event.clientPort,
    serverAddress: event.serverAddress,
    serverPort: event.serverPort,
  };
}
