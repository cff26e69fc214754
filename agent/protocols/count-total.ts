/** The sum of a set of counters, such as a parser's counts by reason. */
export function countTotal(counts: Readonly<Record<string, number>>): number {
  let total = 0;
  for (const count of Object.values(counts)) total += count;
  return total;
}
