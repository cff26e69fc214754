/**
 * Kernel timestamps are CLOCK_MONOTONIC (bpf_ktime_get_ns); Node's hrtime is
 * the same clock, so one offset measured at start turns them into wall time.
 * A replay uses the offset recorded with the capture, so times stay the original ones.
 */
export class WallClock {
  readonly offsetNs: bigint;

  constructor(offsetNs?: bigint) {
    this.offsetNs = offsetNs ?? BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
  }

  fromMonotonic(monotonicNs: bigint): bigint {
    return monotonicNs + this.offsetNs;
  }

  nowNs(): bigint {
    return process.hrtime.bigint() + this.offsetNs;
  }
}
