/**
 * The terminal client through a real PTY: the first-run welcome, the picker (opens, filters,
 * Enter attaches), the status bar, prefix-key switching between two sessions (each shows its
 * own screen), and detaching with the terminal restored exactly. What the user would see is
 * checked on a headless terminal fed with everything the PTY printed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type headless from "@xterm/headless";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";
import { closeTtys, dispatchInPty as openTty, screenShows as showsOnScreen, type Tty } from "./tty.js";

const COLS = 100;
const ROWS = 30;
let hub: HubHandle;
let configHome: string;

beforeAll(async () => {
  configHome = mkdtempSync(join(tmpdir(), "dispatch-tui-config-"));
  hub = await startHub({ env: { XDG_CONFIG_HOME: configHome, DISPATCH_EDITOR_ROOTS: configHome } });
});

afterEach(() => closeTtys());

afterAll(async () => {
  await cleanupAll();
  rmSync(configHome, { recursive: true, force: true });
});

/** Runs `dispatch ARGS` in a fresh PTY, then `stty -a`, mirrored on a headless terminal. */
function dispatchInPty(args: string[]): Tty {
  return openTty(args, { env: hub.env, cols: COLS, rows: ROWS, after: "stty -a" });
}

function screenShows(tty: Tty, check: (rows: string[]) => boolean, message: string): Promise<string[]> {
  return showsOnScreen(tty, check, message, { timeoutMs: 20_000 });
}

async function shellSession(name: string, marker: string): Promise<void> {
  const created = await hub.cli(["new", "--name", name, "--", "/bin/sh"]);
  expect(created.code, created.stderr).toBe(0);
  await hub.cli(["send", name, "--enter", `echo ${marker}-$((40+2))`]);
  await waitFor(async () => (await hub.cli(["logs", name])).stdout.includes(`${marker}-42`), {
    message: `${name} ready`,
  });
}

async function sessionSize(name: string): Promise<string | undefined> {
  const list = JSON.parse((await hub.cli(["ls", "--json"])).stdout) as {
    name: string;
    cols: number;
    rows: number;
  }[];
  const session = list.find((s) => s.name === name);
  return session ? `${session.cols}x${session.rows}` : undefined;
}

/** Private state of the headless terminal the public API does not expose (cursor visibility, margins). */
function internals(terminal: headless.Terminal): {
  cursorHidden: boolean;
  scrollTop: number;
  scrollBottom: number;
} {
  const core = (
    terminal as unknown as {
      _core: {
        coreService?: { isCursorHidden?: boolean };
        buffer?: { scrollTop: number; scrollBottom: number };
      };
    }
  )._core;
  return {
    cursorHidden: Boolean(core.coreService?.isCursorHidden),
    scrollTop: core.buffer?.scrollTop ?? 0,
    scrollBottom: core.buffer?.scrollBottom ?? ROWS - 1,
  };
}

function expectRestored(tty: Tty): void {
  const stty = tty.output().slice(tty.output().indexOf("dispatch-rc="));
  expect(stty).toMatch(/(^|\s)icanon(\s|$)/m);
  expect(stty).toMatch(/(^|\s)echo(\s|$)/m);
  const terminal = tty.terminal;
  expect(terminal.buffer.active.type).toBe("normal");
  const modes = terminal.modes;
  expect(modes.applicationCursorKeysMode).toBe(false);
  expect(modes.bracketedPasteMode).toBe(false);
  expect(modes.mouseTrackingMode).toBe("none");
  const state = internals(terminal);
  expect(state.cursorHidden).toBe(false);
  expect([state.scrollTop, state.scrollBottom]).toEqual([0, ROWS - 1]);
}

