/**
 * `dispatch search` and `GET /api/search` end to end: real sessions print coloured lines, the
 * hub indexes them as they are stored, and a search finds them (escape sequences stripped)
 * across sessions, across a `dispatch stop`/`start` and a SIGKILL of the hub, with clear
 * errors for bad input. Query time is measured in `bench/search.ts`, not here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";

let hub: HubHandle;

beforeAll(async () => {
  hub = await startHub();
});

afterAll(async () => {
  await cleanupAll();
});

interface Result {
  session: string;
  name: string;
  seq: number;
  ts: number;
  line: string;
}

async function searchJson(args: string[]): Promise<Result[]> {
  const result = await hub.cli(["search", ...args, "--json"]);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { results: Result[] }).results;
}

/**
 * A terminal session running `script`, created through the API: `dispatch new` is not under
 * test here, and each CLI call is a Node boot (seconds on a loaded machine).
 */
async function terminal(h: HubHandle, name: string, script: string): Promise<void> {
  const created = await h.api("/api/sessions", {
    method: "POST",
    body: JSON.stringify({ name, command: ["sh", "-c", script] }),
  });
  expect(created.status, await created.clone().text()).toBe(201);
}

/** A session printing `count` lines `<tag> row N`, the tag in red (SGR) and a title (OSC). */
async function printer(name: string, tag: string, count: number): Promise<void> {
  const script = `i=0; while [ $i -lt ${count} ]; do i=$((i+1)); printf '\\033]0;t\\007\\033[31m${tag}\\033[0m row %d\\n' $i; done; sleep 300`;
  await terminal(hub, name, script);
}

/** What `GET /api/search` finds for `pattern` on `h`. */
async function apiResults(h: HubHandle, pattern: string): Promise<Result[]> {
  const response = await h.api(`/api/search?q=${encodeURIComponent(pattern)}`);
  if (!response.ok) throw new Error(`search '${pattern}': HTTP ${response.status} ${await response.text()}`);
  return ((await response.json()) as { results: Result[] }).results;
}

/** How many lines `GET /api/search` finds for `pattern` on `h`. */
async function apiHits(h: HubHandle, pattern: string): Promise<number> {
  return (await apiResults(h, pattern)).length;
}

/**
 * Waits until `count` lines match, polling the API (the index catches up in the background);
 * resolves with what the API found.
 */
function waitForHits(pattern: string, count = 1): Promise<Result[]> {
  return waitFor(
    async () => {
      const results = await apiResults(hub, pattern);
      return results.length >= count ? results : undefined;
    },
    { timeoutMs: 30_000, message: `search '${pattern}' to find ${count} lines` },
  );
}

/**
 * Waits until `count` lines match, polling the API (the index catches up in the background),
 * then answers with what `dispatch search --json` finds: one CLI boot per wait, not per poll.
 */
async function waitForLine(pattern: string, count = 1): Promise<Result[]> {
  await waitForHits(pattern, count);
  const results = await searchJson([pattern]);
  expect(results.length).toBeGreaterThanOrEqual(count);
  return results;
}

