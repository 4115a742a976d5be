/**
 * Unit tests for the keys a page keeps while a session revives (no browser needed): kept in
 * order up to the bound; past it, dropped from the first text over it on, so what reaches the
 * revived session is what was typed, cut short, never with a hole.
 */
import { describe, expect, it } from "vitest";
import { HeldKeys, MAX_HELD_CHARS } from "../../web/src/lib/held-keys.js";

describe("HeldKeys", () => {
  it("keeps keys typed while a session revives, in order", () => {
    const held = new HeldKeys();
    expect(held.add("echo hi")).toBe(true);
    expect(held.add("\r")).toBe(true);
    expect(held.texts).toEqual(["echo hi", "\r"]);
    expect(held.full).toBe(false);
    expect(held.droppedChars).toBe(0);
  });

  it("keeps a paste's worth, and drops a text over the bound and everything after it", () => {
    const held = new HeldKeys(10);
    expect(held.add("12345")).toBe(true);
    expect(held.add("67890")).toBe(true);
    // One more character is over: dropped whole, and so are the keys after it, short or not.
    expect(held.add("x")).toBe(false);
    expect(held.full).toBe(true);
    expect(held.add("")).toBe(false);
    expect(held.texts).toEqual(["12345", "67890"]);
    expect(held.droppedChars).toBe(1);
  });

  it("drops a paste larger than the bound whole, keeping what came before it", () => {
    const held = new HeldKeys();
    expect(held.add("ls\r")).toBe(true);
    expect(held.add("\x1b[200~".padEnd(MAX_HELD_CHARS, "a"))).toBe(false);
    expect(held.add("\r")).toBe(false);
    expect(held.texts).toEqual(["ls\r"]);
    expect(held.droppedChars).toBe(MAX_HELD_CHARS + 1);
  });
});
