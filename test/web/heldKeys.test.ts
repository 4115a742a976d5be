/**
 * Unit tests for the keys a page keeps while a session revives (no browser needed): kept in
 * order up to the bound; past it, dropped from the first text over it on, so what reaches the
 * revived session is what was typed, cut short, never with a hole.
 */
import { describe, expect, it } from "vitest";
import { INTERRUPT_FRESH_MS } from "../../src/core/staleInterrupt.js";
import { HeldKeys, MAX_HELD_CHARS } from "../../web/src/lib/held-keys.js";

/** When the keys of a test were typed (ms since the epoch). */
const T0 = 1_700_000_000_000;

/** What a release right after typing sends, in order. */
function released(held: HeldKeys): string[] {
  return held.release(T0).inputs.map((input) => input.data);
}

describe("HeldKeys", () => {
  it("keeps keys typed while a session revives, in order", () => {
    const held = new HeldKeys();
    expect(held.add("echo hi", T0)).toBe(true);
    expect(held.add("\r", T0)).toBe(true);
    expect(released(held)).toEqual(["echo hi", "\r"]);
    expect(held.full).toBe(false);
    expect(held.droppedChars).toBe(0);
  });

  it("keeps a paste's worth, and drops a text over the bound and everything after it", () => {
    const held = new HeldKeys(10);
    expect(held.add("12345", T0)).toBe(true);
    expect(held.add("67890", T0)).toBe(true);
    // One more character is over: dropped whole, and so are the keys after it, short or not.
    expect(held.add("x", T0)).toBe(false);
    expect(held.full).toBe(true);
    expect(held.add("", T0)).toBe(false);
    expect(released(held)).toEqual(["12345", "67890"]);
    expect(held.droppedChars).toBe(1);
  });

  it("drops a paste larger than the bound whole, keeping what came before it", () => {
    const held = new HeldKeys();
    expect(held.add("ls\r", T0)).toBe(true);
    expect(held.add("\x1b[200~".padEnd(MAX_HELD_CHARS, "a"), T0)).toBe(false);
    expect(held.add("\r", T0)).toBe(false);
    expect(released(held)).toEqual(["ls\r"]);
    expect(held.droppedChars).toBe(MAX_HELD_CHARS + 1);
  });

  it("drops a Ctrl-C held past a few seconds, with the keys typed after it, and says why", () => {
    const held = new HeldKeys();
    held.add("make && deploy\r", T0);
    held.add("\x03", T0 + 1_000);
    held.add("echo after\r", T0 + 2_000);
    const late = T0 + 1_000 + INTERRUPT_FRESH_MS + 2_000;
    const { inputs, notice } = held.release(late);
    expect(inputs).toEqual([{ data: "make && deploy\r", typedAt: T0 }]);
    expect(notice).toBe(
      "Ctrl-C typed 7 s ago, while the session was starting again, was dropped with the keys after it: what it was meant to stop may have ended; look at the screen and type again",
    );
  });

  it("sends every key, a Ctrl-Z among them, when the revive is answered within a few seconds", () => {
    const held = new HeldKeys();
    held.add("sleep 100\r", T0);
    held.add("\x1a", T0 + 500);
    expect(held.release(T0 + INTERRUPT_FRESH_MS)).toEqual({
      inputs: [
        { data: "sleep 100\r", typedAt: T0 },
        { data: "\x1a", typedAt: T0 + 500 },
      ],
    });
  });
});
