/**
 * Session names: human-friendly, unique, renameable. Ids never change; names may.
 */

/** A session (or host) name: lowercase letters, digits, `_` and `-`, at most 32 characters. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const MAX_NAME_LENGTH = 32;

export function isValidName(name: string): boolean {
  return NAME_PATTERN.test(name);
}

export function describeInvalidName(name: string): string {
  return `invalid name '${name}': use 1-32 characters of a-z, 0-9, '_' and '-', starting with a letter or digit`;
}

const ADJECTIVES = [
  "brisk",
  "calm",
  "clever",
  "bold",
  "bright",
  "quiet",
  "swift",
  "eager",
  "gentle",
  "happy",
  "jolly",
  "keen",
  "lively",
  "lucky",
  "merry",
  "nimble",
  "proud",
  "quick",
  "sharp",
  "shy",
  "silent",
  "steady",
  "sunny",
  "tidy",
  "vivid",
  "warm",
  "wise",
  "witty",
  "young",
  "zesty",
  "amber",
  "azure",
  "coral",
  "crisp",
  "dusty",
  "fuzzy",
  "golden",
  "misty",
  "rapid",
  "rosy",
];

const ANIMALS = [
  "otter",
  "falcon",
  "badger",
  "heron",
  "lynx",
  "panda",
  "raven",
  "tiger",
  "whale",
  "wolf",
  "beaver",
  "bison",
  "crane",
  "dingo",
  "eagle",
  "ferret",
  "gecko",
  "hare",
  "ibis",
  "jackal",
  "koala",
  "lemur",
  "marten",
  "newt",
  "ocelot",
  "puffin",
  "quail",
  "robin",
  "seal",
  "toucan",
  "urchin",
  "viper",
  "walrus",
  "yak",
  "zebra",
  "moose",
  "mole",
  "owl",
  "swan",
  "fox",
];

function pick<T>(items: readonly T[]): T {
  // Web Crypto exists in Node >= 20 and in browsers, so core stays free of Node imports.
  const [n] = crypto.getRandomValues(new Uint32Array(1));
  return items[(n as number) % items.length] as T;
}

/**
 * Generates a name like `brisk-otter` that `taken` does not hold. After a few collisions it
 * appends a number, so it always terminates.
 */
export function generateName(taken: (name: string) => boolean): string {
  for (let attempt = 0; attempt < 20; attempt++) {
    const name = `${pick(ADJECTIVES)}-${pick(ANIMALS)}`;
    if (!taken(name)) return name;
  }
  for (let n = 2; ; n++) {
    const name = `${pick(ADJECTIVES)}-${pick(ANIMALS)}-${n}`;
    if (!taken(name)) return name;
  }
}

/**
 * `wanted` (a valid name) if `taken` does not hold it, else the first free `wanted-2`,
 * `wanted-3`, … (`wanted` cut short to keep within the length limit): a session that comes
 * back under a name another one holds now stays recognisable beside it.
 */
export function freeName(wanted: string, taken: (name: string) => boolean): string {
  if (!taken(wanted)) return wanted;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const name = `${wanted.slice(0, MAX_NAME_LENGTH - suffix.length)}${suffix}`;
    if (!taken(name)) return name;
  }
}

/**
 * A name made of a text (a file's name: `README.md` → `readme-md`, a directory's for a
 * project), at most `maxLength` characters; undefined when nothing of it is left.
 */
export function nameFrom(text: string, maxLength = MAX_NAME_LENGTH): string | undefined {
  const name = text
    .normalize("NFD")
    .replace(/\p{Mn}/gu, "") // accents off their letters: `Übersicht` → `ubersicht`
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^[-_]+/, "")
    .slice(0, Math.min(maxLength, MAX_NAME_LENGTH))
    .replace(/[-_]+$/, "");
  return isValidName(name) ? name : undefined;
}

/**
 * Edit distance counting a letter added, dropped, changed, or two neighbours swapped as one
 * edit each (optimal string alignment): `tpo` is one typo from `top`, not two. Small inputs
 * only (names are at most 32 characters).
 */
export function editDistance(a: string, b: string): number {
  let beforePrev: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, (beforePrev[j - 2] as number) + 1);
      row.push(d);
    }
    beforePrev = prev;
    prev = row;
  }
  return prev[b.length] as number;
}

/**
 * How many edits a typo of `input` may hold: one for a word of up to 4 letters (two edits
 * turn `tui` into `up`, a guess nobody meant), then about a third of the word.
 */
function typoEdits(input: string): number {
  return input.length <= 4 ? 1 : Math.max(2, Math.floor(input.length / 3));
}

/**
 * The guess for a name not found, the one rule of every did-you-mean (sessions, commands, keys):
 * a candidate `input` begins, the shortest of them (a name typed short: `c` for `compile`,
 * however short); else the closest by edit distance, if close enough to be a plausible typo
 * (`typoEdits`).
 * Prefixes first: by edit distance alone `c` is nearer `db` than `compile`.
 */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  let shortestStarting: string | undefined;
  for (const candidate of candidates) {
    if (input.length > 0 && candidate.startsWith(input)) {
      if (shortestStarting === undefined || candidate.length < shortestStarting.length)
        shortestStarting = candidate;
      continue;
    }
    const d = editDistance(input, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (shortestStarting !== undefined) return shortestStarting;
  return bestDistance <= typoEdits(input) ? best : undefined;
}

/** "no session 'bulid' — did you mean 'build'?" */
export function unknownNameMessage(what: string, input: string, candidates: Iterable<string>): string {
  const guess = didYouMean(input, candidates);
  return guess ? `no ${what} '${input}' — did you mean '${guess}'?` : `no ${what} '${input}'`;
}
