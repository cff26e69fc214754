/**
 * The HPACK header blocks of a record file, in the order each peer sent them: the captured bytes
 * of every connection and direction joined, split into frames by the agent's own frame reader,
 * HEADERS / PUSH_PROMISE + CONTINUATION assembled (padding and priority fields removed). One
 * list per connection direction, since each has its own HPACK table.
 */
import { BatchDecoder } from '../../agent/capture/batch-decoder';
import { Direction } from '../../agent/capture/captured-event';
import { RecordFileReader } from '../../agent/capture/record-file';
import { WallClock } from '../../agent/capture/wall-clock';
import { FrameReader } from '../../agent/protocols/http2/frame-reader';
import { Flag, FrameType } from '../../agent/protocols/http2/frame-types';

export interface HeaderBlockStream {
  /** `pid/socket direction`. */
  readonly name: string;
  readonly direction: Direction;
  readonly blocks: Uint8Array[];
}

export function recordedHeaderBlocks(file: string): HeaderBlockStream[] {
  const reader = new RecordFileReader(file);
  const decoder = new BatchDecoder(new WallClock(reader.header.wallClockOffsetNs));
  const chunks = new Map<string, { direction: Direction; parts: Uint8Array[] }>();
  for (const batch of reader.batches()) {
    for (const event of decoder.decode(batch.bytes)) {
      if (event.kind !== 'data') continue;
      const name = `${event.pid}/${event.sockId === 0n ? event.sslPtr : event.sockId} ${event.direction === Direction.Egress ? 'egress' : 'ingress'}`;
      let entry = chunks.get(name);
      if (entry === undefined) chunks.set(name, (entry = { direction: event.direction, parts: [] }));
      // Payloads are views into the batch: copied.
      entry.parts.push(Uint8Array.from(event.payload));
    }
  }
  return [...chunks].map(([name, { direction, parts }]) => ({
    name,
    direction,
    blocks: headerBlocks(Buffer.concat(parts)),
  }));
}

function headerBlocks(bytes: Uint8Array): Uint8Array[] {
  const blocks: Uint8Array[] = [];
  let open: Uint8Array[] | null = null;
  const frames = new FrameReader(
    {
      onFrame(type, flags, _streamId, payload, start, end) {
        let from = start;
        let to = end;
        if (type === FrameType.Continuation && open !== null) {
          open.push(payload.slice(from, to));
        } else if (type === FrameType.Headers || type === FrameType.PushPromise) {
          if (flags & Flag.Padded) to -= payload[from++] as number;
          if (type === FrameType.PushPromise) from += 4;
          else if (flags & Flag.Priority) from += 5;
          open = [payload.slice(from, to)];
        } else {
          return;
        }
        if (flags & Flag.EndHeaders) {
          blocks.push(Buffer.concat(open));
          open = null;
        }
      },
      onData: () => undefined,
      onDataEnd: () => undefined,
      onFrameError: (error) => {
        throw new Error(`recorded session: frame error ${error}`);
      },
      onResync: () => {
        throw new Error('recorded session: framing lost');
      },
    },
    1 << 20,
  );
  frames.push(bytes);
  return blocks;
}
