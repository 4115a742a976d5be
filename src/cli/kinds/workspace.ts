/**
 * The workspace kind's CLI verbs, live runtimes ("images") from scripts:
 *   dispatch new --kernel K [--name N] [--host H]    (in `commands/new.ts`, through `createWorkspace`)
 *   dispatch eval [NAME] [CODE] [--mode M] [--json]  code from stdin without CODE; exit 1 on error,
 *                                                    130 on Ctrl-C (`workspaceEval.ts`)
 *   dispatch input [NAME] [TEXT]                      answers a cell's pending input() prompt (TEXT,
 *                                                    else stdin's first line) (`workspaceInput.ts`)
 *   dispatch inspect [NAME] EXPR [--json]            an object's attributes, items or keys
 *   dispatch transcript [NAME] [--follow]            everything the kernel printed, In/Out; follows
 *                                                    through hub restarts like `logs --follow`
 * Without NAME they work on the current image (`dispatch use IMAGE`, `imageContext.ts`).
 *   dispatch images [--json], images stats, images cleanup   (`workspaceImages.ts`)
 *   dispatch kernels [--host H]                      installed kernelspecs
 * `dispatch revive NAME --replay` re-runs the successful evaluations (`commands/revive.ts`).
 */
import type { Command } from "commander";
import { DispatchError } from "../../core/errors.js";
import { listKernelSpecs } from "../../host/runtimes/jupyter/kernelspecs.js";
import { WORKSPACE } from "../../kinds/workspace/index.js";
import { HUB_HOST_ID } from "../../protocol/hosts.js";
import type { SessionInfo } from "../../protocol/session.js";
import { InspectedObject, KernelSpecInfo } from "../../protocol/workspace/commands.js";
import {
  EvalEndData,
  EvalOutputData,
  EvalStartData,
  InputEndData,
  InputRequestData,
  incompleteText,
  ReplayData,
} from "../../protocol/workspace/events.js";
import { UsageError } from "../exitCodes.js";
import { followSession } from "../followSession.js";
import { HubClient } from "../HubClient.js";
import { imageArguments } from "../imageContext.js";
import { SessionStream } from "../SessionStream.js";
import type { CliKind } from "./cliKind.js";
import { evaluate } from "./workspaceEval.js";
import { registerImages } from "./workspaceImages.js";
import { answerInput } from "./workspaceInput.js";
import { inspectedText, plainOutput, write } from "./workspaceOutput.js";

export const workspaceCli: CliKind = { kind: WORKSPACE, register: registerWorkspace };

function registerWorkspace(program: Command): void {
  program
    .command("eval")
    .description("evaluate code in a workspace; prints the output and result, exit 1 on an error")
    .argument("[name]", "workspace session name (default: the current image, `dispatch use IMAGE`)")
    .argument("[code]", "code to run (default: read from stdin)")
    .option("--mode <mode>", "do (output only), print (also the result) or inspect", "print")
    .option("--json", "print the evaluation's result as JSON")
    .action(evaluate);
  program
    .command("input")
    .description("answer a workspace cell's pending input() prompt with a line")
    .argument("[name]", "workspace session name (default: the current image)")
    .argument("[text]", "the line to send (default: the first line of stdin)")
    .action(answerInput);
  program
    .command("inspect")
    .description("open an object of a workspace's runtime: type, repr and its attributes, items or keys")
    .argument("[name]", "workspace session name (default: the current image)")
    .argument("[expr]", "an expression or an inspector path")
    .option("--offset <n>", "first child to show", "0")
    .option("--limit <n>", "children per page", "50")
    .option("--json", "print JSON")
    .action(inspect);
  program
    .command("transcript")
    .description("everything a workspace's kernel printed, with its inputs")
    .argument("[name]", "workspace session name (default: the current image)")
    .option("--follow", "keep printing as the kernel prints (until it ends or Ctrl-C)")
    .action(transcript);
  registerImages(program);
  program
    .command("kernels")
    .description("installed Jupyter kernelspecs, on this machine or a host")
    .option("--host <name>", "ask a host (through one of its running workspaces)")
    .option("--json", "print JSON")
    .action(kernels);
}

/** `dispatch new --kernel K`: a workspace session with that kernelspec. */
export async function createWorkspace(
  client: HubClient,
  request: { kernel: string; name?: string; host?: string; cwd: string },
): Promise<SessionInfo> {
  return client.createSession({
    kind: WORKSPACE,
    ...(request.name !== undefined ? { name: request.name } : {}),
    ...(request.host !== undefined ? { host: request.host } : {}),
    cwd: request.cwd,
    options: { kernel: request.kernel },
  });
}

async function inspect(
  first: string | undefined,
  second: string | undefined,
  options: { offset: string; limit: string; json?: boolean },
): Promise<void> {
  const offset = Number(options.offset);
  const limit = Number(options.limit);
  if (!Number.isInteger(offset) || offset < 0) throw new UsageError(`invalid --offset '${options.offset}'`);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    throw new UsageError(`invalid --limit '${options.limit}': 1 to 500`);
  const client = HubClient.locate();
  const { image, rest: expr } = await imageArguments(client, { first, second, verb: "inspect" });
  if (expr === undefined) throw new UsageError("inspect: give an expression, e.g. `dispatch inspect data`");
  const object = InspectedObject.parse(await client.command(image, "inspect", { expr, offset, limit }));
  await write(process.stdout, options.json ? `${JSON.stringify(object, null, 2)}\n` : inspectedText(object));
}

