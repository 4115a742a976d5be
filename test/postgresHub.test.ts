/**
 * A real hub on a real PostgreSQL server (`DISPATCH_STORE`): sessions, their output and the
 * hub's records live in the database, survive a SIGKILL of the hub, and `dispatch status`
 * says where they are. A server the hub cannot reach stops it at start with a clear message.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, cleanupAll, type HubHandle, runCli, startHub, waitFor } from "./harness.js";
import { type PostgresServer, startPostgres } from "./postgresServer.js";
import { WireClient } from "./wire.js";

let server: PostgresServer;
const hubs: HubHandle[] = [];

beforeAll(async () => {
  server = await startPostgres();
});
afterEach(async () => {
  for (const h of hubs.splice(0)) await h.stop();
});
afterAll(async () => {
  await cleanupAll();
  await server?.stop();
});

async function query<R>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as R[];
  } finally {
    await client.end();
  }
}

async function storedText(h: HubHandle, name: string): Promise<{ text: string; seqs: number[] }> {
  const page = await h.api(`/api/sessions/${name}/events?after=0&limit=10000`).then((r) => r.json());
  const events = page.events as { seq: number; type: string; data: string }[];
  return {
    text: events
      .filter((e) => e.type === "output")
      .map((e) => Buffer.from(e.data, "base64").toString("utf8"))
      .join(""),
    seqs: events.map((e) => e.seq),
  };
}

const counter = (n: number) =>
  `i=1; while [ $i -le ${n} ]; do echo line-$i; i=$((i+1)); sleep 0.005; done; sleep 600`;

describe("a hub on PostgreSQL", () => {
  it("stores sessions and output in the database and keeps every line through a SIGKILL of the hub", async () => {
    const url = await server.database();
    const h = await startHub({ env: { DISPATCH_STORE: url } });
    hubs.push(h);
    const status = await h.cli(["status"]);
    expect(status.stdout).toMatch(/store\s+postgres\s+postgres:\/\/postgres@127\.0\.0\.1:\d+\/test_\d+/);
    const res = await h.api("/api/sessions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "counting", command: ["sh", "-c", counter(300)] }),
    });
    expect(res.status).toBe(201);
    // Killed mid-count: some lines stored, most still to come.
    await waitFor(async () => (await storedText(h, "counting")).text.includes("line-5\r\n"), {
      message: "the first lines stored",
    });
    process.kill(h.pids().hub as number, "SIGKILL");
    const restarted = await h.cli(["start", "--port", String(h.port)]);
    expect(restarted.code, restarted.stderr).toBe(0);
    await waitFor(async () => (await storedText(h, "counting")).text.includes("line-300\r\n"), {
      timeoutMs: 60_000,
      message: "all 300 lines stored",
    });
    const { text, seqs } = await storedText(h, "counting");
    const numbers = [...text.matchAll(/line-(\d+)\r\n/g)].map((m) => Number(m[1]));
    expect(numbers).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    // The rows are in PostgreSQL, not in a SQLite file beside them.
    const rows = await query<{ name: string; last_seq: string; n: string }>(
      url,
      "SELECT s.name, s.last_seq, (SELECT COUNT(*) FROM events e WHERE e.session_id = s.id) AS n FROM sessions s",
    );
    expect(rows).toEqual([{ name: "counting", last_seq: String(seqs.length), n: String(seqs.length) }]);
  });

  it("refuses to start on a server it cannot reach, naming it without the password", async () => {
    const home = mkdtempSync(join(tmpdir(), "dispatch-pg-bad-"));
    try {
      const env = cleanEnv({
        DISPATCH_HOME: home,
        HOME: home,
        DISPATCH_STORE: `postgres://dispatch:hunter2@127.0.0.1:${server.port + 1}/none`,
      });
      const result = await runCli(["serve", "--port", "0"], env, { timeoutMs: 30_000 });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(
        /cannot connect to PostgreSQL at postgres:\/\/dispatch:\*\*\*@127\.0\.0\.1/,
      );
      expect(result.stderr).not.toContain("hunter2");
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("keeps serving while the PostgreSQL server is away: sign-in, keys, rename and status work, and all of it is stored once it is back", async () => {
    const url = await server.database();
    const h = await startHub({ env: { DISPATCH_STORE: url } });
    hubs.push(h);
    const created = await h.api("/api/sessions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "quiet", command: ["cat"] }),
    });
    expect(created.status).toBe(201);
    const { session } = (await created.json()) as { session: { id: string } };
    await server.halt();
    try {
      // A client signing in now (its sign-in is an audit row the store cannot take).
      const client = await WireClient.open(h.url, { authorization: `Bearer ${h.key}` });
      try {
        expect(await client.request({ type: "hello", protocol: 1 })).toMatchObject({ type: "welcome" });
        // Keys reach the session (their audit row waits too).
        expect(
          await client.request({ type: "input", session: session.id, data: "typed-while-away\n" }),
        ).toMatchObject({ type: "result" });
        // What cannot be done without the database says why, and what to do.
        const attach = await client.request({ type: "attach", session: session.id, afterSeq: 0 });
        expect(attach).toMatchObject({ type: "error", code: "storage_failing" });
        expect(String(attach.message)).toMatch(/PostgreSQL store .*check that the database server is up/);
      } finally {
        await client.close();
      }
      const renamed = await h.api("/api/sessions/quiet", {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "renamed-while-away" }),
      });
      expect(renamed.status).toBe(200);
      const status = await h.cli(["status"]);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toMatch(/storage\s+FAILING: the PostgreSQL store is unavailable/);
    } finally {
      await server.resume();
    }
    // Healed by itself, with nothing printing to prompt it.
    await waitFor(async () => /storage\s+ok/.test((await h.cli(["status"])).stdout), {
      timeoutMs: 30_000,
      message: "storage ok again",
    });
    await waitFor(async () => (await storedText(h, "renamed-while-away")).text.includes("typed-while-away"), {
      timeoutMs: 30_000,
      message: "the keys' echo stored",
    });
    const rows = await query<{ name: string }>(url, "SELECT name FROM sessions");
    expect(rows).toEqual([{ name: "renamed-while-away" }]);
    const audit = await query<{ action: string }>(
      url,
      "SELECT action FROM audit WHERE action IN ('sign-in', 'input', 'rename') ORDER BY id",
    );
    expect(audit.map((row) => row.action)).toEqual(expect.arrayContaining(["sign-in", "input", "rename"]));
  });
});
