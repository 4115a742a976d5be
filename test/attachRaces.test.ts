/**
 * `dispatch attach` in a real PTY, mirrored on a headless terminal, where keys meet replies or a
 * hub that went away: a detach key typed right after a prefix command, a rename typed while a
 * switch is unanswered, a switch asked for while the hub is away. Each time the screen shows
 * one session, the bar names it, and what is typed reaches it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub, storedOutput, waitFor } from "./harness.js";
import { closeTtys, dispatchInPty, screenShows, type Tty } from "./tty.js";

const COLS = 90;
const ROWS = 15;
/** The default keys: Ctrl-] the prefix, Ctrl-\ detach. */
const PREFIX = "\x1d";
const DETACH = "\x1c";
let hub: HubHandle;

beforeAll(async () => {
  hub = await startHub();
  await shellSession("race-a", "a-ready");
  await shellSession("race-b", "b-ready");
});

afterEach(() => closeTtys());

afterAll(async () => {
  await cleanupAll();
});

/** A shell printing `MARKER-42`, made over the protocol (quicker than the CLI on a loaded box). */
async function shellSession(name: string, marker: string): Promise<void> {
  const setup = await hub.socket();
  try {
    const created = await setup.create({ name, command: ["/bin/sh"], cwd: hub.home });
    setup.input(created.id, `echo ${marker}-$((40+2))\r`);
  } finally {
    await setup.close();
  }
  await waitFor(async () => (await storedOutput(hub, name)).includes(`${marker}-42`), {
    message: `${name} ready`,
  });
}

/** Session names by id, as the hub has them now. */
async function namesById(): Promise<Map<string, string>> {
  const response = await hub.api("/api/sessions");
  expect(response.ok).toBe(true);
  const { sessions } = (await response.json()) as { sessions: { id: string; name: string }[] };
  return new Map(sessions.map((s) => [s.id, s.name]));
}

const barOn = (rows: string[], name: string) => (rows.at(-1) ?? "").startsWith(` [${name}] · `);
const shows = (rows: string[], text: string) => rows.some((row) => row.includes(text));

async function attached(name: string, marker: string): Promise<Tty> {
  const tty = dispatchInPty(["attach", name], { env: hub.env, cols: COLS, rows: ROWS });
  await screenShows(tty, (rows) => shows(rows, `${marker}-42`) && barOn(rows, name), `attached to ${name}`);
  return tty;
}

/**
 * Types a command in the shown session and waits for its output (`typed-TAG-42`) under the bar
 * naming `name`.
 */
async function typingReaches(tty: Tty, name: string, tag: string): Promise<void> {
  tty.pty.write(`echo typed-${tag}-$((6*7))\r`);
  await screenShows(
    tty,
    (rows) => shows(rows, `typed-${tag}-42`) && barOn(rows, name),
    `typing reaches ${name}`,
    { timeoutMs: 10_000 },
  );
}

describe("dispatch attach: keys, replies and a hub away", () => {
  it("detaches on a detach key typed right after a prefix command, in the same chunk", async () => {
    const tty = await attached("race-a", "a-ready");
    // Fast typing or a paste: the prefix, `]` (next session), then the detach key, in one write.
    tty.pty.write(`${PREFIX}]${DETACH}`);
    expect(await tty.rc).toBe(0);
    expect(tty.output()).toMatch(/\[dispatch: detached from race-[ab]\]/);
  });

  it("carries out a switch asked for while the hub is away once it is back", async () => {
    const tty = await attached("race-a", "a-ready");
    const stopped = await hub.cli(["stop"]);
    expect(stopped.code, stopped.stderr).toBe(0);
    await screenShows(
      tty,
      (rows) => (rows.at(-1) ?? "").includes("reconnecting"),
      "the bar says reconnecting",
    );

    tty.pty.write(`${PREFIX}]`);
    await screenShows(
      tty,
      (rows) => (rows.at(-1) ?? "").includes("reconnecting… (then switching to race-b)"),
      "the bar says the switch waits for the hub",
    );
    const started = await hub.cli(["start", "--port", String(hub.port)]);
    expect(started.code, started.stderr).toBe(0);

    await screenShows(
      tty,
      (rows) => shows(rows, "b-ready-42") && barOn(rows, "race-b"),
      "race-b shown once the hub is back",
    );
    await typingReaches(tty, "race-b", "away");
  });

  it("renames the session a rename was typed for, while the screen and the keys stay with the one switched to", async () => {
    const before = await namesById();
    const tty = await attached("race-a", "a-ready");
    // In one write, as fast typing or a paste can: switch to the next session, then rename
    // (the prompt is for race-a, still shown until the switch is answered) and Enter.
    tty.pty.write(`${PREFIX}]${PREFIX}rrace-new\r`);
    const renamed = await waitFor(
      async () => {
        const names = await namesById();
        return [...names.values()].includes("race-new") ? names : undefined;
      },
      { message: "the rename done" },
    );
    const idOfB = [...before].find(([, name]) => name === "race-b")?.[0] as string;
    // race-b is shown, under its name now (race-b unless it was the one renamed).
    const nameOfB = renamed.get(idOfB) as string;
    await screenShows(tty, (rows) => shows(rows, "b-ready-42") && barOn(rows, nameOfB), `${nameOfB} shown`);
    await typingReaches(tty, nameOfB, "renamed");
  });
});
