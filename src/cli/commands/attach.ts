/**
 * `dispatch attach NAME [--detach-key KEY]`: this terminal becomes the session's terminal.
 * Raw mode passthrough, resize on SIGWINCH, a detach key (Ctrl-\ by default), and the terminal
 * restored on every way out: detach, session exit, hub gone, signals, exceptions.
 */
import { StringDecoder } from "node:string_decoder";
import type { Command } from "commander";
import { DispatchError } from "../../core/errors.js";
import { DEFAULT_DETACH_KEY, findDetachKey, parseDetachKey } from "../detachKey.js";
import { HubClient } from "../HubClient.js";
import { RawTerminal } from "../RawTerminal.js";
import { SessionStream, type StreamEnd } from "../SessionStream.js";

/** Signals that end an attach; the terminal is restored first. */
const EXIT_SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 } as const;
type ExitSignal = keyof typeof EXIT_SIGNALS;
/** Bound on telling the hub we leave; it notices a closed socket anyway. */
const DETACH_TIMEOUT_MS = 1_000;
/** Clears the screen before a snapshot, which redraws it whole. */
const CLEAR_SCREEN = "\x1b[H\x1b[2J";

type Outcome = StreamEnd | { kind: "detached" } | { kind: "signal"; signal: ExitSignal };

export function registerAttach(program: Command): void {
  program
    .command("attach")
    .description("attach this terminal to a session (detach with Ctrl-\\)")
    .argument("<name>", "session name")
    .option(
      "--detach-key <key>",
      "key that detaches: ctrl-\\, ctrl-], ctrl-a..., or none",
      DEFAULT_DETACH_KEY,
    )
    .action(attach);
}

async function attach(name: string, options: { detachKey: string }): Promise<void> {
  const detachKey = parseDetachKey(options.detachKey);
  const socket = await HubClient.locate().connect("dispatch-attach");
  const terminal = new RawTerminal();
  const stdout = process.stdout;
  const stream = new SessionStream(socket, {
    output: (data) => stdout.write(data),
    snapshot: (snapshot) => stdout.write(CLEAR_SCREEN + snapshot.data),
  });

  let info: Awaited<ReturnType<SessionStream["attach"]>>;
  try {
    info = await stream.attach(name, { snapshot: true, ...terminal.size() });
  } catch (err) {
    stream.dispose();
    await socket.close();
    throw err;
  }

  // From here the terminal is raw: every path below ends in restore().
  const restore = () => terminal.restore();
  const onException = (err: unknown) => {
    restore();
    console.error(`dispatch: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  };
  process.on("exit", restore);
  process.on("uncaughtException", onException);
  process.on("unhandledRejection", onException);

  let settle!: (outcome: Outcome) => void;
  const outcome = new Promise<Outcome>((resolve) => {
    settle = resolve;
  });
  const decoder = new StringDecoder("utf8");
  const onInput = (chunk: Buffer) => {
    const at = findDetachKey(chunk, detachKey);
    const keys = decoder.write(at >= 0 ? chunk.subarray(0, at) : chunk);
    if (keys.length > 0) socket.input(info.id, keys);
    if (at >= 0) settle({ kind: "detached" });
  };
  const onResize = () => {
    const size = terminal.size();
    if (size) socket.resize(info.id, size.cols, size.rows);
  };
  const onSignal = (signal: ExitSignal) => settle({ kind: "signal", signal });
  process.stdin.on("data", onInput);
  process.stdout.on("resize", onResize);
  for (const signal of Object.keys(EXIT_SIGNALS) as ExitSignal[]) process.on(signal, onSignal);
  stream.ended.then(settle);
  terminal.enter();

  const result = await outcome;
  process.stdin.off("data", onInput);
  process.stdout.off("resize", onResize);
  for (const signal of Object.keys(EXIT_SIGNALS) as ExitSignal[]) process.off(signal, onSignal);
  restore();
  if (result.kind === "detached") {
    await Promise.race([socket.detach(info.id).catch(() => undefined), delay(DETACH_TIMEOUT_MS)]);
  }
  stream.dispose();
  await socket.close();
  process.off("uncaughtException", onException);
  process.off("unhandledRejection", onException);

  const sessionName = stream.session?.name ?? info.name;
  switch (result.kind) {
    case "detached":
      console.error(`\r\n[dispatch: detached from ${sessionName}]`);
      return;
    case "exited":
      console.error(`\r\n[dispatch: ${sessionName} ${exitText(result)}]`);
      return;
    case "removed":
      console.error(`\r\n[dispatch: ${sessionName} was removed]`);
      return;
    case "signal":
      process.exitCode = 128 + EXIT_SIGNALS[result.signal];
      return;
    case "closed":
      throw new DispatchError(
        "host_unavailable",
        "lost the connection to the hub; the session keeps running",
      );
    default: {
      const unreachable: never = result;
      throw new Error(`unexpected end of attach: ${JSON.stringify(unreachable)}`);
    }
  }
}

function exitText(end: Extract<StreamEnd, { kind: "exited" }>): string {
  if (end.code !== null) return `exited with code ${end.code}`;
  if (end.signal !== null) return `exited on signal ${end.signal}`;
  return end.session.reason ? `ended: ${end.session.reason}` : "exited";
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
