/**
 * `editor`: one file as a Yjs document. Every change, from a client's update, a script's
 * edits or a reload from disk, leaves the document as an `update` event (the log holds the
 * whole history); clients' cursors travel as `presence` events; the file's state (clean,
 * dirty, conflict, deleted) as `file` events. Capability: `command` (text, edits, update,
 * save, conflict, resolve). Input is one JSON message per chunk (`EditorInput`): the web's
 * fast path, no answer.
 *
 * Saving never loses a change: the disk is re-read before every write, and a change made on
 * disk while the buffer holds unsaved edits is a conflict that refuses saves until resolved.
 */
import * as Y from "yjs";
import type { z } from "zod";
import { DispatchError } from "../../core/errors.js";
import {
  EditorInput,
  EditorOptions,
  type EditsArgs,
  type FileStatus,
  type ResolveArgs,
  type UpdateArgs,
} from "../../kinds/editor/events.js";
import { applyChecked, fromBase64, textOf, toBase64 } from "../../kinds/editor/yjsText.js";
import { parseOrBadRequest } from "../../protocol/parse.js";
import { editorFileLimit, editorRoots, resolveInRoots } from "./editor/allowedRoots.js";
import { EditHistory } from "./editor/EditHistory.js";
import { FileWatch } from "./editor/FileWatch.js";
import {
  type DiskText,
  hashText,
  isUnloadable,
  readText,
  unloadableIdentity,
  writeTextAtomic,
} from "./editor/fileContent.js";
import { conflictTooLarge, fitInReply, textTooLarge, tooLargeToOpen } from "./editor/replyLimit.js";
import {
  chunkEnd,
  describeCharacter,
  loneHalfAt,
  lostHalves,
  middleChange,
  replacementCount,
  splitsPair,
} from "./editor/surrogates.js";
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
  private readonly watch: FileWatch;
  private readonly loaded: Promise<void>;
  private running = true;
  private code: number | null = null;
  private status: FileStatus = "clean";
  /** The file's text as last loaded or saved (the base of a three-way merge). */
  private savedText = "";
  private diskHash = "";
  /** What is on disk during a conflict. */
  private diskText = "";
  /**
   * During a conflict with a file the editor cannot load (turned binary, or grown past the
   * limit): why, and its identity (`unloadableIdentity`), to tell it from a later change.
   */
  private unloadable: { reason: string; identity: string } | undefined;
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
    let disk = readText(this.path, editorFileLimit());
    if (disk && !fitInReply([disk.text])) throw tooLargeToOpen(this.path, disk.text);
    if (!disk) {
      if (!this.options.create && !this.options.state) {
        throw new DispatchError(
          "not_found",
          `no file ${this.path}; to create it, pass --create (create: true), or tick "Create it if it does not exist" in the web`,
        );
      }
      disk = { text: "", hash: writeTextAtomic(this.path, "") };
    }
    this.doc.on("update", (update: Uint8Array, origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) =>
      this.logUpdate(update, origin, transaction),
    );
    const revived = spec.afterSeq > 0;
    if (revived) this.emit("revived", {});
    this.emit("start", { pid: 0, command: [this.path], cwd: spec.cwd, cols: spec.cols, rows: spec.rows });
    this.savedText = disk.text;
    this.diskHash = disk.hash;
    this.watch = new FileWatch(this.path, () => this.checkDisk());
    if (this.options.state) {
      Y.applyUpdate(this.doc, fromBase64(this.options.state), FROM_LOG);
      this.history = new EditHistory(textOf(this.doc), spec.afterSeq);
      this.loaded = Promise.resolve(this.afterRevive(disk));
    } else {
      this.history = new EditHistory(textOf(this.doc), 0);
      this.fileEvent("opened");
      this.loaded = this.load(disk.text);
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
        return { text, seq: this.lastSeq, status: this.status, path: this.path };
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
        return this.save();
      case "conflict": {
        if (this.status !== "conflict")
          throw new DispatchError("conflict", `${this.path} is not in conflict (it is ${this.status})`);
        if (this.unloadable) {
          throw new DispatchError(
            "conflict",
            `${this.unloadable.reason}, so there is no text on disk to show beside the buffer; 'resolve take=buffer' keeps the buffer (a save then writes it over the file), or leave the file as it is and close the editor`,
          );
        }
        const three = { base: this.savedText, disk: this.diskText, buffer: this.text };
        if (!fitInReply(Object.values(three))) throw conflictTooLarge(this.path, Object.values(three));
        return three;
      }
      case "resolve":
        return this.resolve(args as z.infer<typeof ResolveArgs>);
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
    this.watch?.dispose();
  }

  // ---- the document ---------------------------------------------------------------------

  private get text(): string {
    return textOf(this.doc).toString();
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
    if (this.status === "clean") this.setStatus("dirty", "edited");
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
    const ascending = [...edits].sort((a, b) => a.from - b.from || a.to - b.to);
    let limit = 0;
    for (const edit of ascending) {
      if (edit.from > edit.to)
        throw new DispatchError("bad_request", `edit ${edit.from}-${edit.to}: 'from' is after 'to'`);
      if (edit.from < limit)
        throw new DispatchError("bad_request", `edits overlap at ${edit.from}; nothing was changed`);
      limit = edit.to;
      const half = loneHalfAt(edit.insert);
      if (half !== -1) {
        throw new DispatchError(
          "bad_request",
          `edit ${edit.from}-${edit.to}: its text holds half a character (a lone UTF-16 surrogate at ${half} of it), which cannot be stored; send whole characters (in JSON both halves of a pair, as "\\ud83d\\ude00"); nothing was changed`,
        );
      }
    }
    const rebased = baseSeq === undefined ? ascending : this.history.rebase(ascending, baseSeq);
    const text = this.text;
    const last = rebased.at(-1);
    if (last && last.to > text.length) {
      throw new DispatchError(
        "bad_request",
        `edit ${last.from}-${last.to} is past the end of the text (${text.length} characters); nothing was changed`,
      );
    }
    for (const [i, edit] of rebased.entries()) refuseSplit(text, edit, ascending[i] ?? edit);
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

  // ---- the file -------------------------------------------------------------------------

  private setStatus(status: FileStatus, reason: string): void {
    this.status = status;
    this.fileEvent(reason);
  }

  private fileEvent(reason: string): void {
    this.emit("file", { path: this.path, status: this.status, hash: this.diskHash, reason });
  }

  private save(): { seq: number; hash: string; bytes: number } {
    if (this.status === "conflict") {
      throw new DispatchError(
        "conflict",
        this.unloadable
          ? `${this.unloadable.reason}; a save would write over it: resolve the conflict first (resolve take=buffer|text)`
          : `${this.path} changed on disk while it had unsaved edits; resolve the conflict first (resolve take=disk|buffer|text)`,
      );
    }
    // The watcher may not have told yet: a change on disk is never overwritten unseen.
    this.checkDisk();
    if ((this.status as FileStatus) === "conflict") {
      throw new DispatchError(
        "conflict",
        this.unloadable
          ? `${this.unloadable.reason} just now; a save would write over it: resolve the conflict first (resolve take=buffer|text)`
          : `${this.path} changed on disk just now; resolve the conflict first`,
      );
    }
    const text = this.text;
    this.diskHash = writeTextAtomic(this.path, text);
    this.savedText = text;
    this.setStatus("clean", "saved");
    return { seq: this.lastSeq, hash: this.diskHash, bytes: Buffer.byteLength(text) };
  }

  private autosave(): void {
    if (!this.running || this.status === "conflict" || this.status === "clean") return;
    try {
      this.save();
    } catch {
      // The file's state (a conflict, a permission error) is in the log; the buffer is kept.
    }
  }

  /** Compares the disk with what was last loaded or saved and acts on a change. */
  private checkDisk(): void {
    if (!this.running) return;
    let disk: DiskText | undefined;
    try {
      // With the limit: reloading a file grown huge would hold the host's event loop, and every
      // session on the host with it, for as long as the load takes.
      disk = readText(this.path, editorFileLimit());
    } catch (err) {
      if (isUnloadable(err)) this.diskUnloadable(err.message);
      // Otherwise unreadable for now (being written, permissions): the next change tells again.
      return;
    }
    if (this.unloadable) {
      // Text again: an ordinary conflict with what is on disk now.
      this.unloadable = undefined;
      this.diskText = disk?.text ?? "";
    }
    if (!disk) {
      if (this.status !== "deleted" && this.status !== "conflict") this.setStatus("deleted", "deleted");
      return;
    }
    if (disk.hash === this.diskHash && this.status !== "deleted") return;
    if (this.status === "conflict" && disk.hash === hashText(this.diskText)) return;
    if (this.status === "clean" || (this.status === "deleted" && this.text === this.savedText)) {
      this.diskHash = disk.hash;
      this.savedText = disk.text;
      this.replaceText(disk.text, "disk");
      this.setStatus("clean", "reloaded");
      return;
    }
    this.diskText = disk.text;
    this.setStatus("conflict", "changed on disk");
  }

  /**
   * Another program made the file something the editor cannot load (`reason`): a conflict, so
   * that no save, by hand or autosave, writes the buffer over it unasked.
   */
  private diskUnloadable(reason: string): void {
    const identity = unloadableIdentity(this.path);
    // Gone again, or the very content a resolve chose to save over.
    if (identity === undefined || identity === this.diskHash) return;
    if (this.status === "conflict" && this.unloadable?.identity === identity) return;
    this.unloadable = { reason: `changed on disk: ${reason}`, identity };
    this.diskText = "";
    this.setStatus("conflict", this.unloadable.reason);
  }

  private resolve(args: z.infer<typeof ResolveArgs>): { seq: number; status: FileStatus } {
    if (this.status !== "conflict")
      throw new DispatchError("conflict", `${this.path} is not in conflict; nothing to resolve`);
    const half = args.take === "text" ? loneHalfAt(args.text) : -1;
    if (half !== -1) {
      throw new DispatchError(
        "bad_request",
        `the merged text holds half a character (a lone UTF-16 surrogate at ${half}), which cannot be stored; send whole characters; the conflict is unchanged`,
      );
    }
    if (this.unloadable) return this.resolveOverUnloadable(args);
    const disk = this.diskText;
    this.savedText = disk;
    this.diskHash = hashText(disk);
    if (args.take === "disk") {
      this.replaceText(disk, "disk");
      this.setStatus("clean", "resolved: took the disk");
    } else {
      if (args.take === "text") this.replaceText(args.text, { client: "resolve" });
      this.status = this.text === disk ? "clean" : "dirty";
      this.fileEvent(`resolved: ${args.take === "text" ? "merged text" : "kept the buffer"}`);
    }
    return { seq: this.lastSeq, status: this.status };
  }

  /** Ends a conflict with a file the editor cannot load: only the buffer (or a text) can win. */
  private resolveOverUnloadable(args: z.infer<typeof ResolveArgs>): { seq: number; status: FileStatus } {
    const { reason, identity } = this.unloadable as { reason: string; identity: string };
    if (args.take === "disk") {
      throw new DispatchError(
        "conflict",
        `${reason}, so it cannot be taken into the editor; take the buffer or a merged text, or close the editor to keep the file; the conflict is unchanged`,
      );
    }
    if (args.take === "text") this.replaceText(args.text, { client: "resolve" });
    // Saving over this content is now asked for; a later change on disk is a conflict again.
    this.diskHash = identity;
    this.unloadable = undefined;
    this.status = "dirty";
    this.fileEvent(`resolved: ${args.take === "text" ? "merged text" : "kept the buffer"}`);
    return { seq: this.lastSeq, status: this.status };
  }

  /**
   * Revived from the log: the buffer's edits are saved if the disk has not moved since. Never
   * what nobody edited: a text that differs from the file only where an older host's load
   * turned halves of pairs into U+FFFD (`lostHalves`) takes the file's characters back, and
   * nothing is written; edits made over such damage are not saved unasked but shown as a
   * conflict, for the person to choose.
   */
  private afterRevive(disk: DiskText): void {
    const text = this.text;
    if (text === this.savedText) return this.setStatus("clean", "revived");
    const lost = lostHalves(text, disk.text);
    if (lost) {
      const ytext = textOf(this.doc);
      this.doc.transact(() => {
        for (const { from, to } of lost) {
          ytext.delete(from, to - from);
          ytext.insert(from, disk.text.slice(from, to));
        }
      }, "disk");
      return this.setStatus("clean", "revived; characters the log had lost were taken from the file");
    }
    const damaged = replacementCount(text) > replacementCount(disk.text);
    if (!damaged && (!this.options.hash || this.options.hash === disk.hash)) {
      this.status = "dirty";
      try {
        this.save();
        return;
      } catch {
        // Not writable now: the edits stay in the buffer and the log, marked unsaved.
        return this.setStatus("dirty", "revived, not saved");
      }
    }
    this.diskText = this.savedText;
    this.setStatus(
      "conflict",
      damaged
        ? "revived with characters the log had lost (U+FFFD) among its edits; resolve to choose what to keep"
        : "revived; the file changed on disk meanwhile",
    );
    return undefined;
  }
}

/** Refuses an edit whose `from` or `to` falls inside a surrogate pair of `text` (`asked`: as sent). */
function refuseSplit(
  text: string,
  edit: { from: number; to: number },
  asked: { from: number; to: number },
): void {
  for (const [position, sent] of [
    [edit.from, asked.from],
    [edit.to, asked.to],
  ] as const) {
    if (!splitsPair(text, position)) continue;
    throw new DispatchError(
      "bad_request",
      `edit ${asked.from}-${asked.to}: position ${sent} splits the character ${describeCharacter(text, position - 1)}, which takes two positions (positions count UTF-16 code units, as in JavaScript); use ${sent - 1} (before it) or ${sent + 1} (after it); nothing was changed`,
    );
  }
}
