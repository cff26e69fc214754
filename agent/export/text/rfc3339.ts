/** Nanoseconds since the epoch as RFC 3339 UTC with all nine fraction digits: 2024-05-01T12:00:00.123456789Z. */
export function formatRfc3339Nanos(epochNs: bigint): string {
  let seconds = epochNs / 1_000_000_000n;
  let nanos = epochNs % 1_000_000_000n;
  if (nanos < 0n) {
    // bigint division truncates toward zero; the fraction must be positive.
    nanos += 1_000_000_000n;
    seconds -= 1n;
  }
  const date = new Date(Number(seconds) * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  return `${date.slice(0, 19)}.${nanos.toString().padStart(9, '0')}Z`;
}
