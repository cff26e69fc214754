/** Mangled streams must never make the parser throw, and what it emits must stay consistent. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exchanges, loadFixture, run } from './harness';
import { prng, randomChunking, type Action, type Step } from '../../../support/stream-script';

const FIXTURES = [
  'curl-nginx-keepalive',
  'curl-nginx-gzip-chunked',
  'curl-nginx-head-304',
  'curl-nginx-expect-continue',
  'curl-nginx-chunked-upload',
  'nginx-pipelined',
];

function mangle(steps: readonly Step[], seed: number): Action[] {
  const random = prng(seed);
  const out: Action[] = [];
  for (const step of steps) {
    const bytes = Buffer.from(step.bytes);
    const edits = Math.floor(random() * 4);
    for (let i = 0; i < edits && bytes.length > 0; i++)
      bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
    const cut = random() < 0.2 ? Math.floor(random() * bytes.length) : 0;
    const gap = random() < 0.2 ? 1 + Math.floor(random() * 200) : 0;
    out.push({
      dir: random() < 0.05 ? (step.dir === 'request' ? 'response' : 'request') : step.dir,
      bytes: bytes.subarray(cut),
      gap: gap + cut,
    });
  }
  if (random() < 0.5) out.push({ idle: 1_000_000n + 60_000_000_000n });
  out.push({ close: 1_000_000n + 90_000_000_000n });
  return out;
}

describe('http1 fuzz', () => {
  it('survives mangled recorded streams in any chunking', () => {
    let emitted = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const fixture = FIXTURES[seed % FIXTURES.length] as string;
      const actions = mangle(loadFixture(fixture), seed);
      const { records } = run(actions, {
        chunking: randomChunking(seed, 1 + (seed % 64)),
        side: seed % 2 === 0 ? 'client' : 'server',
      });
      for (const x of exchanges(records)) {
        emitted++;
        assert.equal(x.complete, x.incompleteReason === undefined, `seed ${seed}`);
        assert.ok(x.request !== undefined || x.response !== undefined, `seed ${seed}`);
        assert.ok(x.durationNs >= 0n, `seed ${seed}`);
        if (x.complete) assert.ok(x.request?.complete && x.response?.complete, `seed ${seed}`);
      }
    }
    assert.ok(emitted > 400);
  });
});
