import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import type { SessionEvent } from "../../protocol/events.js";
import { applyChecked, docFromEvents, replaceText, textOf, toBase64 } from "./yjsText.js";

describe("the editor's Yjs text", () => {
  it("replaces a text with the smallest middle change, which merges with a concurrent edit", () => {
    const a = new Y.Doc();
    textOf(a).insert(0, "hello brave world");
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    replaceText(a, "hello new world", "disk");
    textOf(b).insert(0, ">> ");
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    expect(textOf(a).toString()).toBe(">> hello new world");
    expect(textOf(b).toString()).toBe(textOf(a).toString());
  });

  it("refuses an update that does not decode, leaving the document as it was", () => {
    const doc = new Y.Doc();
    textOf(doc).insert(0, "intact");
    expect(() => applyChecked(doc, new Uint8Array([5, 200, 1, 1, 1]), "x")).toThrow();
    expect(textOf(doc).toString()).toBe("intact");
  });

  it("rebuilds the text at any seq from update events", () => {
    const doc = new Y.Doc();
    const events: SessionEvent[] = [];
    doc.on("update", (update: Uint8Array) => {
      events.push({
        session: "s",
        seq: events.length + 1,
        ts: 0,
        type: "update",
        data: { update: toBase64(update), client: "t" },
      });
    });
    textOf(doc).insert(0, "one");
    textOf(doc).insert(3, " two");
    textOf(doc).delete(0, 4);
    expect(textOf(docFromEvents(events, 1)).toString()).toBe("one");
    expect(textOf(docFromEvents(events, 2)).toString()).toBe("one two");
    expect(textOf(docFromEvents(events)).toString()).toBe("two");
  });
});
