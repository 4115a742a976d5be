import { describe, expect, it } from "vitest";
import type { RawTerminal } from "../RawTerminal.js";
import { CLEAR_SCREEN } from "../tui/screen.js";
import { Prompts } from "./Prompts.js";

/** The rows `?` leaves on a terminal of `size`: what follows the last screen clear. */
function helpRows(size: { cols: number; rows: number }): string[] {
  let written = "";
  const terminal = { size: () => size, write: (text: string) => (written += text) } as unknown as RawTerminal;
  const keys = { prefixKey: { label: "Ctrl-]" }, detachKey: { label: "Ctrl-\\" } };
  const actions = { close() {}, rename() {}, back() {}, redrawBar() {} };
  const prompts = new Prompts({ terminal, keys: keys as never, actions });
  prompts.ask("help");
  return written.slice(written.lastIndexOf(CLEAR_SCREEN) + CLEAR_SCREEN.length).split("\r\n");
}

describe("Prompts: the ? help", () => {
  it("fits an 80x12 terminal (more rows would scroll its top away) and says the rest is cut", () => {
    const rows = helpRows({ cols: 80, rows: 12 });
    expect(rows.length).toBeLessThanOrEqual(12);
    expect(rows[0]).toContain("Attached to a session");
    expect(rows.at(-1)).toContain("dispatch help keys");
  });
});
