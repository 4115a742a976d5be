/**
 * `dispatch restore` of a backup older than a running session: the restored hub has no record
 * of it, meets it on its host and adopts it as the person left it (the name it was renamed to,
 * its command, cwd and age, its kind's options), running and answering, not under a made-up
 * name.
 */
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import type { SessionInfo } from "../src/protocol/session.js";
import { apiCall, cleanupAll, type HubHandle, startHub, storedOutput, waitFor } from "./harness.js";

/** Stops and starts the hub once more than a plain test (each start is two Node boots). */
const RESTARTING_TEST_MS = 120_000;

afterAll(cleanupAll);

/** A JSON call that must succeed (setup through the API: each CLI call is a Node boot). */
async function ok(h: HubHandle, path: string, init: RequestInit): Promise<Record<string, unknown>> {
  const response = await h.api(path, init);
  const body = (await response.json()) as Record<string, unknown>;
  expect(response.ok, JSON.stringify(body)).toBe(true);
  return body;
}

it(
  "keeps sessions started after the backup under their names, command, cwd, age and kind options",
  async () => {
    const h = await startHub();
    const backup = join(h.home, "before-build.db");
    await ok(h, "/api/backup", { method: "POST", body: JSON.stringify({ file: backup }) });

    const command = ["sh", "-c", 'read line; echo "got-$line"; exec cat'];
    const created = await ok(h, "/api/sessions", {
      method: "POST",
      body: JSON.stringify({ name: "first", command, cwd: h.home }),
    });
    // Renamed after it started: the name must reach its host, not only the hub's record.
    await ok(h, "/api/sessions/first", { method: "PATCH", body: JSON.stringify({ name: "build" }) });
    const before = created.session as SessionInfo;
    expect(before.status).toBe("running");
    // An agent's options (its profile, worktree, no sandbox) decide how a revive starts it.
    const agentOptions = {
      profile: "reviewer",
      worktree: { repo: h.home, path: h.home, branch: "dispatch/helper", base: "0123abc" },
      sandbox: false,
    };
    const agent = await ok(h, "/api/sessions", {
      method: "POST",
      body: JSON.stringify({
        name: "helper",
        kind: "agent",
        command: ["sh", "-c", "exec cat"],
        cwd: h.home,
        options: agentOptions,
      }),
    });
    expect((agent.session as SessionInfo).options).toEqual(agentOptions);

    expect((await h.cli(["stop"])).code).toBe(0);
    const restored = await h.cli(["restore", backup]);
    expect(restored.code, restored.stderr).toBe(0);
    const started = await h.cli(["start", "--port", "0"]);
    expect(started.code, started.stderr).toBe(0);

    // The host's hello may land just after `start` returns: wait for the sessions by their ids.
    const agentId = (agent.session as SessionInfo).id;
    await waitFor(
      async () => {
        const { body } = await apiCall(h, "/api/sessions?stored=false");
        const ids = (body.sessions as SessionInfo[]).map((s) => s.id);
        return ids.includes(before.id) && ids.includes(agentId);
      },
      { timeoutMs: 30_000, message: "the running session adopted" },
    );
    const listed = await h.cli(["ls", "--json"]);
    expect(listed.code, listed.stderr).toBe(0);
    const after = (JSON.parse(listed.stdout) as SessionInfo[]).find((s) => s.id === before.id);
    expect(after).toMatchObject({
      name: "build",
      status: "running",
      command,
      cwd: h.home,
      createdAt: before.createdAt,
    });
    expect(JSON.parse(listed.stdout).find((s: SessionInfo) => s.id === agentId)).toMatchObject({
      name: "helper",
      kind: "agent",
      status: "running",
      options: agentOptions,
    });

    // Still the same process, reached through the restored hub under its name.
    await ok(h, "/api/sessions/build/input", {
      method: "POST",
      body: JSON.stringify({ data: "after-restore\r" }),
    });
    await waitFor(async () => (await storedOutput(h, "build")).includes("got-after-restore"), {
      timeoutMs: 30_000,
      message: "the session's answer stored",
    });
  },
  RESTARTING_TEST_MS,
);
