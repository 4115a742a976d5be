/**
 * `dispatch logs NAME [--after SEQ] [--follow] [--all]`: the session's output as raw bytes on
 * stdout. Lost output (a `gap` event) is marked on stderr, and so, with `--all`, is history
 * that retention compacted behind a snapshot, so stdout stays exactly the bytes stored.
 */
import { once } from "node:events";
import type { Command } from "commander";
import { backoffDelay } from "../../core/backoff.js";
import { DispatchError } from "../../core/errors.js";
import type { JsonEvent } from "../../protocol/events.js";
import { UsageError } from "../exitCodes.js";
import { HubClient, type StoredEvent } from "../HubClient.js";
import { SessionStream } from "../SessionStream.js";

/** Events per REST page: large enough to stream quickly, small enough to keep replies modest. */
const PAGE_EVENTS = 1000;

export function registerLogs(program: Command): void {
  program
    .command("logs")
    .description("write a session's output (raw bytes) to stdout")
    .argument("<name>", "session name")
    .option("--after <seq>", "only events after this seq", "0")
    .option("--follow", "keep writing new output until the session exits (or Ctrl-C)")
    .option("--all", "also say where older history was compacted (retention) before the stored output")
    .action(logs);
}

async function logs(
  name: string,
  options: { after: string; follow?: boolean; all?: boolean },
): Promise<void> {
  if (!/^\d+$/.test(options.after))
    throw new UsageError(`invalid --after '${options.after}': use a seq number (0 or more)`);
  const client = HubClient.locate();
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

async function writeStored(event: StoredEvent): Promise<void> {
  if (event.type === "output" && typeof event.data === "string") {
    await writeOut(Buffer.from(event.data, "base64"));
  } else if (event.type === "gap") {
    markGap(event.seq, event.data as Record<string, unknown>);
  }
}

/**
 * Live output after `afterSeq` over the WebSocket, until the session ends or Ctrl-C. When the
 * hub goes away (a restart, a crash) it says so on stderr, retries with backoff and goes on
 * from the last seq it wrote, so every byte is written exactly once.
 */
async function follow(first: HubClient, name: string, afterSeq: number): Promise<void> {
  const interrupted = new Promise<"interrupted">((resolve) =>
    process.once("SIGINT", () => resolve("interrupted")),
  );
  let after = afterSeq;
  let client = first;
  let attempt = 0;
  let reconnecting = false;
  const attached = () => {
    if (!reconnecting) return;
    process.stderr.write("[dispatch: reconnected]\n");
    reconnecting = false;
    attempt = 0;
  };
  for (;;) {
    const outcome = await followOnce({ client, name, afterSeq: after, interrupted, attached }).catch(
      (err: unknown) => {
        if (err instanceof DispatchError && err.code === "host_unavailable")
          return { lost: true, seq: after };
        throw err;
      },
    );
    after = outcome.seq;
    if (!outcome.lost) return;
    if (!reconnecting) process.stderr.write("\n[dispatch: lost the hub; reconnecting…]\n");
    reconnecting = true;
    const waited = await Promise.race([sleep(backoffDelay(attempt++)), interrupted]);
    if (waited === "interrupted") return;
    // A restarted hub may listen on another port: find it again.
    client = HubClient.locate();
  }
}

interface FollowOnce {
  client: HubClient;
  name: string;
  afterSeq: number;
  interrupted: Promise<"interrupted">;
  /** Called once the attach succeeded (the hub is there). */
  attached: () => void;
}

/** One connection's worth of following; `lost` when it dropped before the session ended. */
async function followOnce(options: FollowOnce): Promise<{ lost: boolean; seq: number }> {
  const socket = await options.client.connect("dispatch-logs");
  let writing = Promise.resolve();
  const stream = new SessionStream(socket, {
    output: (data) => {
      writing = writing.then(() => writeOut(data));
    },
    event: (event: JsonEvent) => {
      if (event.type === "gap") markGap(event.seq, event.data);
    },
  });
  try {
    // No size: following must never resize the session for the people attached to it.
    await stream.attach(options.name, { afterSeq: options.afterSeq, snapshot: false });
    options.attached();
    const end = await Promise.race([stream.ended, options.interrupted]);
    await writing;
    return { lost: end !== "interrupted" && end.reason === "closed", seq: stream.seq };
  } catch (err) {
    await writing;
    if (err instanceof DispatchError && err.code === "host_unavailable") {
      return { lost: true, seq: Math.max(options.afterSeq, stream.seq) };
    }
    throw err;
  } finally {
    stream.dispose();
    await socket.close();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function markGap(seq: number, data: Record<string, unknown>): void {
  const bytes = typeof data.bytes === "number" ? `${data.bytes} bytes of ` : "";
  const from = typeof data.fromSeq === "number" ? ` (seq ${data.fromSeq} to ${seq})` : ` (before seq ${seq})`;
  process.stderr.write(`\n[dispatch: gap — ${bytes}output lost here${from}]\n`);
}

async function writeOut(data: Uint8Array): Promise<void> {
  if (!process.stdout.write(data)) await once(process.stdout, "drain");
}
