/** The typed configuration the agent runs with, built from the effective option values. */
import type { LogLevel } from '../log';
import type { EffectiveValue } from './load-config';

export type OutputFormat = 'console' | 'json' | 'none';

export interface PlaintapConfig {
  readonly capture: {
    readonly pids: readonly number[];
    readonly comms: readonly string[];
    readonly opensslPaths: readonly string[];
    readonly rescanIntervalMs: number;
    readonly ringBufferBytes: number;
    readonly maxPendingBatches: number;
  };
  readonly processor: {
    readonly idleTimeoutMs: number;
    readonly maxConnections: number;
  };
  readonly output: {
    readonly format: OutputFormat;
    readonly hex: boolean;
    readonly truncateBytes: number;
  };
  readonly log: {
    readonly level: LogLevel;
  };
}

export function toPlaintapConfig(values: ReadonlyMap<string, EffectiveValue>): PlaintapConfig {
  const get = <T>(key: string): T => {
    const entry = values.get(key);
    if (entry === undefined) throw new Error(`option ${key} is not defined`);
    return entry.value as T;
  };
  return {
    capture: {
      pids: get('capture.pids'),
      comms: get('capture.comms'),
      opensslPaths: get('capture.openssl_paths'),
      rescanIntervalMs: get('capture.rescan_interval'),
      ringBufferBytes: get('capture.ring_buffer_size'),
      maxPendingBatches: get('capture.max_pending_batches'),
    },
    processor: {
      idleTimeoutMs: get('processor.idle_timeout'),
      maxConnections: get('processor.max_connections'),
    },
    output: {
      format: get('output.format'),
      hex: get('output.hex'),
      truncateBytes: get('output.truncate'),
    },
    log: { level: get('log.level') },
  };
}
