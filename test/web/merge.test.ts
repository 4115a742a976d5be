/** The editor's three-way merge (web/src/kinds/editor/threeWayMerge.ts): pure, no browser. */
import { describe, expect, it } from "vitest";
import { countMarkers, mergeThree } from "../../web/src/kinds/editor/threeWayMerge.js";

describe("three-way merge", () => {
  it("takes each side's changes to different lines", () => {
    const base = "one\ntwo\nthree\nfour\n";
    const disk = "ONE\ntwo\nthree\nfour\n";
    const mine = "one\ntwo\nthree\nfour!\nfive\n";
    expect(mergeThree(base, disk, mine)).toEqual({ text: "ONE\ntwo\nthree\nfour!\nfive\n", conflicts: 0 });
  });

  it("takes the same change made on both sides once", () => {
    const merged = mergeThree("a\nb\nc\n", "a\nB\nc\n", "a\nB\nc\nd\n");
    expect(merged).toEqual({ text: "a\nB\nc\nd\n", conflicts: 0 });
  });

  it("leaves different changes to the same lines between markers", () => {
    const merged = mergeThree("a\nb\nc\n", "a\ndisk\nc\n", "a\nmine\nc\n");
    expect(merged.conflicts).toBe(1);
    expect(merged.text).toBe("a\n<<<<<<< on disk\ndisk\n=======\nmine\n>>>>>>> your buffer\nc\n");
    // A last line without a newline still ends its section on a line of its own.
    const unended = mergeThree("x", "disk", "mine");
    expect(unended.text).toBe("<<<<<<< on disk\ndisk\n=======\nmine\n>>>>>>> your buffer\n");
    expect(countMarkers(merged.text)).toBe(1);
  });

  it("keeps lines that only one side deleted deleted, and unchanged text as it was", () => {
    expect(mergeThree("x\ny\nz\n", "x\nz\n", "x\ny\nz\n").text).toBe("x\nz\n");
    expect(mergeThree("same\n", "same\n", "same\n")).toEqual({ text: "same\n", conflicts: 0 });
    expect(mergeThree("", "", "new\n")).toEqual({ text: "new\n", conflicts: 0 });
  });

  it("handles many distinct lines", () => {
    const base = Array.from({ length: 70_000 }, (_, i) => `line ${i}\n`).join("");
    const disk = base.replace("line 5\n", "line five\n");
    const mine = `${base}tail\n`;
    const merged = mergeThree(base, disk, mine);
    expect(merged.conflicts).toBe(0);
    expect(merged.text).toBe(`${disk}tail\n`);
  });
});
