/**
 * Watches one file for changes made by anyone else (another editor, `git checkout`, an
 * agent). It watches the directory, not the file: editors and `git` replace files by rename,
 * which a watch on the old inode would never see. Changes are debounced and reported once.
 */
import { type FSWatcher, watch } from "node:fs";
import { basename, dirname } from "node:path";

/** Editors write a file in several steps; wait this long for them to finish before reading. */
const SETTLE_MS = 25;

export class FileWatch {
  private readonly watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(path: string, onChange: () => void) {
    const name = basename(path);
    try {
      this.watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
        if (file !== null && file.toString() !== name) return;
        clearTimeout(this.timer);
        this.timer = setTimeout(onChange, SETTLE_MS);
      });
      this.watcher.on("error", () => {
        // The directory went away; saves still check the disk before writing.
      });
    } catch {
      // Not watchable (permissions); saves still compare the disk's hash before writing.
      this.watcher = undefined;
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
  }
}
