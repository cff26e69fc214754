/**
 * Kernel timestamps are CLOCK_MONOTONIC (bpf_ktime_get_ns); Node's hrtime is
 * the same clock, so one offset measured at start turns them into wall time.
 */
export class WallClock {
  private readonly offsetNs: bigint;

  constructor() {
    this.offsetNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
  }

  fromMonotonic(monotonicNs: bigint): bigint {
    return monotonicNs + this.offsetNs;
  }

  nowNs(): bigint {
    return process.hrtime.bigint() + this.offsetNs;
  }
}
