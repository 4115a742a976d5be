/**
 * Who is attached to each session right now (presence), and the one size a session takes
 * when several clients of different sizes watch it. The size rule is tmux's `window-size`:
 * `latest` (default) follows the writer who attached, resized or typed most recently,
 * `smallest` and `largest` take the extreme over the writers attached; viewers never count.
 * A session may have a rule of its own (`ruleFor`: a line editor's kinds take `smallest`).
 * Recomputed whenever a client joins, acts or leaves.
 */
import type { PresenceEntry, Principal } from "../protocol/people.js";

export const SIZE_RULES = ["latest", "smallest", "largest"] as const;
export type SizeRule = (typeof SIZE_RULES)[number];

export interface Size {
  cols: number;
  rows: number;
}

interface Client {
  principal: Principal;
  role: PresenceEntry["role"];
  writer: boolean;
  size: Size | undefined;
  activeAt: number;
  since: number;
}

export interface SessionClientsOptions {
  rule: SizeRule;
  /** A session's own rule, when it has one (undefined: `rule`). */
  ruleFor?: (session: string) => SizeRule | undefined;
  /** Applies a size the rule chose (the hub skips sessions that cannot or need not resize). */
  resize: (session: string, size: Size) => void;
  /** Called with a session's presence whenever someone attaches or leaves. */
  presenceChanged: (session: string, presence: PresenceEntry[]) => void;
}

export class SessionClients {
  private readonly bySession = new Map<string, Map<string, Client>>();
  /** Makes `activeAt` strictly increasing, so "most recent" never ties. */
  private clock = 0;

  constructor(private readonly options: SessionClientsOptions) {}

  join(
    session: string,
    client: string,
    who: { principal: Principal; role: PresenceEntry["role"]; writer: boolean; size?: Size | undefined },
  ): void {
    let clients = this.bySession.get(session);
    if (!clients) {
      clients = new Map();
      this.bySession.set(session, clients);
    }
    const now = this.tick();
    clients.set(client, { ...who, size: who.size, activeAt: now, since: Date.now() });
    this.options.presenceChanged(session, this.presence(session));
    this.apply(session);
  }

  leave(session: string, client: string): void {
    const clients = this.bySession.get(session);
    if (!clients?.delete(client)) return;
    if (clients.size === 0) this.bySession.delete(session);
    this.options.presenceChanged(session, this.presence(session));
    this.apply(session);
  }

  /**
   * A client's role on the session changed while it stays attached (a user's role lowered or
   * raised): presence shows the new role, and its size counts only while it is a writer.
   */
  changeRole(session: string, client: string, role: PresenceEntry["role"], writer: boolean): void {
    const entry = this.bySession.get(session)?.get(client);
    if (!entry || (entry.role === role && entry.writer === writer)) return;
    entry.role = role;
    entry.writer = writer;
    this.options.presenceChanged(session, this.presence(session));
    this.apply(session);
  }

  /** A client typed or resized: with `latest`, its size wins while it stays the most recent. */
  active(session: string, client: string, size?: Size): void {
    const entry = this.bySession.get(session)?.get(client);
    if (!entry?.writer) return;
    // The writer that was the last active anywhere typing again, at its size: no rule's choice
    // can change, so the two passes of `chosen` over the session's clients (~0.7 KB of garbage a
    // key; docs/BENCHMARKS.md, "The hub's garbage per key") are skipped.
    if (!size && entry.activeAt === this.clock) {
      entry.activeAt = this.tick();
      return;
    }
    const before = this.chosen(session);
    entry.activeAt = this.tick();
    if (size) entry.size = size;
    const after = this.chosen(session);
    if (after && (size || after.cols !== before?.cols || after.rows !== before?.rows)) this.apply(session);
  }

  /** One entry per person, however many tabs they have open. */
  presence(session: string): PresenceEntry[] {
    const people = new Map<string, PresenceEntry>();
    for (const client of this.bySession.get(session)?.values() ?? []) {
      const { id, name } = client.principal;
      const entry = people.get(id);
      if (entry) {
        entry.clients += 1;
        entry.since = Math.min(entry.since, client.since);
      } else {
        people.set(id, { id, name, role: client.role, clients: 1, since: client.since });
      }
    }
    return [...people.values()];
  }

  /** The size the rule picks from the writers attached; undefined when none has a size. */
  chosen(session: string): Size | undefined {
    const sized = [...(this.bySession.get(session)?.values() ?? [])].filter(
      (c): c is Client & { size: Size } => c.writer && c.size !== undefined,
    );
    if (sized.length === 0) return undefined;
    const rule = this.options.ruleFor?.(session) ?? this.options.rule;
    switch (rule) {
      case "latest":
        return sized.reduce((a, b) => (b.activeAt > a.activeAt ? b : a)).size;
      case "smallest":
        return {
          cols: Math.min(...sized.map((c) => c.size.cols)),
          rows: Math.min(...sized.map((c) => c.size.rows)),
        };
      case "largest":
        return {
          cols: Math.max(...sized.map((c) => c.size.cols)),
          rows: Math.max(...sized.map((c) => c.size.rows)),
        };
      default: {
        const unreachable: never = rule;
        throw new Error(`unknown size rule ${String(unreachable)}`);
      }
    }
  }

  private apply(session: string): void {
    const size = this.chosen(session);
    if (size) this.options.resize(session, size);
  }

  private tick(): number {
    this.clock += 1;
    return this.clock;
  }
}
