import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import { Direction } from '../../../../agent/capture/captured-event';
import type { WebSocketMessage } from '../../../../agent/exchange/websocket-message';
import { FrameParser, type FrameEvents } from '../../../../agent/protocols/websocket/frame-parser';
import { WebSocketStats } from '../../../../agent/protocols/websocket/websocket-stats';
import { assertChunkingInvariant, assertSidesAgree, exchanges, run, text, type Http1Record } from '../http1/harness';
import { concat, prng, randomChunking, req, res, type Action } from '../../../support/stream-script';

interface FrameSpec {
  readonly fin?: boolean;
  readonly rsv1?: boolean;
  readonly opcode: number;
  readonly payload: Uint8Array | string;
  readonly mask?: readonly [number, number, number, number];
}

/** One frame on the wire (RFC 6455 §5.2). */
function frame(spec: FrameSpec): Buffer {
  const payload = typeof spec.payload === 'string' ? Buffer.from(spec.payload) : Buffer.from(spec.payload);
  const length = payload.length;
  const head: number[] = [((spec.fin ?? true) ? 0x80 : 0) | (spec.rsv1 ? 0x40 : 0) | spec.opcode];
  const maskBit = spec.mask ? 0x80 : 0;
  if (length < 126) head.push(maskBit | length);
  else if (length < 65536) head.push(maskBit | 126, length >> 8, length & 0xff);
  else {
    head.push(maskBit | 127, 0, 0, 0, 0);
    head.push((length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff);
  }
  let body = payload;
  if (spec.mask) {
    head.push(...spec.mask);
    body = Buffer.from(payload.map((byte, i) => byte ^ (spec.mask?.[i % 4] ?? 0)));
  }
  return Buffer.concat([Buffer.from(head), body]);
}

const MASK = [0x37, 0xfa, 0x21, 0x3d] as const;
const UPGRADE_REQUEST =
  'GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
const UPGRADE_RESPONSE =
  'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n';

function messages(records: readonly Http1Record[]): WebSocketMessage[] {
  return records.filter((record): record is WebSocketMessage => record.kind === 'websocket.message');
}

describe('websocket after an HTTP/1 upgrade', () => {
  const binary = Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff));
  const actions: Action[] = [
    req(UPGRADE_REQUEST),
    // The server's first frame rides in the same read as the 101.
    res(concat(UPGRADE_RESPONSE, frame({ opcode: 0x1, payload: 'welcome' }))),
    req(frame({ opcode: 0x1, payload: 'Hello', mask: MASK })),
    res(frame({ opcode: 0x2, payload: binary })),
    // A fragmented text message with a ping between its fragments.
    req(
      concat(
        frame({ opcode: 0x1, fin: false, payload: 'frag-', mask: MASK }),
        frame({ opcode: 0x9, payload: 'are you there', mask: MASK }),
        frame({ opcode: 0x0, fin: false, payload: 'men-', mask: MASK }),
        frame({ opcode: 0x0, payload: 'ted', mask: MASK }),
      ),
    ),
    res(frame({ opcode: 0xa, payload: 'are you there' })),
    req(frame({ opcode: 0x8, payload: Buffer.from([0x03, 0xe8]), mask: MASK })),
    res(frame({ opcode: 0x8, payload: Buffer.from([0x03, 0xe8]) })),
    { close: 9_000_000n },
  ];

  it('reports the upgrade exchange and each text/binary message with its direction', () => {
    const reference = assertChunkingInvariant(actions, {}, 20);
    const [upgrade] = exchanges(reference.records);
    assert.equal(upgrade?.response?.statusCode, 101);
    assert.equal(upgrade?.upgrade, 'websocket');
    assert.equal(upgrade?.complete, true);
    const all = messages(reference.records);
    assert.deepEqual(
      all.map((m) => [
        m.sender,
        m.direction,
        m.type,
        m.type === 'text' ? text(m.payload) : m.payload.length,
        m.length,
        m.frames,
        m.masked,
        m.complete,
      ]),
      [
        ['server', Direction.Ingress, 'text', 'welcome', 7, 1, false, true],
        ['client', Direction.Egress, 'text', 'Hello', 5, 1, true, true],
        ['server', Direction.Ingress, 'binary', 300, 300, 1, false, true],
        ['client', Direction.Egress, 'text', 'frag-men-ted', 12, 3, true, true],
      ],
    );
    assert.deepEqual(all[2]?.payload, new Uint8Array(binary));
    assert.equal(all[0]?.target, '/chat');
    assert.equal(reference.stats.websocket.controlFrames, 4);
    assert.equal(reference.stats.websocket.messages, 4);
    assert.equal(reference.stats.websocketUpgrades, 1);
    // Records leave in capture order: the upgrade exchange before the first message.
    assert.equal(reference.records[0]?.kind, 'http1.exchange');
  });

  it('gives the same messages captured on either side', () => {
    assertSidesAgree(actions);
    const server = messages(run(actions, { side: 'server' }).records);
    assert.deepEqual(
      server.map((m) => [m.sender, m.direction, m.side]),
      [
        ['server', Direction.Egress, 'server'],
        ['client', Direction.Ingress, 'server'],
        ['server', Direction.Egress, 'server'],
        ['client', Direction.Ingress, 'server'],
      ],
    );
  });

  it('reads 64-bit lengths and caps the kept payload', () => {
    const big = Buffer.alloc(70_000, 0x61);
    const script: Action[] = [
      req(UPGRADE_REQUEST),
      res(UPGRADE_RESPONSE),
      req(frame({ opcode: 0x1, payload: big, mask: MASK })),
    ];
    const expected = messages(run(script).records);
    assert.equal(expected.length, 1);
    const [m] = expected;
    assert.equal(m?.length, 70_000);
    assert.equal(m?.payload.length, 4096);
    assert.equal(m?.truncated, true);
    assert.equal(text(m?.payload), 'a'.repeat(4096));
    for (let seed = 1; seed <= 5; seed++) {
      const got = messages(run(script, { chunking: randomChunking(seed, 5000) }).records);
      assert.deepEqual(got, expected);
    }
    assert.equal(messages(run(script, { options: { websocketCaptureBytes: 10 } }).records)[0]?.payload.length, 10);
  });

  it('inflates permessage-deflate messages when it can', () => {
    const deflated = zlib.deflateRawSync(Buffer.from('compressed hello'), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const payload = deflated.subarray(0, deflated.length - 4); // the 00 00 ff ff tail is not sent
    const script: Action[] = [
      req(UPGRADE_REQUEST),
      res(UPGRADE_RESPONSE),
      res(frame({ opcode: 0x1, rsv1: true, payload })),
      res(frame({ opcode: 0x1, rsv1: true, payload: Buffer.from([0xff, 0xfe, 0xfd]) })),
    ];
    const { records, stats } = run(script);
    const all = messages(records);
    assert.deepEqual(
      all.map((m) => [m.compressed, m.inflated, m.inflated ? text(m.payload) : m.payload.length]),
      [
        [true, true, 'compressed hello'],
        [true, false, 3],
      ],
    );
    assert.equal(stats.websocket.inflateFailures, 1);
  });

  it('reports an unfinished message when the connection closes', () => {
    const { records } = run([
      req(UPGRADE_REQUEST),
      res(UPGRADE_RESPONSE),
      req(frame({ opcode: 0x1, fin: false, payload: 'part one ', mask: MASK })),
      { close: 5_000_000n },
    ]);
    const [m] = messages(records);
    assert.equal(m?.complete, false);
    assert.equal(text(m?.payload), 'part one ');
  });

  it('bridges a gap inside a payload and stops on one inside a header', () => {
    const script: Action[] = [
      req(UPGRADE_REQUEST),
      res(UPGRADE_RESPONSE),
      res(frame({ opcode: 0x1, payload: 'abcdefghij' }).subarray(0, 7)),
      res(Buffer.from('ij'), { gap: 3 }),
      res(frame({ opcode: 0x1, payload: 'next' })),
      res(frame({ opcode: 0x1, payload: 'lost' }).subarray(1), { gap: 1 }),
      res(frame({ opcode: 0x1, payload: 'never' })),
    ];
    const { records, stats } = run(script);
    assert.deepEqual(
      messages(records).map((m) => [text(m.payload), m.length, m.complete, m.truncated]),
      [
        ['abcde', 10, false, true],
        ['next', 4, true, false],
      ],
    );
    assert.equal(stats.websocket.desyncs, 1);
  });

  it('stops a direction on a protocol error', () => {
    const { records, stats } = run([
      req(UPGRADE_REQUEST),
      res(UPGRADE_RESPONSE),
      res(Buffer.from([0x83, 0x00])), // reserved opcode 3
      res(frame({ opcode: 0x1, payload: 'ignored' })),
      req(frame({ opcode: 0x1, payload: 'still parsed', mask: MASK })),
    ]);
    assert.deepEqual(
      messages(records).map((m) => text(m.payload)),
      ['still parsed'],
    );
    assert.equal(stats.websocket.protocolErrors, 1);
  });
});