describe("dispatch terminal client", () => {
  it("opens the picker with a welcome line on the first run: filter, Enter, status bar, switching, detach", async () => {
    await shellSession("alpha", "ALPHA");
    await shellSession("beta", "BETA");

    // The first run is the picker itself, its bottom row a one-line welcome; the next run has none.
    const first = dispatchInPty([]);
    await screenShows(
      first,
      (rows) => rows.some((r) => r.includes("2 sessions")) && (rows[ROWS - 1] ?? "").includes("Welcome!"),
      "the picker with the welcome line",
    );
    first.pty.write("q");
    expect(await first.rc).toBe(0);

    const tty = dispatchInPty([]);
    await screenShows(
      tty,
      (rows) => rows.some((r) => r.includes("2 sessions")) && (rows[ROWS - 1] ?? "").includes("Enter attach"),
      "the picker with its keys line, no welcome",
    );
    await screenShows(
      tty,
      (rows) => rows.some((r) => r.includes("alpha")) && rows.some((r) => r.includes("beta")),
      "both sessions listed",
    );

    tty.pty.write("bet");
    await screenShows(
      tty,
      (rows) =>
        rows[0]?.includes("filter: bet") === true && !rows.slice(2, 8).some((r) => r.includes("alpha")),
      "the filter keeps only beta",
    );

    tty.pty.write("\r");
    let rows = await screenShows(
      tty,
      (r) => r.some((line) => line.includes("BETA-42")) && (r[ROWS - 1] ?? "").includes("[beta]"),
      "attached to beta under the status bar",
    );
    expect(rows[ROWS - 1]).toContain("2 sessions");
    // The session gets every row but the status bar's.
    await waitFor(async () => (await sessionSize("beta")) === `${COLS}x${ROWS - 1}`, {
      message: "beta sized rows-1",
    });

    // Prefix, then ]: the next session, drawn from its own current screen.
    tty.pty.write("\x1d]");
    rows = await screenShows(
      tty,
      (r) => (r[ROWS - 1] ?? "").includes("[alpha]") && r.some((line) => line.includes("ALPHA-42")),
      "switched to alpha",
    );
    expect(rows.slice(0, ROWS - 1).some((line) => line.includes("BETA-42"))).toBe(false);

    // Typing goes to the session now shown.
    tty.pty.write("echo typed-$((6*7))-here\r");
    await screenShows(tty, (r) => r.some((line) => line.includes("typed-42-here")), "typed into alpha");
    expect((await hub.cli(["logs", "alpha"])).stdout).toContain("typed-42-here");

    tty.pty.write("\x1d[");
    rows = await screenShows(
      tty,
      (r) => (r[ROWS - 1] ?? "").includes("[beta]") && r.some((line) => line.includes("BETA-42")),
      "back to beta",
    );
    expect(rows.some((line) => line.includes("typed-42-here"))).toBe(false);

    tty.pty.write("\x1dd");
    expect(await tty.rc).toBe(0);
    await tty.finished;
    expect(tty.output()).toContain("[dispatch: detached from beta]");
    await tty.screen();
    expectRestored(tty);
  });

  it("says what shows a file editor instead of attaching a blank screen, from the picker and attach", async () => {
    const opened = await hub.cli(["edit", join(configHome, "plan.md"), "--create"]);
    expect(opened.stdout.trim(), opened.stderr).toBe("plan-md");
    const tty = dispatchInPty([]);
    await screenShows(tty, (rows) => rows.some((r) => r.includes("plan-md")), "the editor listed");
    tty.pty.write("/plan");
    await screenShows(tty, (rows) => rows[0]?.includes("filter: plan") === true, "filtered to the editor");
    tty.pty.write("\r");
    const rows = await screenShows(
      tty,
      (r) => (r[ROWS - 1] ?? "").includes("'plan-md' is a file editor"),
      "the picker says what shows it",
    );
    // Still the picker: nothing was attached.
    expect(rows[0]).toContain("filter: plan");
    tty.pty.write("\x1b");
    tty.pty.write("q");
    expect(await tty.rc).toBe(0);

    const attach = dispatchInPty(["attach", "plan-md"]);
    expect(await attach.rc).toBe(2);
    expect(attach.output()).toContain("cannot attach: 'plan-md' is a file editor: it writes no output");
    // Ended, then removed: the tests after this one count the sessions.
    await hub.cli(["kill", "plan-md"]);
    expect((await hub.cli(["kill", "plan-md"])).code).toBe(0);
  });

  it("opens the picker from attached mode (prefix s), creates a session with n, and renames with r", async () => {
    const tty = dispatchInPty(["attach", "alpha"]);
    await screenShows(tty, (r) => (r[ROWS - 1] ?? "").includes("[alpha]"), "attached to alpha");

    tty.pty.write("\x1ds");
    await screenShows(
      tty,
      (r) => r.some((line) => line.includes("sessions")) && (r[0] ?? "").includes("dispatch"),
      "picker",
    );
    tty.pty.write("n");
    await screenShows(tty, (r) => (r[ROWS - 1] ?? "").includes("3 sessions"), "a new session, attached");
    const created = JSON.parse((await hub.cli(["ls", "--json"])).stdout) as { name: string }[];
    expect(created).toHaveLength(3);

    tty.pty.write("\x1dr");
    await screenShows(tty, (r) => (r[ROWS - 1] ?? "").includes("rename"), "rename prompt");
    tty.pty.write("gamma\r");
    await screenShows(tty, (r) => (r[ROWS - 1] ?? "").includes("[gamma]"), "renamed");

    tty.pty.write("\x1dw");
    await screenShows(tty, (r) => (r[ROWS - 1] ?? "").includes("kill the session?"), "close prompt");
    tty.pty.write("y");
    await screenShows(
      tty,
      (r) => /\[(alpha|beta)\]/.test(r[ROWS - 1] ?? ""),
      "another session after closing",
    );
    await waitFor(
      async () => {
        const list = JSON.parse((await hub.cli(["ls", "--json"])).stdout) as {
          name: string;
          status: string;
        }[];
        return list.find((s) => s.name === "gamma")?.status !== "running";
      },
      { message: "gamma ended" },
    );

    tty.pty.write("\x1c");
    expect(await tty.rc).toBe(0);
    await tty.finished;
    await tty.screen();
    expectRestored(tty);
  });

  it("without a terminal prints the ls table; ls --verbose adds events and the last line", async () => {
    const bare = await hub.cli([]);
    expect(bare.code, bare.stderr).toBe(0);
    expect(bare.stdout).toMatch(/^NAME\s+KIND\s+STATUS/);
    expect(bare.stdout).toContain("alpha");

    const verbose = await hub.cli(["ls", "--verbose"]);
    expect(verbose.code, verbose.stderr).toBe(0);
    expect(verbose.stdout).toMatch(
      /NAME\s+KIND\s+HOST\s+STATUS\s+FOREGROUND\s+AGE\s+ACTIVE\s+EVENTS\s+BYTES\s+LAST OUTPUT/,
    );
    const json = JSON.parse((await hub.cli(["ls", "--json"])).stdout) as {
      name: string;
      lastSeq: number;
      preview: string;
    }[];
    const info = json.find((s) => s.name === "alpha");
    const alpha = verbose.stdout.split("\n").find((line) => line.includes("alpha")) ?? "";
    expect(alpha).toMatch(/ idle /);
    expect(alpha).toContain(` ${info?.lastSeq} `);
    expect(alpha.trimEnd().endsWith(info?.preview.trim() ?? "?")).toBe(true);
  });

  it("help topics, and did-you-mean for commands, topics and sessions", async () => {
    const topic = await hub.cli(["help", "keys"]);
    expect(topic.code).toBe(0);
    expect(topic.stdout).toContain("next / previous");
    const overview = await hub.cli(["help"]);
    expect(overview.stdout).toContain("Topics (dispatch help TOPIC)");
    const command = await hub.cli(["help", "attach"]);
    expect(command.stdout).toContain("status bar");

    const mistyped = await hub.cli(["lss"]);
    expect(mistyped.code).toBe(2);
    expect(mistyped.stderr).toContain("did you mean 'ls'?");
    const topicTypo = await hub.cli(["help", "confg"]);
    expect(topicTypo.code).toBe(2);
    expect(topicTypo.stderr).toContain(
      "dispatch: no command 'confg' — did you mean 'config'? (dispatch --help lists them)",
    );
    const sessionTypo = await hub.cli(["attach", "alpah"]);
    expect(sessionTypo.code).toBe(1);
    expect(sessionTypo.stderr).toContain("alpha");
  });

  it("config path and show; an invalid config is reported with its line", async () => {
    const dir = join(configHome, "dispatch");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "config.toml");
    expect((await hub.cli(["config", "path"])).stdout.trim()).toBe(file);

    writeFileSync(file, '[ui]\nstatus_bar = false\n\n[keys]\nprefix = "ctrl-a"\n');
    const shown = await hub.cli(["config", "show"]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      file,
      keys: { prefix: "ctrl-a" },
      ui: { status_bar: false },
    });

    writeFileSync(file, '[ui]\nstatus_bar = true\n\n[keys]\nprefix = "alt-x"\n');
    const badKey = await hub.cli(["config", "show"]);
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toContain(`${file}:5:`);
    expect(badKey.stderr).toContain("keys.prefix");

    writeFileSync(file, "[ui]\nstatus_bar = \n");
    const badToml = await hub.cli(["attach", "alpha"]);
    expect(badToml.code).toBe(2);
    expect(badToml.stderr).toContain(`${file}:2`);

    rmSync(file);
  });
});