/** One stored event of a workspace as transcript text ("" for the ones it does not show). */
export function transcriptLine(event: { type: string; data: unknown }): string {
  switch (event.type) {
    case "eval-start": {
      const start = EvalStartData.safeParse(event.data);
      if (!start.success) return "";
      const who = start.data.origin === "client" ? "" : ` (${start.data.origin})`;
      return `In${who}: ${start.data.code.replace(/\n/g, "\n    ")}\n`;
    }
    case "eval-output": {
      const output = EvalOutputData.safeParse(event.data);
      if (!output.success) return "";
      const text = plainOutput(output.data.output);
      return output.data.output.type === "result" ? `Out[${output.data.count ?? " "}]: ${text}` : text;
    }
    case "eval-end": {
      const end = EvalEndData.safeParse(event.data);
      if (!end.success) return "";
      const cut =
        (end.data.truncatedBytes > 0 ? `[${end.data.truncatedBytes} bytes of output dropped]\n` : "") +
        (end.data.incomplete
          ? `[${incompleteText(end.data.incomplete, `cell ${end.data.count ?? "?"}`)}]\n`
          : "");
      return end.data.status === "aborted"
        ? `${cut}[aborted${end.data.error ? `: ${end.data.error.evalue}` : ""}]\n`
        : cut;
    }
    case "input-request": {
      const request = InputRequestData.safeParse(event.data);
      return request.success ? `[waiting for input: ${request.data.prompt}]\n` : "";
    }
    case "input-end": {
      const end = InputEndData.safeParse(event.data);
      if (!end.success) return "";
      if (end.data.status === "cancelled")
        return `[input cancelled${end.data.reason ? `: ${end.data.reason}` : ""}]\n`;
      return `[input: ${end.data.value ?? "(password, not stored)"}]\n`;
    }
    case "replay": {
      const replay = ReplayData.safeParse(event.data);
      return replay.success
        ? `[replay: ${replay.data.ran} of ${replay.data.total} ran, ${replay.data.failed.length} failed]\n`
        : "";
    }
    case "exit": {
      const reason = (event.data as Record<string, unknown>).reason;
      return `[kernel ended${typeof reason === "string" ? `: ${reason}` : ""}]\n`;
    }
    case "revived":
      return "[revived: a fresh kernel]\n";
    default:
      return "";
  }
}

async function requireWorkspace(client: HubClient, name: string): Promise<SessionInfo> {
  const session = await client.getSession(name);
  if (session.kind !== WORKSPACE)
    throw new UsageError(`'${session.name}' is a ${session.kind} session, not a workspace`);
  return session;
}

async function transcript(name: string | undefined, options: { follow?: boolean }): Promise<void> {
  const client = HubClient.locate();
  const image =
    name ?? (await imageArguments(client, { first: undefined, second: undefined, verb: "transcript" })).image;
  const session = await requireWorkspace(client, image);
  let after = 0;
  for (;;) {
    const page = await client.events(session.id, after, 1000);
    for (const event of page.events) {
      const text = transcriptLine(event);
      if (text) await write(process.stdout, text);
      after = event.seq;
    }
    if (page.events.length === 0 || after >= page.lastSeq) break;
  }
  if (!options.follow) return;
  // As `logs --follow`: through hub restarts, each event printed once.
  await followSession({
    client,
    session: session.id,
    afterSeq: after,
    clientName: "dispatch-transcript",
    event: (event) => {
      const text = transcriptLine(event);
      if (text) return write(process.stdout, text);
    },
  });
}

async function kernels(options: { host?: string; json?: boolean }): Promise<void> {
  let specs: KernelSpecInfo[];
  if (options.host === undefined || options.host === HUB_HOST_ID) {
    // The local host runs on this machine: its kernelspecs are the ones here.
    specs = listKernelSpecs().map(({ env: _env, ...spec }) => spec);
  } else {
    const client = HubClient.locate();
    const host = options.host;
    const live = (await client.listSessions()).find(
      (session) =>
        session.kind === WORKSPACE &&
        session.status === "running" &&
        (session.host === host || session.host.startsWith(host)),
    );
    if (!live)
      throw new DispatchError(
        "not_found",
        `no running workspace on host '${host}' to ask; start one there with \`dispatch new --kernel python3 --host ${host}\``,
      );
    const answer = (await client.command(live.id, "kernels", {})) as { kernels: unknown };
    specs = KernelSpecInfo.array().parse(answer.kernels);
  }
  if (options.json) {
    console.log(JSON.stringify(specs, null, 2));
    return;
  }
  if (specs.length === 0) {
    console.log("no Jupyter kernelspecs installed (e.g. apt install python3-ipykernel)");
    return;
  }
  const width = Math.max(...specs.map((spec) => spec.name.length));
  for (const spec of specs)
    console.log(`${spec.name.padEnd(width)}  ${spec.language.padEnd(10)}  ${spec.displayName}`);
}

/** Waits for the `replay` event a revive with replay writes after `afterSeq`. */
export async function waitForReplay(client: HubClient, id: string, afterSeq: number): Promise<ReplayData> {
  const socket = await client.connect("dispatch-revive");
  try {
    return await new Promise<ReplayData>((resolve, reject) => {
      const stream = new SessionStream(socket, {
        output: () => undefined,
        event: (event) => {
          if (event.type !== "replay") return;
          stream.dispose();
          resolve(ReplayData.parse(event.data));
        },
      });
      stream.ended.then((end) => {
        stream.dispose();
        reject(
          new DispatchError(
            "session_exited",
            `the workspace ended before its replay finished (${end.reason})`,
          ),
        );
      });
      stream.attach(id, { afterSeq, snapshot: false }).catch(reject);
    });
  } finally {
    await socket.close();
  }
}
