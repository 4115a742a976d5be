/**
 * Watches one file for changes made by anyone else (another editor, `git checkout`, an
 * agent). It watches the directory, not the file: editors and `git` replace files by rename,
 * which a watch on the old inode would never see. A change is reported once the file has held
 * still: found the same by two looks `STILL_MS` apart.
 *
 * Why two looks: most writers do not replace a file whole. `writeFileSync`, a shell's `>`, a
 * formatter truncate the file (`git checkout` creates it empty), then write, and a read between
 * sees it empty or half written. On a busy machine a writer is descheduled between the two for
 * tens of milliseconds (2 cores at load 16: 1 gap in 100 over 20 ms, 1 in 1000 over 60-90 ms).
 * Read once 25 ms after the last event, the empty file was shown as the disk's side of a
 * conflict, a resolve keeping the buffer was made over it, and the real content, read next, was
 * a change after the resolve: the save was refused. A quiet period alone is not enough: a look
 * already due when the truncation happens (a save's own events) reads the file before the
 * truncation's event is even handled. A state seen twice, `STILL_MS` apart, lasted that long.
 */
import { type FSWatcher, statSync, watch } from "node:fs";
import { basename, dirname } from "node:path";

/** Editors write a file in several steps: the first look waits for this long a quiet spell. */
const QUIET_MS = 25;
/** How long a state of the file must last to be taken for the change (see above). */
const STILL_MS = 250;
/** A file written without pauses (a log) is still reported at least this often. */
const MAX_WAIT_MS = 2_000;

export class FileWatch {
  private readonly watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** When the first change not yet reported was seen. */
  private changingSince: number | undefined;
  /** The file as the last look found it (`stateOf`), or undefined if it changed since. */
  private looked: string | undefined;

  constructor(
    private readonly path: string,
    private readonly onChange: () => void,
  ) {
    const name = basename(path);
    try {
      this.watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
        if (file !== null && file.toString() !== name) return;
        this.changed();
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

  private changed(): void {
    this.changingSince ??= Date.now();
    this.looked = undefined;
    // Changing for long without a pause: the look already due is left to come, and reports.
    if (this.timer !== undefined && Date.now() - this.changingSince >= MAX_WAIT_MS) return;
    this.lookIn(QUIET_MS);
  }

  private lookIn(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.look(), ms);
  }

  private look(): void {
    this.timer = undefined;
    const now = stateOf(this.path);
    const changing = Date.now() - (this.changingSince ?? Date.now());
    if (now !== this.looked && changing < MAX_WAIT_MS) {
      this.looked = now;
      this.lookIn(STILL_MS);
      return;
    }
    this.changingSince = undefined;
    this.looked = undefined;
    this.onChange();
  }
}

/**
 * The file's state, to tell whether it changed between two looks: any write changes its size
 * or modification time (in nanoseconds), a rename over it its inode.
 */
function stateOf(path: string): string {
  try {
    const stat = statSync(path, { bigint: true });
    return `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
  } catch (err) {
    return `unreadable:${(err as NodeJS.ErrnoException).code}`;
  }
}
