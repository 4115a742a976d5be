/**
 * The keys of attached mode: what is typed goes to the session, except the detach key, which
 * leaves at once, and the prefix key, after which the next key is a command (`prefixHelp.ts`
 * lists them; the prefix key again sends it to the session).
 *
 * One chunk of input may hold a command and keys after it (a paste, fast typing): the keys
 * after the command are handed back, for whatever has the keys once it ran (the session, a
 * prompt, the picker), so none is lost, the detach key included.
 */
import { type DetachKey, findDetachKey } from "../detachKey.js";
import { escapeSequenceAt } from "../tui/keys.js";

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

  /**
   * Reads keys typed while a session is shown, up to the first command among them (the detach
   * key, or the prefix key and the key after it). Returns the keys typed after that command,
   * for whatever has the keys once it ran; undefined when there are none.
   */
  read(chunk: Buffer): Buffer | undefined {
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
      this.actions.run({ type: "detach" });
      // Nothing after it: the client is leaving.
      return undefined;
    }
    if (prefixAt < 0) {
      this.actions.send(chunk);
      return undefined;
    }
    this.actions.send(chunk.subarray(0, prefixAt));
    const rest = chunk.subarray(prefixAt + matchLength(chunk, prefixAt, prefixKey));
    if (rest.length > 0) return this.command(rest);
    this.prefixPending = true;
    this.actions.pendingChanged();
    return undefined;
  }

  /** The keys after the prefix key: the first is the command; returns the rest, if any. */
  private command(chunk: Buffer): Buffer | undefined {
    const prefix = this.keys.prefixKey;
    const prefixLength = prefix ? matchLength(chunk, 0, prefix) : 0;
    if (prefixLength > 0) {
      this.actions.send(chunk.subarray(0, prefixLength));
      return restAfter(chunk, prefixLength);
    }
    const length = keyLength(chunk);
    const key = chunk.subarray(0, length).toString("utf8");
    const command = key === PAGE_UP ? ({ type: "history" } as const) : commandOf(key);
    if (command) this.actions.run(command);
    return restAfter(chunk, length);
  }
}

function restAfter(chunk: Buffer, length: number): Buffer | undefined {
  return chunk.length > length ? chunk.subarray(length) : undefined;
}

/**
 * Bytes of the key `chunk` starts with: an escape sequence (an arrow, PageUp) whole, so an
 * unknown one after the prefix is dropped rather than half sent to the session; else one
 * UTF-8 character.
 */
function keyLength(chunk: Buffer): number {
  // latin1: one character per byte, so the sequence's length is its length in bytes.
  const sequence = escapeSequenceAt(chunk.toString("latin1"), 0);
  if (sequence) return sequence.length;
  const lead = chunk[0] ?? 0;
  const expected = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  // Only continuation bytes (10xxxxxx) belong to it: a broken character takes no key after it.
  let length = 1;
  while (length < expected && ((chunk[length] ?? 0) & 0xc0) === 0x80) length++;
  return length;
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
