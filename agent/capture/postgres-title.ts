/**
 * A PostgreSQL backend serves one session for its whole life and shows it in its process title,
 * `postgres: [cluster: ]USER DATABASE HOST(PORT) activity` (update_process_title is on by
 * default on Linux). The kernel copies the title at the backend's first statement; this reads
 * user, database and client from it.
 */

export interface PostgresSession {
  readonly user: string;
  readonly namespace: string;
  /** '' for a unix-socket client (`[local]`). */
  readonly clientAddress: string;
  /** 0 when unknown. */
  readonly clientPort: number;
}

/** Parses a backend's title; undefined for anything else (the postmaster, a background worker). */
export function parsePostgresTitle(title: string): PostgresSession | undefined {
  if (!title.startsWith('postgres: ')) return undefined;
  const words = title.slice('postgres: '.length).split(' ');
  // A cluster_name comes first, ending with a colon.
  if (words[0]?.endsWith(':')) words.shift();
  const [user, namespace, host] = words;
  if (user === undefined || namespace === undefined || host === undefined) return undefined;
  const tuple = /^(.*)\((\d+)\)$/.exec(host);
  if (tuple) return { user, namespace, clientAddress: tuple[1] ?? '', clientPort: Number(tuple[2]) };
  // `[local]` (a unix socket) or a host name without port: no tuple.
  if (host !== '[local]' && !/^[\w.:[\]-]+$/.test(host)) return undefined;
  return { user, namespace, clientAddress: '', clientPort: 0 };
}