describe("dispatch search", () => {
  it("finds lines in every session, without escape sequences, with session, time and seq", async () => {
    const before = Date.now();
    await printer("alpha", "apple", 1000);
    await printer("beta", "banana", 1000);
    await printer("gamma", "apple", 1000);
    const [hit] = await waitForLine("banana row 999");
    expect(hit).toMatchObject({ name: "beta", line: "banana row 999" });
    expect(hit?.seq).toBeGreaterThan(0);
    expect(hit?.ts).toBeGreaterThanOrEqual(before - 1000);

    const both = await waitForLine("apple row 1000", 2);
    expect(both.map((r) => r.name).sort()).toEqual(["alpha", "gamma"]);
    // Read-only CLI calls side by side: each is a Node boot.
    const [inGamma, table, limited] = await Promise.all([
      searchJson(["apple row 1000", "--session", "gamma"]),
      hub.cli(["search", "banana row 999"]),
      searchJson(["row", "--session", "alpha", "--limit", "3"]),
    ]);
    expect(inGamma.map((r) => [r.name, r.line])).toEqual([["gamma", "apple row 1000"]]);

    // The stored output up to that seq ends the line: a person can open the session there.
    const page = await hub.api(`/api/sessions/beta/events?after=${Math.max(0, (hit?.seq ?? 2) - 2)}&limit=2`);
    const events = ((await page.json()) as { events: { seq: number; data: string }[] }).events;
    expect(events.at(-1)?.seq).toBe(hit?.seq);
    const raw = events.map((e) => Buffer.from(e.data, "base64").toString()).join("");
    expect(raw).toContain("banana\x1b[0m row 999");

    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^beta {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}\d+ {2}banana row 999\n$/);
    expect(limited.map((r) => r.line)).toEqual(["apple row 998", "apple row 999", "apple row 1000"]);
  }, 150_000);

  it("still finds everything after a hub restart and after a SIGKILL, and indexes what came meanwhile", async () => {
    await waitForHits("banana row 1000");
    const stopped = await hub.cli(["stop"]);
    expect(stopped.code, stopped.stderr).toBe(0);
    const started = await hub.cli(["start", "--port", String(hub.port)]);
    expect(started.code, started.stderr).toBe(0);
    expect(await searchJson(["banana row 1000"])).toHaveLength(1);

    await printer("delta", "cherry", 500);
    process.kill(hub.pids().hub as number, "SIGKILL");
    await waitFor(
      async () =>
        !(await hub.api("/api/health").then(
          (r) => r.ok,
          () => false,
        )),
      {
        message: "the hub to die",
      },
    );
    const again = await hub.cli(["start", "--port", String(hub.port)]);
    expect(again.code, again.stderr).toBe(0);
    await waitForHits("cherry row 500");
    // Read-only CLI calls side by side: each is a Node boot.
    const [cherries, apples] = await Promise.all([
      searchJson(["cherry row"]),
      searchJson(["apple row 123", "--since", "1h"]),
    ]);
    expect(cherries).toHaveLength(100);
    expect(apples).toHaveLength(2);
  }, 150_000);

  it("drops a removed session's lines", async () => {
    await printer("epsilon", "durian", 10);
    await waitForHits("durian row 10");
    const killed = await hub.cli(["kill", "epsilon"]);
    expect(killed.code, killed.stderr).toBe(0);
    const gc = await hub.api("/api/gc", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(gc.ok).toBe(true);
    await waitFor(async () => (await apiHits(hub, "durian")) === 0, { message: "durian lines to go" });
    expect(await searchJson(["durian"])).toEqual([]);
  });

  it("finds words a program placed with cursor moves, spaced as on the screen", async () => {
    // Drawn as vim draws its ruler and top its header: an absolute move, ncurses' `ESC ( B`,
    // a cursor-forward between words, and no newline anywhere.
    const draw =
      "\\033[H\\033[2J\\033(B\\033[mguava\\033(B\\033[m\\033[5Cpapaya\\033[24;63H1,1\\033[11Cquince\\033[1;1H";
    await terminal(hub, "drawn", `printf '${draw}'; sleep 300`);
    // Through the API: the CLI's search is tested above, this is what the index holds.
    const [words] = await waitForHits("guava papaya");
    expect(words).toMatchObject({ name: "drawn", line: "guava     papaya" });
    const [ruler] = await waitForHits("quince");
    expect(ruler?.line).toBe("1,1           quince");
  }, 60_000);

  it("finds words whatever their accents, and shows the line as the session printed it", async () => {
    // Precomposed, and decomposed (e and U+0301) as some programs write it.
    await terminal(
      hub,
      "accents",
      "printf '\\303\\234n\\303\\257code re\\314\\201sume\\314\\201 caf\\303\\251\\n'; sleep 300",
    );
    const [hit] = await waitForHits("unicode");
    expect(hit).toMatchObject({ name: "accents", line: "Ünïcode re\u0301sume\u0301 café" });
    const [table, json] = await Promise.all([hub.cli(["search", "RÉSUMÉ cafe"]), searchJson(["ÜNICODE"])]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain("  Ünïcode re\u0301sume\u0301 café\n");
    expect(json.map((r) => r.name)).toEqual(["accents"]);
  }, 60_000);

  it("says what is wrong with bad input", async () => {
    // Independent calls, run side by side: each is a Node boot.
    const [unknown, empty, since, huge, none] = await Promise.all(
      [
        ["search", "apple", "--session", "alhpa"],
        ["search", "--", "$$$"],
        ["search", "apple", "--since", "yesterdayish"],
        ["search", "apple ".repeat(7000)],
        ["search", "nosuchwordanywhere"],
      ].map((args) => hub.cli(args)),
    );
    expect(unknown?.code).toBe(1);
    expect(unknown?.stderr).toContain("did you mean 'alpha'");
    expect(empty?.code).toBe(1);
    expect(empty?.stderr).toContain("give a word");
    expect(since?.code).toBe(1);
    expect(since?.stderr).toContain("invalid since 'yesterdayish'");
    // Pasted by mistake: said in one line, not as the hub's refusal of a 40 KB URL quoting it.
    expect(huge?.code).toBe(2);
    expect(huge?.stderr).toBe(
      "dispatch: the pattern is 42000 characters; search takes at most 500: give fewer or shorter words\n",
    );
    expect(none?.code).toBe(1);
    expect(none?.stderr).toContain("no stored output matches");
  });

  it("indexes a few lines on the hub's own thread and hands a flood to the index worker", async () => {
    // A hub of its own: the shared one's worker may still be running from the tests above.
    const own = await startHub();
    const worker = async () => {
      const text = await (await own.api("/metrics")).text();
      return Number(/^dispatch_search_worker (\d)$/m.exec(text)?.[1]);
    };
    const found = (pattern: string) =>
      waitFor(async () => (await apiHits(own, pattern)) > 0, {
        timeoutMs: 30_000,
        message: `search '${pattern}' on the second hub`,
      });

    // A few lines: the worker thread (a second V8 heap) is not started for them.
    await terminal(own, "few", "echo quiet kiwi; sleep 300");
    await found("quiet kiwi");
    expect(await worker()).toBe(0);

    // ~1 MB of lines, 60 times what the hub's own thread indexes (16 KB): indexed by the
    // worker, and all of it found.
    const flood = "seq 1 50000 | sed 's/^/mango flood /'; sleep 300";
    await terminal(own, "flood", flood);
    await waitFor(async () => (await worker()) === 1, {
      timeoutMs: 30_000,
      message: "the index worker to start",
    });
    await found("mango flood 50000");
    await found("mango flood 1");
  }, 90_000);
});
