/**
 * Completion and documentation from the live kernel, in the workspace's CodeMirror editor.
 * Tab (after a name or a dot) and Ctrl+Space ask the kernel (`complete`, a Jupyter
 * complete_request); Shift+Tab shows what the kernel says of the name under the cursor (`doc`,
 * an inspect_request) in a tooltip, which Escape or the next edit closes. Nothing is asked
 * while typing: a kernel busy evaluating answers only after it, so only a key asks.
 */
import {
  acceptCompletion,
  autocompletion,
  type CompletionContext,
  type CompletionResult,
  completionStatus,
  startCompletion,
} from "@codemirror/autocomplete";
import { type EditorState, type Extension, StateEffect, StateField } from "@codemirror/state";
import { EditorView, keymap, showTooltip, type Tooltip } from "@codemirror/view";
import { stripAnsi } from "./ansi.js";
import type { CompleteResult, DocResult } from "./model.js";

export interface KernelAssistOptions {
  /** `complete {code, cursor}`; undefined when the kernel could not answer. */
  complete(code: string, cursor: number): Promise<CompleteResult | undefined>;
  /** `doc {code, cursor, detail}`. */
  doc(code: string, cursor: number): Promise<DocResult | undefined>;
}

/**
 * Jupyter counts the cursor in Unicode code points (protocol 5.2); CodeMirror in UTF-16 units.
 */
function toCodePoints(text: string, units: number): number {
  return [...text.slice(0, units)].length;
}

function toUnits(text: string, codePoints: number): number {
  let units = 0;
  let seen = 0;
  for (const char of text) {
    if (seen === codePoints) break;
    units += char.length;
    seen++;
  }
  return units;
}

function kernelCompletions(options: KernelAssistOptions) {
  return async (context: CompletionContext): Promise<CompletionResult | null> => {
    const code = context.state.doc.toString();
    const reply = await options.complete(code, toCodePoints(code, context.pos));
    if (!reply || reply.matches.length === 0 || context.aborted) return null;
    return {
      from: toUnits(code, reply.cursorStart),
      to: toUnits(code, reply.cursorEnd),
      options: reply.matches.map((label) => ({ label })),
      // Typing on narrows the list the kernel gave, without asking again.
      validFor: /^[\w$]*$/,
    };
  };
}

const setDoc = StateEffect.define<Tooltip | null>();

/** The documentation tooltip: shown by Shift+Tab, gone with the next edit or Escape. */
const docField = StateField.define<Tooltip | null>({
  create: () => null,
  update(tooltip, tr) {
    for (const effect of tr.effects) if (effect.is(setDoc)) return effect.value;
    return tr.docChanged || tr.selection ? null : tooltip;
  },
  provide: (field) => showTooltip.from(field),
});

function docTooltip(pos: number, text: string, found: boolean): Tooltip {
  return {
    pos,
    above: false,
    create: () => {
      const dom = document.createElement("div");
      dom.className = "cm-kernel-doc";
      dom.setAttribute("role", "note");
      dom.setAttribute("aria-label", "Documentation");
      dom.dataset.found = String(found);
      const pre = document.createElement("pre");
      pre.textContent = text;
      dom.append(pre);
      return { dom };
    },
  };
}

/** The word (a dotted name) the cursor is in or after, for the doc request. */
function wordEnd(state: EditorState): number {
  const pos = state.selection.main.head;
  const line = state.doc.lineAt(pos);
  const after = /^[\w$]*/.exec(line.text.slice(pos - line.from))?.[0] ?? "";
  return pos + after.length;
}

async function showDoc(view: EditorView, options: KernelAssistOptions): Promise<void> {
  const code = view.state.doc.toString();
  const pos = wordEnd(view.state);
  const reply = await options.doc(code, toCodePoints(code, pos));
  const text = reply?.found ? stripAnsi(reply.data["text/plain"] ?? "") : "";
  const tooltip = text.trim()
    ? docTooltip(pos, text, true)
    : docTooltip(pos, reply ? "The kernel knows nothing here." : "The kernel did not answer.", false);
  view.dispatch({ effects: setDoc.of(tooltip) });
}

/** Tab completes after a name or a dot (or takes the chosen completion), and indents elsewhere. */
function completeOrIndent(view: EditorView): boolean {
  if (completionStatus(view.state) !== null) {
    // A Tab right after the list opened (within CodeMirror's interaction delay) or while the
    // kernel is still answering is swallowed, never taken as indentation.
    acceptCompletion(view);
    return true;
  }
  const range = view.state.selection.main;
  if (!range.empty) return false;
  const before = view.state.sliceDoc(Math.max(0, range.head - 1), range.head);
  if (!/[\w$.]/.test(before)) return false;
  if (completionStatus(view.state) === null) startCompletion(view);
  return true;
}

const theme = EditorView.theme({
  ".cm-kernel-doc": {
    maxWidth: "42rem",
    maxHeight: "16rem",
    overflow: "auto",
    padding: "0.3rem 0.5rem",
    backgroundColor: "#161b22",
    border: "1px solid #30363d",
  },
  ".cm-kernel-doc pre": { margin: 0, fontFamily: "var(--mono)", fontSize: "0.8rem", whiteSpace: "pre-wrap" },
  ".cm-kernel-doc[data-found='false']": { color: "#8b949e" },
});

/** The extensions; put before the default keymap (Tab and Shift+Tab go to indentation there). */
export function kernelAssist(options: KernelAssistOptions): Extension {
  return [
    autocompletion({
      override: [kernelCompletions(options)],
      activateOnTyping: false,
      // The list opens only when asked for (no list pops up under a key meant for the text), so
      // the key that takes a completion needs no grace period after it opens.
      interactionDelay: 0,
    }),
    docField,
    theme,
    keymap.of([
      { key: "Tab", run: completeOrIndent },
      {
        key: "Shift-Tab",
        run: (view) => {
          void showDoc(view, options);
          return true;
        },
        preventDefault: true,
      },
      {
        key: "Escape",
        run: (view) => {
          if (view.state.field(docField) === null) return false;
          view.dispatch({ effects: setDoc.of(null) });
          return true;
        },
      },
    ]),
  ];
}
