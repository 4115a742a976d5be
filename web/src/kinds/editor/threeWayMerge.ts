/**
 * A line-based three-way merge (diff3) for the editor's conflict view: the changes the disk
 * and the buffer each made to the base (the text last loaded or saved) are combined; where
 * both changed the same lines differently, the result holds both between conflict markers for
 * the person to settle. The line diffs come from `@codemirror/merge`'s `diff`, run over one
 * character per distinct line.
 */
import { diff } from "@codemirror/merge";

export const MARKER_DISK = "<<<<<<< on disk";
export const MARKER_SPLIT = "=======";
export const MARKER_MINE = ">>>>>>> your buffer";

export interface MergeResult {
  text: string;
  /** Line ranges both sides changed differently, left between markers. */
  conflicts: number;
}

interface LineChange {
  fromA: number;
  toA: number;
  fromB: number;
  toB: number;
}

function lines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** One code unit per distinct line, skipping the surrogate range so no pair is ever split. */
function encoder(): (line: string) => string {
  const codes = new Map<string, string>();
  return (line) => {
    let code = codes.get(line);
    if (code === undefined) {
      const n = codes.size + 1;
      code = String.fromCharCode(n < 0xd800 ? n : n + 0x800);
      codes.set(line, code);
    }
    return code;
  };
}

function lineChanges(base: string[], side: string[], encode: (line: string) => string): LineChange[] {
  return diff(base.map(encode).join(""), side.map(encode).join("")).map((c) => ({ ...c }));
}

/** Whether two changes touch the same base lines (insertions at one point count). */
function overlaps(a: LineChange, b: LineChange): boolean {
  return a.fromA <= b.toA && b.fromA <= a.toA;
}

function withNewline(part: string[]): string[] {
  const last = part.at(-1);
  return last === undefined || last.endsWith("\n") ? part : [...part.slice(0, -1), `${last}\n`];
}

export function mergeThree(base: string, disk: string, mine: string): MergeResult {
  const encode = encoder();
  const baseLines = lines(base);
  const sides = [lines(disk), lines(mine)] as const;
  const changes = sides.map((side) => lineChanges(baseLines, side, encode));
  const tagged = [
    ...(changes[0] ?? []).map((c) => ({ ...c, side: 0 as const })),
    ...(changes[1] ?? []).map((c) => ({ ...c, side: 1 as const })),
  ].sort((a, b) => a.fromA - b.fromA || a.toA - b.toA);
  const out: string[] = [];
  const offset = [0, 0];
  let at = 0;
  let conflicts = 0;
  for (let i = 0; i < tagged.length; ) {
    // A cluster: changes whose base ranges overlap, transitively.
    const cluster = [tagged[i] as (typeof tagged)[number]];
    let hi = cluster[0]?.toA ?? 0;
    const lo = cluster[0]?.fromA ?? 0;
    i++;
    while (i < tagged.length && overlaps(tagged[i] as LineChange, { fromA: lo, toA: hi, fromB: 0, toB: 0 })) {
      const next = tagged[i] as (typeof tagged)[number];
      cluster.push(next);
      hi = Math.max(hi, next.toA);
      i++;
    }
    out.push(...baseLines.slice(at, lo));
    const part = (side: 0 | 1): string[] => {
      const delta = cluster
        .filter((c) => c.side === side)
        .reduce((sum, c) => sum + (c.toB - c.fromB) - (c.toA - c.fromA), 0);
      const start = lo + (offset[side] ?? 0);
      const text = sides[side].slice(start, hi + (offset[side] ?? 0) + delta);
      offset[side] = (offset[side] ?? 0) + delta;
      return text;
    };
    const touched = new Set(cluster.map((c) => c.side));
    const diskPart = part(0);
    const minePart = part(1);
    if (!touched.has(1)) out.push(...diskPart);
    else if (!touched.has(0)) out.push(...minePart);
    else if (diskPart.join("") === minePart.join("")) out.push(...diskPart);
    else {
      conflicts++;
      out.push(
        `${MARKER_DISK}\n`,
        ...withNewline(diskPart),
        `${MARKER_SPLIT}\n`,
        ...withNewline(minePart),
        `${MARKER_MINE}\n`,
      );
    }
    at = hi;
  }
  out.push(...baseLines.slice(at));
  return { text: out.join(""), conflicts };
}

/** Conflict blocks still in a merged text (the person has not settled them yet). */
export function countMarkers(text: string): number {
  return text.split("\n").filter((line) => line === MARKER_DISK).length;
}
