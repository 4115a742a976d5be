/**
 * Screen worker entry: one @xterm/headless terminal per session, fed the stored output in seq
 * order, serialized (with the serialize addon) on request. Runs in a worker thread.
 *
 * Output is parsed synchronously, in slices of up to `PRINT_SLICE_BYTES` per session: it waits
 * (up to `PRINT_AFTER_MS`) until a slice fills or any other message for the session arrives
 * (a snapshot request, a resize), so a flood is printed in large slices and most of each
 * slice's plain text, scrolled off before anyone could see it, is not printed at all
 * (`printOutput.ts`). Every message still sees all output sent before it.
 */
import { parentPort } from "node:worker_threads";
import type SerializeModule from "@xterm/addon-serialize";
import type HeadlessModule from "@xterm/headless";
import {
  type FromScreenWorker,
  isTransferBuffer,
  SNAPSHOT_SCROLLBACK_LINES,
  type ToScreenWorker,
} from "./messages.js";
import { type PrintTarget, printOutput } from "./printOutput.js";
import { screenPreview } from "./screenPreview.js";
import { screenRows } from "./screenRows.js";
import { serializeScreen } from "./serializeScreen.js";
import { headless, serializeAddon, unicode11Addon } from "./xterm.js";

interface Screen {
  session: string;
  terminal: HeadlessModule.Terminal;
  serializer: SerializeModule.SerializeAddon;
  /** Seq of the last event received (output printed or waiting in `queued`). */
  seq: number;
  /** Output received and not printed yet (views into transferred buffers). */
  queued: Uint8Array[];
  queuedBytes: number;
  /** Slices in a row in which looking for plain runs found nothing to skip. */
  fruitless: number;
  /** Slices printed since the last look. */
  sinceLook: number;
  /** The preview line last reported ("" before the first). */
  preview: string;
}

/**
 * Output with no long plain runs (colour on every line) pays the scan for nothing: after two
 * fruitless slices a session's slices are only looked at one in `LOOK_EVERY_SLICES`.
 */
const LOOK_EVERY_SLICES = 8;

/** Output a session may hold back before it is printed. */
const PRINT_SLICE_BYTES = 1024 * 1024;
/** How long output may wait for more before it is printed anyway. */
const PRINT_AFTER_MS = 250;

const screens = new Map<string, Screen>();
const port = parentPort;
if (!port) throw new Error("screen worker must run in a worker thread");
// Started at low priority (`startBackgroundWorker`): parsing a flood must never take the CPU
// from the event loop that forwards an echo.

port.on("message", (message: ToScreenWorker) => {
  try {
    handle(message);
  } catch (err) {
    send({
      type: "error",
      session: message.session,
      message: err instanceof Error ? err.message : String(err),
    });
  }
});

function handle(message: ToScreenWorker): void {
  switch (message.type) {
    case "open": {
      const previous = screens.get(message.session);
      if (previous) {
        // Its queued output will never be printed: count it as done so the hub's bound holds.
        done(previous);
        previous.terminal.dispose();
      }
      const terminal = new headless.Terminal({
        cols: message.cols,
        rows: message.rows,
        scrollback: SNAPSHOT_SCROLLBACK_LINES,
        allowProposedApi: true,
        // Only warnings about `writeSync`, which this worker alone calls (nothing else writes).
        logLevel: "error",
      });
      const serializer = new serializeAddon.SerializeAddon();
      terminal.loadAddon(serializer);
      // The same widths as the web terminal, so a snapshot puts wide characters where it does.
      terminal.loadAddon(new unicode11Addon.Unicode11Addon());
      terminal.unicode.activeVersion = "11";
      if (message.base) target(terminal)._core.writeSync(new TextEncoder().encode(message.base));
      screens.set(message.session, {
        session: message.session,
        terminal,
        serializer,
        seq: message.seq,
        queued: [],
        queuedBytes: 0,
        fruitless: 0,
        sinceLook: 0,
        preview: "",
      });
      return;
    }
    case "write": {
      const screen = screens.get(message.session);
      if (!screen) return;
      screen.seq = message.seq;
      if (message.data.length === 0) return;
      screen.queued.push(message.data);
      screen.queuedBytes += message.data.length;
      if (screen.queuedBytes >= PRINT_SLICE_BYTES) print(screen);
      else printLater();
      return;
    }
    case "resize": {
      const screen = screens.get(message.session);
      if (!screen) return;
      print(screen);
      screen.terminal.resize(message.cols, message.rows);
      screen.seq = message.seq;
      return;
    }
    case "rebase": {
      const screen = screens.get(message.session);
      if (!screen) return;
      print(screen);
      screen.terminal.reset();
      target(screen.terminal)._core.writeSync(new TextEncoder().encode(message.note));
      screen.seq = message.seq;
      return;
    }
    case "snapshot": {
      const screen = caughtUp(message);
      if (!screen) return;
      send({
        type: "snapshot",
        ref: message.ref,
        session: message.session,
        seq: screen.seq,
        cols: screen.terminal.cols,
        rows: screen.terminal.rows,
        screen: serializeScreen(screen.terminal, screen.serializer, SNAPSHOT_SCROLLBACK_LINES),
      });
      return;
    }
    case "rows": {
      const screen = caughtUp(message);
      if (!screen) return;
      const rows = screenRows(screen.terminal, message.count);
      send({ type: "rows", ref: message.ref, session: message.session, seq: screen.seq, rows });
      return;
    }
    case "close": {
      const screen = screens.get(message.session);
      if (!screen) return;
      done(screen);
      screen.terminal.dispose();
      screens.delete(message.session);
      return;
    }
  }
}

