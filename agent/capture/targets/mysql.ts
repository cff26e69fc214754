/**
 * MySQL and MariaDB servers: the hooks are C++ functions of the server executable, named by
 * their mangled symbols in its .dynsym (MariaDB 10.11 signatures; docs/sources.md).
 */
import type { SourceFinderSpec } from './source-finder';

const DISPATCH_COMMAND = '_Z16dispatch_command19enum_server_commandP3THDPcjb';
const CHANGE_DB = '_Z15mysql_change_dbP3THDPK25st_mysql_const_lex_stringb';

export const MYSQL_SPEC: SourceFinderSpec = {
  name: 'mysql',
  standardPaths: () => ['/usr/sbin/mariadbd', '/usr/sbin/mysqld', '/usr/local/mysql/bin/mysqld', '/usr/bin/mariadbd'],
  requiredSymbols: [DISPATCH_COMMAND],
  probes: [
    { symbol: DISPATCH_COMMAND, program: 'mysql_dispatch_command_entry' },
    { symbol: DISPATCH_COMMAND, program: 'mysql_dispatch_command_return', retprobe: true },
    {
      symbol: '_ZN16Diagnostics_area16set_error_statusEjPKcS1_RK27Sql_user_condition_identityPK13Sql_condition',
      program: 'mysql_set_error_status_entry',
    },
    { symbol: '_ZN16Diagnostics_area16set_error_statusEj', program: 'mysql_set_error_status_errno_entry' },
    { symbol: '_Z16login_connectionP3THD', program: 'mysql_login_connection_entry' },
    { symbol: CHANGE_DB, program: 'mysql_change_db_entry' },
    { symbol: CHANGE_DB, program: 'mysql_change_db_return', retprobe: true },
  ],
};
