/**
 * PostgreSQL servers: exec_simple_query and the extended-protocol handlers are static, so the
 * hooks are exported functions both paths go through (docs/sources.md).
 */
import fs from 'node:fs';
import type { SourceFinderSpec } from './source-finder';

/** Debian/Ubuntu install each major version under /usr/lib/postgresql/N/bin. */
function debianVersions(): string[] {
  try {
    return fs.readdirSync('/usr/lib/postgresql').map((version) => `/usr/lib/postgresql/${version}/bin/postgres`);
  } catch {
    return [];
  }
}

export const POSTGRES_SPEC: SourceFinderSpec = {
  name: 'postgres',
  standardPaths: () => [...debianVersions(), '/usr/local/bin/postgres', '/usr/local/pgsql/bin/postgres'],
  requiredSymbols: ['pg_parse_query', 'PortalDefineQuery', 'PortalRun', 'AbortCurrentTransaction'],
  probes: [
    { symbol: 'pg_parse_query', program: 'pg_parse_query_entry' },
    { symbol: 'PortalDefineQuery', program: 'pg_portal_define_query_entry' },
    { symbol: 'PortalRun', program: 'pg_portal_run_entry' },
    { symbol: 'PortalRun', program: 'pg_portal_run_return', retprobe: true },
    { symbol: 'errcode', program: 'pg_errcode_entry' },
    { symbol: 'EmitErrorReport', program: 'pg_emit_error_report_entry' },
    { symbol: 'AbortCurrentTransaction', program: 'pg_abort_current_transaction_entry' },
    { symbol: 'ReadyForQuery', program: 'pg_ready_for_query_entry' },
  ],
};
