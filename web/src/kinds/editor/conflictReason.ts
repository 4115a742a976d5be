/**
 * The conflict banner's words, from the `file` event's `reason` (docs/PROTOCOL.md): the buffer
 * need not have had edits (a file turned binary or into a directory, a session revived over a
 * file changed meanwhile), so the banner says what happened and what the person can do, not
 * one sentence for every conflict.
 */

/** What the banner says, and whether the disk holds text to merge (`Resolve…` can show it). */
export interface ConflictMessage {
  text: string;
  /** False for a file the editor cannot load: only keeping the buffer (or closing) ends it. */
  mergeable: boolean;
}

/** The host's reason for an ordinary change on disk under unsaved edits. */
const CHANGED_ON_DISK = "changed on disk";
/** Its prefix for a file the editor cannot load: `changed on disk: <why>`. */
const UNLOADABLE = `${CHANGED_ON_DISK}: `;

export function conflictMessage(reason: string): ConflictMessage {
  if (reason.startsWith(UNLOADABLE)) {
    return {
      text: `${sentence(reason)}. There is no text on disk to merge: Keep mine keeps this buffer (the next save writes it over the file), or close the editor to leave the file as it is.`,
      mergeable: false,
    };
  }
  if (reason === CHANGED_ON_DISK || reason === "") {
    return {
      text: "The file changed on disk while this buffer had unsaved edits; saving is refused until it is resolved: Resolve… shows both sides to merge.",
      mergeable: true,
    };
  }
  return {
    text: `${sentence(reason)}. Saving is refused until it is resolved: Resolve… shows the file on disk and this buffer to merge.`,
    mergeable: true,
  };
}

/** The reason as the start of a sentence: capitalised, without a trailing full stop. */
function sentence(reason: string): string {
  const text = reason.replace(/\.$/, "");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
