/**
 * `editor`: a file edited by several people at once (CodeMirror 6 bound to the session's Yjs
 * document), with the others' cursors and names, save (Ctrl+S), a three-way conflict view and
 * a history slider. It attaches from the hub's latest snapshot of the document (its Yjs state) and the
 * updates after it.
 */
import { defineKind } from "../kind.js";
import CreateFields from "./CreateFields.svelte";
import EditorPane from "./EditorPane.svelte";
import { EditorModel } from "./editor-session.svelte.js";
import Icon from "./Icon.svelte";

/** This page's name among the editors (shown at its cursor on the others' screens). */
const PAGE_NAME = `guest-${Math.floor(Math.random() * 900 + 100)}`;

export const editor = defineKind({
  name: "editor",
  label: "File editor",
  Icon,
  open: (info, io) => new EditorModel(info.id, io, localStorage.getItem("dispatch.editor.name") ?? PAGE_NAME),
  View: EditorPane,
  attach: "screen",
  create: CreateFields,
  revivable: true,
  searchable: false,
  foreground: false,
  keyBar: false,
});
