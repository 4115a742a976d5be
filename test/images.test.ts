/**
 * Live runtime images: workspaces on real Jupyter kernels from Debian (python3-ipykernel,
 * xeus-python) over real ZeroMQ, through a real hub and host. Evaluation modes and rich
 * outputs, interrupt, the inspector on nested data, output printed while nobody is attached,
 * two clients, bounded floods, bad messages, a hub SIGKILL mid-evaluation, a kernel SIGKILL
 * then revive with replay, and bad input.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";
import { WireClient } from "./wire.js";

let hub: HubHandle;
let jupyterPath: string;
const clients: WireClient[] = [];

interface Event {
  seq: number;
  type: string;
  data: Record<string, unknown> & { output?: Record<string, unknown> };
}

async function json(
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await hub.api(path, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function command(session: string, name: string, args: unknown = {}): Promise<Record<string, unknown>> {
  const reply = await json(`/api/sessions/${session}/commands/${name}`, {
    method: "POST",
    body: JSON.stringify(args),
  });
  if (reply.status !== 200) throw new Error(`${name}: ${JSON.stringify(reply.body)}`);
  return reply.body.result as Record<string, unknown>;
}

/**
 * The session's events after `from` (all of them by default). A poll after the floods below
 * passes the seq it started from: the whole log is megabytes of output to page through.
 */
async function events(session: string, from = 0): Promise<Event[]> {
  const all: Event[] = [];
  for (let after = from; ; ) {
    const page = (await json(`/api/sessions/${session}/events?after=${after}&limit=1000`)).body
      .events as Event[];
    if (page.length === 0) return all;
    all.push(...page);
    after = (page[page.length - 1] as Event).seq;
  }
}

async function info(
  session: string,
): Promise<Record<string, unknown> & { status: string; options: Record<string, unknown> }> {
  return (await json(`/api/sessions/${session}`)).body.session as never;
}

/**
 * A workspace, connected. Created through the CLI for the first one (what `dispatch new --kernel`
 * prints is checked there); the others through the API, which spares a Node boot per workspace.
 */
