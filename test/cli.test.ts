/**
 * The `dispatch` command end to end: a real hub started by `dispatch start`, its host
 * daemon, real shells in PTYs, every call through `node bin/dispatch.js`.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, cleanupAll, type HubHandle, runCli, startHub, storedOutput, waitFor } from "./harness.js";

let hub: HubHandle;

beforeAll(async () => {
  // A small host buffer for "dispatch logs across lost output" (the hub away while a session
  // prints far more than that); the other tests never leave it more unacknowledged output.
  hub = await startHub({ env: { DISPATCH_HOST_BUFFER_BYTES: "65536" } });
});

afterAll(async () => {
  await cleanupAll();
});

/** A marker the shell computes, so it appears in the output only once the command has run. */
function marker(prefix: string): { command: string; output: string } {
  const n = Math.floor(Math.random() * 1e6);
  return { command: `echo ${prefix}-$((${n}+1))-done`, output: `${prefix}-${n + 1}-done` };
}

/** Waits until a follower (`logs --follow`) is attached: what is printed next reaches it live. */
async function followerAttached(name: string): Promise<void> {
  await waitFor(
    async () => {
      const body = (await (await hub.api(`/api/sessions/${name}/presence`)).json()) as {
        presence: unknown[];
      };
      return body.presence.length > 0;
    },
    { message: "the follower attached" },
  );
}

/**
 * A session for a test of another command, made through the API: `dispatch new` is tested on
 * its own above, and each CLI call is a Node boot (seconds on a loaded machine). No command:
 * the default shell, as `dispatch new` gives.
 */
async function newSession(
  options: { name?: string; command?: string[]; cwd?: string } = {},
): Promise<string> {
  const created = await hub.api("/api/sessions", { method: "POST", body: JSON.stringify(options) });
  const text = await created.text();
  expect(created.status, text).toBe(201);
  return (JSON.parse(text) as { session: SessionJson }).session.name;
}

/** Types `text` and Enter into a session through the API (what `dispatch send --enter` does). */
async function typeLine(name: string, text: string): Promise<void> {
  const sent = await hub.api(`/api/sessions/${name}/input`, {
    method: "POST",
    body: JSON.stringify({ data: `${text}\r` }),
  });
  expect(sent.ok, await sent.text()).toBe(true);
}

interface SessionJson {
  name: string;
  id: string;
  kind: string;
  status: string;
  exitCode: number | null;
  foreground: string | null;
  bytes: number;
}

