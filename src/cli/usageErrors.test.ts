import { CommanderError } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EXIT_USAGE, exitCodeFor } from "./exitCodes.js";
import { buildProgram, runCli } from "./program.js";
import { usageErrorLine } from "./usageErrors.js";

afterEach(() => {
  vi.restoreAllMocks();
});

/** What `dispatch ARGS` prints on stderr and the exit code it ends with, when commander refuses ARGS. */
async function refused(args: string[]): Promise<{ stderr: string; code: number }> {
  let stderr = "";
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const error = await (await buildProgram()).parseAsync(["node", "dispatch", ...args]).then(
    () => undefined,
    (err: unknown) => err,
  );
  vi.restoreAllMocks();
  expect(error).toBeInstanceOf(CommanderError);
  return { stderr, code: exitCodeFor(error) };
}

/**
 * What `dispatch ARGS` prints on stderr and its exit code, for a mistake found by the command
 * itself (as `help` finds an unknown topic) rather than by commander.
 */
async function failed(args: string[]): Promise<{ stderr: string; code: number }> {
  let stderr = "";
  vi.spyOn(console, "error").mockImplementation((...parts: unknown[]) => {
    stderr += `${parts.join(" ")}\n`;
  });
  const code = await runCli(["node", "dispatch", ...args]);
  vi.restoreAllMocks();
  return { stderr, code };
}

describe("usage errors of the dispatch command", () => {
  it("name an unknown command in one line, with the guess and where the list is", async () => {
    expect(await refused(["lss"])).toEqual({
      stderr: "dispatch: no command 'lss' — did you mean 'ls'? (dispatch --help lists them)\n",
      code: EXIT_USAGE,
    });
    expect(await refused(["hosts", "token", "crate"])).toEqual({
      stderr:
        "dispatch: no command 'crate' — did you mean 'create'? (dispatch hosts token --help lists them)\n",
      code: EXIT_USAGE,
    });
    expect((await refused(["xyzzy"])).stderr).toBe(
      "dispatch: no command 'xyzzy' (dispatch --help lists them)\n",
    );
  });

  it("name an unknown option in one line, as the command it was given to lists them", async () => {
    expect(await refused(["ls", "--jsn"])).toEqual({
      stderr: "dispatch: no option '--jsn' — did you mean '--json'? (dispatch ls --help lists them)\n",
      code: EXIT_USAGE,
    });
  });

  it("name a mistyped subcommand of a command that acts itself as an unknown command", async () => {
    // `hosts` lists hosts, so commander took `tokn` for an argument of its own ("too many arguments").
    expect(await refused(["hosts", "tokn"])).toEqual({
      stderr:
        "dispatch: no command 'hosts tokn' — did you mean 'hosts token'? (dispatch hosts --help lists them)\n",
      code: EXIT_USAGE,
    });
    expect((await refused(["images", "xyzzy"])).stderr).toBe(
      "dispatch: no command 'images xyzzy' (dispatch images --help lists them)\n",
    );
    // `users` runs `users ls` when no subcommand is named.
    expect((await refused(["users", "ad", "bob"])).stderr).toBe(
      "dispatch: no command 'users ad' — did you mean 'users add'? (dispatch users --help lists them)\n",
    );
    // `share NAME` and `chat NAME` take a session: only a word close to a subcommand is one.
    expect((await refused(["share", "revok", "a1b2"])).stderr).toBe(
      "dispatch: no command 'share revok' — did you mean 'share revoke'? (dispatch share --help lists them)\n",
    );
    expect((await refused(["chat", "exprt", "talk"])).stderr).toBe(
      "dispatch: no command 'chat exprt' — did you mean 'chat export'? (dispatch chat --help lists them)\n",
    );
    // A word after `share NAME` is said as the role it seems to be ("dispatch share with a word").
  });

  it("point a word from other tools at the command that does it, not at a look-alike", async () => {
    // By edit distance alone `remove` got 'revive' (starts it again) and `rm` nothing.
    for (const word of ["rm", "remove", "delete"]) {
      expect(await refused([word, "build"])).toEqual({
        stderr: `dispatch: no command '${word}' — did you mean 'kill'? (\`dispatch kill NAME\` ends a session, and removes one that has ended; \`dispatch gc\` removes every ended one)\n`,
        code: EXIT_USAGE,
      });
    }
    // Not 'restore', which puts a backup back.
    expect((await refused(["restart", "build"])).stderr).toContain("did you mean 'revive'?");
    expect((await refused(["detach"])).stderr).toBe(
      "dispatch: no command 'detach' (while attached, Ctrl-\\ or the prefix key then d detaches; the session keeps running)\n",
    );
  });

  it("say what acts on a session when the hub's stop or start is given one", async () => {
    expect(await refused(["stop", "build"])).toEqual({
      stderr:
        "dispatch: too many arguments for 'stop'. Expected 0 arguments but got 1: `dispatch stop` stops the hub (sessions keep running); to end a session: `dispatch kill NAME`\n",
      code: EXIT_USAGE,
    });
    expect((await refused(["start", "build"])).stderr).toContain(
      "to start an ended session again: `dispatch revive NAME`",
    );
  });

  it("keep commander's other messages, one line each", async () => {
    expect(await refused(["rename", "only-one"])).toEqual({
      stderr: "dispatch: missing required argument 'new'\n",
      code: EXIT_USAGE,
    });
  });
});

