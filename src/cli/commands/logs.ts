/**
 * `dispatch logs NAME [--after SEQ | --tail N] [--follow] [--all]`: the session's output as raw
 * bytes on stdout. Lost output (a `gap` event) is marked on stderr, and so, with `--all`, is history
 * that retention compacted behind a snapshot, so stdout stays exactly the bytes stored.
 */

import { once } from "node:events";
import type { Command } from "commander";
import { droppedEventReason, gapNote } from "../../protocol/droppedEvent.js";
import { UsageError } from "../exitCodes.js";
import { followSession } from "../followSession.js";
import { HubClient, type StoredEvent } from "../HubClient.js";
import { noOutput } from "../kinds/registry.js";
import { tailOf } from "../logTail.js";

/** Events per REST page: large enough to stream quickly, small enough to keep replies modest. */
const PAGE_EVENTS = 1000;

export function registerLogs(program: Command): void {
  program
    .command("logs")
    .description("write a session's output (raw bytes) to stdout")
    .argument("<name>", "session name")
    .option("--after <seq>", "only events after this seq", "0")
    .option("-n, --tail <lines>", "only the last LINES lines of stored output")
    .option("-f, --follow", "keep writing new output until the session exits (or Ctrl-C)")
    .option("--all", "also say where older history was compacted (retention) before the stored output")
    .action(logs);
}

async function logs(
  name: string,
  options: { after: string; tail?: string; follow?: boolean; all?: boolean },
): Promise<void> {
  if (!/^\d+$/.test(options.after))
    throw new UsageError(`invalid --after '${options.after}': use a seq number (0 or more)`);
  if (options.tail !== undefined && !/^\d+$/.test(options.tail))
    throw new UsageError(`invalid --tail '${options.tail}': use a number of lines (0 or more)`);
  if (options.tail !== undefined && options.after !== "0")
    throw new UsageError("--tail and --after both choose where output starts: give one of them");
  const client = HubClient.locate();
  // An editor's log is its edits: nothing here would ever be written. Say what shows it.
  const instead = noOutput(await client.getSession(name));
  if (instead !== undefined) {
    process.stderr.write(`dispatch: ${instead}\n`);
    return;
  }
  if (options.tail !== undefined) {
    const tail = await tailOf(client, name, Number(options.tail));
    await writeOut(tail.bytes);
    if (options.follow) await follow(client, name, tail.lastSeq);
    return;
  }
  let after = Number(options.after);
  let first = true;
  for (;;) {
    const page = await client.events(name, after, PAGE_EVENTS);
    if (first && options.all && page.firstSeq > after + 1) {
      process.stderr.write(
        `[dispatch: history through seq ${page.firstSeq - 1} was compacted behind a snapshot (retention); output below starts at seq ${page.firstSeq}]\n`,
      );
    }
    first = false;
    for (const event of page.events) {
      await writeStored(event);
      after = event.seq;
    }
    if (page.events.length === 0 || after >= page.lastSeq) break;
  }
  if (options.follow) await follow(client, name, after);
}

/** Live output after `afterSeq`; through hub restarts, every byte written exactly once. */
function follow(client: HubClient, name: string, afterSeq: number): Promise<void> {
  return followSession({
    client,
    session: name,
    afterSeq,
    clientName: "dispatch-logs",
    output: writeOut,
    event: (event) => {
      if (event.type === "gap") markGap(event.seq, event.data);
    },
  });
}

async function writeStored(event: StoredEvent): Promise<void> {
  if (event.type === "output" && typeof event.data === "string") {
    await writeOut(Buffer.from(event.data, "base64"));
  } else if (event.type === "gap") {
    markGap(event.seq, event.data as Record<string, unknown>);
  }
}

function markGap(seq: number, data: Record<string, unknown>): void {
  // An event its host could not send (too large for the link) says why in its own words.
  if (droppedEventReason(data) !== undefined) {
    process.stderr.write(`\n[dispatch: at seq ${seq}, ${gapNote(data)}]\n`);
    return;
  }
  const from = typeof data.fromSeq === "number" ? ` (seq ${data.fromSeq} to ${seq})` : ` (before seq ${seq})`;
  process.stderr.write(`\n[dispatch: gap — ${gapNote(data)}${from}]\n`);
}

async function writeOut(data: Uint8Array): Promise<void> {
  if (!process.stdout.write(data)) await once(process.stdout, "drain");
}