async function sessions(): Promise<SessionJson[]> {
  const result = await hub.cli(["ls", "--json"]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as SessionJson[];
}

/**
 * Waits (through the API: a `dispatch` process per poll costs a Node boot each) until the
 * session is listed with `status`; what `ls` shows of it is checked once it is.
 */
async function statusIs(name: string, status: string): Promise<void> {
  await waitFor(
    async () => {
      const response = await hub.api(`/api/sessions/${name}`);
      return response.ok && ((await response.json()) as { session: SessionJson }).session.status === status;
    },
    { message: `${name} ${status}` },
  );
}

/**
 * `dispatch logs NAME` once its stored output holds `text` (waited for through the API: one
 * Node boot for the command, not one per poll).
 */
/** Waits until the hub has stored output of `name` holding `text` (through the API). */
async function stored(name: string, text: string): Promise<void> {
  await waitFor(async () => (await storedOutput(hub, name)).includes(text), {
    timeoutMs: 15_000,
    message: `output of ${name} to contain ${text}`,
  });
}

async function logsContain(name: string, text: string): Promise<string> {
  await stored(name, text);
  const result = await hub.cli(["logs", name]);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toContain(text);
  return result.stdout;
}

describe("dispatch CLI", () => {
  it("new prints the new session's name and nothing else", async () => {
    const result = await hub.cli(["new"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^[a-z0-9][a-z0-9_-]{0,31}\n$/);
    expect(result.stderr).toBe("");

    const named = await hub.cli([
      "new",
      "--name",
      "given-name",
      "--cwd",
      tmpdir(),
      "--",
      "sh",
      "-c",
      "sleep 600",
    ]);
    expect(named).toMatchObject({ code: 0, stdout: "given-name\n" });
  });

  it("new takes its command and cwd from the config's [defaults] when none is given", async () => {
    const config = mkdtempSync(join(tmpdir(), "dispatch-config-"));
    const cwd = mkdtempSync(join(tmpdir(), "dispatch-cwd-"));
    try {
      mkdirSync(join(config, "dispatch"));
      writeFileSync(
        join(config, "dispatch", "config.toml"),
        `[defaults]\ncwd = "${cwd}"\ncommand = ["sleep", "600"]\n`,
      );
      const created = await hub.cli(["new"], { env: { XDG_CONFIG_HOME: config } });
      expect(created.code, created.stderr).toBe(0);
      const info = (await (await hub.api(`/api/sessions/${created.stdout.trim()}`)).json()).session;
      expect(info).toMatchObject({ command: ["sleep", "600"], cwd });
    } finally {
      rmSync(config, { recursive: true, force: true });
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it("send --enter then logs: the output round-trips as raw bytes", async () => {
    const name = await newSession({ name: "roundtrip" });
    const mark = marker("hello");
    const sent = await hub.cli(["send", name, "--enter", mark.command]);
    expect(sent).toMatchObject({ code: 0, stdout: "" });
    const output = await logsContain(name, mark.output);
    expect(output).toContain("\r\n"); // raw terminal bytes, not text reformatted

    // --after skips what came before.
    const events = (await (await hub.api(`/api/sessions/${name}/events?after=0`)).json()) as {
      lastSeq: number;
    };
    const after = await hub.cli(["logs", name, "--after", String(events.lastSeq)]);
    expect(after).toMatchObject({ code: 0, stdout: "" });
  });

  it("logs --follow writes live output and returns when the session exits", async () => {
    const name = await newSession({
      command: ["sh", "-c", "echo early-$((1+1)); read line; echo late-$((2+2)) $line; exit 4"],
    });
    await stored(name, "early-2");
    const following = hub.cli(["logs", name, "--follow"]);
    // Once the follower is attached (the hub lists it among the session's clients), what the
    // shell prints next reaches it live.
    await followerAttached(name);
    await typeLine(name, "typed");
    const result = await following;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("early-2");
    expect(result.stdout).toContain("late-4 typed");
    expect(result.stdout.indexOf("early-2")).toBeLessThan(result.stdout.indexOf("late-4"));
    // Each byte once: the paged history and the live stream meet without overlap.
    expect(result.stdout.split("early-2").length).toBe(2);
  });

  it("logs --tail gives the last lines of a long output, and -f follows on from them", async () => {
    const name = await newSession({ command: ["sh", "-c", "seq 1 5000; read line; echo after-$line"] });
    await stored(name, "\r\n5000\r\n");
    const tail = await hub.cli(["logs", name, "--tail", "3"]);
    expect(tail).toMatchObject({ code: 0, stdout: "4998\r\n4999\r\n5000\r\n" });
    const following = hub.cli(["logs", name, "-n", "1", "-f"]);
    await followerAttached(name);
    await typeLine(name, "x");
    const followed = await following;
    expect(followed.code, followed.stderr).toBe(0);
    expect(followed.stdout).toMatch(/^5000\r\n.*after-x/s);
    expect(followed.stdout).not.toContain("4999");
  });

  it("ls shows a table and ls --json the session records", async () => {
    const name = await newSession({ name: "listed" });
    await statusIs(name, "running");
    const [table, list] = await Promise.all([hub.cli(["ls"]), sessions()]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+KIND\s+STATUS\s+FOREGROUND\s+AGE\s+ACTIVE\s+BYTES$/);
    expect(lines.find((line) => line.startsWith(`${name} `))).toMatch(/terminal\s+running\s+\S+/);

    const session = list.find((s) => s.name === name);
    expect(session).toMatchObject({ kind: "terminal", status: "running", exitCode: null });
    for (const field of [
      "id",
      "host",
      "cwd",
      "createdAt",
      "lastActivityAt",
      "lastSeq",
      "bytes",
      "foreground",
    ]) {
      expect(session).toHaveProperty(field);
    }
  });

  it("rename: the new name works, the old one answers with did-you-mean and exit 1", async () => {
    await newSession({ name: "alpha" });
    const renamed = await hub.cli(["rename", "alpha", "alpha-2"]);
    expect(renamed).toMatchObject({ code: 0, stdout: "alpha-2\n" });
    const [old, renamedLogs] = await Promise.all([hub.cli(["logs", "alpha"]), hub.cli(["logs", "alpha-2"])]);
    expect(old.code).toBe(1);
    expect(old.stderr).toBe("dispatch: no session 'alpha' — did you mean 'alpha-2'?\n");
    expect(renamedLogs.code).toBe(0);
    // A live session's name is simply taken.
    await newSession({ name: "beta" });
    const taken = await hub.cli(["rename", "alpha-2", "beta"]);
    expect(taken).toMatchObject({
      code: 1,
      stderr: "dispatch: a session named 'beta' already exists; pick another name\n",
    });
  });

  it("kill ends the session and records it as exited", async () => {
    const name = await newSession({ command: ["sleep", "600"] });
    const killed = await hub.cli(["kill", name]);
    expect(killed.code, killed.stderr).toBe(0);
    expect(killed.stdout).toContain(name);
    await statusIs(name, "exited");
    expect((await sessions()).find((s) => s.name === name)?.status).toBe("exited");
  });

  it("a session's own exit code shows in ls", async () => {
    const name = await newSession({ command: ["sh", "-c", "exit 7"] });
    await statusIs(name, "exited");
    const [list, table] = await Promise.all([sessions(), hub.cli(["ls"])]);
    expect(list.find((s) => s.name === name)?.exitCode).toBe(7);
    expect(table.stdout).toMatch(new RegExp(`${name}\\s+terminal\\s+exited \\(7\\)`));
  });

  it("status --json reports hub, host and session counts", async () => {
    const [result, human] = await Promise.all([hub.cli(["status", "--json"]), hub.cli(["status"])]);
    expect(result.code, result.stderr).toBe(0);
    const status = JSON.parse(result.stdout);
    expect(status).toMatchObject({
      hub: { running: true, pid: hub.pids().hub, port: hub.port },
      host: { running: true, pid: hub.pids().host },
      dataDir: hub.home,
    });
    expect(status.sessions.total).toBeGreaterThan(0);
    expect(typeof status.sessions.running).toBe("number");
    expect(typeof status.sessions.exited).toBe("number");

    expect(human.stdout).toMatch(/^hub\s+running\s+pid \d+/m);
    expect(human.stdout).toMatch(/^host\s+running\s+pid \d+/m);
  });

  it("usage errors exit 2", async () => {
    // Independent calls, run side by side: each is a Node boot.
    const [unknown, ...rest] = await Promise.all(
      [
        ["lss"],
        ["new", "--bogus"],
        ["rename", "only-one"],
        ["new", "--name", "Bad Name"],
        ["logs", "x", "--after", "soon"],
        ["attach", "x", "--detach-key", "alt-x"],
        ["--help"],
      ].map((args) => hub.cli(args)),
    );
    expect(unknown?.code).toBe(2);
    expect(unknown?.stderr).toBe(
      "dispatch: no command 'lss' — did you mean 'ls'? (dispatch --help lists them)\n",
    );
    expect(rest.map((result) => result.code)).toEqual([2, 2, 2, 2, 2, 0]);
  });

  it("an unknown session name exits 1 with did-you-mean; attach without a terminal says so", async () => {
    await newSession({ name: "build" });
    const typos = [
      ["logs", "bulid"],
      ["send", "bulid", "x"],
      ["kill", "bulid"],
      ["attach", "bulid"],
    ];
    // Independent calls, run side by side: each is a Node boot.
    const [piped, escaped, ...results] = await Promise.all(
      [["attach", "build"], ["logs", "x\u001b[31my"], ...typos].map((args) => hub.cli(args)),
    );
    for (const [i, result] of results.entries()) {
      expect(result.code, typos[i]?.join(" ")).toBe(1);
      expect(result.stderr).toBe("dispatch: no session 'bulid' — did you mean 'build'?\n");
    }
    // The name is right but stdin is no terminal (a pipe here): said, not streamed until killed.
    expect(piped?.code).toBe(2);
    expect(piped?.stderr).toBe(
      "dispatch: attach needs a terminal and stdin is not one: `dispatch logs build --follow` shows its output, `dispatch send build TEXT` types into it\n",
    );
    // A name with an escape sequence is quoted visibly, not played to the terminal.
    expect(escaped?.code).toBe(1);
    expect(escaped?.stderr).toContain("no session 'x\\x1b[31my'");
    expect(escaped?.stderr).not.toContain("\u001b");
  });

  it("stop keeps sessions running in the host; start again finds the session and its output", async () => {
    const name = await newSession({ name: "survivor" });
    const before = marker("before");
    await typeLine(name, before.command);
    await stored(name, before.output);
    const hostPid = hub.pids().host;

    const stopped = await hub.cli(["stop"]);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toMatch(/stopped the hub/);
    // Read-only with the hub down, so side by side: each is a Node boot.
    const [status, down, again] = await Promise.all([
      hub.cli(["status", "--json"]),
      hub.cli(["ls"], { env: { DISPATCH_URL: "http://127.0.0.1:9" } }),
      hub.cli(["stop"]),
    ]);
    expect(JSON.parse(status.stdout)).toMatchObject({
      hub: { running: false, pid: null },
      host: { running: true, pid: hostPid },
    });
    expect(down.code).toBe(1);
    expect(down.stderr).toBe("dispatch: the hub is not running — start it with `dispatch start`\n");
    expect(again.stdout).toContain("the hub is not running");

    // A command that needs the hub starts it (on DISPATCH_PORT), as `start` would, and says so.
    const listed = await hub.cli(["ls"], { env: { DISPATCH_PORT: String(await freePort()) } });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stderr).toBe(`dispatch: started the hub (log: ${join(hub.home, "hub.log")})\n`);
    expect(listed.stdout).toMatch(new RegExp(`^${name}\\s+terminal\\s+running`, "m"));
    const [startedAgain, list] = await Promise.all([hub.cli(["start", "--port", "0"]), sessions()]);
    expect(startedAgain.stdout).toContain("already running");
    expect(hub.pids().host).toBe(hostPid);
    expect(list.find((s) => s.name === name)?.status).toBe("running");
    // What it printed before is still there: the logs below hold it ahead of what comes next.
    const after = marker("after");
    await typeLine(name, after.command);
    const output = await logsContain(name, after.output);
    expect(output.indexOf(before.output)).toBeLessThan(output.indexOf(after.output));
  }, 120_000);
});

describe("dispatch logs across lost output", () => {
  it("marks a gap on stderr and keeps stdout to the stored bytes", async () => {
    // A tiny host buffer (the shared hub's), and the hub away while the session prints far
    // more than that: the session waits for a file written once the hub has stopped, and says
    // when it has printed.
    const dir = mkdtempSync(join(tmpdir(), "dispatch-gap-"));
    try {
      await newSession({
        name: "flood",
        cwd: dir,
        command: [
          "sh",
          "-c",
          "until [ -e go ]; do sleep 0.05; done; yes flood-line | head -c 3000000; echo; echo end-$((1+1)); touch printed; exec sleep 600",
        ],
      });
      expect((await hub.cli(["stop"])).code).toBe(0);
      writeFileSync(join(dir, "go"), "");
      await waitFor(() => existsSync(join(dir, "printed")), {
        timeoutMs: 60_000,
        message: "the flood printed",
      });
      expect((await hub.cli(["start", "--port", "0"])).code).toBe(0);
      // The host replays what it kept and the hub stores it: seconds, more on a loaded machine.
      await waitFor(async () => (await storedOutput(hub, "flood")).includes("end-2"), {
        timeoutMs: 60_000,
        message: "output after the gap",
      });
      const logs = await hub.cli(["logs", "flood"]);
      expect(logs.code).toBe(0);
      expect(logs.stdout).toContain("end-2");
      expect(logs.stderr).toMatch(/\[dispatch: gap — \d+ bytes of output lost here/);
      expect(logs.stdout).not.toContain("[dispatch:");
      expect(logs.stdout.length).toBeLessThan(3_000_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

/** A port that was free a moment ago (the kernel does not hand it out again at once). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe("dispatch CLI without a hub", () => {
  it("status reports it offline; inside a session (DISPATCH_URL) a command says it is not running", async () => {
    const home = mkdtempSync(join(tmpdir(), "dispatch-nohub-"));
    try {
      // A port nothing listens on: this home has no hub.json, so the CLI falls back to the port.
      const env = cleanEnv({ DISPATCH_HOME: home, DISPATCH_PORT: String(await freePort()) });
      // Independent calls, run side by side: each is a Node boot.
      const [ls, status, badPort] = await Promise.all([
        runCli(["ls"], { ...env, DISPATCH_URL: "http://127.0.0.1:9" }),
        runCli(["status", "--json"], env),
        runCli(["ls"], { ...env, DISPATCH_PORT: "not-a-port" }),
      ]);
      expect(ls).toMatchObject({
        code: 1,
        stderr: "dispatch: the hub is not running — start it with `dispatch start`\n",
      });
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({
        hub: { running: false, pid: null, port: null },
        host: { running: false, pid: null },
        sessions: { total: 0, running: 0, exited: 0 },
      });
      expect(badPort.code).toBe(2);
      expect(await runCli(["stop", "--all"], env)).toMatchObject({ code: 0 });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("a command that needs the hub starts it where `start --port` last put it, and says so; the next one finds it running", async () => {
    const home = mkdtempSync(join(tmpdir(), "dispatch-autostart-"));
    // No DISPATCH_PORT: the port is the one `start --port` was given before the hub stopped.
    const env = cleanEnv({ DISPATCH_HOME: home, HOME: home });
    const port = await freePort();
    try {
      expect(await runCli(["start", "--port", String(port)], env)).toMatchObject({ code: 0 });
      expect(await runCli(["stop"], env)).toMatchObject({ code: 0 });
      const created = await runCli(
        ["new", "--name", "first", "--", "sh", "-c", "echo hello-auto; sleep 60"],
        env,
      );
      expect(created.code, created.stderr).toBe(0);
      expect(created.stdout).toBe("first\n");
      expect(created.stderr).toBe(`dispatch: started the hub (log: ${join(home, "hub.log")})\n`);
      expect(JSON.parse(readFileSync(join(home, "hub.json"), "utf8"))).toMatchObject({ port });
      const [statusJson, again] = await Promise.all([runCli(["status", "--json"], env), runCli(["ls"], env)]);
      const status = JSON.parse(statusJson.stdout);
      expect(status).toMatchObject({ hub: { running: true }, sessions: { total: 1, running: 1 } });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toBe("");
      expect(again.stdout).toMatch(/^first\s+terminal\s+running/m);
    } finally {
      await runCli(["stop", "--all"], env, { timeoutMs: 20_000 });
      rmSync(home, { recursive: true, force: true });
    }
  });
});