describe("dispatch help with an unknown topic", () => {
  it("words it as an unknown command, pointing at the list that holds the guess", async () => {
    expect(await failed(["help", "confg"])).toEqual({
      stderr: "dispatch: no command 'confg' — did you mean 'config'? (dispatch --help lists them)\n",
      code: EXIT_USAGE,
    });
    expect((await failed(["help", "pickr"])).stderr).toBe(
      "dispatch: no help topic 'pickr' — did you mean 'picker'? (dispatch help lists them)\n",
    );
    expect((await failed(["help", "xyzzy"])).stderr).toBe(
      "dispatch: no help topic or command 'xyzzy' (dispatch help lists them)\n",
    );
  });

  it("guesses as every did-you-mean does: a topic the word begins, then a typo", async () => {
    expect((await failed(["help", "scrip"])).stderr).toBe(
      "dispatch: no help topic 'scrip' — did you mean 'scripting'? (dispatch help lists them)\n",
    );
    expect((await failed(["help", "kyes"])).stderr).toBe(
      "dispatch: no help topic 'kyes' — did you mean 'keys'? (dispatch help lists them)\n",
    );
  });

  it("guesses nothing for a short word two edits from every name", async () => {
    // Two edits turn `tui` into `up`: no one typing `tui` meant `up`.
    expect((await failed(["help", "tui"])).stderr).toBe(
      "dispatch: no help topic or command 'tui' (dispatch help lists them)\n",
    );
  });
});

describe("dispatch share with a word after the session", () => {
  it("says what is wrong with the role and what to type, even for a name near a subcommand", async () => {
    expect(await refused(["share", "db", "r"])).toEqual({
      stderr:
        "dispatch: no role 'r' — did you mean read-only? (a link is read-only, or read-write with --write: `dispatch share db`)\n",
      code: EXIT_USAGE,
    });
    expect((await refused(["share", "build", "rw"])).stderr).toBe(
      "dispatch: no role 'rw' — did you mean read-write? (a link is read-only, or read-write with --write: `dispatch share build --write`)\n",
    );
    expect((await refused(["share", "build", "writer"])).stderr).toContain("did you mean read-write?");
    expect((await refused(["share", "build", "viewer"])).stderr).toContain("did you mean read-only?");
  });

  it("still takes a first word near a subcommand for its typo, and says share takes one session", async () => {
    expect((await refused(["share", "revok", "1a2b3c4d"])).stderr).toBe(
      "dispatch: no command 'share revok' — did you mean 'share revoke'? (dispatch share --help lists them)\n",
    );
    expect((await refused(["share", "build", "tests"])).stderr).toBe(
      "dispatch: 'tests' after the session: share takes one session, and no role (a link is read-only, or read-write with --write: `dispatch share build [--write] [--expires 2h]`)\n",
    );
    expect((await refused(["share", "ls", "extra"])).stderr).toBe(
      "dispatch: too many arguments for 'ls'. Expected 0 arguments but got 1.\n",
    );
  });
});

describe("dispatch help with a command and its subcommands", () => {
  it("shows the help of the subcommand named, as its --help does", async () => {
    let stdout = "";
    vi.spyOn(console, "log").mockImplementation((...parts: unknown[]) => {
      stdout += `${parts.join(" ")}\n`;
    });
    const code = await runCli(["node", "dispatch", "help", "hosts", "token", "create"]);
    vi.restoreAllMocks();
    expect(code).toBe(0);
    const create = (await buildProgram()).commands
      .find((c) => c.name() === "hosts")
      ?.commands.find((c) => c.name() === "token")
      ?.commands.find((c) => c.name() === "create");
    expect(stdout).toBe(`${create?.helpInformation().trimEnd()}\n`);
    expect(stdout).toMatch(/^Usage: dispatch hosts token create /);
  });

  it("words an unknown subcommand as a mistyped command is, in one line", async () => {
    expect(await failed(["help", "hosts", "tokn"])).toEqual({
      stderr:
        "dispatch: no command 'hosts tokn' — did you mean 'hosts token'? (dispatch hosts --help lists them)\n",
      code: EXIT_USAGE,
    });
    expect((await failed(["help", "ls", "json"])).stderr).toBe(
      "dispatch: no command 'ls json': 'ls' has no subcommands (dispatch ls --help shows its usage)\n",
    );
  });
});

describe("usageErrorLine", () => {
  it("joins several guesses, and shows control characters rather than sending them", () => {
    expect(
      usageErrorLine("error: unknown command 'st'\n(Did you mean one of host, stop?)\n", "dispatch"),
    ).toBe("no command 'st' — did you mean 'host' or 'stop'? (dispatch --help lists them)");
    expect(usageErrorLine("error: unknown command 'l\u001b[31ms'\n", "dispatch")).toBe(
      "no command 'l\\x1b[31ms' (dispatch --help lists them)",
    );
  });
});
