/** `dispatch send NAME [--enter] TEXT...`: input for a session without attaching. */

import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import { backoffDelay } from "../../core/backoff.js";
import { DispatchError } from "../../core/errors.js";
import { UsageError } from "../exitCodes.js";
import { HubClient } from "../HubClient.js";
import { refusedByHub } from "../hubRequest.js";

/**
 * How long input the hub refused because the session's host is not linked to it right now
 * (`host_unavailable`) is sent again: a host whose link dropped dials back within its backoff
 * (at most 5 s). The input is numbered, and sent again with the same number: when the refusal
 * came after it was on its way (a hub node relaying it to another went away), the host applies
 * it once all the same.
 */
const HOST_WAIT_MS = 10_000;
/** The longest pause between two tries. */
const RETRY_MAX_MS = 1_000;

export function registerSend(program: Command): void {
  program
    .command("send")
    .description("type TEXT (words joined by spaces) into a session")
    .argument("<name>", "session name")
    .argument("[text...]", "text to type; put it after -- if it starts with -")
    .option("--enter", "press Enter after the text")
    .action(send);
}

async function send(name: string, text: string[], options: { enter?: boolean }): Promise<void> {
  if (text.length === 0 && !options.enter)
    throw new UsageError("nothing to send: give TEXT, --enter, or both");
  const hub = HubClient.locate();
  const data = text.join(" ") + (options.enter ? "\r" : "");
  const id = { stream: `send-${randomBytes(12).toString("base64url")}`, seq: 1 };
  const deadline = Date.now() + HOST_WAIT_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await hub.input(name, data, id);
    } catch (err) {
      if (!refusedByHub(err) || err.code !== "host_unavailable") throw err;
      const delayMs = backoffDelay(attempt, Math.random, RETRY_MAX_MS);
      if (Date.now() + delayMs > deadline) {
        throw new DispatchError(
          "host_unavailable",
          `could not type into '${name}': ${err.message} (tried for ${HOST_WAIT_MS / 1000} s)`,
        );
      }
      if (attempt === 0) {
        process.stderr.write(
          `dispatch send: ${err.message} (sending again for up to ${HOST_WAIT_MS / 1000} s)\n`,
        );
      }
      await sleep(delayMs);
    }
  }
}
