/**
 * Fuzzy matching for the command palette: every query character must appear in order;
 * consecutive runs and matches at word starts score higher. Returns null when it does not match.
 */
export interface FuzzyMatch {
  score: number;
  /** Indexes of matched characters in the candidate, for highlighting. */
  positions: number[];
}

const WORD_START = /[\s\-_/.:]/;

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
  // Prefer shorter candidates and earlier first matches among equals.
  score -= (positions[0] ?? 0) * 0.1 + text.length * 0.01;
  return { score, positions };
}

/** Items that match, best first; stable for equal scores. */
export function fuzzyFilter<T>(query: string, items: readonly T[], text: (item: T) => string): T[] {
  const scored: { item: T; score: number; index: number }[] = [];
  items.forEach((item, index) => {
    const match = fuzzyMatch(query, text(item));
    if (match) scored.push({ item, score: match.score, index });
  });
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  return scored.map((s) => s.item);
}
