/**
 * Counts and latencies of the non-stream sources, from the records on their way to the
 * outputs: `plaintap_db_queries_total{db_system,status}`, `plaintap_db_query_duration_seconds
 * {db_system,operation}` and `plaintap_shell_commands_total`. Operation labels are bounded to
 * the known SQL keywords (anything else: `_OTHER`).
 */
import type { DbQuery } from '../exchange/db-query';
import type { HistogramSnapshot } from './snapshot-histogram-metric';

/** Upper bounds in seconds (`le`), from 100 µs to 1 min: queries are often sub-millisecond. */
export const DB_QUERY_DURATION_BUCKETS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

export const KNOWN_SQL_OPERATIONS: ReadonlySet<string> = new Set([
  'ALTER',
  'ANALYZE',
  'BEGIN',
  'CALL',
  'CLOSE',
  'COMMIT',
  'COPY',
  'CREATE',
  'DEALLOCATE',
  'DECLARE',
  'DELETE',
  'DESCRIBE',
  'DO',
  'DROP',
  'EXECUTE',
  'EXPLAIN',
  'FETCH',
  'GRANT',
  'INSERT',
  'LISTEN',
  'LOCK',
  'MERGE',
  'NOTIFY',
  'PREPARE',
  'RELEASE',
  'REPLACE',
  'RESET',
  'REVOKE',
  'ROLLBACK',
  'SAVEPOINT',
  'SELECT',
  'SET',
  'SHOW',
  'START',
  'TABLE',
  'TRUNCATE',
  'UPDATE',
  'USE',
  'VACUUM',
  'VALUES',
  'WITH',
]);

export type DbQueryDurationLabel = 'db_system' | 'operation';

interface Series {
  readonly labels: Record<DbQueryDurationLabel, string>;
  readonly counts: number[];
  sum: number;
  count: number;
}

export interface SourceCountsSnapshot {
  /** `${db_system}\0${status}` → count. */
  readonly dbQueries: ReadonlyMap<string, number>;
  readonly shellCommands: number;
}

export class SourceStats {
  private readonly series = new Map<string, Series>();
  private readonly queries = new Map<string, number>();
  private shellCommands = 0;

  constructor(readonly buckets: readonly number[] = DB_QUERY_DURATION_BUCKETS) {}

  observe(record: { readonly kind: string }): void {
    if (record.kind === 'shell.command') {
      this.shellCommands++;
      return;
    }
    if (record.kind !== 'db.query') return;
    const query = record as DbQuery;
    const countKey = `${query.system}\0${query.ok ? 'ok' : 'error'}`;
    this.queries.set(countKey, (this.queries.get(countKey) ?? 0) + 1);
    const operation = KNOWN_SQL_OPERATIONS.has(query.operation) ? query.operation : '_OTHER';
    const key = `${query.system}\0${operation}`;
    let series = this.series.get(key);
    if (!series) {
      series = {
        labels: { db_system: query.system, operation },
        counts: new Array<number>(this.buckets.length + 1).fill(0),
        sum: 0,
        count: 0,
      };
      this.series.set(key, series);
    }
    const seconds = Number(query.durationNs) / 1e9;
    let index = 0;
    while (index < this.buckets.length && seconds > (this.buckets[index] ?? Infinity)) index++;
    series.counts[index] = (series.counts[index] ?? 0) + 1;
    series.sum += seconds;
    series.count += 1;
  }

  durations(): HistogramSnapshot<DbQueryDurationLabel> {
    return {
      buckets: this.buckets,
      series: [...this.series.values()].map((s) => ({
        labels: { ...s.labels },
        counts: [...s.counts],
        sum: s.sum,
        count: s.count,
      })),
    };
  }

  counts(): SourceCountsSnapshot {
    return { dbQueries: new Map(this.queries), shellCommands: this.shellCommands };
  }
}
