/**
 * The editor's file on disk against its buffer: the file's state (clean, dirty, conflict,
 * deleted), checks of the disk when it changes, saves, conflict resolution, and a revive's
 * reconciliation with the file as it is now. The buffer itself (the Yjs document) stays with
 * `EditorRuntime`, reached through `EditorBuffer`.
 *
 * Saving never loses a change: the disk is re-read before every write, and a change made on
 * disk while the buffer holds unsaved edits is a conflict that refuses saves until resolved.
 */
import type { z } from "zod";
import { DispatchError } from "../../../core/errors.js";
import type { FileStatus, ResolveArgs } from "../../../kinds/editor/events.js";
import { editorFileLimit } from "./allowedRoots.js";
import { FileWatch } from "./FileWatch.js";
import {
  type DiskText,
  hashText,
  isUnloadable,
  readText,
  unloadableIdentity,
  writeTextAtomic,
} from "./fileContent.js";
import { conflictTooLarge, fitInReply } from "./replyLimit.js";
import { reviveOutcome, savedAs } from "./reviveOutcome.js";
import { loneHalfAt } from "./surrogates.js";

/** What the disk side needs of the buffer it tracks. */
export interface EditorBuffer {
  /** The buffer's text now. */
  text(): string;
  /** The seq of the newest event the session emitted. */
  seq(): number;
  /** Whether the session still runs (a watch firing after close does nothing). */
  running(): boolean;
  /** Replaces the buffer's text with `next`, as a change by `origin` ("disk" or a client). */
  replaceText(next: string, origin: unknown): void;
  /** Puts `source`'s characters back over these ranges of the buffer, in one change by the disk. */
  restoreRanges(ranges: readonly { from: number; to: number }[], source: string): void;
  /** Emits a `file` event. */
  fileEvent(data: { path: string; status: FileStatus; hash: string; reason: string }): void;
}

export class DiskTracker {
  private state: FileStatus = "clean";
  /** The file's text as last loaded or saved (the base of a three-way merge). */
  private savedText: string;
  private diskHash: string;
  /** Whether the file starts with a byte order mark, as last read: a save keeps it so. */
  private bom: boolean;
  /** What is on disk during a conflict: its text and the hash of its bytes. */
  private onDisk = { text: "", hash: "" };
  /**
   * During a conflict: the hash of the file the buffer's edits were made on (the disk as last
   * loaded or saved; after a revive, as the log last saw it), or undefined when only a resolve
   * may end it. The file back as that (`git checkout` elsewhere and back, a stash popped) ends
   * the conflict: a save then writes over nobody's change.
   */
  private conflictBase: string | undefined;
  /**
   * During a conflict with a file the editor cannot load (turned binary, or grown past the
   * limit): why, and its identity (`unloadableIdentity`), to tell it from a later change.
   */
  private unloadable: { reason: string; identity: string } | undefined;
  private readonly watch: FileWatch;

  constructor(
    readonly path: string,
    disk: DiskText,
    private readonly buffer: EditorBuffer,
  ) {
    this.savedText = disk.text;
    this.diskHash = disk.hash;
    this.bom = disk.bom;
    this.watch = new FileWatch(path, () => this.checkDisk());
  }

  get status(): FileStatus {
    return this.state;
  }

  dispose(): void {
    this.watch.dispose();
  }

  /** Announces the file as opened, in its state now. */
  opened(): void {
    this.fileEvent("opened");
  }

  /** The buffer was edited (not by a reload from disk): a clean file becomes dirty. */
  edited(): void {
    if (this.state === "clean") this.setStatus("dirty", "edited");
  }

  /** Whether an autosave has anything to do now. */
  get wantsAutosave(): boolean {
    return this.state === "dirty" || this.state === "deleted";
  }

  /** The three texts of a conflict, for a person or a script to merge. */
  conflict(): { base: string; disk: string; buffer: string } {
    if (this.state !== "conflict")
      throw new DispatchError("conflict", `${this.path} is not in conflict (it is ${this.state})`);
    if (this.unloadable) {
      throw new DispatchError(
        "conflict",
        `${this.unloadable.reason}, so there is no text on disk to show beside the buffer; 'resolve take=buffer' keeps the buffer (a save then writes it over the file), or leave the file as it is and close the editor`,
      );
    }
    const three = { base: this.savedText, disk: this.onDisk.text, buffer: this.buffer.text() };
    if (!fitInReply(Object.values(three))) throw conflictTooLarge(this.path, Object.values(three));
    return three;
  }

