import { describe, expect, it } from "vitest";
import { prefixHelp } from "../attached/prefixHelp.js";
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
