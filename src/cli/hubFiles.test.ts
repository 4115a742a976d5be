import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { homePaths } from "../platform/home.js";
import { parseHubInfo, tryPidLock, waitForHubInfo } from "./hubFiles.js";

const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

function freshHome() {
  const home = mkdtempSync(join(tmpdir(), "dispatch-hubfiles-"));
  homes.push(home);
  return homePaths(home);
}

const info = (startedAt: number) => ({
  pid: 4242,
  port: 7777,
  host: "127.0.0.1",
  url: "http://127.0.0.1:7777",
  startedAt,
});

describe("waitForHubInfo (how `dispatch start` learns the hub listens)", () => {
  it("answers with the hub.json a hub started since then writes, not an older one", async () => {
    const paths = freshHome();
    const since = Date.now();
    // A previous hub's file, left by a crash: not this launch's hub.
    writeFileSync(paths.hubInfo, JSON.stringify(info(since - 60_000)));
    const waiting = waitForHubInfo(paths, { since, timeoutMs: 30_000 });
    // Half-written first (another writer than the hub, which renames), then whole.
    writeFileSync(paths.hubInfo, '{"pid": 42');
    writeFileSync(`${paths.hubInfo}.tmp`, JSON.stringify(info(since + 5)));
    renameSync(`${paths.hubInfo}.tmp`, paths.hubInfo);
    await expect(waiting).resolves.toEqual(info(since + 5));
  });

  it("gives up when the launched process exits first", async () => {
    const paths = freshHome();
    let exited: () => void = () => undefined;
    const until = new Promise<void>((resolve) => {
      exited = resolve;
    });
    const waiting = waitForHubInfo(paths, { since: Date.now(), timeoutMs: 30_000, until });
    exited();
    await expect(waiting).resolves.toBeUndefined();
  });

  it("gives up after its time without a hub", async () => {
    const paths = freshHome();
    await expect(waitForHubInfo(paths, { since: Date.now(), timeoutMs: 50 })).resolves.toBeUndefined();
  });
});

describe("parseHubInfo", () => {
  it("takes what a hub writes and refuses anything else", () => {
    expect(parseHubInfo(info(5))).toEqual(info(5));
    const { startedAt: _, ...older } = info(5);
    expect(parseHubInfo(older)).toEqual(older);
    for (const bad of [
      null,
      42,
      "hub",
      {},
      { ...info(5), pid: "4242" },
      { ...info(5), port: 1.5 },
      { ...info(5), url: 7 },
      { ...info(5), startedAt: "now" },
    ])
      expect(parseHubInfo(bad)).toBeUndefined();
  });
});

describe("tryPidLock (one `dispatch start` launching at a time)", () => {
  it("is held by a live launch, and taken over from a dead one or an empty file left long ago", async () => {
    const file = join(freshHome().home, "start.lock");
    const lock = tryPidLock(file);
    expect(readFileSync(file, "utf8")).toBe(String(process.pid));
    lock?.release();

    // A live dispatch process holds it: wait.
    const live = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)", "dispatch"], {
      stdio: "ignore",
    });
    try {
      writeFileSync(file, String(live.pid));
      expect(tryPidLock(file)).toBeUndefined();
    } finally {
      live.kill("SIGKILL");
    }

    // Its holder is gone: taken over.
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    writeFileSync(file, String(dead));
    const taken = tryPidLock(file);
    expect(taken).toBeDefined();
    expect(readFileSync(file, "utf8")).toBe(String(process.pid));
    taken?.release();

    // Empty: being written, unless it is old (its writer was killed between create and write).
    writeFileSync(file, "");
    expect(tryPidLock(file)).toBeUndefined();
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(file, longAgo, longAgo);
    const recovered = tryPidLock(file);
    expect(recovered).toBeDefined();
    recovered?.release();
    expect(() => readFileSync(file)).toThrow();
  });
});
