/**
 * Shell commands and database queries as OpenTelemetry log records. A query follows the
 * database semantic conventions (`db.system.name`, `db.query.text`, `db.namespace`,
 * `db.operation.name`, `db.response.status_code` and `error.type` on errors); a shell command
 * carries its process (`process.pid`, `process.parent_pid`, `user.id`) and the line as body.
 */
import type { DbQuery } from '../../exchange/db-query';
import type { ShellCommand } from '../../exchange/shell-command';
import type { AttributeWriter, MappedLogRecordHead } from './mapped-log-record';
import { ATTR, EVENT_NAME } from './semantic-attributes';

const INFO = { number: 9, text: 'INFO' } as const;
const WARN = { number: 13, text: 'WARN' } as const;

function hrTime(ns: bigint): [number, number] {
  const seconds = ns / 1_000_000_000n;
  return [Number(seconds), Number(ns - seconds * 1_000_000_000n)];
}

export function mapShellCommand(command: ShellCommand, attributes: AttributeWriter): MappedLogRecordHead {
  attributes.set(ATTR.processPid, command.pid);
  attributes.set(ATTR.processParentPid, command.ppid);
  if (command.comm !== '') attributes.set(ATTR.processExecutableName, command.comm);
  attributes.set(ATTR.processUserId, command.uid);
  attributes.set(ATTR.userId, String(command.uid));
  attributes.set(ATTR.threadId, command.tid);
  if (command.tty !== '') attributes.set(ATTR.shellTty, command.tty);
  if (command.exitStatus !== undefined) attributes.set(ATTR.shellExitStatus, command.exitStatus);
  if (command.durationNs !== undefined) attributes.set(ATTR.duration, Number(command.durationNs) / 1e9);
  attributes.set(ATTR.truncated, command.truncated);
  const failed = command.exitStatus !== undefined && command.exitStatus !== 0;
  return {
    eventName: EVENT_NAME.shellCommand,
    timestamp: hrTime(command.timestampNs),
    severityNumber: failed ? WARN.number : INFO.number,
    severityText: failed ? WARN.text : INFO.text,
    body: command.line,
  };
}

/** `db.response.status_code`: MySQL's error number, PostgreSQL's SQLSTATE (as the conventions say). */
export function dbResponseStatusCode(query: DbQuery): string | undefined {
  if (query.ok) return undefined;
  if (query.system === 'mysql') return query.errorNumber !== 0 ? String(query.errorNumber) : undefined;
  return query.sqlState !== '' ? query.sqlState : undefined;
}

export function mapDbQuery(query: DbQuery, attributes: AttributeWriter): MappedLogRecordHead {
  attributes.set(ATTR.processPid, query.pid);
  if (query.comm !== '') attributes.set(ATTR.processExecutableName, query.comm);
  attributes.set(ATTR.processUserId, query.uid);
  attributes.set(ATTR.threadId, query.tid);
  attributes.set(ATTR.dbSystemName, query.system);
  if (query.namespace !== '') attributes.set(ATTR.dbNamespace, query.namespace);
  if (query.operation !== '') attributes.set(ATTR.dbOperationName, query.operation);
  if (query.text !== '') attributes.set(ATTR.dbQueryText, query.text);
  const status = dbResponseStatusCode(query);
  if (status !== undefined) attributes.set(ATTR.dbResponseStatusCode, status);
  if (!query.ok) attributes.set(ATTR.errorType, status ?? '_OTHER');
  if (query.serverPort !== 0) {
    attributes.set(ATTR.serverAddress, query.serverAddress);
    attributes.set(ATTR.serverPort, query.serverPort);
  }
  if (query.clientPort !== 0) {
    attributes.set(ATTR.clientAddress, query.clientAddress);
    attributes.set(ATTR.clientPort, query.clientPort);
  }
  if (query.user !== '') attributes.set(ATTR.dbUser, query.user);
  attributes.set(ATTR.dbCommand, query.command);
  if (query.statementId !== undefined) attributes.set(ATTR.dbStatementId, query.statementId);
  attributes.set(ATTR.duration, Number(query.durationNs) / 1e9);
  attributes.set(ATTR.truncated, query.truncated);
  const severity = query.ok ? INFO : WARN;
  return {
    eventName: EVENT_NAME.dbQuery,
    timestamp: hrTime(query.timestampNs),
    severityNumber: severity.number,
    severityText: severity.text,
    body: query.text,
  };
}
