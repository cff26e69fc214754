/**
 * The OTLP exporter with its SDK side in a worker thread (otlp-export-worker.ts): the export
 * backend that transfers batch buffers of encoded records to the worker, which batches, frames
 * and sends them over gRPC. The exporter (otlp-log-exporter.ts) maps and encodes on the calling
 * thread and keeps the books there, exact: a record is admitted against the queue depth the worker
 * last reported, which is never below the SDK's real queue, so the SDK never drops silently;
 * failures, retries and answers come back as the worker's counters. The worker keeps the process
 * alive only while it has work.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { NO_PROGRESS, type ExportProgress } from './export-books';
import {
  createBookkeepingExporter,
  type ExportBackend,
  type ExportBackendHooks,
  type OtlpLogExporter,
  type OtlpLogExporterOptions,
} from './otlp-log-exporter';
import { resolveOtlpExportSettings, type OtlpExportSettings } from './otlp-export-settings';
import type { FromWorker, ToWorker } from './otlp-worker-messages';
import { ProtobufWriter } from './protobuf-writer';
import { withDeadline } from './with-deadline';

export type ThreadedOtlpLogExporterOptions = Omit<OtlpLogExporterOptions, 'exporter'>;

const WORKER_FILE = path.join(__dirname, 'otlp-export-worker.js');
/** Records per message: large enough to amortise a post, small enough to keep the worker busy early. */
const POST_BATCH_RECORDS = 256;
/**
 * How long records gather before a smaller batch is posted. Every post wakes the worker (a thread
 * switch, a message, its event loop); under a steady capture the reader hands over a few records
 * per tick, so posting each tick woke the worker hundreds of times a second. 20 ms is nothing
 * next to the SDK's scheduled delay (1 s).
 */
const POST_DELAY_MS = 20;
/** First size of the batch buffer (it grows when needed and is reused: posts carry exact-size copies). */
const BATCH_BYTES = 256 * 1024;
/**
 * The worker's young generation, MB. What it allocates dies within an export call, so a small
 * nursery is enough; V8's default grows it to 48 MB under load (resident memory for nothing).
 */
const WORKER_YOUNG_GENERATION_MB = 6;
/** How long shutdown waits for the worker's answer beyond the deadline the worker itself keeps. */
const SHUTDOWN_ANSWER_GRACE_MS = 250;

export function createThreadedOtlpLogExporter(options: ThreadedOtlpLogExporterOptions = {}): OtlpLogExporter {
  const settings = resolveOtlpExportSettings(options, options.logger);
  return createBookkeepingExporter(settings, options, (hooks) => workerBackend(settings, options, hooks));
}

function workerBackend(
  settings: OtlpExportSettings,
  options: ThreadedOtlpLogExporterOptions,
  { books, failed }: ExportBackendHooks,
): ExportBackend {
  const log = options.logger;
  let latest: ExportProgress = NO_PROGRESS;

  const worker = new Worker(WORKER_FILE, {
    workerData: settings,
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
  });
  let workerGone = false;
  let referenced = true;
  let requests = 0;
  /** Outstanding work (unanswered records, a flush or shutdown) keeps the process alive; an idle exporter does not. */
  const updateRef = (): void => {
    const busy = !workerGone && (requests > 0 || books.accepted > latest.exported + latest.failed);
    if (busy === referenced) return;
    referenced = busy;
    if (busy) worker.ref();
    else worker.unref();
  };
  updateRef();

  const flushes = new Map<number, () => void>();
  let nextFlushId = 0;
  let closed: ((message: { done: boolean; progress: ExportProgress }) => void) | undefined;

  worker.on('message', (message: FromWorker) => {
    switch (message.type) {
      case 'progress':
        latest = message.progress;
        books.progressed();
        break;
      case 'failure':
        failed(message.message, message.records);
        break;
      case 'flushed':
        latest = message.progress;
        flushes.get(message.id)?.();
        flushes.delete(message.id);
        break;
      case 'closed':
        latest = message.progress;
        closed?.(message);
        break;
    }
    updateRef();
  });
  const onGone = (error: Error): void => {
    if (workerGone) return;
    workerGone = true;
    // Everything not answered is lost with the worker: counted as failed, as an export that failed.
    const unanswered = books.accepted - latest.exported - latest.failed;
    latest = {
      ...latest,
      handed: books.accepted,
      handedBytes: books.acceptedBytes,
      failed: latest.failed + unanswered,
      failedCalls: latest.failedCalls + (unanswered > 0 ? 1 : 0),
    };
    if (!books.shuttingDown)
      log?.error('otlp: the export worker stopped; records are no longer exported', { error: error.message });
    books.beginShutdown();
    for (const resolve of flushes.values()) resolve();
    flushes.clear();
    closed?.({ done: false, progress: latest });
    updateRef();
  };
  worker.on('error', onGone);
  worker.on('exit', (code) => onGone(new Error(`worker exited with code ${code}`)));

  // The batch being gathered: encoded records back to back, and where each ends.
  const batch = new ProtobufWriter(BATCH_BYTES);
  let ends: number[] = [];
  let postScheduled = false;
  const send = (message: ToWorker): void => worker.postMessage(message);
  const postRecords = (): void => {
    postScheduled = false;
    if (ends.length === 0 || workerGone) return;
    // An exact-size copy, transferred: each record queued in the worker is a view into what was
    // posted, and a post often carries one record — the whole batch buffer would pin 256 KiB per
    // record (a full queue during a collector outage: 2048 × 256 KiB).
    const bytes = batch.bytes.slice(0, batch.pos);
    batch.reset();
    worker.postMessage({ type: 'records', bytes, ends } satisfies ToWorker, [bytes.buffer]);
    ends = [];
  };

  return {
    writer: () => batch,

    enqueue() {
      ends.push(batch.pos);
      if (ends.length >= POST_BATCH_RECORDS) postRecords();
      else if (!postScheduled) {
        postScheduled = true;
        setTimeout(postRecords, POST_DELAY_MS);
      }
      if (!referenced) updateRef();
    },

    progress: () => latest,

    async flush(timeoutMillis) {
      if (workerGone) return;
      postRecords();
      const id = nextFlushId++;
      const flushed = new Promise<void>((resolve) => flushes.set(id, resolve));
      requests++;
      updateRef();
      send({ type: 'flush', id, timeoutMillis });
      await withDeadline(flushed, timeoutMillis + SHUTDOWN_ANSWER_GRACE_MS);
      flushes.delete(id);
      requests--;
      updateRef();
    },

    async shutdown(deadlineMs) {
      postRecords();
      requests++;
      updateRef();
      const answered = new Promise<{ done: boolean; progress: ExportProgress }>((resolve) => (closed = resolve));
      if (!workerGone) send({ type: 'shutdown', deadlineMs });
      let done = false;
      await withDeadline(
        answered.then((answer) => void (done = answer.done)),
        deadlineMs + SHUTDOWN_ANSWER_GRACE_MS,
      );
      requests--;
      return done;
    },

    async release() {
      workerGone = true;
      updateRef();
      await worker.terminate();
    },
  };
}
