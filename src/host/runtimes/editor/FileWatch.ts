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
 *
 * A file changing for `MAX_WAIT_MS` is reported without holding still. That age is counted on
 * the timers' monotonic clock, and only while the host was there to look: a look that comes
 * far past its time (the host starved or stopped, its event loop held up) knows nothing of
 * what happened meanwhile. Counted on the wall clock from before such a gap, a file caught
 * between a truncation and its write was reported at once, mid-write, with no look to confirm it.
 */
import { type FSWatcher, statSync, watch } from "node:fs";
import { basename, dirname } from "node:path";

/** Editors write a file in several steps: the first look waits for this long a quiet spell. */
const QUIET_MS = 25;
/** How long a state of the file must last to be taken for the change (see above). */
const STILL_MS = 250;
/** A file written without pauses (a log) is still reported at least this often. */
export const MAX_WAIT_MS = 2_000;

export class FileWatch {
  private readonly watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** When the first change not yet reported was seen (`clock`). */
  private changingSince: number | undefined;
  /** When the look now due was meant to run (`clock`). */
  private due = 0;
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
    this.changingSince ??= clock();
    this.looked = undefined;
    // Changing for long without a pause: the look already due is left to come, and reports.
    if (this.timer !== undefined && clock() - this.changingSince >= MAX_WAIT_MS) return;
    this.lookIn(QUIET_MS);
  }

  private lookIn(ms: number): void {
    clearTimeout(this.timer);
    this.due = clock() + ms;
    this.timer = setTimeout(() => this.look(), ms);
  }

  private look(): void {
    this.timer = undefined;
    const now = stateOf(this.path);
    const at = clock();
    // Held up past a whole still period: the changes are counted again from here (see above).
    if (at - this.due > STILL_MS) this.changingSince = at;
    const changing = at - (this.changingSince ?? at);
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

/** The timers' clock: monotonic, so a wall clock set (NTP) or a laptop resumed is no change's age. */
function clock(): number {
  return performance.now();
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
