/**
 * Opening the editor's file: its text read within the editor's limits (`editorFileLimit`, and
 * what one answer can carry), or an empty file made when it is missing and creating is asked
 * for. Apart from `DiskTracker`: this runs once, before there is a buffer to track.
 */
import { DispatchError } from "../../../core/errors.js";
import { editorFileLimit } from "./allowedRoots.js";
import { type DiskText, readText, writeTextAtomic } from "./fileContent.js";
import { fitInReply, tooLargeToOpen } from "./replyLimit.js";

/** The file as opened: `created` when it was missing and made empty. */
export interface OpenedFile extends DiskText {
  created: boolean;
}

/**
 * The file's text at `path` to open, creating it empty when it is missing and `create` allows;
 * refuses one too large to show.
 */
export function openFile(path: string, create: boolean): OpenedFile {
  const disk = readOpenable(path);
  if (disk) return { ...disk, created: false };
  if (!create) {
    throw new DispatchError(
      "not_found",
      `no file ${path}; to create it, pass --create (create: true), or tick "Create it if it does not exist" in the web`,
    );
  }
  return { text: "", hash: writeTextAtomic(path, ""), bom: false, created: true };
}

/** The file's text at `path`, undefined when it is missing; refuses one too large to show. */
export function readOpenable(path: string): DiskText | undefined {
  const disk = readText(path, editorFileLimit());
  if (disk && !fitInReply([disk.text])) throw tooLargeToOpen(path, disk.text);
  return disk;
}
