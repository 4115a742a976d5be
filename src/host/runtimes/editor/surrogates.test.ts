/**
 * The host never cuts a surrogate pair: load chunks, reload changes and edit positions, checked
 * against what Yjs really stores (an update applied to a fresh document, as the log is read).
 */
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { textOf } from "../../../kinds/editor/yjsText.js";
import { chunkEnd, loneHalfAt, lostHalves, middleChange, splitsPair } from "./surrogates.js";

/** The text a fresh document holds after the updates of `change` on a document holding `start`. */
function throughTheLog(start: string, change: (text: Y.Text) => void): string {
  const live = new Y.Doc();
  const updates: Uint8Array[] = [];
  live.on("update", (update: Uint8Array) => updates.push(update));
  live.transact(() => textOf(live).insert(0, start));
  change(textOf(live));
  const logged = new Y.Doc();
  for (const update of updates) Y.applyUpdate(logged, update);
  return textOf(logged).toString();
}

describe("surrogate pairs", () => {
  it("ends a chunk before a pair rather than inside it", () => {
    const text = "ab😀cd";
    expect(splitsPair(text, 3)).toBe(true);
    expect(chunkEnd(text, 0, 3)).toBe(2);
    expect(chunkEnd(text, 0, 4)).toBe(4);
    expect(chunkEnd(text, 2, 1)).toBe(3);
    const chunks: string[] = [];
    for (let at = 0; at < text.length; ) {
      const end = chunkEnd(text, at, 3);
      chunks.push(text.slice(at, end));
      at = end;
    }
    expect(chunks).toEqual(["ab", "😀c", "d"]);
    const loaded = throughTheLog("", (t) => {
      let at = 0;
      for (const chunk of chunks) {
        t.insert(at, chunk);
        at += chunk.length;
      }
    });
    expect(loaded).toBe(text);
  });

  it("widens a reload's smallest change to whole characters", () => {
    for (const [current, next] of [
      ["x😀y", "x😁y"],
      ["😀", "😁"],
      ["a😀😀b", "a😀😁b"],
      ["a😀b", "a🙂😀b"],
      ["🙂😀", "😀"],
    ] as const) {
      const { start, end } = middleChange(current, next);
      const replaced = throughTheLog(current, (t) => {
        t.delete(start, current.length - end - start);
        t.insert(start, next.slice(start, next.length - end));
      });
      expect(replaced, `${current} -> ${next}`).toBe(next);
    }
  });

  it("finds lone halves, and tells lost halves from edits", () => {
    expect(loneHalfAt("ok😀")).toBe(-1);
    expect(loneHalfAt("ok\ud83d")).toBe(2);
    expect(loneHalfAt("\ude00ok")).toBe(0);
    expect(lostHalves("ab\uFFFD\uFFFDcd", "ab😀cd")).toEqual([{ from: 2, to: 4 }]);
    expect(lostHalves("\uFFFD\uFFFD\uFFFD\uFFFD!", "😀😎!")).toEqual([{ from: 0, to: 4 }]);
    expect(lostHalves("ab\uFFFD\uFFFDcd", "abXYcd")).toBeUndefined();
    expect(lostHalves("ab\uFFFD\uFFFDce", "ab😀cd")).toBeUndefined();
    expect(lostHalves("ab\uFFFD\uFFFDcd!", "ab😀cd")).toBeUndefined();
  });
});
