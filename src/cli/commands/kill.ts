/**
 * `dispatch kill NAME [--signal SIG]`: ends a session's process (SIGHUP, like closing a terminal)
 * and says what happened: its status once it ended, or that it still runs. A signal not meant to
 * end it (INT, QUIT, USR1...: `protocol/signals.ts`) is answered once delivered. An ended session is
 * removed instead (the hub's rule).
 */
import type { Command } from "commander";
import { DispatchError } from "../../core/errors.js";
import { isLiveStatus } from "../../core/liveness.js";
import { didYouMean } from "../../core/names.js";
import type { SessionInfo } from "../../protocol/session.js";
import { isEndingSignal, KILL_SIGNALS, type KillSignal } from "../../protocol/signals.js";
import { UsageError } from "../exitCodes.js";
import { HubClient } from "../HubClient.js";
import { SessionStream } from "../SessionStream.js";
import { statusText } from "../sessionTable.js";

/**
 * How long to wait for the end after the hub's own wait (3 s) ran out: a workspace's kernel gets
 * 3 s to shut down before it is SIGKILLed, so its end comes just after the hub stops waiting.
 */
const END_WAIT_MS = 10_000;

export function registerKill(program: Command): void {
  program
    .command("kill")
    .description("end a session's process (one already ended is removed, with its history)")
    .argument("<name>", "session name")
    .option("--signal <signal>", `signal to send: ${KILL_SIGNALS.map(short).join(", ")}`, "SIGHUP")
    .action(kill);
}

async function kill(name: string, options: { signal: string }): Promise<void> {
  const signal = signalNamed(options.signal);
  const client = HubClient.locate();
  const session = await client.killSession(name, signal);
  if (!isLiveStatus(session.status)) {
    const removed = !(await stillKnown(client, session.id));
    console.log(
      removed
        ? `${session.name}: removed (it had ended: ${statusText(session)})`
        : `${session.name}: ${statusText(session)}`,
    );
    return;
  }
  // A signal not meant to end it (SIGINT: a shell, a kernel's evaluation, runs on): no end to wait for.
  const after = isEndingSignal(signal) ? await endOf(client, session) : session;
  console.log(
    isLiveStatus(after.status)
      ? `${after.name}: sent ${signal}; still ${statusText(after)}`
      : `${after.name}: ${statusText(after)}`,
  );
}

/** `USR1`, `usr1` or `SIGUSR1` as the signal; a mistyped one is refused with the likely name. */
function signalNamed(given: string): KillSignal {
  const signal = given.toUpperCase().replace(/^(?!SIG)/, "SIG");
  const known = KILL_SIGNALS.find((name) => name === signal);
  if (known) return known;
  const guess = didYouMean(short(signal), KILL_SIGNALS.map(short));
  throw new UsageError(
    `unknown signal '${given}'${guess ? ` — did you mean ${guess}?` : ""} (signals: ${KILL_SIGNALS.map(short).join(", ")})`,
  );
}

/** `SIGUSR1` as people type it: `USR1`. */
function short(signal: string): string {
  return signal.replace(/^SIG/, "");
}

/** Whether the hub still has the session (it removes one that had already ended). */
async function stillKnown(client: HubClient, id: string): Promise<boolean> {
  try {
    await client.getSession(id);
    return true;
  } catch (err) {
    if (err instanceof DispatchError && err.code === "not_found") return false;
    throw err;
  }
}

/** The session once it has ended, or as it is after `END_WAIT_MS` if it has not. */
async function endOf(client: HubClient, session: SessionInfo): Promise<SessionInfo> {
  const socket = await client.connect("dispatch-kill");
  const stream = new SessionStream(socket, { output: () => undefined });
  let timer: NodeJS.Timeout | undefined;
  try {
    await stream.attach(session.id, { afterSeq: session.lastSeq, snapshot: false });
    const waited = new Promise<"waited">((resolve) => {
      timer = setTimeout(() => resolve("waited"), END_WAIT_MS);
    });
    const end = await Promise.race([stream.ended, waited]);
    if (end === "waited") return stream.session ?? session;
    if (end.reason === "closed") return session;
    // The record as the hub keeps it now: with the reason (`killed by SIGHUP`) the exit gave.
    return await client.getSession(session.id).catch(() => end.session);
  } finally {
    clearTimeout(timer);
    stream.dispose();
    await socket.close();
  }
}
