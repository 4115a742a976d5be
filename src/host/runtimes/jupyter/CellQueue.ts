/**
 * The order in which code runs in one kernel, held on the host. A kernel runs one execute
 * request at a time and queues the rest on its shell channel, where nothing can take one back
 * out: interrupting the kernel stops whichever cell runs, someone else's too. So the host sends
 * the next request only when the kernel has replied to the previous one (its shell is free then;
 * the previous one's last outputs may still be on their way, `workspace/requestEnds.ts`), and a
 * request still waiting here can be withdrawn without touching the kernel.
 *
 * A turn is named by the client's `ref` when it gave one (`eval {ref}`), so that its
 * `interrupt {ref}` reaches exactly that evaluation. A ref withdrawn before it joined (the
 * interrupt overtook its evaluation on the way, or the kernel was still starting) is
 * remembered, a bounded few, and withdrawn as it joins.
 */
import type { EvalFailure } from "../../../protocol/workspace/events.js";

/** Refs withdrawn before they joined, kept this many (a ref names one evaluation). */
const EARLY_REFS = 64;

/** A turn withdrawn before it came; `failure` says why (its evaluation's answer carries it). */
export class Withdrawn extends Error {
  constructor(readonly failure: EvalFailure) {
    super(failure.evalue);
  }
}

export interface Turn {
  /** Settles when this turn comes; rejects with `Withdrawn` if it is withdrawn before. */
  readonly ready: Promise<void>;
  /**
   * Cells ahead of this turn as it joined, the running one included (the image's own quiet
   * requests, short, are not counted): 0 when nothing a person would wait on was before it.
   */
  readonly cellsAhead: number;
  /** The turn is over and the next one's comes. Call it once the kernel is done with this one. */
  done(): void;
}

/** A client's or a replay's cell, or the image's own quiet request (`Introspection`). */
export type TurnKind = "cell" | "quiet";

interface Entry {
  ref: string | undefined;
  kind: TurnKind;
  state: "waiting" | "running" | "done";
  start(): void;
  fail(error: Withdrawn): void;
}

export class CellQueue {
  private readonly waiting: Entry[] = [];
  private current: Entry | undefined;
  private readonly early: { ref: string; failure: EvalFailure }[] = [];

  /** How many turns wait behind the running one. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Takes a place at the end; `ref` is the client's name for it (see `withdraw`). */
  join(ref?: string, kind: TurnKind = "cell"): Turn {
    let start = () => {};
    let fail: (error: Withdrawn) => void = () => {};
    const ready = new Promise<void>((resolve, reject) => {
      start = resolve;
      fail = reject;
    });
    ready.catch(() => undefined);
    const entry: Entry = { ref, kind, state: "waiting", start, fail };
    const cellsAhead = [this.current, ...this.waiting].filter((e) => e?.kind === "cell").length;
    const early = this.early.findIndex((withdrawn) => withdrawn.ref === ref);
    const withdrawn = early >= 0 ? this.early.splice(early, 1)[0] : undefined;
    if (withdrawn) {
      entry.state = "done";
      fail(new Withdrawn(withdrawn.failure));
    } else {
      this.waiting.push(entry);
      this.next();
    }
    return {
      ready,
      cellsAhead: entry.state === "done" ? 0 : cellsAhead,
      done: () => {
        const was = entry.state;
        entry.state = "done";
        if (was === "running") {
          this.current = undefined;
          this.next();
        } else if (was === "waiting") this.remove(entry);
      },
    };
  }

  /**
   * Withdraws the turn named `ref` while it waits: its `ready` rejects with `failure`.
   * `running`: its turn has come, the kernel has it; `unknown`: no such turn here (it has
   * finished, or not joined yet: then it is withdrawn as it joins).
   */
  withdraw(ref: string, failure: EvalFailure): "withdrawn" | "running" | "unknown" {
    if (this.current?.ref === ref) return "running";
    const entry = this.waiting.find((candidate) => candidate.ref === ref);
    if (!entry) {
      this.early.push({ ref, failure });
      if (this.early.length > EARLY_REFS) this.early.shift();
      return "unknown";
    }
    this.remove(entry);
    entry.state = "done";
    entry.fail(new Withdrawn(failure));
    return "withdrawn";
  }

  /** Withdraws every waiting turn (the kernel ended or restarts); the running one ends with its kernel. */
  withdrawAll(failure: EvalFailure): void {
    for (const entry of this.waiting.splice(0)) {
      entry.state = "done";
      entry.fail(new Withdrawn(failure));
    }
  }

  private next(): void {
    if (this.current) return;
    const entry = this.waiting.shift();
    if (!entry) return;
    this.current = entry;
    entry.state = "running";
    entry.start();
  }

  private remove(entry: Entry): void {
    const at = this.waiting.indexOf(entry);
    if (at >= 0) this.waiting.splice(at, 1);
  }
}
