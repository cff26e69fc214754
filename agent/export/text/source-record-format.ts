/**
 * Shell commands and database queries on the console and as JSON lines. They have no
 * connection: the first line names the process (and, for a query, its client), the next the
 * command line or the statement.
 *
 *   PID:4242, Comm:bash, PPID:4200, UID:1000, TTY:pts/3, Status:0, Duration:2.110ms
 *   $ ls -la /tmp
 *
 *   PID:5000, Comm:postgres, DB:postgresql, Namespace:app, User:alice, Client:127.0.0.1:45000, Operation:SELECT, Duration:0.310ms, Status:ok
 *   SELECT * FROM t WHERE id = ?
 */
import type { DbQuery } from '../../exchange/db-query';
import type { ShellCommand } from '../../exchange/shell-command';
import { formatDurationNs } from './exchange-format';
import { formatRfc3339Nanos } from './rfc3339';

function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export function formatShellCommandText(command: ShellCommand): string {
  const fields = [`PID:${command.pid}`, `Comm:${command.comm}`, `PPID:${command.ppid}`, `UID:${command.uid}`];
  if (command.tty !== '') fields.push(`TTY:${command.tty}`);
  fields.push(`Status:${command.exitStatus ?? '?'}`);
  if (command.durationNs !== undefined) fields.push(`Duration:${formatDurationNs(command.durationNs)}`);
  if (command.truncated) fields.push('Truncated');
  return `${fields.join(', ')}\n$ ${command.line}\n\n`;
}

/** `error 42P01`, `error 1146 (42S02)`, `ok`. */
function queryStatus(query: DbQuery): string {
  if (query.ok) return 'ok';
  if (query.system === 'mysql')
    return `error ${query.errorNumber}${query.sqlState !== '' ? ` (${query.sqlState})` : ''}`;
  return `error ${query.sqlState}`;
}

export function formatDbQueryText(query: DbQuery): string {
  const fields = [`PID:${query.pid}`, `Comm:${query.comm}`, `DB:${query.system}`];
  if (query.namespace !== '') fields.push(`Namespace:${query.namespace}`);
  if (query.user !== '') fields.push(`User:${query.user}`);
  if (query.clientPort !== 0) fields.push(`Client:${hostPort(query.clientAddress, query.clientPort)}`);
  if (query.command !== 'query') fields.push(`Command:${query.command}`);
  if (query.statementId !== undefined) fields.push(`Statement:${query.statementId}`);
  if (query.operation !== '') fields.push(`Operation:${query.operation}`);
  fields.push(`Duration:${formatDurationNs(query.durationNs)}`, `Status:${queryStatus(query)}`);
  if (query.truncated) fields.push('Truncated');
  return `${fields.join(', ')}\n${query.text}\n\n`;
}

export interface JsonShellCommand {
  readonly time: string;
  readonly kind: 'shell.command';
  readonly pid: number;
  readonly tid: number;
  readonly ppid: number;
  readonly uid: number;
  readonly comm: string;
  readonly tty: string | null;
  readonly line: string;
  readonly line_length: number;
  readonly truncated: boolean;
  /** null when the status could not be paired with the line. */
  readonly exit_status: number | null;
  readonly duration_ms: number | null;
}

export function shellCommandToJson(command: ShellCommand): JsonShellCommand {
  return {
    time: formatRfc3339Nanos(command.timestampNs),
    kind: 'shell.command',
    pid: command.pid,
    tid: command.tid,
    ppid: command.ppid,
    uid: command.uid,
    comm: command.comm,
    tty: command.tty === '' ? null : command.tty,
    line: command.line,
    line_length: command.lineLength,
    truncated: command.truncated,
    exit_status: command.exitStatus ?? null,
    duration_ms: command.durationNs === undefined ? null : Number(command.durationNs / 1000n) / 1000,
  };
}

export interface JsonDbQuery {
  readonly time: string;
  readonly kind: 'db.query';
  readonly db_system: 'mysql' | 'postgresql';
  readonly pid: number;
  readonly tid: number;
  readonly uid: number;
  readonly comm: string;
  readonly command: DbQuery['command'];
  readonly statement_id: number | null;
  readonly operation: string | null;
  readonly query: string;
  readonly query_length: number;
  readonly truncated: boolean;
  readonly status: 'ok' | 'error';
  readonly error_number: number | null;
  readonly sql_state: string | null;
  readonly namespace: string | null;
  readonly user: string | null;
  readonly client_addr: string | null;
  readonly client_port: number | null;
  readonly server_addr: string | null;
  readonly server_port: number | null;
  readonly duration_ns: number;
  readonly duration_ms: number;
}

export function dbQueryToJson(query: DbQuery): JsonDbQuery {
  const client = query.clientPort !== 0;
  const server = query.serverPort !== 0;
  return {
    time: formatRfc3339Nanos(query.timestampNs),
    kind: 'db.query',
    db_system: query.system,
    pid: query.pid,
    tid: query.tid,
    uid: query.uid,
    comm: query.comm,
    command: query.command,
    statement_id: query.statementId ?? null,
    operation: query.operation === '' ? null : query.operation,
    query: query.text,
    query_length: query.textLength,
    truncated: query.truncated,
    status: query.ok ? 'ok' : 'error',
    error_number: query.ok || query.system !== 'mysql' ? null : query.errorNumber,
    sql_state: query.ok || query.sqlState === '' ? null : query.sqlState,
    namespace: query.namespace === '' ? null : query.namespace,
    user: query.user === '' ? null : query.user,
    client_addr: client ? query.clientAddress : null,
    client_port: client ? query.clientPort : null,
    server_addr: server ? query.serverAddress : null,
    server_port: server ? query.serverPort : null,
    duration_ns: Number(query.durationNs),
    duration_ms: Number(query.durationNs / 1000n) / 1000,
  };
}
