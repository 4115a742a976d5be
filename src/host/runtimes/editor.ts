/**
 * `editor`: one file as a Yjs document. Every change, from a client's update, a script's
 * edits or a reload from disk, leaves the document as an `update` event (the log holds the
 * whole history); clients' cursors travel as `presence` events; the file's state (clean,
 * dirty, conflict, deleted) as `file` events. Capability: `command` (text, edits, update,
 * save, conflict, resolve). Input is one JSON message per chunk (`EditorInput`): the web's
 * fast path, no answer. The file on disk (its state, saves, conflicts) is `DiskTracker`'s.
 */
import * as Y from "yjs";
import type { z } from "zod";
import { DispatchError } from "../../core/errors.js";
import {
  EditorInput,
  EditorOptions,
  type EditsArgs,
  type ResolveArgs,
  type UpdateArgs,
} from "../../kinds/editor/events.js";
import { applyChecked, fromBase64, textOf, toBase64 } from "../../kinds/editor/yjsText.js";
import { parseOrBadRequest } from "../../protocol/parse.js";
import { editorRoots, resolveInRoots } from "./editor/allowedRoots.js";
import { DiskTracker, type EditorBuffer } from "./editor/DiskTracker.js";
import { EditHistory } from "./editor/EditHistory.js";
import { orderedEdits, refuseOutside } from "./editor/editChecks.js";
import { hashText } from "./editor/fileContent.js";
import { openFile, readOpenable } from "./editor/openFile.js";
import { fitInReply, textTooLarge } from "./editor/replyLimit.js";
import { chunkEnd, middleChange } from "./editor/surrogates.js";
import type { RuntimeContext, SessionRuntime } from "./runtime.js";

/** Updates the log already holds (a revive's starting state): applied, not written again. */
const FROM_LOG = Symbol("from-log");
/**
 * Text loaded (or reloaded) per update event, so one event stays far below the host's message
 * limit (512K characters of 3-byte UTF-8 are 2 MiB as base64). A chunk never ends inside a
 * surrogate pair (`surrogates.ts`).
 */
const LOAD_CHUNK_CHARS = 512 * 1024;
/** Pause between load chunks, so the hub's acknowledgements keep the host's buffer small. */
const LOAD_PAUSE_MS = 5;
/** Presence (a cursor and a name) is small; anything bigger is not presence. */
const MAX_PRESENCE_CHARS = 16 * 1024;

interface Origin {
  client: string;
}

export class EditorRuntime implements SessionRuntime {
  readonly pid = null;
  private readonly doc = new Y.Doc();
  private readonly path: string;
  private readonly options: EditorOptions;
  private readonly disk: DiskTracker;
  private readonly loaded: Promise<void>;
  private running = true;
  private code: number | null = null;
  private lastSeq: number;
  private autosaveTimer: NodeJS.Timeout | undefined;
  /** Recent states of the text by seq, for edits based on an older read (`baseSeq`). */
  private readonly history: EditHistory;

  constructor(private readonly context: RuntimeContext) {
    const { spec } = context;
    this.options = parseOrBadRequest(EditorOptions, spec.options ?? {}, "invalid editor options");
    this.lastSeq = spec.afterSeq;
    const resolved = resolveInRoots(this.options.path, editorRoots());
    this.path = resolved.path;
    // A revive's buffer is in its state: a file gone meanwhile is not made again (`afterRevive`).
    const revive = this.options.state !== undefined;
    const disk = revive ? readOpenable(this.path) : openFile(this.path, this.options.create === true);
    this.doc.on("update", (update: Uint8Array, origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) =>
      this.logUpdate(update, origin, transaction),
    );
    const revived = spec.afterSeq > 0;
    if (revived) this.emit("revived", {});
    this.emit("start", { pid: 0, command: [this.path], cwd: spec.cwd, cols: spec.cols, rows: spec.rows });
    this.disk = new DiskTracker(
      this.path,
      disk ?? { text: "", hash: hashText(""), bom: false },
      this.asBuffer(),
    );
    if (this.options.state) {
      Y.applyUpdate(this.doc, fromBase64(this.options.state), FROM_LOG);
      this.history = new EditHistory(textOf(this.doc), spec.afterSeq);
      this.loaded = Promise.resolve(this.disk.afterRevive(disk, this.options.hash));
    } else {
      this.history = new EditHistory(textOf(this.doc), 0);
      this.disk.opened();
      this.loaded = this.load(disk?.text ?? "");
    }
  }

  get isRunning(): boolean {
    return this.running;
  }

  get exitCode(): number | null {
    return this.code;
  }

  input(data: string): void {
    if (!this.running)
      throw new DispatchError("session_exited", "the editor has closed; the change was not applied");
    let message: EditorInput;
    try {
      message = EditorInput.parse(JSON.parse(data));
    } catch {
      // A malformed message from a page is dropped; the document stays as it was.
      return;
    }
    if (message.type === "presence") {
      if (message.update.length <= MAX_PRESENCE_CHARS) this.emit("presence", { update: message.update });
      return;
    }
    try {
      applyChecked(this.doc, fromBase64(message.update), { client: message.client });
    } catch {
      // Refused: it does not decode as a Yjs update. Commands report this; input has no answer.
    }
  }

