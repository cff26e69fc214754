/** One statement a database server ran, with its outcome: not part of any connection. */
export interface DbQuery {
  readonly kind: 'db.query';
  /** `db.system.name`: `mysql` (MySQL and MariaDB) or `postgresql`. */
  readonly system: 'mysql' | 'postgresql';
  /** Wall-clock nanoseconds when the statement started. */
  readonly timestampNs: bigint;
  readonly durationNs: bigint;
  /** The server process (thread: a MySQL connection thread, a PostgreSQL backend). */
  readonly pid: number;
  readonly tid: number;
  readonly uid: number;
  readonly comm: string;
  /** What the client asked: a text query, a prepare, or an execute of a prepared statement. */
  readonly command: 'query' | 'prepare' | 'execute';
  /** MySQL COM_STMT_EXECUTE: the prepared statement's id. */
  readonly statementId: number | undefined;
  /** `db.operation.name`: the statement's first keyword, upper case ('' when there is none). */
  readonly operation: string;
  /** The statement text: literals replaced by `?` on the way to the outputs unless full text is asked for. */
  readonly text: string;
  /** Bytes of the text, kept or not. */
  readonly textLength: number;
  readonly truncated: boolean;
  readonly ok: boolean;
  /** MySQL: the error number; 0 otherwise. */
  readonly errorNumber: number;
  /** The SQLSTATE of a failed statement ('' when none or unknown). */
  readonly sqlState: string;
  /** `db.namespace`: the database ('' when unknown). */
  readonly namespace: string;
  /** The database user ('' when unknown). */
  readonly user: string;
  readonly clientAddress: string;
  /** 0 when the client is unknown (a unix socket, or not resolved). */
  readonly clientPort: number;
  readonly serverAddress: string;
  readonly serverPort: number;
}
