/**
 * CRLF files in the shared editor. The hub's Yjs text keeps every `\r`, and y-codemirror maps
 * CodeMirror positions to Yjs positions one to one; CodeMirror by default splits lines on `\r\n`
 * and counts it as one character, so each earlier CRLF line would shift a web edit by one. Here
 * CodeMirror splits on `\n` only and keeps `\r` as a character (the lengths agree), while the
 * person sees and edits lines as usual: a `\r` before a line break is not drawn, the cursor
 * never rests between `\r` and `\n`, a typed or pasted line break in a CRLF file is `\r\n`, and
 * deleting either half of a `\r\n` deletes both.
 */
import {
  type ChangeSpec,
  EditorSelection,
  EditorState,
  type Extension,
  type Text,
  Transaction,
} from "@codemirror/state";
import {
  Decoration,
  type DecorationSet,
  type EditorView,
  ViewPlugin,
  type ViewUpdate,
} from "@codemirror/view";

/** Whether `pos` sits between the two characters of a `\r\n`. */
function insidePair(doc: Text, pos: number): boolean {
  return pos > 0 && pos < doc.length && doc.sliceString(pos - 1, pos + 1) === "\r\n";
}

/** A file is taken as CRLF when its first line break is one. */
function usesCrlf(doc: Text): boolean {
  return doc.lines > 1 && doc.line(1).text.endsWith("\r");
}

const hidden = Decoration.replace({});

function hiddenReturns(view: EditorView): DecorationSet {
  const ranges = [];
  for (const { from, to } of view.visibleRanges) {
    for (let pos = from; pos <= to; ) {
      const line = view.state.doc.lineAt(pos);
      if (line.number < view.state.doc.lines && line.text.endsWith("\r"))
        ranges.push(hidden.range(line.to - 1, line.to));
      pos = line.to + 1;
    }
  }
  return Decoration.set(ranges);
}

const hideReturns = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = hiddenReturns(view);
    }
    update(update: ViewUpdate) {
      if (update.docChanged || update.viewportChanged) this.decorations = hiddenReturns(update.view);
    }
  },
  { decorations: (plugin) => plugin.decorations },
);

/**
 * A person's edit keeps `\r\n` pairs whole: a line break typed or pasted into a CRLF file gets
 * its `\r`, and a deletion that takes one half of a pair takes the other. Remote edits (from
 * the hub) are left exactly as they came.
 */
const keepPairs = EditorState.transactionFilter.of((tr) => {
  if (!tr.docChanged || !tr.annotation(Transaction.userEvent)) return tr;
  const start = tr.startState.doc;
  const doc = tr.newDoc;
  const crlf = usesCrlf(start);
  const fixes: ChangeSpec[] = [];
  tr.changes.iterChanges((fromA, toA, fromB, toB, inserted) => {
    const text = inserted.toString();
    // A pure deletion that takes half a pair takes the other half; a replacement that took
    // half (Enter swallows the whitespace after the cursor, `\r` included) gives it back.
    let restoredBreak = false;
    if (toA > fromA && insidePair(start, fromA)) {
      if (text === "") fixes.push({ from: fromB - 1, to: fromB });
      else {
        fixes.push({ from: fromB, insert: "\n" });
        restoredBreak = true;
      }
    }
    if (toA > fromA && insidePair(start, toA)) {
      if (text === "") fixes.push({ from: toB, to: toB + 1 });
      else fixes.push({ from: toB, insert: "\r" });
    }
    if (!crlf) return;
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) {
      const previous = i > 0 ? text[i - 1] : restoredBreak ? "\n" : doc.sliceString(fromB - 1, fromB);
      if (previous !== "\r") fixes.push({ from: fromB + i, insert: "\r" });
    }
  });
  return fixes.length === 0 ? tr : [tr, { changes: fixes, sequential: true }];
});

/** Moves a cursor that landed between `\r` and `\n`: forward past the break if it was moving right from before the `\r`, else back before it. */
const keepCursorOffPairs = EditorState.transactionFilter.of((tr) => {
  if (!tr.selection && !tr.docChanged) return tr;
  const doc = tr.newDoc;
  const before = tr.startState.selection;
  const fix = (pos: number, was: number | undefined) =>
    insidePair(doc, pos) ? (!tr.docChanged && was === pos - 1 ? pos + 1 : pos - 1) : pos;
  const selection = tr.newSelection;
  let moved = false;
  const ranges = selection.ranges.map((range, i) => {
    const old = before.ranges[i];
    const anchor = fix(range.anchor, old?.anchor);
    const head = fix(range.head, old?.head);
    if (anchor === range.anchor && head === range.head) return range;
    moved = true;
    return EditorSelection.range(anchor, head);
  });
  if (!moved) return tr;
  return [tr, { selection: EditorSelection.create(ranges, selection.mainIndex), sequential: true }];
});

export function crlfLines(): Extension {
  return [EditorState.lineSeparator.of("\n"), hideReturns, keepPairs, keepCursorOffPairs];
}