describe('websocket frame parser', () => {
  function collect(): { events: FrameEvents; log: string[] } {
    const log: string[] = [];
    const events: FrameEvents = {
      onFrameStart: (p) => log.push(`start fin=${p.fin} op=${p.opcode} masked=${p.masked} len=${p.length}`),
      onPayload: (p, bytes, start, end) => {
        const key = p.maskKey;
        const plain = Buffer.from(bytes.subarray(start, end)).map((b, i) =>
          p.masked ? b ^ (key[(p.payloadOffset + i) & 3] ?? 0) : b,
        );
        log.push(`data ${Buffer.from(plain).toString('latin1')}`);
      },
      onPayloadLost: (_p, length) => log.push(`lost ${length}`),
      onFrameEnd: () => log.push('end'),
      onStop: () => log.push('stop'),
    };
    return { events, log };
  }

  it('reads 7-, 16- and 64-bit lengths, masked or not, split anywhere', () => {
    const stream = concat(
      frame({ opcode: 0x1, payload: 'x'.repeat(125) }),
      frame({ opcode: 0x2, payload: 'y'.repeat(126), mask: MASK }),
      frame({ opcode: 0x2, payload: 'z'.repeat(65_536) }),
      frame({ opcode: 0x1, payload: '' }),
    );
    const whole = collect();
    new FrameParser(whole.events, new WebSocketStats()).push(stream, 0, stream.length, 1n, 1, 0);
    const starts = whole.log.filter((line) => line.startsWith('start'));
    assert.deepEqual(starts, [
      'start fin=true op=1 masked=false len=125',
      'start fin=true op=2 masked=true len=126',
      'start fin=true op=2 masked=false len=65536',
      'start fin=true op=1 masked=false len=0',
    ]);
    const joined = (log: string[]): string =>
      log
        .map((l) => (l.startsWith('data ') ? l.slice(5) : `|${l}|`))
        .join('')
        .replace(/\|\|/g, '|');
    for (const cut of [1, 2, 3, 4, 7, 127, 128, 129, 131, 133, 261, 262, 263, 270]) {
      const split = collect();
      const parser = new FrameParser(split.events, new WebSocketStats());
      parser.push(stream, 0, cut, 1n, 1, 0);
      parser.push(stream, cut, stream.length, 1n, 1, 0);
      assert.equal(joined(split.log), joined(whole.log), `cut at ${cut}`);
    }
  });

  it('rejects oversized or fragmented control frames', () => {
    for (const bad of [
      frame({ opcode: 0x9, payload: 'p'.repeat(126) }),
      frame({ opcode: 0x8, fin: false, payload: '' }),
    ]) {
      const { events, log } = collect();
      const stats = new WebSocketStats();
      const parser = new FrameParser(events, stats);
      parser.push(bad, 0, bad.length, 1n, 1, 0);
      assert.equal(parser.stopped, true);
      assert.deepEqual(log, ['stop']);
      assert.equal(stats.protocolErrors, 1);
    }
  });
});

describe('websocket fuzz', () => {
  it('never throws on random frames after an upgrade', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = prng(seed);
      const noise = Buffer.alloc(1 + Math.floor(random() * 600));
      for (let i = 0; i < noise.length; i++) noise[i] = Math.floor(random() * 256);
      const script: Action[] = [
        req(UPGRADE_REQUEST),
        res(UPGRADE_RESPONSE),
        res(concat(frame({ opcode: 0x1, payload: 'ok' }), noise)),
        req(noise, { gap: seed % 3 }),
        { close: 9_000_000n },
      ];
      const { records } = run(script, { chunking: randomChunking(seed, 1 + (seed % 50)) });
      assert.equal(messages(records)[0]?.type, 'text');
    }
  });
});
