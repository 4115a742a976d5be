import { describe, expect, it } from "vitest";
import { fuzzyFilter, fuzzyMatch } from "./fuzzy.js";

describe("fuzzy", () => {
  it("matches characters in order, case-insensitively", () => {
    expect(fuzzyMatch("bo", "Brisk-Otter")).not.toBeNull();
    expect(fuzzyMatch("ob", "brisk-otter")).toBeNull();
    expect(fuzzyMatch("", "anything")?.score).toBe(0);
  });

  it("ranks word starts and runs first, keeping order among equals", () => {
    const names = ["nobody", "brisk-otter", "beta", "alpha"];
    expect(fuzzyFilter(names, "bo", (n) => n)).toEqual(["brisk-otter", "nobody"]);
    expect(fuzzyFilter(names, "", (n) => n)).toEqual(names);
    expect(fuzzyFilter(names, "zz", (n) => n)).toEqual([]);
  });

  it("reports where the query matched, for highlighting", () => {
    expect(fuzzyMatch("bo", "brisk-otter")?.positions).toEqual([0, 6]);
  });
});
