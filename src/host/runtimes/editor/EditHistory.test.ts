import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { EditHistory, type PlainEdit } from "./EditHistory.js";

/** A host document whose every update gets the next seq, as the runtime's log gives it. */
function hostDoc(initial: string, limit?: number) {
  const doc = new Y.Doc();
  const text = doc.getText("text");
  let seq = 0;
  const history = new EditHistory(text, 0, limit);
  doc.on("update", (_u: Uint8Array, _o: unknown, _d: Y.Doc, tr: Y.Transaction) => history.record(++seq, tr));
  text.insert(0, initial);
  const apply = (edits: PlainEdit[]) =>
    doc.transact(() => {
      for (const e of [...edits].reverse()) {
        text.delete(e.from, e.to - e.from);
        text.insert(e.from, e.insert);
      }
    });
  return { doc, text, history, seq: () => seq, apply };
}

describe("EditHistory", () => {
  it("moves an edit made at an older seq over text inserted before it since", () => {
    const host = hostDoc("hello world");
    const base = host.seq();
    host.text.insert(0, ">> ");
    host.text.insert(host.text.length, "!");
    const [edit] = host.history.rebase([{ from: 6, to: 11, insert: "there" }], base);
    host.apply([edit as PlainEdit]);
    expect(host.text.toString()).toBe(">> hello there!");
  });

  it("keeps an insertion where it was meant when the text around it was deleted", () => {
    const host = hostDoc("abc def ghi");
    const base = host.seq();
    host.text.delete(0, 4); // "def ghi"
    const rebased = host.history.rebase([{ from: 8, to: 8, insert: "X" }], base);
    host.apply(rebased);
    expect(host.text.toString()).toBe("def Xghi");
  });

  it("refuses to replace text someone else changed meanwhile, and says what to do", () => {
    const host = hostDoc("one two three");
    const base = host.seq();
    host.text.delete(4, 3);
    host.text.insert(4, "TWO");
    expect(() => host.history.rebase([{ from: 4, to: 7, insert: "2" }], base)).toThrow(
      /changed|deleted|inserted.*since seq \d+; read the text again/,
    );
    const inside = hostDoc("one two three");
    const b = inside.seq();
    inside.text.insert(5, "w");
    expect(() => inside.history.rebase([{ from: 4, to: 7, insert: "2" }], b)).toThrow(/inserted into/);
  });

  it("refuses a base older than the history it keeps", () => {
    const host = hostDoc("x", 3);
    for (let i = 0; i < 5; i++) host.text.insert(0, "y");
    expect(() => host.history.rebase([{ from: 0, to: 0, insert: "z" }], 1)).toThrow(/older than the history/);
  });

  it("maps random insertions as Yjs relative positions taken at the base would", () => {
    for (let round = 0; round < 12; round++) {
      const host = hostDoc("0123456789".repeat(5));
      for (let i = 0; i < 20; i++) {
        const base = host.seq();
        const pos = (i * 13 + round * 3) % host.text.length;
        // The oracle: a relative position taken while the text is the base text.
        const anchor = Y.createRelativePositionFromTypeIndex(host.text, pos);
        // Others type and delete meanwhile (away from the anchor's own character).
        for (let k = 0; k < 3; k++) {
          const at = (i * 7 + round + k * 11) % (host.text.length + 1);
          if (k === 2 && host.text.length > 2 && at !== pos && at + 1 !== pos)
            host.text.delete(Math.max(0, at - 1), 1);
          else host.text.insert(at, "~");
        }
        const expected = Y.createAbsolutePositionFromRelativePosition(anchor, host.doc)?.index;
        const [edit] = host.history.rebase([{ from: pos, to: pos, insert: `<${i}>` }], base);
        expect(edit?.from).toBe(expected);
        host.apply([edit as PlainEdit]);
        expect(host.text.toString().slice(edit?.from, (edit?.from ?? 0) + `<${i}>`.length)).toBe(`<${i}>`);
      }
    }
  });
});
