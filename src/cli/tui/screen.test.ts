import { describe, expect, it } from "vitest";
import { helpScreen, prefixHelp } from "../attached/prefixHelp.js";
import { ruleWithTitle, wrapWidth } from "./screen.js";

describe("wrapWidth", () => {
  it("breaks at spaces so every row fits, and keeps every word", () => {
    const text = 'Change the keys in the config file: [keys] prefix = "ctrl-a" (see `dispatch help config`).';
    const rows = wrapWidth(text, 40);
    for (const row of rows) expect([...row].length).toBeLessThanOrEqual(40);
    expect(rows.join(" ")).toBe(text);
  });

  it("cuts a word longer than the width, and leaves short text alone", () => {
    expect(wrapWidth("abcdefghij", 4)).toEqual(["abcd", "efgh", "ij"]);
    expect(wrapWidth("short", 80)).toEqual(["short"]);
  });

  it("keeps the attached help whole on an 80-column terminal", () => {
    const help = prefixHelp("Ctrl-]", "Ctrl-\\\\");
    const rows = help.flatMap((line) => wrapWidth(line, 80));
    for (const row of rows) expect([...row].length).toBeLessThanOrEqual(80);
    expect(rows.join(" ")).toContain("(see `dispatch help config`).");
  });
});

describe("ruleWithTitle", () => {
  it("fills the row with the rule, ending in a rule rather than an ellipsis", () => {
    expect(ruleWithTitle("build", 16)).toBe("── build ───────");
    expect(ruleWithTitle("a-very-long-session-name", 12)).toBe("── a-very-l…");
  });
});

describe("the attached help on a small terminal", () => {
  it("fits 80x12 without scrolling, and says what is cut and where it all is", () => {
    const rows = helpScreen(prefixHelp("Ctrl-]", "Ctrl-\\\\"), { cols: 80, rows: 12 });
    expect(rows.length).toBeLessThanOrEqual(12);
    for (const row of rows) expect([...row].length).toBeLessThanOrEqual(80);
    expect(rows[0]).toContain("Attached to a session");
    expect(rows.join("\n")).toContain("  d      detach");
    expect(rows.at(-1)).toMatch(/^press any key \(\d+ more lines: dispatch help keys\)$/);
  });

  it("keeps it whole, blank lines and all, where it fits", () => {
    const help = prefixHelp("Ctrl-]", "Ctrl-\\\\");
    const rows = helpScreen(help, { cols: 120, rows: 40 });
    expect(rows).toEqual([...help, "", "press any key"]);
  });
});
