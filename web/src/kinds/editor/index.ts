/**
 * `editor`: a file edited by several people at once (CodeMirror 6 bound to the session's Yjs
 * document), with the others' cursors and names, save (Ctrl+S), a three-way conflict view and
 * a history slider. It attaches from the hub's latest snapshot of the document (its Yjs state) and the
 * updates after it. CodeMirror and Yjs come in their own chunk (`loaded.ts`), fetched when the
 * first editor session opens.
 */
import { deferredKind, type LoadedKind } from "../deferred.js";
import CreateFields from "./CreateFields.svelte";
import Icon from "./Icon.svelte";

export const editor = deferredKind(
  {
    name: "editor",
    label: "File editor",
    Icon,
    attach: "screen",
    create: CreateFields,
    unnamed: "the file's name if empty, e.g. readme-md",
    revivable: true,
    searchable: false,
    foreground: false,
    keyBar: false,
  },
  () => import("./loaded.js").then((mod) => mod.editorParts as unknown as LoadedKind),
);
