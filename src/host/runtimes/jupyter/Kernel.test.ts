/**
 * A kernel whose kernelspec cannot start: the error says which program or directory is missing
 * and what to do, and nothing of the attempt stays behind (its connection file). No kernel runs:
 * the spawn itself fails. And a flood on iopub, from a scripted kernel (a Node script speaking
 * the wire protocol: a real kernel cannot be made to queue messages faster than they are read,
 * on demand): the reader gives the event loop turns while messages are queued. (Real kernels
 * are in test/images*.test.ts.)
 */

import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { installScriptedKernel } from "../../../../test/scriptedKernel.js";
import { newConnection } from "./connection.js";
import { Kernel } from "./Kernel.js";
import { KernelStartFailure } from "./kernelFailures.js";
import { findKernelSpec } from "./kernelspecs.js";
import type { JupyterMessage } from "./wire.js";

const root = mkdtempSync(join(tmpdir(), "kernel-start-"));
const runDir = join(root, "run");
mkdirSync(join(root, "kernels", "missing"), { recursive: true });
writeFileSync(
  join(root, "kernels", "missing", "kernel.json"),
  JSON.stringify({
    argv: [join(root, "no-such-kernel"), "-f", "{connection_file}"],
    display_name: "Missing",
    language: "python",
  }),
);
const spec = findKernelSpec("missing", { JUPYTER_PATH: root, HOME: root });

afterAll(() => rmSync(root, { recursive: true, force: true }));

const noHandlers = {
  onIopub: () => undefined,
  onExit: () => undefined,
  onProcessOutput: () => undefined,
  onHealth: () => undefined,
  onUnresponsive: () => undefined,
  onInputRequest: () => undefined,
  onDropped: () => undefined,
};

const start = (cwd: string) => Kernel.start({ spec, id: "k", cwd, env: {}, runDir, handlers: noHandlers });

describe("a kernel that cannot start", () => {
  it("names the kernelspec's missing program and its kernel.json, and leaves no connection file", async () => {
    await expect(start(root)).rejects.toThrow(
      `kernel 'missing' could not start: its program ${join(root, "no-such-kernel")} does not exist; install the kernel or correct argv in ${join(root, "kernels", "missing", "kernel.json")}`,
    );
    expect(readdirSync(join(runDir, "kernels"))).toEqual([]);
  });

  it("says the working directory is missing, not the program", async () => {
    const gone = join(root, "gone");
    await expect(start(gone)).rejects.toThrow(
      `kernel 'missing' could not start: its working directory ${gone} does not exist`,
    );
  });

  it("that exits, or does not answer, is a start failure the image adds its revive advice to", async () => {
    const failure = async (name: string, script: string) => {
      installScriptedKernel(root, name, script);
      const spec = findKernelSpec(name, { JUPYTER_PATH: root, HOME: root });
      const started = Kernel.start({
        spec,
        id: name,
        cwd: root,
        env: {},
        runDir,
        handlers: noHandlers,
        startTimeoutMs: 500,
      });
      const err = await started.then(
        (kernel) => {
          kernel.close();
          throw new Error(`kernel '${name}' started`);
        },
        (err: unknown) => err,
      );
      expect(err).toBeInstanceOf(KernelStartFailure);
      return (err as KernelStartFailure).withRevive("`dispatch revive py` starts a fresh kernel").message;
    };
    expect(await failure("exits", "process.exit(3);")).toBe(
      "kernel 'exits' exited with code 3 while starting; the image's output (`dispatch logs`) shows what it printed: fix that, then `dispatch revive py` starts a fresh kernel",
    );
    expect(await failure("silent", "setInterval(() => undefined, 1000);")).toBe(
      `kernel 'silent' did not answer within 0.5 s; the image's output (\`dispatch logs\`) shows what it printed; check that the kernel starts outside dispatch (argv in ${join(root, "kernels", "silent", "kernel.json")}) and that its host is not overloaded, then \`dispatch revive py\` starts a fresh kernel`,
    );
    expect(readdirSync(join(runDir, "kernels"))).toEqual([]);
  });
});

/**
 * Answers kernel_info_request (its busy/idle on iopub, so the start completes) and, for an
 * execute_request, publishes FLOOD stream messages at once (a line of ~100 bytes each, numbered),
 * then replies. Heartbeats unanswered.
 */