async function newWorkspace(name: string, kernel = "python3", via: "cli" | "api" = "api"): Promise<void> {
  if (via === "cli") {
    const created = await hub.cli(["new", "--kernel", kernel, "--name", name]);
    expect(created.code, created.stderr).toBe(0);
  } else {
    const created = await json("/api/sessions", {
      method: "POST",
      body: JSON.stringify({ name, kind: "workspace", options: { kernel } }),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }
  await waitFor(async () => (await info(name)).options.connection === "connected", {
    timeoutMs: 30_000,
    message: `${name} connected`,
  });
}

/** The repr an evaluation printed, through the API (the CLI's printing is checked elsewhere here). */
async function evaluated(session: string, code: string): Promise<string | undefined> {
  const result = (await command(session, "eval", { code, mode: "print" })) as {
    outputs: { type: string; data?: Record<string, string> }[];
  };
  return result.outputs.find((o) => o.type === "result")?.data?.["text/plain"];
}

async function client(): Promise<WireClient> {
  const c = await WireClient.open(hub.url, { authorization: `Bearer ${hub.key}` });
  clients.push(c);
  await c.request({ type: "hello", protocol: 1 });
  return c;
}

beforeAll(async () => {
  // A kernelspec that cannot start, beside the system's real ones.
  jupyterPath = mkdtempSync(join(tmpdir(), "dispatch-jupyter-"));
  mkdirSync(join(jupyterPath, "kernels", "broken"), { recursive: true });
  writeFileSync(
    join(jupyterPath, "kernels", "broken", "kernel.json"),
    JSON.stringify({
      argv: ["/bin/sh", "-c", "echo cannot load the runtime >&2; exit 3", "{connection_file}"],
      display_name: "Broken",
      language: "python",
    }),
  );
  // And one whose program is not there at all.
  mkdirSync(join(jupyterPath, "kernels", "missing"), { recursive: true });
  writeFileSync(
    join(jupyterPath, "kernels", "missing", "kernel.json"),
    JSON.stringify({
      argv: [join(jupyterPath, "no-such-kernel"), "{connection_file}"],
      display_name: "Missing",
      language: "python",
    }),
  );
  hub = await startHub({ env: { JUPYTER_PATH: jupyterPath } });
  await newWorkspace("py", "python3", "cli");
});

afterAll(async () => {
  for (const c of clients) await c.close();
  await cleanupAll();
  rmSync(jupyterPath, { recursive: true, force: true });
});

// Each test drives real kernels through several CLI processes; on a loaded machine those take
// seconds each, so the per-test bound is wider than the default.
describe("workspaces on Jupyter kernels", { timeout: 150_000 }, () => {
  it("evaluates in do, print and inspect modes, with streams, results, rich displays and tracebacks in order", async () => {
    const printed = await hub.cli(["eval", "py", "print('hello from python'); 6 * 7"]);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toBe("hello from python\n42\n");
    // Do it: the output, not the result.
    const quiet = await hub.cli(["eval", "py", "--mode", "do"], { input: "x = 5\nx * 2\n" });
    expect(quiet.stdout).toBe("");
    // Code on stdin, an error: exit 1 with the traceback on stderr.
    const failed = await hub.cli(["eval", "py"], { input: "def f():\n    return 1 / 0\nf()\n" });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("ZeroDivisionError");
    expect(failed.stderr).toContain("return 1 / 0");

    const rich = (await command("py", "eval", {
      code: [
        "from IPython.display import display, Markdown, HTML, Image",
        "import base64",
        "display(Markdown('**bold**'))",
        "display(HTML('<b>x</b><script>alert(1)</script>'))",
        "display(Image(data=base64.b64decode('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==')))",
        "'done'",
      ].join("\n"),
      mode: "print",
    })) as { outputs: { type: string; data?: Record<string, string>; untrusted?: boolean }[]; count: number };
    const kinds = rich.outputs.map(
      (o) =>
        `${o.type}:${Object.keys(o.data ?? {})
          .filter((m) => m !== "text/plain")
          .join(",")}`,
    );
    expect(kinds).toEqual(["display:text/markdown", "display:text/html", "display:image/png", "result:"]);
    expect(rich.outputs[1]?.untrusted).toBe(true);

    // Inspect it: the result opened in the inspector.
    const inspected = (await command("py", "eval", { code: "{'k': [1, 2, 3]}", mode: "inspect" })) as {
      inspected: { type: string; children: { name: string; path: string }[] };
    };
    expect(inspected.inspected.type).toBe("dict");
    expect(inspected.inspected.children.map((c) => c.name)).toEqual(["'k'"]);

    // All of it is in the log, in order, with execution counts.
    const log = await events("py");
    const richStart = log.find((e) => e.type === "eval-start" && String(e.data.code).includes("Markdown"));
    const after = log.filter((e) => e.seq > (richStart?.seq ?? 0) && e.type.startsWith("eval-"));
    expect(after.slice(0, 5).map((e) => `${e.type}:${e.data.output?.type ?? e.data.status}`)).toEqual([
      "eval-output:display",
      "eval-output:display",
      "eval-output:display",
      "eval-output:result",
      "eval-end:ok",
    ]);
    expect(after[3]?.data.count).toBe(rich.count);
    // The transcript reads like a console.
    const transcript = await hub.cli(["transcript", "py"]);
    expect(transcript.stdout).toContain("In: print('hello from python'); 6 * 7\nhello from python\nOut[");
    expect(transcript.stdout).toContain("ZeroDivisionError");
  });

  it("completes, looks up documentation, lists variables and drills into nested data with paging", async () => {
    await command("py", "eval", {
      code: "data = {'items': list(range(1000)), 'nested': {'deep': {'answer': 42}}}\nclass P:\n    def __init__(self):\n        self.name = 'p'\n        self.tags = ['a', 'b']\nobj = P()",
    });
    const completion = (await command("py", "complete", { code: "data.ke" })) as { matches: string[] };
    expect(completion.matches.some((match) => match.endsWith("keys"))).toBe(true);
    const doc = (await command("py", "doc", { code: "len" })) as {
      found: boolean;
      data: Record<string, string>;
    };
    expect(doc.found).toBe(true);
    expect(doc.data["text/plain"]).toContain("Return the number of items");

    const variables = (await command("py", "variables")) as {
      variables: { name: string; type: string; size: number | null }[];
    };
    expect(variables.variables.find((v) => v.name === "data")).toMatchObject({ type: "dict", size: 2 });
    expect(variables.variables.map((v) => v.name)).not.toContain("In");

    const page = JSON.parse(
      (await hub.cli(["inspect", "py", "data['items']", "--offset", "10", "--limit", "3", "--json"])).stdout,
    ) as { total: number; children: { name: string; repr: string }[] };
    expect(page.total).toBe(1000);
    expect(page.children.map((c) => c.repr)).toEqual(["10", "11", "12"]);
    const nested = (await command("py", "inspect", { expr: "data" })) as {
      children: { name: string; path: string }[];
    };
    const deepPath = nested.children.find((c) => c.name === "'nested'")?.path as string;
    const deeper = (await command("py", "inspect", { expr: deepPath })) as { children: { path: string }[] };
    const answer = (await command("py", "inspect", { expr: deeper.children[0]?.path as string })) as {
      children: { name: string; repr: string }[];
    };
    expect(answer.children).toEqual([expect.objectContaining({ name: "'answer'", repr: "42" })]);
    const attributes = (await hub.cli(["inspect", "py", "obj"])).stdout;
    expect(attributes).toContain("name: str (1) = 'p'");
    expect(attributes).toContain("tags: list (2)");
    const missing = await hub.cli(["inspect", "py", "nosuchname"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("NameError");
    // The snapshot is stored: the record shows the variables.
    await waitFor(async () => {
      const vars = (await info("py")).options.variables as { variables: { name: string }[] } | null;
      return vars?.variables.some((v) => v.name === "obj");
    });
  });

  it("interrupts code that never returns; the kernel keeps its state", async () => {
    await command("py", "eval", { code: "kept = 'still here'" });
    const looping = command("py", "eval", { code: "import time\nwhile True:\n    time.sleep(0.05)" });
    await waitFor(async () => (await info("py")).options.execution === "busy");
    await command("py", "interrupt");
    const result = (await looping) as { status: string; error: { ename: string } };
    expect(result.status).toBe("error");
    expect(result.error.ename).toBe("KeyboardInterrupt");
    expect(await evaluated("py", "kept")).toBe("'still here'");
  });

  it("keeps what the kernel prints while nobody is attached, and shows it on the next attach", async () => {
    await command("py", "eval", {
      code: "import threading, time\ndef later():\n    time.sleep(0.3)\n    print('printed while detached', flush=True)\nthreading.Thread(target=later).start()",
    });
    await waitFor(async () =>
      (await events("py")).some(
        (e) =>
          e.type === "eval-output" && String(e.data.output?.text ?? "").includes("printed while detached"),
      ),
    );
    const c = await client();
    const id = (await info("py")).id as string;
    await c.request({ type: "attach", session: "py", afterSeq: 0, snapshot: false });
    // The line itself, not the code that prints it (the transcript echoes the input too).
    await c.waitForOutput(id, "printed while detached\r\n");
    expect(
      c.received.events.some(
        (e) => e.type === "eval-output" && JSON.stringify(e.data).includes("printed while detached"),
      ),
    ).toBe(true);
  });

  it("shows one client's evaluations to another live", async () => {
    const watcher = await client();
    const id = (await info("py")).id as string;
    await watcher.request({
      type: "attach",
      session: "py",
      afterSeq: (await info("py")).lastSeq,
      snapshot: false,
    });
    const other = await client();
    const reply = await other.request(
      {
        type: "command",
        session: "py",
        name: "eval",
        args: { code: "'from the other client'", mode: "print" },
      },
      30_000,
    );
    expect(reply.type).toBe("result");
    await poll(() =>
      watcher.received.events.some(
        (e) =>
          e.session === id &&
          e.type === "eval-output" &&
          JSON.stringify(e.data).includes("from the other client"),
      ),
    );
    await watcher.waitForOutput(id, "from the other client");
  });

  // 3 MB, three times the 1 MiB bound per evaluation (MAX_EVAL_OUTPUT_BYTES): all but that
  // bound is dropped, and the session's stored bytes stay under what an unbounded pair of
  // floods (5 MB) would store.
  it("bounds 3 MB of output from one evaluation and drops wrongly signed messages", async () => {
    const flood = (await command("py", "eval", { code: "print('x' * 3_000_000)\n'after the flood'" })) as {
      truncatedBytes: number;
      status: string;
      outputs: { type: string; data?: Record<string, string> }[];
    };
    expect(flood.status).toBe("ok");
    expect(flood.truncatedBytes).toBeGreaterThan(1_900_000);
    // The value it ended with is kept past the flood, and so is a traceback.
    expect(flood.outputs.at(-1)).toMatchObject({
      type: "result",
      data: { "text/plain": "'after the flood'" },
    });
    const failed = await hub.cli(["eval", "py"], { input: "print('y' * 2_000_000)\n1 / 0\n" });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("ZeroDivisionError: division by zero");
    // The traceback starts on a line of its own, not at the end of the cut line of y's.
    expect(failed.stdout.endsWith("y")).toBe(true);
    expect(failed.stderr).toMatch(/^\n-+\nZeroDivisionError/);
    expect((await info("py")).bytes as number).toBeLessThan(4 * 1024 * 1024);
    expect((await hub.cli(["transcript", "py"])).stdout).toMatch(/\d+ bytes of output dropped/);

    // A message on iopub signed with the wrong key: dropped and logged, the kernel keeps working.
    const from = (await info("py")).lastSeq as number;
    await command("py", "eval", {
      code: "get_ipython().kernel.iopub_socket.send_multipart([b'<IDS|MSG>', b'0' * 64, b'{}', b'{}', b'{}', b'{}'])",
    });
    const id = (await info("py")).id as string;
    await waitFor(async () => {
      const out = (await events("py", from))
        .filter((e) => e.type === "output")
        .map((e) => Buffer.from(e.data as unknown as string, "base64").toString())
        .join("");
      return out.includes("dropped a message from the kernel on iopub: bad signature");
    });
    expect(id).toBeTruthy();
    expect(await evaluated("py", "1 + 1")).toBe("2");
  });

  it("keeps a long evaluation, the workspace text and the inspector state through a hub SIGKILL", async () => {
    await command("py", "buffer", { text: "total = sum(range(10))\n" });
    await command("py", "inspector-state", { selected: "data['nested']", expanded: ["data"] });
    const from = (await info("py")).lastSeq as number;
    const pending = command("py", "eval", {
      code: "import time\ntime.sleep(1.5)\nprint('finished after the crash')",
    }).catch(() => undefined);
    await waitFor(async () => (await info("py")).options.execution === "busy");
    process.kill(hub.pids().hub as number, "SIGKILL");
    await pending;
    const started = await hub.cli(["start", "--port", String(hub.port)]);
    expect(started.code, started.stderr).toBe(0);
    await waitFor(
      async () =>
        (await events("py", from)).some(
          (e) => e.type === "eval-output" && String(e.data.output?.text).includes("finished after the crash"),
        ),
      { timeoutMs: 20_000 },
    );
    const options = (await info("py")).options;
    expect(options.buffer).toBe("total = sum(range(10))\n");
    expect(options.inspector).toEqual({ selected: "data['nested']", expanded: ["data"] });
    expect(await evaluated("py", "kept")).toBe("'still here'");
  });

  it("marks a killed kernel, refuses input to it, and revives it replaying the successful evaluations", async () => {
    await newWorkspace("calc");
    await command("calc", "eval", { code: "a = 40" });
    await command("calc", "eval", { code: "b = a + 2" });
    await command("calc", "eval", { code: "oops = 1 / 0" });
    // Answered now; replayed, nobody is at a prompt: it fails rather than hang the revive.
    const asking = command("calc", "eval", { code: "who = input('who? ')" });
    const prompt = await waitFor(
      async () => (await info("calc")).options.input as { id: string } | undefined,
      {
        message: "the prompt pending",
      },
    );
    await command("calc", "input", { id: prompt.id, value: "me" });
    expect(await asking).toMatchObject({ status: "ok" });
    const pid = (await info("calc")).options.pid as number;
    process.kill(pid, "SIGKILL");
    await waitFor(async () => (await info("calc")).status === "exited");
    const dead = await info("calc");
    expect(dead.reason).toBe("kernel killed by SIGKILL");
    expect(dead.options).toMatchObject({ execution: "dead" });
    const refused = await hub.cli(["eval", "calc", "b"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("has exited");

    const revived = await hub.cli(["revive", "calc", "--replay"], { timeoutMs: 60_000 });
    expect(revived.code, revived.stderr).toBe(1);
    expect(revived.stdout).toContain("replayed 3 of 3 evaluations, 1 failed");
    expect(revived.stdout).toContain("who = input('who? ')");
    expect(revived.stdout).toContain("StdinNotImplementedError");
    expect(await evaluated("calc", "b")).toBe("42");
    // Read right after the answer: its `eval-end` is stored by then (the hub hands a host's
    // answer on only once the events the session sent before it are stored).
    const { history } = (await command("calc", "history")) as {
      history: { code: string; origin: string; status: string }[];
    };
    expect(history.map((h) => `${h.origin}:${h.status}:${h.code}`)).toEqual([
      "client:ok:a = 40",
      "client:ok:b = a + 2",
      "client:error:oops = 1 / 0",
      "client:ok:who = input('who? ')",
      "replay:ok:a = 40",
      "replay:ok:b = a + 2",
      "replay:error:who = input('who? ')",
      "client:ok:b",
    ]);
  });

  // On the revived kernel above: a kernel started for this alone would cost its start-up.
  it("ends the session with the reason when the kernel crashes mid-evaluation", async () => {
    const result = (await command("calc", "eval", {
      code: "import os\nprint('about to go', flush=True)\nos._exit(7)",
    })) as { status: string };
    expect(result.status).toBe("aborted");
    await waitFor(async () => (await info("calc")).status === "exited");
    expect((await info("calc")).reason).toBe("kernel exited with code 7");
    expect((await hub.cli(["transcript", "calc"])).stdout).toContain(
      "[kernel ended: kernel exited with code 7]",
    );
  });

  it("runs a second kernel implementation (xeus-python) and lists images and kernelspecs", async () => {
    await newWorkspace("xpy", "xpython");
    const out = await hub.cli(["eval", "xpy", "import sys\nxs = [1, 2]\nprint(sys.version_info[0])\nxs"]);
    expect(out.stdout).toBe("3\n[1, 2]\n");
    expect((await info("xpy")).options).toMatchObject({ kernel: "xpython", implementation: "xeus-python" });
    // What it writes to its own stdout (xeus-python leaves fd 1 to the host) shows in the log
    // whole, though a character comes in pieces.
    await command("xpy", "eval", {
      // Joined by the kernel: the code's own line in the log is not what is waited for.
      code: 'import os, time\nfor b in ("é€😀" + "-whole\\n").encode():\n    os.write(1, bytes([b])); time.sleep(0.01)',
    });
    await waitFor(async () => (await hub.cli(["logs", "xpy"])).stdout.includes("é€😀-whole"), {
      message: "the pieces written whole in the log",
    });
    // Its errors are named as ipykernel's are, not by the class's repr it sends.
    expect(await command("xpy", "eval", { code: "raise RuntimeError('x')" })).toMatchObject({
      status: "error",
      error: { ename: "RuntimeError", evalue: "x" },
      outputs: [{ type: "error", ename: "RuntimeError" }],
    });
    const vars = (await command("xpy", "variables")) as { variables: { name: string }[] };
    expect(vars.variables.map((v) => v.name)).toContain("xs");

    // xeus-python ends on SIGINT: an interrupt is refused with what to do, and the cell runs on.
    const release = join(hub.home, "release-xpy");
    const held = command("xpy", "eval", {
      code: `import os, time\nwhile not os.path.exists(${JSON.stringify(release)}): time.sleep(0.05)\n'ran on'`,
    });
    await waitFor(async () => (await info("xpy")).options.execution === "busy");
    // Renamed first: the refusal names the command to type with the name it has now.
    expect((await hub.cli(["rename", "xpy", "xpy-now"])).code).toBe(0);
    const refused = await json("/api/sessions/xpy-now/commands/interrupt", { method: "POST", body: "{}" });
    expect((await hub.cli(["rename", "xpy-now", "xpy"])).code).toBe(0);
    writeFileSync(release, "");
    expect(refused.status).toBe(409);
    expect(JSON.stringify(refused.body)).toContain("xeus-python kernels cannot be interrupted");
    expect(JSON.stringify(refused.body)).toContain("`dispatch cmd xpy-now restart`");
    expect(await held).toMatchObject({ status: "ok", outputs: [{ data: { "text/plain": "'ran on'" } }] });
    expect((await info("xpy")).status).toBe("running");

    const images = JSON.parse((await hub.cli(["images", "--json"])).stdout) as {
      session: string;
      kernel: string;
      status: string;
      memory: number | null;
      execution: string;
    }[];
    const xpy = images.find((i) => i.session === "xpy");
    expect(xpy).toMatchObject({ kernel: "xpython", status: "connected", execution: "idle" });
    expect(xpy?.memory).toBeGreaterThan(1024 * 1024);
    expect(images.find((i) => i.session === "calc")?.kernel).toBe("python3");

    // Restart: a fresh kernel under the same session, its state gone.
    await command("xpy", "restart");
    await waitFor(async () => {
      const options = (await info("xpy")).options;
      return options.connection === "connected" && options.execution === "idle";
    });
    // xeus-python names the error by its class (`<class 'NameError'>`).
    const gone = (await command("xpy", "eval", { code: "xs" })) as {
      status: string;
      error: { ename: string };
    };
    expect(gone.status).toBe("error");
    expect(gone.error.ename).toContain("NameError");

    const specs = await hub.cli(["kernels"], { env: { JUPYTER_PATH: jupyterPath } });
    expect(specs.stdout).toMatch(/^python3\s+python\s+Python 3/m);
    expect(specs.stdout).toMatch(/^xpython\s/m);
  });

  it("refuses an unknown kernel with a did-you-mean and reports one that fails to start", async () => {
    const unknown = await hub.cli(["new", "--kernel", "pyhton3"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no kernel 'pyhton3' — did you mean 'python3'?");
    const broken = await hub.cli(["new", "--kernel", "broken", "--name", "broken"]);
    expect(broken.code, broken.stderr).toBe(0);
    await waitFor(async () => (await info("broken")).status === "exited", { timeoutMs: 20_000 });
    // What went wrong, where to look, then what to type, by the image's name.
    expect((await info("broken")).reason).toBe(
      "kernel 'broken' exited with code 3 while starting; the image's output (`dispatch logs`) shows what it printed: fix that, then `dispatch revive broken` starts a fresh kernel (`--replay` re-runs the cells that succeeded)",
    );
    expect((await hub.cli(["logs", "broken"])).stdout).toContain("cannot load the runtime");
    // A program that is not there: what to fix, then what to type, by the image's name.
    const missing = await hub.cli(["new", "--kernel", "missing", "--name", "absent"]);
    expect(missing.code, missing.stderr).toBe(0);
    await waitFor(async () => (await info("absent")).status === "exited", { timeoutMs: 20_000 });
    expect((await info("absent")).reason).toBe(
      `kernel 'missing' could not start: its program ${join(jupyterPath, "no-such-kernel")} does not exist; install the kernel or correct argv in ${join(jupyterPath, "kernels", "missing", "kernel.json")}, then \`dispatch revive absent\` starts a fresh kernel (\`--replay\` re-runs the cells that succeeded)`,
    );
    // The hub and the other images are fine.
    expect(await evaluated("py", "'alive'")).toBe("'alive'");
  });
});

async function poll(check: () => boolean): Promise<void> {
  await waitFor(check);
}
