/** What every connection worker of one processor shares: one object, not copies per worker. */
import type { ContainerIdentity } from '../capture/container-identity';
import type { Logger } from '../log';
import type { Protocol, RecordSink } from '../protocols/protocol';
import type { ProcessorCounters } from './processor-stats';

export interface WorkerContext {
  readonly protocols: readonly Protocol[];
  readonly sink: RecordSink;
  readonly detectionLimitBytes: number;
  readonly counters: ProcessorCounters;
  readonly logger: Logger;
  readonly identify: ((pid: number) => ContainerIdentity) | undefined;
}