const FAKE_KERNEL = `
const shell = new zmq.Router(); await shell.bind(address(info.shell_port));
const stdin = new zmq.Router(); await stdin.bind(address(info.stdin_port));
const iopub = new zmq.Publisher({ sendHighWaterMark: Number(process.env.PUB_QUEUE ?? 0) }); await iopub.bind(address(info.iopub_port));
for await (const message of shell) {
  const { ids, header } = parse(message);
  await iopub.send(frames("status", header, { execution_state: "busy" }));
  if (header.msg_type === "execute_request")
    for (let i = 0; i < Number(process.env.FLOOD); i++)
      await iopub.send(frames("stream", header, { name: "stdout", text: i + "x".repeat(93) + "\\n" }));
  const reply = header.msg_type.replace("_request", "_reply");
  await shell.send([...ids, ...frames(reply, header, { status: "ok", execution_count: 1 })]);
  await iopub.send(frames("status", header, { execution_state: "idle" }));
}
`;
const FLOOD = 2000;

/** Installs the scripted kernel as kernelspec `name`, publishing `flood` stream messages per cell. */
function fakeKernel(name: string, flood: number, env: Record<string, string> = {}) {
  installScriptedKernel(root, name, FAKE_KERNEL, { FLOOD: String(flood), ...env });
  return findKernelSpec(name, { JUPYTER_PATH: root, HOME: root });
}

describe("a kernel whose port is taken before it binds it", () => {
  it("is started again on other ports, and says so", async () => {
    // Another process listens on the port chosen for the kernel's shell (chosen free, taken
    // before the kernel could bind it: seconds pass while Python imports its modules).
    const taker = createServer();
    await new Promise<void>((resolve) => taker.listen(0, "127.0.0.1", resolve));
    const taken = (taker.address() as { port: number }).port;
    const chosen: number[] = [];
    const notes: string[] = [];
    const output: string[] = [];
    try {
      const kernel = await Kernel.start({
        spec: fakeKernel("taken", 0),
        id: "taken",
        cwd: root,
        env: {},
        runDir,
        handlers: {
          ...noHandlers,
          onNote: (text) => notes.push(text),
          onProcessOutput: (text) => output.push(text),
        },
        connection: async (name) => {
          const info = await newConnection(name);
          if (chosen.length === 0) info.shell_port = taken;
          chosen.push(info.shell_port);
          return info;
        },
      });
      try {
        expect((await kernel.request("shell", "kernel_info_request", {}).reply).content.status).toBe("ok");
      } finally {
        kernel.close();
      }
      expect(chosen).toHaveLength(2);
      expect(chosen[1]).not.toBe(taken);
      expect(notes).toEqual([
        "a port chosen for the kernel was taken before it could bind it; starting it again on others",
      ]);
      // The first attempt's traceback is not shown: it would only mislead.
      expect(output.join("")).not.toContain("Address already in use");
      expect(readdirSync(join(runDir, "kernels"))).toEqual([]);
    } finally {
      taker.close();
    }
  });
});

/**
 * Binds its stdin socket a second after answering its first kernel_info_request (as a loaded
 * machine may connect the host's stdin channel well after shell: each retries on its own
 * timer). A cell asks for a line on stdin the moment that socket is bound, and replies with it.
 */
const LATE_STDIN_KERNEL = `
const shell = new zmq.Router(); await shell.bind(address(info.shell_port));
const iopub = new zmq.Publisher(); await iopub.bind(address(info.iopub_port));
const stdin = new zmq.Router();
let bound;
for await (const message of shell) {
  const { ids, header } = parse(message);
  await iopub.send(frames("status", header, { execution_state: "busy" }));
  let content = { status: "ok" };
  if (header.msg_type === "execute_request") {
    await bound;
    await stdin.send([...ids, ...frames("input_request", header, { prompt: "name? ", password: false })]);
    content = { status: "ok", value: parse(await stdin.receive()).content.value };
  }
  await shell.send([...ids, ...frames(header.msg_type.replace("_request", "_reply"), header, content)]);
  await iopub.send(frames("status", header, { execution_state: "idle" }));
  bound ??= new Promise((resolve) => setTimeout(resolve, 1000)).then(() => stdin.bind(address(info.stdin_port)));
}
`;

