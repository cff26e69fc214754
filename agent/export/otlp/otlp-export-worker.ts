/**
 * The OTLP export worker (a worker_threads entry): owns the SDK side (batch processor → counting
 * → retrying → OTLP/gRPC exporter), so that batching, request framing, compression and gRPC run
 * beside the capture thread, not on it. It takes batches of encoded records, flush and shutdown
 * requests from the main thread and reports the exporter's progress back; the main thread keeps
 * the books (threaded-otlp-log-exporter.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EncodedLogRecord } from './encoded-log-record';
import type { OtlpExportSettings } from './otlp-export-settings';
import { createOtlpSdkPipeline } from './otlp-sdk-pipeline';
import type { FromWorker, RecordsMessage, ToWorker } from './otlp-worker-messages';
import { withDeadline } from './with-deadline';

const port = parentPort;
if (port === null) throw new Error('otlp-export-worker runs as a worker thread only');
const post = (message: FromWorker): void => port.postMessage(message);

let failureReported = false;
let progressQueued = false;
const pipeline = createOtlpSdkPipeline(workerData as OtlpExportSettings, {
  onFailure: (error, records) => {
    if (failureReported) return;
    failureReported = true; // the main thread logs the first one; the counters carry every one
    post({ type: 'failure', message: error?.message ?? 'unknown', records });
  },
  // Hand-overs and answers of one tick go back as one message.
  onProgress: () => {
    if (progressQueued) return;
    progressQueued = true;
    queueMicrotask(() => {
      progressQueued = false;
      post({ type: 'progress', progress: pipeline.progress() });
    });
  },
});

function emitBatch(message: RecordsMessage): void {
  const { bytes, ends } = message;
  let start = 0;
  for (const end of ends) {
    pipeline.emit(new EncodedLogRecord(bytes.subarray(start, end), pipeline.resource, pipeline.scope));
    start = end;
  }
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'records':
      emitBatch(message);
      return;
    case 'flush':
      void withDeadline(pipeline.forceFlush(), message.timeoutMillis).then(() =>
        post({ type: 'flushed', id: message.id, progress: pipeline.progress() }),
      );
      return;
    case 'shutdown':
      void withDeadline(pipeline.shutdown(), message.deadlineMs).then((done) => {
        if (!done) pipeline.retrying.abandon();
        post({ type: 'closed', done, progress: pipeline.progress() });
      });
      return;
  }
});
