/**
 * The page-side model of a session whose kind's code is still loading (`deferred.ts`): the
 * page opens sessions synchronously, so this stands in at once. Until the real model exists it
 * keeps every call made to it, in order, and gives them to the real model as soon as it
 * exists, then passes everything straight on: the real model sees exactly the calls it would
 * have seen had it been there from the start.
 */
import type { Component } from "svelte";
import type { SessionInfo } from "../../../src/protocol/session.js";
import type { KindViewProps, SessionIO, SessionView } from "./kind.js";

/** What the chunk provides: the kind's `open` and `View`, for its own model type. */
export interface LoadedKind<M extends SessionView = SessionView> {
  open(info: SessionInfo, io: SessionIO): M;
  View: Component<KindViewProps<M>>;
}

/** A model and the view that renders it, once the chunk has loaded. */
export interface Loaded {
  model: SessionView;
  View: Component<KindViewProps<SessionView>>;
}

export class DeferredView implements SessionView {
  readonly id: string;
  /** Resolves with the real model and its view once the chunk has loaded. */
  readonly ready: Promise<Loaded>;
  #real: SessionView | undefined;
  /** Calls made before the real model existed, replayed on it in order. */
  #pending: ((model: SessionView) => void)[] = [];
  /** What the calls so far say, for the answers given before the real model exists. */
  #lastSeq = 0;
  #targetSeq = 0;
  #disposed = false;

  constructor(info: SessionInfo, io: SessionIO, load: () => Promise<LoadedKind>) {
    this.id = info.id;
    this.ready = load().then((kind) => {
      const model = kind.open(info, io);
      for (const call of this.#pending) call(model);
      this.#pending = [];
      this.#real = model;
      if (this.#disposed) model.dispose();
      return { model, View: kind.View as Component<KindViewProps<SessionView>> };
    });
    // A failed load is shown by the pane (`DeferredPane`); nothing else waits on it.
    this.ready.catch(() => undefined);
  }

  get lastSeq(): number {
    return this.#real ? this.#real.lastSeq : this.#lastSeq;
  }

  attaching(): void {
    this.#targetSeq = Number.POSITIVE_INFINITY;
    this.#call((m) => m.attaching());
  }

  attached(seq: number): void {
    this.#targetSeq = seq;
    this.#call((m) => m.attached(seq));
  }

  isLiveSeq(seq: number): boolean {
    return this.#real ? this.#real.isLiveSeq(seq) : seq > this.#targetSeq;
  }

  whenCurrent(): Promise<void> {
    return this.ready.then(
      ({ model }) => model.whenCurrent(),
      () => undefined,
    );
  }

  output(seq: number, data: Uint8Array): boolean {
    if (this.#real) return this.#real.output(seq, data);
    if (!this.#advance(seq)) return false;
    this.#pending.push((m) => m.output(seq, data));
    return true;
  }

  event(event: Parameters<SessionView["event"]>[0]): boolean {
    if (this.#real) return this.#real.event(event);
    if (!this.#advance(event.seq)) return false;
    this.#pending.push((m) => m.event(event));
    return true;
  }

  snapshot(snap: Parameters<SessionView["snapshot"]>[0], written?: () => void): void {
    if (!this.#real) this.#lastSeq = Math.max(this.#lastSeq, snap.seq);
    this.#call((m) => m.snapshot(snap, written));
  }

  focus(): void {
    this.#call((m) => m.focus());
  }

  dispose(): void {
    this.#disposed = true;
    this.#pending = [];
    this.#real?.dispose();
  }

  #advance(seq: number): boolean {
    if (seq <= this.#lastSeq || this.#disposed) return false;
    this.#lastSeq = seq;
    return true;
  }

  #call(call: (model: SessionView) => void): void {
    if (this.#real) call(this.#real);
    else if (!this.#disposed) this.#pending.push(call);
  }
}
