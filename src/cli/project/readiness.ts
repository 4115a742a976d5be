/**
 * Waits for a session's `ready` pattern in its output, watched through the hub's event
 * stream: attached from its start (the first stored event, or the current screen when older
 * history was compacted), so a pattern printed before `up` looked still counts. A revived
 * session's old screen, replayed first, does not count. Gives up when the session ends first
 * or the timeout passes, with the last lines it printed.
 */
import { DispatchError } from "../../core/errors.js";
import type { HubClient } from "../HubClient.js";
import { SessionStream } from "../SessionStream.js";
import { previewLines } from "../tui/previewLines.js";

/** Output kept for matching: a ready line is near the end of what a server prints at start. */
const KEPT_CHARS = 64 * 1024;
/** Lines shown when the pattern never came. */
const SHOWN_LINES = 8;

export interface ReadyWatch {
  session: string;
  pattern: RegExp;
  timeoutMs: number;
  /** Output after this seq counts (a revived session: where its new process begins). */
  afterSeq: number;
}

export async function waitForReady(hub: HubClient, watch: ReadyWatch): Promise<void> {
  const socket = await hub.connect("dispatch-up");
  const decoder = new TextDecoder();
  let text = "";
  let matched!: () => void;
  const ready = new Promise<void>((resolve) => {
    matched = resolve;
  });
  const add = (chunk: string) => {
    text = (text + chunk).slice(-KEPT_CHARS);
    if (watch.pattern.test(previewLines(text, Number.POSITIVE_INFINITY).join("\n"))) matched();
  };
  /** Seq of the old screen a revived terminal shows first: not this run's output. */
  let preface = -1;
  const stream = new SessionStream(socket, {
    output: (data, seq) => {
      if (seq !== preface) add(decoder.decode(data, { stream: true }));
    },
    event: (event) => {
      if (event.type === "revived") preface = event.seq + 1;
    },
    snapshot: (snapshot) => add(snapshot.data),
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), watch.timeoutMs);
  });
  try {
    await stream.attach(watch.session, { afterSeq: watch.afterSeq });
    const outcome = await Promise.race([ready.then(() => "ready" as const), stream.ended, timedOut]);
    if (outcome === "ready") return;
    const last = previewLines(text, SHOWN_LINES)
      .map((line) => `    | ${line}`)
      .join("\n");
    const shown = last.length > 0 ? `; its last lines:\n${last}` : "; it printed nothing";
    if (outcome === "timeout") {
      throw new DispatchError(
        "bad_request",
        `'${watch.session}' did not print /${watch.pattern.source}/ within ${Math.round(watch.timeoutMs / 1000)}s (ready_timeout)${shown}`,
      );
    }
    const how =
      outcome.reason === "exited"
        ? `ended${outcome.code !== null ? ` with code ${outcome.code}` : outcome.session.reason ? ` (${outcome.session.reason})` : ""}`
        : outcome.reason === "removed"
          ? "was removed"
          : "lost its connection to the hub";
    throw new DispatchError(
      "session_exited",
      `'${watch.session}' ${how} before printing /${watch.pattern.source}/${shown}`,
    );
  } finally {
    clearTimeout(timer);
    stream.dispose();
    await socket.close();
  }
}
