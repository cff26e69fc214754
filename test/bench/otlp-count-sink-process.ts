/**
 * The counting OTLP sink (otlp-count-sink.ts) in a child process of its own, so that the gRPC
 * server never runs on the thread being measured. The parent asks for the counts over the IPC
 * channel.
 *
 *   const sink = await forkOtlpCountSink();
 *   // export to sink.endpoint …
 *   await sink.waitForRecords(n, 30_000);
 *   await sink.stop();
 */
import { fork, type ChildProcess } from 'node:child_process';
import { startOtlpCountSink } from './otlp-count-sink';

export interface SinkCounts {
  readonly records: number;
  readonly calls: number;
  readonly bytes: number;
}

export interface ForkedOtlpCountSink {
  readonly endpoint: string;
  readonly pid: number;
  counts(): Promise<SinkCounts>;
  /** Resolves with the counts once `records` records arrived in all; rejects after `timeoutMs`. */
  waitForRecords(records: number, timeoutMs: number): Promise<SinkCounts>;
  stop(): Promise<void>;
}

type FromSink =
  | { readonly type: 'ready'; readonly endpoint: string }
  | ({ readonly type: 'counts'; readonly id: number } & SinkCounts);
type ToSink = { readonly type: 'counts'; readonly id: number } | { readonly type: 'stop' };

export async function forkOtlpCountSink(): Promise<ForkedOtlpCountSink> {
  const child: ChildProcess = fork(__filename, ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: FromSink) =>
      message.type === 'ready' ? resolve(message.endpoint) : reject(new Error('sink: unexpected first message')),
    );
    child.once('exit', (code) => reject(new Error(`sink exited (${code}) before ready`)));
  });
  let nextId = 0;
  const waiting = new Map<number, (counts: SinkCounts) => void>();
  child.on('message', (message: FromSink) => {
    if (message.type !== 'counts') return;
    waiting.get(message.id)?.({ records: message.records, calls: message.calls, bytes: message.bytes });
    waiting.delete(message.id);
  });
  const counts = (): Promise<SinkCounts> =>
    new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      child.send({ type: 'counts', id } satisfies ToSink);
    });
  return {
    endpoint,
    pid: child.pid ?? 0,
    counts,
    async waitForRecords(records, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const now = await counts();
        if (now.records >= records) return now;
        if (Date.now() > deadline) throw new Error(`sink: ${now.records} of ${records} records after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'stop' } satisfies ToSink);
      await exited;
    },
  };
}

async function serve(): Promise<void> {
  const sink = await startOtlpCountSink();
  const send = (message: FromSink): void => void process.send?.(message);
  process.on('message', (message: ToSink) => {
    if (message.type === 'counts')
      send({ type: 'counts', id: message.id, records: sink.records, calls: sink.calls, bytes: sink.bytes });
    else void sink.stop().then(() => process.exit(0));
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', endpoint: sink.endpoint });
}

if (require.main === module && process.argv.includes('--serve')) {
  serve().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
