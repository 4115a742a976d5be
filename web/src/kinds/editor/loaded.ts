/**
 * The editor's code-split part (`index.ts` loads it when the first editor session opens): its
 * model on Yjs and its view on CodeMirror.
 */
import type { LoadedKind } from "../deferred.js";
import EditorPane from "./EditorPane.svelte";
import { EditorModel } from "./editor-session.svelte.js";

/** This page's name among the editors (shown at its cursor on the others' screens). */
const PAGE_NAME = `guest-${Math.floor(Math.random() * 900 + 100)}`;

export const editorParts: LoadedKind<EditorModel> = {
  open: (info, io) => new EditorModel(info.id, io, localStorage.getItem("dispatch.editor.name") ?? PAGE_NAME),
  View: EditorPane,
};