  private setStatus(status: FileStatus, reason: string): void {
    this.state = status;
    this.fileEvent(reason);
  }

  private fileEvent(reason: string): void {
    this.buffer.fileEvent({ path: this.path, status: this.state, hash: this.diskHash, reason });
  }

  save(): { seq: number; hash: string; bytes: number } {
    if (this.state === "conflict") {
      throw new DispatchError(
        "conflict",
        this.unloadable
          ? `${this.unloadable.reason}; a save would write over it: resolve the conflict first (resolve take=buffer|text)`
          : `${this.path} changed on disk while it had unsaved edits; resolve the conflict first (resolve take=disk|buffer|text)`,
      );
    }
    // The watcher may not have told yet: a change on disk is never overwritten unseen.
    this.checkDisk();
    if ((this.state as FileStatus) === "conflict") {
      throw new DispatchError(
        "conflict",
        this.unloadable
          ? `${this.unloadable.reason} just now; a save would write over it: resolve the conflict first (resolve take=buffer|text)`
          : `${this.path} changed on disk just now; resolve the conflict first`,
      );
    }
    const text = this.buffer.text();
    this.diskHash = writeTextAtomic(this.path, text, this.bom);
    this.savedText = text;
    this.setStatus("clean", "saved");
    return { seq: this.buffer.seq(), hash: this.diskHash, bytes: Buffer.byteLength(text) };
  }

