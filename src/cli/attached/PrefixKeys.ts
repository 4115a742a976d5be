/**
 * The keys of attached mode: what is typed goes to the session, except the detach key, which
 * leaves at once, and the prefix key, after which the next key is a command (`prefixHelp.ts`
 * lists them; the prefix key again sends it to the session).
 */
import { type DetachKey, findDetachKey } from "../detachKey.js";

/** PageUp, which after the prefix opens the history view like `h`. */
const PAGE_UP = "\x1b[5~";

/** A command given with the prefix key (or, for `detach`, the detach key alone). */
export type PrefixCommand =
  | { type: "detach" }
  | { type: "step"; by: 1 | -1 }
  | { type: "new" }
  | { type: "picker" }
  | { type: "history" }
  | { type: "ask"; mode: "close" | "rename" | "help" };

/** What the keys do: the client carries it out. */
export interface KeyActions {
  /** Bytes typed for the session. */
  send(bytes: Uint8Array): void;
  run(command: PrefixCommand): void;
  /** The prefix key is now pending, or no longer: the bar says which. */
  pendingChanged(): void;
}

export class PrefixKeys {
  private prefixPending = false;

  constructor(
    private readonly keys: { detachKey: DetachKey | undefined; prefixKey: DetachKey | undefined },
    private readonly actions: KeyActions,
  ) {}

  /** The prefix key was pressed and the next key is a command. */
  get pending(): boolean {
    return this.prefixPending;
  }

  /** Forgets a pressed prefix key (the hub went away: the bar says that instead). */
  cancel(): void {
    this.prefixPending = false;
  }

  /** Reads keys typed while a session is shown. */
  read(chunk: Buffer): void {
    const { detachKey, prefixKey } = this.keys;
    if (this.prefixPending) {
      this.prefixPending = false;
      this.actions.pendingChanged();
      return this.command(chunk);
    }
    const detachAt = findDetachKey(chunk, detachKey);
    const prefixAt = findDetachKey(chunk, prefixKey);
    if (detachAt >= 0 && (prefixAt < 0 || detachAt <= prefixAt)) {
      this.actions.send(chunk.subarray(0, detachAt));
      return this.actions.run({ type: "detach" });
    }
    if (prefixAt < 0) return this.actions.send(chunk);
    this.actions.send(chunk.subarray(0, prefixAt));
    const rest = chunk.subarray(prefixAt + matchLength(chunk, prefixAt, prefixKey));
    if (rest.length > 0) return this.command(rest);
    this.prefixPending = true;
    this.actions.pendingChanged();
  }

  /** The keys after the prefix key. */
  private command(chunk: Buffer): void {
    const prefix = this.keys.prefixKey;
    if (prefix && matchLength(chunk, 0, prefix) > 0) return this.actions.send(chunk);
    if (chunk.toString("latin1").startsWith(PAGE_UP)) return this.actions.run({ type: "history" });
    const command = commandOf(chunk.toString("utf8").charAt(0));
    if (command) this.actions.run(command);
  }
}

function commandOf(key: string): PrefixCommand | undefined {
  switch (key) {
    case "d":
      return { type: "detach" };
    case "]":
      return { type: "step", by: 1 };
    case "[":
      return { type: "step", by: -1 };
    case "n":
      return { type: "new" };
    case "s":
      return { type: "picker" };
    case "h":
      return { type: "history" };
    case "w":
      return { type: "ask", mode: "close" };
    case "r":
      return { type: "ask", mode: "rename" };
    case "?":
      return { type: "ask", mode: "help" };
    default:
      return undefined;
  }
}

/** Length of the prefix key's sequence at `at` in `chunk` (0: none there). */
function matchLength(chunk: Uint8Array, at: number, key: DetachKey | undefined): number {
  for (const sequence of key?.sequences ?? []) {
    if (sequence.every((byte, i) => chunk[at + i] === byte)) return sequence.length;
  }
  return 0;
}
