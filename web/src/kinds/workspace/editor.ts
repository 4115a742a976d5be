/**
 * The workspace's code editor: CodeMirror 6 with the kernel language's highlighting and the
 * evaluation keys. Ctrl+Enter runs the selection or the current line ("do it"), Ctrl+P prints
 * its result ("print it"), Ctrl+I opens it in the inspector ("inspect it"); Mod is Cmd on a Mac.
 * Text changes are reported (debounced by the caller) so the hub keeps the buffer.
 */
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import {
  bracketMatching,
  defaultHighlightStyle,
  indentOnInput,
  type LanguageSupport,
  syntaxHighlighting,
} from "@codemirror/language";
import { Annotation, Compartment, EditorState, type Extension } from "@codemirror/state";
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { type KernelAssistOptions, kernelAssist } from "./kernelAssist.js";
import type { EvalMode } from "./model.js";

/** Marks the edits that came from the hub, so they are not sent back to it. */
const fromHub = Annotation.define<boolean>();

export interface EditorOptions {
  parent: HTMLElement;
  text: string;
  /** The kernel's language (`python`, ...): highlighting where the editor has it. */
  language: string | undefined;
  /** Ctrl+Enter / Ctrl+P / Ctrl+I with the code to evaluate. */
  evaluate(code: string, mode: EvalMode): void;
  /** The text changed by the person typing (not by `setText`). */
  changed(text: string): void;
  /** Completion (Tab, Ctrl+Space) and documentation (Shift+Tab) from the kernel. */
  assist: KernelAssistOptions;
  label: string;
  /** Starts read-only (`setReadOnly` changes it). */
  readOnly: boolean;
}

/** Highlighting per kernel language; other languages get plain text. */
function languageSupport(language: string | undefined): LanguageSupport | [] {
  return language?.toLowerCase().startsWith("python") ? python() : [];
}

/** Holds the language, which is known only once the kernel has said (its `kernel` event). */
const languageSlot = new Compartment();

/** Switches the highlighting to the kernel's language. */
export function setLanguage(view: EditorView, language: string | undefined): void {
  view.dispatch({ effects: languageSlot.reconfigure(languageSupport(language)) });
}

/** Holds whether this page may change the code: a viewer's editor reads, selects and copies only. */
const readOnlySlot = new Compartment();

/** Makes the editor read-only (a viewer: typing and running do nothing) or writable again. */
export function setReadOnly(view: EditorView, readOnly: boolean): void {
  view.dispatch({ effects: readOnlySlot.reconfigure(EditorState.readOnly.of(readOnly)) });
}

/** The selection, or the line the cursor is on when nothing is selected. */
export function codeToEvaluate(state: EditorState): string {
  const range = state.selection.main;
  if (!range.empty) return state.sliceDoc(range.from, range.to);
  return state.doc.lineAt(range.head).text;
}

const theme = EditorView.theme(
  {
    "&": { height: "100%", fontSize: "0.9rem", backgroundColor: "#0d1117", color: "#e6edf3" },
    ".cm-content": { fontFamily: "var(--mono)", caretColor: "#e6edf3" },
    ".cm-gutters": { backgroundColor: "#0d1117", color: "#6e7681", border: "none" },
    ".cm-activeLine": { backgroundColor: "#161b2266" },
    ".cm-activeLineGutter": { backgroundColor: "#161b22" },
    "&.cm-focused .cm-cursor": { borderLeftColor: "#e6edf3" },
    "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection": {
      backgroundColor: "#264f78 !important",
    },
    ".cm-scroller": { overflow: "auto" },
  },
  { dark: true },
);

export function createEditor(options: EditorOptions): EditorView {
  const run = (mode: EvalMode) => (view: EditorView) => {
    const code = codeToEvaluate(view.state);
    // A viewer's keys run nothing (the hub would refuse it); the pane says why.
    if (code.trim() !== "" && !view.state.readOnly) options.evaluate(code, mode);
    return true;
  };
  const extensions: Extension[] = [
    lineNumbers(),
    highlightActiveLineGutter(),
    history(),
    drawSelection(),
    indentOnInput(),
    bracketMatching(),
    highlightActiveLine(),
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    // Before the default keymap, so Mod-Enter (insert blank line) and Mod-i (select parent
    // syntax) give way to the evaluation keys.
    keymap.of([
      { key: "Mod-Enter", run: run("do"), preventDefault: true },
      { key: "Mod-p", run: run("print"), preventDefault: true },
      { key: "Mod-i", run: run("inspect"), preventDefault: true },
    ]),
    kernelAssist(options.assist),
    keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
    theme,
    EditorView.contentAttributes.of({ "aria-label": options.label }),
    EditorView.updateListener.of((update) => {
      if (update.docChanged && !update.transactions.some((tr) => tr.annotation(fromHub)))
        options.changed(update.state.doc.toString());
    }),
    languageSlot.of(languageSupport(options.language)),
    readOnlySlot.of(EditorState.readOnly.of(options.readOnly)),
  ];
  return new EditorView({
    parent: options.parent,
    state: EditorState.create({ doc: options.text, extensions }),
  });
}

/** Replaces the editor's text with the hub's (another client's edit), keeping the cursor in range. */
export function setText(view: EditorView, text: string): void {
  const current = view.state.doc.toString();
  if (current === text) return;
  const head = Math.min(view.state.selection.main.head, text.length);
  view.dispatch({
    changes: { from: 0, to: current.length, insert: text },
    selection: { anchor: head },
    annotations: fromHub.of(true),
  });
}