/** The emulator's synchronous write (internal to xterm; this worker is its only writer). */
/**
 * The session's screen with everything sent to it printed, for a request to read it (a snapshot,
 * its rows); undefined, answered with an error, when there is no screen for it.
 */
function caughtUp(message: { ref: number; session: string }): Screen | undefined {
  const screen = screens.get(message.session);
  if (!screen) {
    send({
      type: "error",
      ref: message.ref,
      session: message.session,
      message: "no screen for this session",
    });
    return undefined;
  }
  print(screen);
  sendParsed();
  return screen;
}

function target(terminal: HeadlessModule.Terminal): PrintTarget {
  return terminal as unknown as PrintTarget;
}

/** Prints the output a session holds back. */
function print(screen: Screen): void {
  if (screen.queuedBytes === 0) return;
  try {
    screen.sinceLook++;
    const look = screen.fruitless < 2 || screen.sinceLook >= LOOK_EVERY_SLICES;
    const { bytes, skipped } = printOutput(
      target(screen.terminal),
      screen.queued,
      SNAPSHOT_SCROLLBACK_LINES,
      look,
    );
    if (look) {
      screen.sinceLook = 0;
      screen.fruitless = skipped > 0 ? 0 : screen.fruitless + 1;
    }
    printed.push({ session: screen.session, bytes, skipped });
    // Once per slice printed (a few rows read), and reported only when it changed.
    const line = screenPreview(screen.terminal);
    if (line !== "" && line !== screen.preview) {
      screen.preview = line;
      previews.push({ session: screen.session, line });
    }
  } finally {
    done(screen);
  }
}

let printTimer: NodeJS.Timeout | undefined;

/** Held-back output is printed within `PRINT_AFTER_MS`, so the hub's in-flight bound drains. */
function printLater(): void {
  if (printTimer) return;
  printTimer = setTimeout(() => {
    printTimer = undefined;
    for (const [session, screen] of screens) {
      try {
        print(screen);
      } catch (err) {
        send({ type: "error", session, message: err instanceof Error ? err.message : String(err) });
      }
    }
    sendParsed();
  }, PRINT_AFTER_MS);
}

/** Parsed bytes not yet reported; reported in batches to keep the message count low. */
let unreported = 0;
const REPORT_EVERY_BYTES = 256 * 1024;
/** Buffers of parsed writes, not yet handed back (each goes back with the next report). */
const returning: ArrayBuffer[] = [];
/** Slices printed since the last report, and how much of each was skipped. */
let printed: { session: string; bytes: number; skipped: number }[] = [];
/** Preview lines changed since the last report. */
let previews: { session: string; line: string }[] = [];

function reportParsed(bytes: number): void {
  unreported += bytes;
  // A changed preview goes at once: the session list shows it.
  if (unreported >= REPORT_EVERY_BYTES || returning.length > 0 || previews.length > 0) sendParsed();
}

function sendParsed(): void {
  if (unreported === 0 && returning.length === 0 && previews.length === 0) return;
  const buffers = returning.splice(0);
  const slices = printed.length > 0 ? printed : undefined;
  printed = [];
  const lines = previews.length > 0 ? previews : undefined;
  previews = [];
  port?.postMessage(
    {
      type: "parsed",
      bytes: unreported,
      buffers,
      printed: slices,
      previews: lines,
    } satisfies FromScreenWorker,
    buffers,
  );
  unreported = 0;
}

/** Queued output is printed (or dropped): its buffers go back, its bytes count as parsed. */
function done(screen: Screen): void {
  if (screen.queuedBytes === 0) return;
  for (const data of screen.queued) {
    // The emulator holds no reference to the bytes any more: the hub may reuse the buffer.
    // A buffer is handed back with the last of the views into it (one view per write).
    if (isTransferBuffer(data.buffer)) returning.push(data.buffer as ArrayBuffer);
  }
  const bytes = screen.queuedBytes;
  screen.queued = [];
  screen.queuedBytes = 0;
  reportParsed(bytes);
}

function send(message: FromScreenWorker): void {
  port?.postMessage(message);
}
