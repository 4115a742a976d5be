/**
 * `dispatch send NAME [--enter] TEXT...` (or `--stdin`): input for a session without attaching.
 * Text over one request's limit (a file piped in, many words) goes in pieces that each fit, in
 * order, each numbered: it was refused whole ("too long: at most 1,048,576 characters").
 */

import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import { backoffDelay } from "../../core/backoff.js";
import { DispatchError } from "../../core/errors.js";
import { inputPieces } from "../attached/inputPieces.js";
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
    .option("--stdin", "type what stdin carries (a file, a pipe; read as UTF-8) instead of TEXT")
    .action(send);
}

async function send(
  name: string,
  text: string[],
  options: { enter?: boolean; stdin?: boolean },
): Promise<void> {
  if (options.stdin && text.length > 0)
    throw new UsageError("give TEXT or --stdin, not both (`dispatch send NAME --stdin < FILE`)");
  if (!options.stdin && text.length === 0 && !options.enter)
    throw new UsageError("nothing to send: give TEXT, --stdin, --enter, or both");
  const typed = options.stdin ? await readStdin() : text.join(" ");
  const hub = HubClient.locate();
  const stream = `send-${randomBytes(12).toString("base64url")}`;
  const pieces = inputPieces(typed + (options.enter ? "\r" : ""));
  for (const [index, piece] of pieces.entries())
    await sendPiece(hub, name, piece, { stream, seq: index + 1 });
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY)
    throw new UsageError(
      "--stdin reads a file or a pipe, and stdin is a terminal: `dispatch send NAME --stdin < FILE`",
    );
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

/** One piece, sent again while its host is away (`HOST_WAIT_MS`); its number keeps it from being typed twice. */
async function sendPiece(
  hub: HubClient,
  name: string,
  data: string,
  id: { stream: string; seq: number },
): Promise<void> {
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