describe("a kernel that binds its stdin channel after it answers", () => {
  it("is started only once it can reach the host on stdin: a cell's first input() is not lost", async () => {
    installScriptedKernel(root, "late-stdin", LATE_STDIN_KERNEL);
    const prompts: string[] = [];
    let kernel: Kernel | undefined;
    kernel = await Kernel.start({
      spec: findKernelSpec("late-stdin", { JUPYTER_PATH: root, HOME: root }),
      id: "late-stdin",
      cwd: root,
      env: {},
      runDir,
      handlers: {
        ...noHandlers,
        onInputRequest: (request) => {
          prompts.push(String(request.content.prompt));
          void kernel?.replyInput(request, "Ada");
        },
      },
    });
    try {
      const { reply } = kernel.request("shell", "execute_request", { code: "input()", allow_stdin: true });
      // Lost, the cell waits for ever: a bound, for a failure that says so.
      const lost = new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error("the cell's input_request never reached the host")),
          20_000,
        ).unref(),
      );
      expect((await Promise.race([reply, lost])).content.value).toBe("Ada");
      expect(prompts).toEqual(["name? "]);
    } finally {
      kernel.close();
    }
  });
});

/**
 * Runs a cell on a scripted kernel publishing FLOOD lines, read by a host that takes 25 ms per
 * stream message it is handed (longer than a slice of reading): what it was handed, how many
 * lines it had when the event loop first had a turn after the first, how many messages came
 * marked as after a possible overflow.
 */
async function flooded(name: string, options: { env?: Record<string, string>; queue?: number } = {}) {
  const texts: string[] = [];
  let lines = 0;
  let linesAtTurn: number | undefined;
  let marked = 0;
  let idle!: () => void;
  const idled = new Promise<void>((resolve) => {
    idle = resolve;
  });
  const kernel = await Kernel.start({
    spec: fakeKernel(name, FLOOD, options.env),
    id: name,
    cwd: root,
    env: {},
    runDir,
    ...(options.queue ? { iopubQueueMessages: options.queue } : {}),
    handlers: {
      ...noHandlers,
      onIopub: (message: JupyterMessage) => {
        const { header, parent, content } = message;
        if (message.afterOverflow) marked++;
        const ended = content.execution_state === "idle" && parent.msg_type === "execute_request";
        if (header.msg_type === "status" && ended) idle();
        if (header.msg_type !== "stream") return;
        const text = String(content.text);
        texts.push(text);
        lines += text.split("\n").length - 1;
        if (texts.length === 1)
          setImmediate(() => {
            linesAtTurn = lines;
          });
        const until = performance.now() + 25;
        while (performance.now() < until);
      },
    },
  });
  try {
    await kernel.request("shell", "execute_request", { code: "flood()" }).reply;
    // A kernel that drops may drop its idle too.
    await Promise.race([idled, new Promise((resolve) => setTimeout(resolve, options.queue ? 5000 : 60_000))]);
  } finally {
    kernel.close();
  }
  return { texts, lines, linesAtTurn, marked };
}

describe("a kernel flooding iopub", () => {
  it("is read with turns of the event loop between queued messages, its lines merged, none lost", async () => {
    const { texts, linesAtTurn, marked } = await flooded("flood");
    // Every line, in order, in messages of at most 64 KiB: far fewer than the kernel sent.
    const all = texts.join("").split("\n").slice(0, -1);
    expect(all).toHaveLength(FLOOD);
    expect(all.every((line, i) => line.startsWith(`${i}x`))).toBe(true);
    expect(texts.length).toBeLessThan(FLOOD / 10);
    for (const text of texts) expect(Buffer.byteLength(text)).toBeLessThanOrEqual(64 * 1024);
    // Without the turns, none came until ZeroMQ had handed over everything queued.
    expect(linesAtTurn).toBeLessThan(FLOOD);
    expect(marked).toBe(0);
  });
});

describe("a kernel flooding past the host's iopub queue", () => {
  it("marks the first message read after the queue may have dropped", async () => {
    // The kernel's own queue small too, as a real kernel's (ZeroMQ's default is 1000): it
    // drops rather than waits; and the host's holds 50.
    const { lines, marked } = await flooded("overflow", { env: { PUB_QUEUE: "50" }, queue: 50 });
    expect(lines).toBeLessThan(FLOOD);
    expect(marked).toBeGreaterThan(0);
  });
});
