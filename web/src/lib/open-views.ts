/**
 * The sessions opened in this page: each one's model (a terminal, a conversation...) with the
 * kind that made it and renders it, attached to the hub from the last seq it applied. Which of
 * them are on screen is the layout's business; this only opens, attaches and closes them.
 */
import type { SessionInfo } from "../../../src/protocol/session.js";
import type { SessionIO, SessionView, WebKind } from "../kinds/kind.js";
import { kindOf } from "../kinds/registry.js";
import type { Connection } from "./connection.js";
import type { People } from "./people.svelte.js";
import type { SessionStore } from "./sessions.svelte.js";
import { TerminalSession } from "./terminal-session.js";
import { toasts } from "./toasts.svelte.js";

/** An opened session: its model, and the kind that made it and renders it. */
export interface OpenSession {
  readonly kind: WebKind;
  readonly model: SessionView;
}

export class OpenViews {
  readonly #open = new Map<string, OpenSession>();
  readonly #conn: Connection;
  readonly #store: SessionStore;
  readonly #people: People;
  readonly #io: (id: string) => SessionIO;

  constructor(parts: { conn: Connection; store: SessionStore; people: People; io(id: string): SessionIO }) {
    this.#conn = parts.conn;
    this.#store = parts.store;
    this.#people = parts.people;
    this.#io = parts.io;
  }

  /** An open session's model and its kind, for the view that shows it. */
  get(id: string): OpenSession | undefined {
    return this.#open.get(id);
  }

  /** The open session's terminal, when its view is one (terminals, agents, unknown kinds). */
  terminal(id: string): TerminalSession | undefined {
    const model = this.#open.get(id)?.model;
    return model instanceof TerminalSession ? model : undefined;
  }

  get activeTerminal(): TerminalSession | undefined {
    return this.#store.activeId ? this.terminal(this.#store.activeId) : undefined;
  }

  /** The active session's model (a terminal, a conversation...), for focus. */
  get active(): SessionView | undefined {
    return this.#store.activeId ? this.#open.get(this.#store.activeId)?.model : undefined;
  }

  /** Ids of the open sessions, in the order they were opened. */
  ids(): string[] {
    return [...this.#open.keys()];
  }

  /** Opens the session's view with its kind and attaches it. */
  open(info: SessionInfo): SessionView {
    const kind = kindOf(info.kind);
    const model = kind.open(info, this.#io(info.id));
    const open = { kind, model };
    this.#open.set(info.id, open);
    this.#store.touchOpen(info.id);
    this.#attach(open);
    return model;
  }

  /** Attaches the open session again (a revive), from the last seq it applied. */
  attach(id: string): void {
    const open = this.#open.get(id);
    if (open) this.#attach(open);
  }

  /** Attaches every open session again (after a reconnect), each from its last seq. */
  attachAll(): void {
    for (const open of this.#open.values()) this.#attach(open);
  }

  /** Detaches and disposes the session's view; false when it was not open. */
  close(id: string): boolean {
    const open = this.#open.get(id);
    if (!open) return false;
    this.#conn.send({ type: "detach", session: id });
    this.#open.delete(id);
    this.#store.dropOpen(id);
    open.model.dispose();
    return true;
  }

  dispose(): void {
    for (const { model } of this.#open.values()) model.dispose();
    this.#open.clear();
  }

  #attach({ kind, model: term }: OpenSession): void {
    if (!this.#conn.isOpen) return;
    term.attaching();
    // A view with nothing yet asks for the current screen rather than the whole history, when
    // its kind has screens (a conversation needs its events).
    const fresh = term.lastSeq === 0 && kind.attach === "screen";
    // Replayed output may come joined (a frame's seq is its last event's): a reconnect replays
    // what was missed in a few frames, not one per event.
    this.#conn
      .request({ type: "attach", session: term.id, afterSeq: term.lastSeq, snapshot: fresh, coalesce: true })
      .then((reply) => {
        if (reply.type !== "attached") {
          term.attached(term.lastSeq);
          return;
        }
        if (reply.role) this.#people.setRole(term.id, reply.role);
        term.attached(reply.session.lastSeq);
      })
      .catch((err: unknown) => {
        if (err instanceof Error && "code" in err && err.code === "disconnected") return;
        toasts.push(`Could not attach: ${err instanceof Error ? err.message : String(err)}`);
        term.attached(term.lastSeq);
      });
  }
}
