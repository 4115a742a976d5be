/**
 * Side by side: up to four sessions shown at once, each in its own tile with its own size and
 * focus. Pure functions over the list of tiled ids (the store keeps it and the page saves it);
 * one id or none is the single view.
 */

export const MAX_TILES = 4;

/** The tiles after showing `id` in the focused tile (`active`): a tiled id just gets focus. */
export function showIn(tiles: readonly string[], active: string | null, id: string): string[] {
  if (tiles.length <= 1) return [id];
  if (tiles.includes(id)) return [...tiles];
  const at = active ? tiles.indexOf(active) : -1;
  const next = [...tiles];
  next[Math.max(at, 0)] = id;
  return next;
}

/** One more tile showing `id` (the first session not shown yet), or undefined when full. */
export function addTile(tiles: readonly string[], active: string | null, id: string): string[] | undefined {
  const current = tiles.length === 0 && active ? [active] : [...tiles];
  if (current.length >= MAX_TILES || current.includes(id)) return undefined;
  return [...current, id];
}

/** The tile `step` away from `active`, wrapping around. */
export function neighbour(tiles: readonly string[], active: string | null, step: 1 | -1): string | undefined {
  if (tiles.length < 2) return undefined;
  const at = active ? tiles.indexOf(active) : -1;
  return tiles[(at + step + tiles.length) % tiles.length];
}

export interface TileRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Where tile `index` of `count` goes, in percent of the stack: two side by side, three as a
 * column and two stacked beside it, four in a grid.
 */
export function tileRect(index: number, count: number): TileRect {
  if (count <= 1) return { left: 0, top: 0, width: 100, height: 100 };
  if (count === 2) return { left: index * 50, top: 0, width: 50, height: 100 };
  if (count === 3 && index === 0) return { left: 0, top: 0, width: 50, height: 100 };
  if (count === 3) return { left: 50, top: (index - 1) * 50, width: 50, height: 50 };
  return { left: (index % 2) * 50, top: Math.floor(index / 2) * 50, width: 50, height: 50 };
}
