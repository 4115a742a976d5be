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
