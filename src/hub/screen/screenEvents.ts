/** What a stored event other than output does to a session's screen (`ScreenTracker`). */
import { droppedEventReason, gapNote } from "../../protocol/droppedEvent.js";
import type { SessionEvent } from "../../protocol/events.js";
import type { ToScreenWorker } from "./messages.js";

export interface ScreenChange {
  message: ToScreenWorker;
  /** The screen changed in a way worth a stored snapshot at once (a gap, the exit). */
  snapshotNow: boolean;
}

export function screenChange(session: string, event: SessionEvent): ScreenChange {
  const { seq } = event;
  switch (event.type) {
    case "resize": {
      const cols = Number(event.data.cols);
      const rows = Number(event.data.rows);
      return { message: { type: "resize", session, seq, cols, rows }, snapshotNow: false };
    }
    case "gap": {
      // An event its host dropped, too large for the link (`host/linkFit`), says so itself.
      const away = droppedEventReason(event.data) === undefined ? " while the hub was away" : "";
      const note = `\x1b[0m\r\n[dispatch: ${gapNote(event.data)}${away}]\r\n`;
      return { message: { type: "rebase", session, seq, note }, snapshotNow: true };
    }
    default:
      // Other events do not change the screen, but the snapshot's seq must cover them.
      return {
        message: { type: "write", session, seq, data: new Uint8Array() },
        snapshotNow: event.type === "exit",
      };
  }
}
