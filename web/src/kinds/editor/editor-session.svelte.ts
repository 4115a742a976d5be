/**
 * One opened `editor` session: a Y.Doc and its awareness, kept in step with the session's
 * log. Its `update` events are applied to the doc, `presence` events to the awareness (other
 * people's cursors and names), `file` events say whether the file is clean, dirty, in conflict
 * or deleted. Local changes go to the host as `input` (one JSON message each): the host applies
 * them and writes them to the log, from where every other client gets them.
 */
import { fromBase64, toBase64 } from "lib0/buffer";
import * as awarenessProtocol from "y-protocols/awareness";
import * as Y from "yjs";
import type { JsonEvent } from "../../../../src/protocol/events.js";
import { AttachCursor } from "../../lib/attach-cursor.svelte.js";
import type { SessionIO, SessionView } from "../kind.js";

/** Changes that came from the log, not from this page (never sent back). */
const REMOTE = Symbol("remote");
const COLORS = ["#e06c75", "#61afef", "#98c379", "#c678dd", "#d19a66", "#56b6c2"];

export type FileStatus = "clean" | "dirty" | "conflict" | "deleted";

export class EditorModel implements SessionView {
  readonly id: string;
  readonly doc = new Y.Doc();
  readonly awareness: awarenessProtocol.Awareness;
  /**
   * What the log has given this page (remote updates only): after a reconnect the page sends
   * what it has beyond that, so changes typed while the connection was down reach the host.
   * Sending something the host already has changes nothing there (Yjs updates are idempotent).
   */
  readonly #confirmed = new Y.Doc();
  status = $state<FileStatus>("clean");
  path = $state("");
  /** Why the file's state last changed (the `file` event's `reason`: what happened, what to do). */
  reason = $state("");
  /**
   * A viewer's page (its pane says so): it sends nothing, since the hub refuses a viewer's
   * input and each refusal would come back as an error.
   */
  readOnly = false;
  readonly #cursor = new AttachCursor();
  #disposed = false;
  #focus: (() => void) | undefined;
  readonly #io: SessionIO;
  readonly #name: string;

  constructor(id: string, io: SessionIO, name: string) {
    this.id = id;
    this.#io = io;
    this.#name = name;
    this.awareness = new awarenessProtocol.Awareness(this.doc);
    const color = COLORS[this.doc.clientID % COLORS.length] as string;
    this.awareness.setLocalStateField("user", { name, color, colorLight: `${color}33` });
    this.doc.on("update", (update: Uint8Array, origin: unknown) => {
      if (origin === REMOTE || this.#disposed) return;
      this.#send({ type: "update", update: toBase64(update), client: name });
    });
    this.awareness.on("update", ({ added, updated, removed }: Record<string, number[]>, origin: unknown) => {
      if (origin === REMOTE || this.#disposed) return;
      const mine = [...(added ?? []), ...(updated ?? []), ...(removed ?? [])].includes(this.doc.clientID);
      if (!mine) return;
      const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, [this.doc.clientID]);
      this.#send({ type: "presence", update: toBase64(update) });
    });
  }

  get text(): string {
    return this.doc.getText("text").toString();
  }

  /** Seq of the last event applied. */
  get lastSeq(): number {
    return this.#cursor.lastSeq;
  }

  /** Whether the history up to the attach's seq has been applied (the editor can be shown). */
  get current(): boolean {
    return this.#cursor.current;
  }

  set onFocus(focus: (() => void) | undefined) {
    this.#focus = focus;
  }

  attaching(): void {
    this.#cursor.attaching();
  }

  attached(seq: number): void {
    const unsent = Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(this.#confirmed));
    const decoded = Y.decodeUpdate(unsent);
    if (decoded.structs.length > 0 || decoded.ds.clients.size > 0) {
      this.#send({ type: "update", update: toBase64(unsent), client: this.#name });
    }
    this.#cursor.attached(seq);
  }

  isLiveSeq(seq: number): boolean {
    return this.#cursor.isLiveSeq(seq);
  }

  whenCurrent(): Promise<void> {
    return this.#cursor.whenCurrent();
  }

  output(seq: number): boolean {
    if (!this.#cursor.advance(seq)) return false;
    this.#cursor.settle();
    return true;
  }

  event(event: JsonEvent): boolean {
    if (!this.#cursor.advance(event.seq)) return false;
    const data = event.data as { update?: unknown; status?: unknown; path?: unknown; reason?: unknown };
    try {
      if (event.type === "update" && typeof data.update === "string") {
        const update = fromBase64(data.update);
        Y.applyUpdate(this.#confirmed, update);
        Y.applyUpdate(this.doc, update, REMOTE);
      } else if (event.type === "presence" && typeof data.update === "string") {
        awarenessProtocol.applyAwarenessUpdate(this.awareness, fromBase64(data.update), REMOTE);
      } else if (event.type === "file") {
        this.status = String(data.status) as FileStatus;
        this.path = String(data.path ?? "");
        this.reason = String(data.reason ?? "");
      }
    } catch {
      // The host checked every update before logging it; one that fails here is skipped.
    }
    this.#cursor.settle();
    return true;
  }

  /** The document's state at `snap.seq` (Yjs state, base64), merged into what the page has. */
  snapshot(snap: { seq: number; data: string }, written?: () => void): void {
    if (this.#disposed) return;
    try {
      const state = fromBase64(snap.data);
      Y.applyUpdate(this.#confirmed, state);
      Y.applyUpdate(this.doc, state, REMOTE);
    } catch {
      // Not a document state (a newer hub's format): the events that follow still apply.
    }
    this.#cursor.lastSeq = Math.max(this.#cursor.lastSeq, snap.seq);
    this.#cursor.settle();
    written?.();
  }

  focus(): void {
    this.#focus?.();
  }

  dispose(): void {
    this.#disposed = true;
    awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], "dispose");
    this.awareness.destroy();
    this.#confirmed.destroy();
    this.#cursor.dispose();
  }

  /** Runs one of the session's commands over REST; its result, or throws its error message. */
  async command(name: string, args: unknown = {}): Promise<unknown> {
    const response = await fetch(`/api/sessions/${encodeURIComponent(this.id)}/commands/${name}`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(args),
    });
    const body = (await response.json()) as { result?: unknown; error?: { message?: string } };
    if (!response.ok) throw new Error(body.error?.message ?? `${name} failed (${response.status})`);
    return body.result;
  }

  #send(message: Record<string, unknown>): void {
    if (this.readOnly) return;
    try {
      this.#io.input(JSON.stringify(message));
    } catch {
      // Not connected: the workspace says so; the change stays in this page's document.
    }
  }
}