  async command(name: string, args: unknown): Promise<unknown> {
    await this.loaded;
    switch (name) {
      case "text": {
        const text = this.text;
        if (!fitInReply([text])) throw textTooLarge(text);
        return { text, seq: this.lastSeq, status: this.disk.status, path: this.path };
      }
      case "edits":
        return this.applyEdits(args as z.infer<typeof EditsArgs>);
      case "update": {
        const { update, client } = args as z.infer<typeof UpdateArgs>;
        try {
          applyChecked(this.doc, fromBase64(update), { client });
        } catch (err) {
          throw new DispatchError(
            "bad_request",
            `not a Yjs update (${(err as Error).message}); the document is unchanged`,
          );
        }
        return { seq: this.lastSeq };
      }
      case "save":
        return this.disk.save();
      case "conflict":
        return this.disk.conflict();
      case "resolve":
        return this.disk.resolve(args as z.infer<typeof ResolveArgs>);
      default:
        throw new DispatchError("bad_request", `editor has no command '${name}'`);
    }
  }

  stop(): void {
    if (!this.running) return;
    this.dispose();
    this.code = 0;
    this.emit("exit", { code: 0, signal: null });
    this.context.exited();
  }

  dispose(): void {
    this.running = false;
    clearTimeout(this.autosaveTimer);
    this.disk?.dispose();
  }

  // ---- the document ---------------------------------------------------------------------

  private get text(): string {
    return textOf(this.doc).toString();
  }

  /** What the disk side reaches of this buffer. */
  private asBuffer(): EditorBuffer {
    return {
      text: () => this.text,
      seq: () => this.lastSeq,
      running: () => this.running,
      replaceText: (next, origin) => this.replaceText(next, origin),
      restoreRanges: (ranges, source) => {
        const ytext = textOf(this.doc);
        this.doc.transact(() => {
          for (const { from, to } of ranges) {
            ytext.delete(from, to - from);
            ytext.insert(from, source.slice(from, to));
          }
        }, "disk");
      },
      fileEvent: (data) => this.emit("file", data),
    };
  }

  private emit(type: string, data: Record<string, unknown>): void {
    this.lastSeq = this.context.events.emit(type, data);
  }

  private logUpdate(update: Uint8Array, origin: unknown, transaction: Y.Transaction): void {
    if (origin === FROM_LOG || !this.running) return;
    const client = typeof origin === "string" ? origin : ((origin as Origin | null)?.client ?? "host");
    this.emit("update", { update: toBase64(update), client });
    this.history.record(this.lastSeq, transaction);
    if (client === "disk") return;
    this.disk.edited();
    if (this.options.autosaveMs > 0) {
      clearTimeout(this.autosaveTimer);
      this.autosaveTimer = setTimeout(() => this.autosave(), this.options.autosaveMs);
    }
  }

  private async load(text: string): Promise<void> {
    const ytext = textOf(this.doc);
    for (let at = 0; at < text.length; ) {
      if (at > 0) await new Promise((resolve) => setTimeout(resolve, LOAD_PAUSE_MS));
      if (!this.running) return;
      const end = chunkEnd(text, at, LOAD_CHUNK_CHARS);
      this.doc.transact(() => ytext.insert(at, text.slice(at, end)), "disk");
      at = end;
    }
  }

  /**
   * Replaces the text by `next` with the smallest middle change, never cutting a pair, and
   * inserts the middle in load-sized updates: a file rewritten whole must not make one event
   * larger than the host may send.
   */
  private replaceText(next: string, origin: unknown): void {
    const current = this.text;
    if (current === next) return;
    const { start, end } = middleChange(current, next);
    const deleted = current.length - end - start;
    const middle = next.slice(start, next.length - end);
    const ytext = textOf(this.doc);
    let at = 0;
    do {
      const stop = chunkEnd(middle, at, LOAD_CHUNK_CHARS);
      this.doc.transact(() => {
        if (at === 0 && deleted > 0) ytext.delete(start, deleted);
        if (stop > at) ytext.insert(start + at, middle.slice(at, stop));
      }, origin);
      at = stop;
    } while (at < middle.length);
  }

  /**
   * Positions refer to the text before the request (as in CodeMirror and LSP), or to the text
   * at `baseSeq` (then moved over what changed since); no overlaps.
   */
  private applyEdits({ edits, client, baseSeq }: z.infer<typeof EditsArgs>): { seq: number; length: number } {
    if (baseSeq !== undefined && baseSeq > this.lastSeq) {
      throw new DispatchError(
        "bad_request",
        `baseSeq ${baseSeq} is ahead of the document (seq ${this.lastSeq}); give a seq the text command answered`,
      );
    }
    const ascending = orderedEdits(edits);
    const rebased = baseSeq === undefined ? ascending : this.history.rebase(ascending, baseSeq);
    refuseOutside(this.text, rebased, ascending);
    const sorted = rebased.reverse();
    const ytext = textOf(this.doc);
    this.doc.transact(
      () => {
        for (const edit of sorted) {
          if (edit.to > edit.from) ytext.delete(edit.from, edit.to - edit.from);
          if (edit.insert.length > 0) ytext.insert(edit.from, edit.insert);
        }
      },
      { client },
    );
    return { seq: this.lastSeq, length: ytext.length };
  }

  private autosave(): void {
    if (!this.running || !this.disk.wantsAutosave) return;
    try {
      this.disk.save();
    } catch {
      // The file's state (a conflict, a permission error) is in the log; the buffer is kept.
    }
  }
}
