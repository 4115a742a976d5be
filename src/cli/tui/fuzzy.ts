/**
 * Fuzzy matching for the picker's filter: the query's characters must appear in order
 * (case-insensitive); consecutive runs and matches at word starts score higher, so `bo`
 * ranks `brisk-otter` above `nobody`.
 */

/** Score of `text` for `query` (higher is better), or undefined when it does not match. */
export function fuzzyScore(query: string, text: string): number | undefined {
  const q = query.toLowerCase();
  const t = text.toLowerCase();
  if (q.length === 0) return 0;
  let score = 0;
  let from = 0;
  let previous = -2;
  for (const char of q) {
    const at = t.indexOf(char, from);
    if (at < 0) return undefined;
    score += 1;
    if (at === previous + 1) score += 3;
    if (at === 0 || /[-_ ./]/.test(t[at - 1] as string)) score += 2;
    previous = at;
    from = at + 1;
  }
  // Shorter texts win ties: the query covers more of them.
  return score - t.length / 100;
}

/** The items that match, best first; the original order is kept among equal scores. */
export function fuzzyFilter<T>(items: readonly T[], query: string, textOf: (item: T) => string): T[] {
  if (query.length === 0) return [...items];
  const scored: Array<{ item: T; score: number; index: number }> = [];
  items.forEach((item, index) => {
    const score = fuzzyScore(query, textOf(item));
    if (score !== undefined) scored.push({ item, score, index });
  });
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  return scored.map((entry) => entry.item);
}
