/**
 * An `edits` request is refused whole, saying why, before anything changes: backwards or
 * overlapping edits, half a character inserted, an edit past the end or inside a pair.
 */
import { describe, expect, it } from "vitest";
import { orderedEdits, refuseOutside } from "./editChecks.js";

const edit = (from: number, to: number, insert = "") => ({ from, to, insert });

describe("orderedEdits", () => {
  it("puts edits sent in any order in ascending order, touching ones included", () => {
    expect(orderedEdits([edit(4, 5, "x"), edit(0, 2), edit(2, 4)])).toEqual([
      edit(0, 2),
      edit(2, 4),
      edit(4, 5, "x"),
    ]);
  });

  it("refuses an edit that runs backwards", () => {
    expect(() => orderedEdits([edit(3, 1)])).toThrow("edit 3-1: 'from' is after 'to'");
  });

  it("refuses overlapping edits, whatever order they came in", () => {
    expect(() => orderedEdits([edit(3, 6), edit(0, 4)])).toThrow("edits overlap at 3; nothing was changed");
  });

  it("refuses an insert holding half a character", () => {
    expect(() => orderedEdits([edit(0, 0, "a\ud83d")])).toThrow(/lone UTF-16 surrogate at 1 of it/);
  });
});

describe("refuseOutside", () => {
  it("passes edits within the text on whole characters", () => {
    expect(() => refuseOutside("a😀b", [edit(0, 1), edit(3, 4)], [edit(0, 1), edit(3, 4)])).not.toThrow();
  });

  it("refuses an edit past the end of the text", () => {
    expect(() => refuseOutside("abc", [edit(1, 4)], [edit(1, 4)])).toThrow(
      "edit 1-4 is past the end of the text (3 characters); nothing was changed",
    );
  });

  it("refuses a position inside a pair, naming the positions as sent", () => {
    // Rebased from 5-5 to 2-2, inside the pair at 1-3: the message speaks of what was sent.
    expect(() => refuseOutside("a😀b", [edit(2, 2)], [edit(5, 5)])).toThrow(
      /edit 5-5: position 5 splits the character .*use 4 \(before it\) or 6 \(after it\)/,
    );
  });
});
