/**
 * The `after` graph of a project: which sessions sit on a cycle (they cannot start: each
 * waits for another), found once before anything starts so the rest of the project can come
 * up around them.
 */

export interface Waits {
  name: string;
  after: readonly string[];
}

/** For each session on a cycle, the cycle as written (`a → b → a`). */
export function findCycles(sessions: readonly Waits[]): Map<string, string> {
  const after = new Map(sessions.map((s) => [s.name, s.after]));
  const cycles = new Map<string, string>();
  const done = new Set<string>();
  const visit = (name: string, path: string[]): void => {
    const at = path.indexOf(name);
    if (at >= 0) {
      const cycle = [...path.slice(at), name];
      for (const member of cycle) if (!cycles.has(member)) cycles.set(member, cycle.join(" → "));
      return;
    }
    if (done.has(name)) return;
    for (const next of after.get(name) ?? []) visit(next, [...path, name]);
    done.add(name);
  };
  for (const s of sessions) visit(s.name, []);
  return cycles;
}

/**
 * The sessions `up NAME...` brings up: the named ones and every session they wait for, as
 * `docker compose up web` starts web's dependencies, in the file's order. A name the file
 * does not declare is returned in `unknown`.
 */
export function withDependencies<T extends Waits>(
  sessions: readonly T[],
  names: readonly string[],
): { selected: T[]; unknown: string[] } {
  const byName = new Map(sessions.map((s) => [s.name, s]));
  const unknown = names.filter((name) => !byName.has(name));
  const wanted = new Set<string>();
  const add = (name: string): void => {
    if (wanted.has(name) || !byName.has(name)) return;
    wanted.add(name);
    for (const next of byName.get(name)?.after ?? []) add(next);
  };
  for (const name of names) add(name);
  return { selected: sessions.filter((s) => wanted.has(s.name)), unknown };
}
