/**
 * `editor`: one file of a host, edited by several people (and scripts, and agents) at once
 * through a CRDT (Yjs). The host runtime (`host/runtimes/editor.ts`) owns the document and the
 * file: it checks the path against the host's allowed roots, applies each client's update and
 * writes it to the log as an `update` event, watches the file, saves atomically and refuses to
 * save over a change made on disk (a conflict) until it is resolved.
 *
 * The hub half: the options, the events (`update`, `presence`, `file`), the record's file state
 * folded from `file` events, the verbs, and revive (the document rebuilt from the log, saved
 * when the disk has not moved since). What needs Yjs (`documents.ts`) is loaded on first use.
 */

import { posix } from "node:path";
import { z } from "zod";
import { DispatchError } from "../../core/errors.js";
import { lazyModule } from "../../core/lazyModule.js";
import { isLiveStatus } from "../../core/liveness.js";
import { nameFrom } from "../../core/names.js";
import { parseOrBadRequest } from "../../protocol/parse.js";
import { command, type SessionKind } from "../kind.js";
import {
  AtArgs,
  EditorInput,
  EditorOptions,
  EditsArgs,
  FileData,
  FileStatus,
  PresenceData,
  ResolveArgs,
  UpdateArgs,
  UpdateData,
} from "./events.js";

const documents = lazyModule("the editor kind's documents (Yjs)", () => import("./documents.js"));

export const EDITOR_KIND = "editor";

const NoArgs = z.object({}).optional();
/** A file's state beside its path in lists, when it is not as on disk. */
const FILE_STATUS_WORDS: Readonly<Record<Exclude<FileStatus, "clean">, string>> = {
  dirty: "unsaved",
  conflict: "conflict: changed on disk too",
  deleted: "deleted on disk",
};
/** Typing makes an event per keystroke or two: a snapshot every few hundred keeps attach short. */
const SNAPSHOT_EVERY_EVENTS = 500;

export const editorKind: SessionKind = {
  name: EDITOR_KIND,
  label: "file editor",
  prepare({ options, cwd }) {
    const parsed = parseOrBadRequest(EditorOptions, options ?? {}, "invalid editor options");
    const { state: _state, hash: _hash, ...settings } = parsed;
    // A relative path is the file of the directory the session was given (a project's
    // `dispatch.toml` declares its files beside it); without one, the host takes it from its
    // first allowed root. Either way the host checks the result against its roots.
    if (cwd !== undefined && !posix.isAbsolute(settings.path)) settings.path = posix.join(cwd, settings.path);
    const name = nameFrom(posix.basename(settings.path));
    return { meta: { editor: { ...settings, status: "clean" } }, spawn: settings, ...(name ? { name } : {}) };
  },
  events: { update: UpdateData, presence: PresenceData, file: FileData },
  // Its input is its page's Yjs messages: text typed at it (`dispatch send`) would be dropped.
  checkInput(data, record) {
    if (data.startsWith("{") && EditorInput.safeParse(jsonOrUndefined(data)).success) return;
    throw new DispatchError(
      "bad_request",
      `'${record.name}' is a file editor: it takes edits, not typed text; open it in the web UI, or change its text with \`dispatch cmd ${record.name} edits '{"edits":[{"from":0,"to":0,"insert":"text"}]}'\` (\`dispatch cat ${record.name}\` prints it)`,
    );
  },
  fold(record, event) {
    if (event.type !== "file") return undefined;
    const file = event.data as FileData;
    const previous = (record.meta.editor as Record<string, unknown> | undefined) ?? {};
    return { meta: { ...record.meta, editor: { ...previous, ...file, fileSeq: event.seq } } };
  },
  describe(record) {
    const editor = record.meta.editor as Record<string, unknown> | undefined;
    if (!editor) return {};
    // The file it holds, and what is not as on disk, where a shell shows its command: its name
    // first, so that a narrow list cutting the end still shows which file.
    const path = typeof editor.path === "string" ? editor.path : undefined;
    const status = FileStatus.safeParse(editor.status);
    const note = status.success && status.data !== "clean" ? ` (${FILE_STATUS_WORDS[status.data]})` : "";
    if (!path || !isLiveStatus(record.status)) return { options: editor };
    return { options: editor, foreground: `${posix.basename(path)}${note} · ${posix.dirname(path)}` };
  },
  // The document's state (a Yjs update, base64), so opening a long-edited file costs the same.
  snapshot: {
    everyEvents: SNAPSHOT_EVERY_EVENTS,
    fold: async (previous, events) => (await documents()).foldSnapshot(previous, events),
  },
  async revive({ record, events }) {
    const editor = (record.meta.editor as Record<string, unknown> | undefined) ?? {};
    const { stateOf } = await documents();
    return {
      options: {
        path: String(editor.path),
        autosaveMs: Number(editor.autosaveMs ?? 0),
        create: true,
        state: stateOf(events()),
        ...(typeof editor.hash === "string" ? { hash: editor.hash } : {}),
      },
    };
  },
  commands: {
    text: command({ description: "the current text and the seq it includes", args: NoArgs, readOnly: true }),
    edits: command({
      description: "apply {from, to, insert} edits to the current text (as CRDT updates)",
      args: EditsArgs,
    }),
    update: command({ description: "apply a Yjs update (base64)", args: UpdateArgs }),
    save: command({ description: "write the text to the file (refused while in conflict)", args: NoArgs }),
    conflict: command({
      description: "the three texts of a conflict: base (last loaded or saved), disk, buffer",
      args: NoArgs,
      readOnly: true,
    }),
    resolve: command({
      description: "end a conflict: take the disk, keep the buffer, or use a merged text",
      args: ResolveArgs,
    }),
    at: command({
      description: "the text as it was at a seq (from the log; also after the session ended)",
      args: AtArgs,
      whileLive: false,
      readOnly: true,
      run: async ({ events }, { seq }) => ({ seq, text: (await documents()).textAt(events(), seq) }),
    }),
    history: command({
      description: "the text's changes: seq, time, who made each and what it did ({from, to, insert} pieces)",
      args: NoArgs,
      whileLive: false,
      readOnly: true,
      run: async ({ events }) => ({ changes: (await documents()).changesOf(events()) }),
    }),
  },
};

function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
