/**
 * What a revive does with the buffer it rebuilt from the log, case by case: the file as the
 * log left it, changed meanwhile, or only missing characters an older host's load lost.
 */
import { describe, expect, it } from "vitest";
import { type DiskText, hashText } from "./fileContent.js";
import { reviveOutcome } from "./reviveOutcome.js";

/** The file holding `text` now, as read at open. */
function file(text: string, bom = false): DiskText {
  return { text, hash: hashText(bom ? `\ufeff${text}` : text), bom };
}

describe("reviveOutcome", () => {
  it("keeps a buffer that is the file", () => {
    expect(reviveOutcome("a", "a", file("a"), hashText("a"))).toEqual({ action: "keep", reason: "revived" });
  });

  it("loads the file when the buffer was saved as the log last saw it and the file changed since", () => {
    expect(reviveOutcome("old", "new", file("new"), hashText("old")).action).toBe("load");
    // The file as last saved had a byte order mark: the buffer is still what was saved.
    expect(reviveOutcome("old", "new", file("new"), hashText("\ufeffold")).action).toBe("load");
  });

  it("takes back only the characters the log lost, writing nothing", () => {
    const whole = "a😀b";
    const outcome = reviveOutcome("a\ufffd\ufffdb", whole, file(whole), hashText(whole));
    expect(outcome).toMatchObject({ action: "restore", ranges: [{ from: 1, to: 3 }] });
  });

  it("saves edits made on the file as it still is", () => {
    expect(reviveOutcome("edited", "base", file("base"), hashText("base"))).toEqual({ action: "save" });
    // A log from before hashes were kept: the edits are saved too.
    expect(reviveOutcome("edited", "base", file("base"), undefined)).toEqual({ action: "save" });
  });

  it("makes edits on a file that moved meanwhile a conflict, which the file back as it was ends", () => {
    const outcome = reviveOutcome("edited", "moved", file("moved"), hashText("base"));
    expect(outcome).toEqual({
      action: "conflict",
      base: hashText("base"),
      reason: "revived; the file changed on disk meanwhile",
    });
  });

  it("never saves edits made over lost characters unasked: a conflict only a resolve ends", () => {
    const whole = "a😀b";
    const outcome = reviveOutcome("a\ufffd\ufffdb!", whole, file(whole), hashText(whole));
    expect(outcome).toMatchObject({ action: "conflict", base: undefined });
  });
});
