/**
 * The short seeded fuzz run of CI: every fuzz script's regression inputs and fixed hostile inputs,
 * every split of its seeds, then random and mutated cases — no crash, no hang. The long runs
 * (10^6 cases each) are `node dist-test/test/fuzz/<name>.fuzz.js --cases 1000000`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchDecoderTarget } from '../../fuzz/batch-decoder.fuzz';
import { bodyDecoderTarget } from '../../fuzz/body-decoder.fuzz';
import { runFuzz } from '../../fuzz/fuzz-harness';
import { http1Target } from '../../fuzz/http1.fuzz';
import { websocketTarget } from '../../fuzz/websocket.fuzz';

const CASES = 3000;

describe('fuzz (short seeded run)', () => {
  for (const target of [http1Target, websocketTarget, bodyDecoderTarget, batchDecoderTarget]) {
    it(`${target.name}: ${CASES} cases, no crash, no hang`, async () => {
      const report = await runFuzz(target, { cases: CASES, seed: 1 });
      assert.equal(report.cases, CASES);
      assert.equal(report.crashes, 0, report.firstCrash);
      assert.equal(report.hangs, 0, `slowest case ${report.slowestMs} ms`);
    });
  }
});
