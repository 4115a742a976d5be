/** How the terminal client's end is told: one line to stderr, and the exit code. */
import { DispatchError } from "../../core/errors.js";
import { findKind } from "../../kinds/registry.js";
import { reviveAdvice } from "../../kinds/reviveAdvice.js";
import type { StreamEnd } from "../SessionStream.js";
import { EXIT_SIGNALS } from "./processExits.js";
import { reconnectGiveUpMs } from "./reconnectSettings.js";
import type { SessionEnd } from "./SessionView.js";
import type { ClientEnd } from "./TerminalClient.js";

export function reportEnd(end: ClientEnd): void {
  switch (end.reason) {
    case "detached":
      console.error(`\r\n[dispatch: detached from ${end.name}]`);
      return;
    case "quit":
      return;
    case "ended":
      console.error(`\r\n[dispatch: ${endText(end.end)}${nextStep(end.end)}]`);
      return;
    case "signal":
      process.exitCode = 128 + EXIT_SIGNALS[end.signal];
      return;
    case "closed":
      throw new DispatchError(
        "host_unavailable",
        `lost the connection to the hub and could not reach it again within ${Math.round(reconnectGiveUpMs() / 1000)} s (DISPATCH_RECONNECT_GIVE_UP_MS); the session keeps running`,
      );
    default: {
      const unreachable: never = end;
      throw new Error(`unexpected end: ${JSON.stringify(unreachable)}`);
    }
  }
}

/** "NAME exited with code 3", "NAME was removed": how a session's end is told. */
export function endText(end: SessionEnd): string {
  return end.reason === "removed"
    ? `${end.session.name} was removed`
    : `${end.session.name} ${exitText(end)}`;
}

/**
 * What to do about an end the person did not ask for here: every kind revives (a refusal, such
 * as an agent's removed worktree, is said by `dispatch revive` itself), so the hint is the same.
 */
function nextStep(end: SessionEnd): string {
  return end.reason === "exited"
    ? `; ${reviveAdvice(end.session.name, findKind(end.session.kind)?.revivedAs)}`
    : "";
}

function exitText(end: Extract<StreamEnd, { reason: "exited" }>): string {
  if (end.code !== null) return `exited with code ${end.code}`;
  if (end.signal !== null) return `exited on signal ${end.signal}`;
  return end.session.reason ? `ended: ${end.session.reason}` : "exited";
}
