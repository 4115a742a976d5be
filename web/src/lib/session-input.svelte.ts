/**
 * Keys typed for a session, on their way to the hub: only to a live session this page may type
 * into (a viewer is told once why nothing happens), with the phone key bar's sticky Ctrl applied.
 *
 * Every input is numbered (`input.id`: this page's stream and a seq) and kept until the hub
 * acknowledges it. Keys typed while the hub is out of reach wait; when the link dies silently
 * (its acknowledgement never comes, and the connection drops the link after a few seconds), the
 * ones it swallowed are sent again with the same numbers once it is back, in order (as the CLI
 * client does), and the hub drops the ones it had applied: each key arrives once. A paste larger
 * than one message goes as several (`inputPieces`), numbered in order like keys.
 *
 * An interrupt (Ctrl-C, Ctrl-Z, Ctrl-\\) that waited past a few seconds for the hub is not sent,
 * nor what was typed after it in that wait (`staleInterrupt.ts`, as the CLI client does): late,
 * it would stop whatever runs by then. The page says so.
 *
 * Keys typed into a session being revived (`hold`, from the click on) are kept, not dropped as
 * typed into an ended session, and go once the hub has started it again (`release`), in order;
 * at most `MAX_HELD_CHARS` of them (`HeldKeys`): what is over is dropped, and the page says so;
 * so is an interrupt held past a few seconds, with what was typed after it, as above.
 */
import { isLiveStatus } from "../../../src/core/liveness.js";
import {
  staleInterruptAt,
  staleInterruptNotice,
  type WaitingInput,
} from "../../../src/core/staleInterrupt.js";
import type { Connection } from "./connection.js";
import { HeldKeys, MAX_HELD_CHARS } from "./held-keys.js";
import { inputPieces } from "./input-pieces.js";
import { applyCtrl } from "./keys.js";
import { RequestError } from "./pending-requests.js";
import type { People } from "./people.svelte.js";
import type { SessionStore } from "./sessions.svelte.js";
import { toasts } from "./toasts.svelte.js";

/** Keys kept while disconnected, in characters: a paste's worth; beyond it they are dropped. */
const MAX_QUEUED = 64 * 1024;

interface Outgoing extends WaitingInput {
  session: string;
  seq: number;
  /** Sent on the current connection (its reply is awaited); else waiting for one. */
  sent: boolean;
}

export class SessionInput {
  /** Phone key bar: the next key typed gets Ctrl applied. */
  ctrlSticky = $state(false);
  #toldReadOnly = false;
  /** This page's name for its inputs, across its connections (the hub de-duplicates by it). */
  readonly #stream = randomStream();
  #nextSeq = 1;
  /** Typed and not yet acknowledged, oldest first. */
  #outbox: Outgoing[] = [];
  #outboxChars = 0;
  /** Sessions being revived, and what was typed into them meanwhile (Ctrl applied), in order. */
  readonly #held = new Map<string, HeldKeys>();
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
    const held = this.#held.get(id);
    if (!info || (!held && !isLiveStatus(info.status))) return;
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
    if (!held) return this.#enqueue(id, text);
    const told = held.full;
    if (!held.add(text, Date.now()) && !told) {
      toasts.push(
        `'${info.name}' is still starting: more than ${MAX_HELD_CHARS / 1024} Ki characters typed meanwhile, so these and the keys after them until it runs were dropped. Type them again once it runs.`,
      );
    }
  }

  /**
   * A revive of `id` is on its way: what is typed into it from now on waits for `release`. Its
   * status says ended until the hub has started it; typed then, the keys were dropped.
   */
  hold(id: string): void {
    if (!this.#held.has(id)) this.#held.set(id, new HeldKeys());
  }

  /** The revive is answered: what was typed meanwhile goes now, in order, if the session runs. */
  release(id: string): void {
    const held = this.#held.get(id);
    this.#held.delete(id);
    const info = this.#store.byId(id);
    // A revive that failed leaves nothing to type into: the page said why it did not start.
    if (!held || !info || !isLiveStatus(info.status)) return;
    const { inputs, notice } = held.release(Date.now());
    if (notice) toasts.push(`Not sent: ${notice}.`);
    // Typed when they were: should the hub be away now, they wait by the same rule as keys typed then.
    for (const { data, typedAt } of inputs) this.#enqueue(id, data, typedAt);
  }

  /** Numbers `text`, typed at `typedAt`, for the hub and sends it, behind anything still waiting to be sent. */
  #enqueue(id: string, text: string, typedAt = Date.now()): void {
    // Bounded while the hub is out of reach; while it is there, what is sent is soon answered.
    if (!this.#conn.isOpen && this.#outboxChars + text.length > MAX_QUEUED) {
      toasts.push(
        "Not connected to the hub: the keys typed meanwhile are too many to keep, so these were dropped.",
      );
      return;
    }
    // Behind keys still waiting to be resent, a new one waits too: the hub takes them in order.
    const waiting = this.#outbox.some((entry) => !entry.sent);
    for (const piece of inputPieces(text)) {
      const entry: Outgoing = {
        session: id,
        data: piece,
        seq: this.#nextSeq++,
        sent: false,
        typedAt,
      };
      this.#outbox.push(entry);
      this.#outboxChars += piece.length;
      if (!waiting) this.#transmit(entry);
    }
  }

  /**
   * Connected again (sessions re-attached): sends what the hub has not acknowledged, in order,
   * to the sessions still live; the hub skips what it had applied before the link died.
   */
  flush(): void {
    this.#dropStaleInterrupt();
    for (const entry of [...this.#outbox]) {
      if (entry.sent) continue;
      const info = this.#store.byId(entry.session);
      if (info && isLiveStatus(info.status)) this.#transmit(entry);
      else this.#remove(entry);
    }
  }

  /** The first waiting interrupt typed too long ago goes, with what was typed after it, said once. */
  #dropStaleInterrupt(): void {
    const now = Date.now();
    const waiting = this.#outbox.filter((entry) => !entry.sent);
    const at = staleInterruptAt(waiting, now);
    const stale = waiting[at];
    if (!stale) return;
    for (const entry of waiting.slice(at)) this.#remove(entry);
    toasts.push(`Not sent: ${staleInterruptNotice(stale, now)}.`);
  }

  #transmit(entry: Outgoing): void {
    if (!this.#conn.isOpen) return;
    entry.sent = true;
    const { session, data, seq } = entry;
    this.#conn
      .request({ type: "input", session, data, id: { stream: this.#stream, seq } }, { watch: true })
      .then(
        () => this.#remove(entry),
        (err: unknown) => {
          // The link went down first: kept for `flush`. Refused (the session ended, a role
          // changed): said, and not sent again.
          if (err instanceof RequestError && err.code === "disconnected") {
            entry.sent = false;
            return;
          }
          this.#remove(entry);
          toasts.push(err instanceof Error ? err.message : String(err));
        },
      );
  }

  #remove(entry: Outgoing): void {
    const at = this.#outbox.indexOf(entry);
    if (at < 0) return;
    this.#outbox.splice(at, 1);
    this.#outboxChars -= entry.data.length;
  }
}

/** 128 random bits as hex (`crypto.randomUUID` exists only on https pages and localhost). */
function randomStream(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
