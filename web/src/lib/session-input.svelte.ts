/**
 * Keys typed for a session, on their way to the hub: only to a live session this page may type
 * into (a viewer is told once why nothing happens), with the phone key bar's sticky Ctrl applied.
 * Keys typed while the hub is out of reach wait and are sent once it is back, in order (as the
 * CLI client does), up to a bound.
 */
import { isLiveStatus } from "../../../src/core/liveness.js";
import type { Connection } from "./connection.js";
import { applyCtrl } from "./keys.js";
import type { People } from "./people.svelte.js";
import type { SessionStore } from "./sessions.svelte.js";
import { toasts } from "./toasts.svelte.js";

/** Keys kept while disconnected, in characters: a paste's worth; beyond it they are dropped. */
const MAX_QUEUED = 64 * 1024;

export class SessionInput {
  /** Phone key bar: the next key typed gets Ctrl applied. */
  ctrlSticky = $state(false);
  #toldReadOnly = false;
  #queued: { id: string; data: string }[] = [];
  #queuedChars = 0;
  readonly #conn: Connection;
  readonly #store: SessionStore;
  readonly #people: People;

  constructor(parts: { conn: Connection; store: SessionStore; people: People }) {
    this.#conn = parts.conn;
    this.#store = parts.store;
    this.#people = parts.people;
  }

  /** Input for the active session from outside xterm (the phone key bar, paste, the prefix twice). */
  toActive(data: string): void {
    const id = this.#store.activeId;
    if (id) this.send(id, data);
  }

  send(id: string, data: string): void {
    const info = this.#store.byId(id);
    if (!info || !isLiveStatus(info.status)) return;
    if (this.#people.readOnly(id)) {
      if (!this.#toldReadOnly) toasts.push(`You can watch '${info.name}' but not type into it (viewer).`);
      this.#toldReadOnly = true;
      return;
    }
    let text = data;
    if (this.ctrlSticky) {
      text = applyCtrl(data);
      this.ctrlSticky = false;
    }
    if (this.#conn.send({ type: "input", session: id, data: text })) return;
    if (this.#queuedChars + text.length > MAX_QUEUED) {
      toasts.push(
        "Not connected to the hub: the keys typed meanwhile are too many to keep, so these were dropped.",
      );
      return;
    }
    this.#queued.push({ id, data: text });
    this.#queuedChars += text.length;
  }

  /** Connected again (sessions re-attached): sends what was typed meanwhile to those still live. */
  flush(): void {
    const queued = this.#queued;
    this.#queued = [];
    this.#queuedChars = 0;
    for (const { id, data } of queued) {
      const info = this.#store.byId(id);
      if (info && isLiveStatus(info.status)) this.#conn.send({ type: "input", session: id, data });
    }
  }
}
