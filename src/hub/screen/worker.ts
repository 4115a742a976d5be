/**
 * Screen worker entry: one @xterm/headless terminal per session, fed the stored output in seq
 * order, serialized (with the serialize addon) on request. Runs in a worker thread.
 */
import { parentPort } from "node:worker_threads";
import serializeAddon from "@xterm/addon-serialize";
import unicode11Addon from "@xterm/addon-unicode11";
import headless from "@xterm/headless";
import { lowerThreadPriority } from "../../platform/threadPriority.js";
import {
  type FromScreenWorker,
  SNAPSHOT_SCROLLBACK_LINES,
  type ToScreenWorker,
  TRANSFER_BUFFER_BYTES,
} from "./messages.js";
import { serializeExtras } from "./serializeExtras.js";

interface Screen {
  terminal: headless.Terminal;
  serializer: serializeAddon.SerializeAddon;
  /** Seq of the last event written (parsed or queued). */
  seq: number;
  /** Output bytes written but not yet parsed. */
  queued: number;
}

const screens = new Map<string, Screen>();
const port = parentPort;
if (!port) throw new Error("screen worker must run in a worker thread");
// Parsing a flood must never take the CPU from the event loop that forwards an echo.
lowerThreadPriority();

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
        // Its queued writes will never be parsed: count them as done so the hub's bound holds.
        discarded(previous);
        previous.terminal.dispose();
      }
      const terminal = new headless.Terminal({
        cols: message.cols,
        rows: message.rows,
        scrollback: SNAPSHOT_SCROLLBACK_LINES,
        allowProposedApi: true,
      });
      const serializer = new serializeAddon.SerializeAddon();
      terminal.loadAddon(serializer);
      // The same widths as the web terminal, so a snapshot puts wide characters where it does.
      terminal.loadAddon(new unicode11Addon.Unicode11Addon());
      terminal.unicode.activeVersion = "11";
      if (message.base) terminal.write(message.base);
      screens.set(message.session, { terminal, serializer, seq: message.seq, queued: 0 });
      return;
    }
    case "write": {
      const screen = screens.get(message.session);
      if (!screen) return;
      const length = message.data.length;
      screen.queued += length;
      const { buffer } = message.data;
      screen.terminal.write(message.data, () => {
        // Parsed: the emulator holds no reference to the bytes any more, the hub may reuse them.
        if (buffer.byteLength === TRANSFER_BUFFER_BYTES) returning.push(buffer as ArrayBuffer);
        if (screens.get(message.session) !== screen) return;
        screen.queued -= length;
        reportParsed(length);
      });
      screen.seq = message.seq;
      return;
    }
    case "resize": {
      const screen = screens.get(message.session);
      if (!screen) return;
      // Writes are parsed asynchronously: apply the resize in order, after those queued before it.
      screen.terminal.write("", () => screen.terminal.resize(message.cols, message.rows));
      screen.seq = message.seq;
      return;
    }
    case "rebase": {
      const screen = screens.get(message.session);
      if (!screen) return;
      screen.terminal.write("", () => screen.terminal.reset());
      screen.terminal.write(message.note);
      screen.seq = message.seq;
      return;
    }
    case "snapshot": {
      const screen = screens.get(message.session);
      if (!screen) {
        send({
          type: "error",
          ref: message.ref,
          session: message.session,
          message: "no screen for this session",
        });
        return;
      }
      const seq = screen.seq;
      // The empty write's callback runs after everything queued before it is parsed.
      screen.terminal.write("", () => {
        sendParsed();
        send({
          type: "snapshot",
          ref: message.ref,
          session: message.session,
          seq,
          cols: screen.terminal.cols,
          rows: screen.terminal.rows,
          screen:
            screen.serializer.serialize({ scrollback: SNAPSHOT_SCROLLBACK_LINES }) +
            serializeExtras(screen.terminal),
        });
      });
      return;
    }
    case "close":
      discarded(screens.get(message.session));
      screens.get(message.session)?.terminal.dispose();
      screens.delete(message.session);
      return;
  }
}

/** Parsed bytes not yet reported; reported in batches to keep the message count low. */
let unreported = 0;
const REPORT_EVERY_BYTES = 256 * 1024;
/** Buffers of parsed writes, not yet handed back (each goes back with the next report). */
const returning: ArrayBuffer[] = [];

function reportParsed(bytes: number): void {
  unreported += bytes;
  if (unreported >= REPORT_EVERY_BYTES || returning.length > 0) sendParsed();
}

function sendParsed(): void {
  if (unreported === 0 && returning.length === 0) return;
  const buffers = returning.splice(0);
  port?.postMessage({ type: "parsed", bytes: unreported, buffers } satisfies FromScreenWorker, buffers);
  unreported = 0;
}

function discarded(screen: Screen | undefined): void {
  if (!screen || screen.queued === 0) return;
  reportParsed(screen.queued);
  screen.queued = 0;
}

function send(message: FromScreenWorker): void {
  port?.postMessage(message);
}
