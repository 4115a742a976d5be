/**
 * Fuzzy matching for every picker (the CLI's, the web palette): the query's characters must
 * appear in order (case-insensitive); consecutive runs and matches at word starts score higher,
 * so `bo` ranks `brisk-otter` above `nobody`. Not for did-you-mean guesses (`names.ts`,
 * `didYouMean`): any name holding a `c` matches `c`, too loose to name one session.
 */

export interface FuzzyMatch {
  /** Higher is better. */
  score: number;
  /** Indexes of the matched characters in the candidate, for highlighting. */
  positions: number[];
}

const WORD_START = /[\s\-_/.:]/;

/** How `candidate` matches `query`, or null when it does not. Spaces in the query are ignored. */
export function fuzzyMatch(query: string, candidate: string): FuzzyMatch | null {
  const q = query.toLowerCase().replace(/\s+/g, "");
  if (q.length === 0) return { score: 0, positions: [] };
  const text = candidate.toLowerCase();
  const positions: number[] = [];
  let score = 0;
  let from = 0;
  let previous = -2;
  for (const ch of q) {
    const index = text.indexOf(ch, from);
    if (index < 0) return null;
    const atWordStart = index === 0 || WORD_START.test(text[index - 1] ?? "");
    score += 1 + (index === previous + 1 ? 3 : 0) + (atWordStart ? 2 : 0);
    positions.push(index);
    previous = index;
    from = index + 1;
  }
  // Shorter candidates and earlier first matches win among equals: the query covers more of them.
  score -= (positions[0] ?? 0) * 0.1 + text.length * 0.01;
  return { score, positions };
}

/** The items that match, best first; the original order is kept among equal scores. */
export function fuzzyFilter<T>(items: readonly T[], query: string, textOf: (item: T) => string): T[] {
  if (query.trim().length === 0) return [...items];
  const scored: { item: T; score: number; index: number }[] = [];
  items.forEach((item, index) => {
    const match = fuzzyMatch(query, textOf(item));
    if (match) scored.push({ item, score: match.score, index });
  });
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  return scored.map((entry) => entry.item);
}