  /** Compares the disk with what was last loaded or saved and acts on a change. */
  private checkDisk(): void {
    if (!this.buffer.running()) return;
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
      this.onDisk = disk ? { text: disk.text, hash: disk.hash } : { text: "", hash: hashText("") };
    }
    if (!disk) {
      if (this.state !== "deleted" && this.state !== "conflict") this.setStatus("deleted", "deleted");
      return;
    }
    this.bom = disk.bom;
    // Deleted under unsaved edits, the file's base is the disk as last loaded or saved too.
    const base =
      this.state === "conflict" ? this.conflictBase : this.state === "deleted" ? this.diskHash : undefined;
    if (base !== undefined && disk.hash === base) return this.backOnDisk(disk);
    // Written with what the buffer holds (the same change saved from another editor, a
    // formatter that found nothing to do to it): nothing is unsaved, and there is no conflict.
    if (this.state !== "clean" && disk.hash !== this.diskHash && disk.text === this.buffer.text()) {
      return this.backOnDisk(disk, "changed on disk to what the buffer holds");
    }
    if (disk.hash === this.diskHash && this.state !== "deleted") return;
    if (this.state === "conflict" && disk.hash === this.onDisk.hash) return;
    if (this.state === "clean" || (this.state === "deleted" && this.buffer.text() === this.savedText)) {
      this.diskHash = disk.hash;
      this.savedText = disk.text;
      this.buffer.replaceText(disk.text, "disk");
      this.setStatus("clean", "reloaded");
      return;
    }
    if (this.state !== "conflict") this.conflictBase = this.diskHash;
    this.onDisk = { text: disk.text, hash: disk.hash };
    this.setStatus("conflict", "changed on disk");
  }

  /**
   * The file is back as the buffer's edits found it (no conflict, the edits simply unsaved), or
   * holds what the buffer holds (nothing unsaved).
   */
  private backOnDisk(
    disk: DiskText,
    reason = "back on disk as the edits found it; the conflict is over",
  ): void {
    this.diskHash = disk.hash;
    this.savedText = disk.text;
    this.unloadable = undefined;
    this.conflictBase = undefined;
    this.setStatus(this.buffer.text() === disk.text ? "clean" : "dirty", reason);
  }

  /**
   * Another program made the file something the editor cannot load (`reason`): a conflict, so
   * that no save, by hand or autosave, writes the buffer over it unasked.
   */
  private diskUnloadable(reason: string): void {
    const identity = unloadableIdentity(this.path);
    // Gone again, or the very content a resolve chose to save over.
    if (identity === undefined || identity === this.diskHash) return;
    if (this.state === "conflict" && this.unloadable?.identity === identity) return;
    if (this.state !== "conflict") this.conflictBase = this.diskHash;
    this.unloadable = { reason: `changed on disk: ${reason}`, identity };
    this.onDisk = { text: "", hash: "" };
    this.setStatus("conflict", this.unloadable.reason);
  }

  resolve(args: z.infer<typeof ResolveArgs>): { seq: number; status: FileStatus } {
    if (this.state !== "conflict")
      throw new DispatchError("conflict", `${this.path} is not in conflict; nothing to resolve`);
    const half = args.take === "text" ? loneHalfAt(args.text) : -1;
    if (half !== -1) {
      throw new DispatchError(
        "bad_request",
        `the merged text holds half a character (a lone UTF-16 surrogate at ${half}), which cannot be stored; send whole characters; the conflict is unchanged`,
      );
    }
    this.conflictBase = undefined;
    if (this.unloadable) return this.resolveOverUnloadable(args);
    const disk = this.onDisk.text;
    this.savedText = disk;
    this.diskHash = this.onDisk.hash;
    if (args.take === "disk") {
      this.buffer.replaceText(disk, "disk");
      this.setStatus("clean", "resolved: took the disk");
    } else {
      if (args.take === "text") this.buffer.replaceText(args.text, { client: "resolve" });
      this.state = this.buffer.text() === disk ? "clean" : "dirty";
      this.fileEvent(`resolved: ${args.take === "text" ? "merged text" : "kept the buffer"}`);
    }
    return { seq: this.buffer.seq(), status: this.state };
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
    if (args.take === "text") this.buffer.replaceText(args.text, { client: "resolve" });
    // Saving over this content is now asked for; a later change on disk is a conflict again.
    this.diskHash = identity;
    this.unloadable = undefined;
    this.state = "dirty";
    this.fileEvent(`resolved: ${args.take === "text" ? "merged text" : "kept the buffer"}`);
    return { seq: this.buffer.seq(), status: this.state };
  }

  /**
   * Revived from the log: reconciles the buffer with the file as it is now (`disk`, read at
   * open; `hash`, the file's hash when the log was written), as `reviveOutcome` decides.
   */
  afterRevive(disk: DiskText | undefined, hash: string | undefined): void {
    const text = this.buffer.text();
    if (!disk) return this.revivedDeleted(text, hash);
    const outcome = reviveOutcome(text, this.savedText, disk, hash);
    switch (outcome.action) {
      case "keep":
        return this.setStatus("clean", outcome.reason);
      case "load":
        this.buffer.replaceText(disk.text, "disk");
        return this.setStatus("clean", outcome.reason);
      case "restore":
        this.buffer.restoreRanges(outcome.ranges, disk.text);
        return this.setStatus("clean", outcome.reason);
      case "save":
        this.state = "dirty";
        try {
          this.save();
          return;
        } catch {
          // Not writable now: the edits stay in the buffer and the log, marked unsaved.
          return this.setStatus("dirty", "revived, not saved");
        }
      case "conflict":
        this.onDisk = { text: this.savedText, hash: this.diskHash };
        this.conflictBase = outcome.base;
        return this.setStatus("conflict", outcome.reason);
    }
  }

  /**
   * Revived, its file deleted while the session was down: the buffer keeps its text and the
   * file is not made again (it was made empty, an empty file left where a checkout had removed
   * it); shown `deleted`, as a file deleted under a running session is, and a save writes it.
   * The file back as the log last saw it (`hash`) ends that, as it does for a running one.
   */
  private revivedDeleted(text: string, hash: string | undefined): void {
    if (hash) this.diskHash = hash;
    // The buffer is the file as last saved: nothing unsaved, a file back with other text loads.
    if (hash && savedAs(text, hash)) this.savedText = text;
    this.setStatus(
      "deleted",
      "revived; the file was deleted meanwhile: the text is kept, saving writes it again",
    );
  }
}
