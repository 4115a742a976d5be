/**
 * Search over stored output (issue 14, item 7): 5 sessions print 20,000 numbered lines each
 * (100,000 lines), then `GET /api/search` is timed for a rare line (one hit), a word in 1 line
 * of 1,000 (100 hits) and a word in every line (limit 100), before and after a hub restart
 * (`dispatch stop`, `dispatch start`). Each query's hit count is checked, so a fast wrong
 * answer is not reported as a figure.
 */
import type { BenchContext } from "./context.js";
import { type BenchHub, startHub } from "./hub.js";
import { row } from "./report.js";
import { median, percentile, waitUntil } from "./stats.js";

const SUITE = "search";
const SESSIONS = 5;
const LINES_PER_SESSION = 20_000;
const SAMPLES = 20;

interface Query {
  label: string;
  q: string;
  session?: string;
  hits: number;
}

export async function searchSuite(ctx: BenchContext): Promise<void> {
  const hub = await startHub({ env: ctx.hubEnv });
  try {
    const control = await hub.socket();
    const names: string[] = [];
    for (let s = 1; s <= SESSIONS; s++) {
      const name = `printer${s}`;
      const awk = `awk 'BEGIN { for (i = 1; i <= ${LINES_PER_SESSION}; i++) printf "s${s} line %d token%d\\n", i, i % 1000 }'`;
      await control.create({ name, command: ["sh", "-c", `${awk}; sleep 600`] });
      names.push(name);
    }
    await control.close();
    const total = SESSIONS * LINES_PER_SESSION;
    const t0 = performance.now();
    await waitUntil(
      `all ${total} lines to be searchable`,
      async () => {
        for (let s = 1; s <= SESSIONS; s++) {
          const hits = await search(hub, { q: `s${s} line ${LINES_PER_SESSION}` });
          if (hits.length !== 1) return false;
        }
        return true;
      },
      120_000,
      200,
    );
    ctx.log(
      `${SUITE}: ${total} lines stored and indexed in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const queries: Query[] = [
      { label: "one line of 100,000", q: "s3 line 12345", hits: 1 },
      { label: "a word in 100 lines", q: "token777", hits: 100 },
      { label: "a word in every line, limit 100", q: "line", hits: 100 },
      { label: "a word in every line of one session, limit 100", q: "line", session: "printer2", hits: 100 },
    ];
    await measure(ctx, hub, queries, "");
    const stopped = await hub.cli(["stop"]);
    if (stopped.code !== 0) throw new Error(`dispatch stop failed: ${stopped.stderr}`);
    const started = await hub.start();
    if (started.code !== 0) throw new Error(`dispatch start failed: ${started.stderr}`);
    const first = performance.now();
    const hits = await search(hub, { q: "s5 line 19999" });
    const firstMs = performance.now() - first;
    if (hits.length !== 1) throw new Error(`after the restart: ${hits.length} hits for one line`);
    ctx.add(row(SUITE, "first query after a hub restart", firstMs, "ms"));
    await measure(ctx, hub, queries, ", after a restart");
  } finally {
    await hub.stop();
  }
}

async function measure(ctx: BenchContext, hub: BenchHub, queries: Query[], when: string): Promise<void> {
  for (const query of queries) {
    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const t = performance.now();
      const hits = await search(hub, query);
      samples.push(performance.now() - t);
      if (hits.length !== query.hits) {
        throw new Error(`'${query.q}': ${hits.length} hits, expected ${query.hits}`);
      }
    }
    ctx.add(
      row(
        SUITE,
        `query p50, ${query.label}${when}`,
        median(samples),
        "ms",
        undefined,
        `p95 ${percentile(samples, 95).toFixed(1)} ms, REST round trip`,
      ),
    );
  }
}

async function search(hub: BenchHub, query: { q: string; session?: string }): Promise<unknown[]> {
  const params = new URLSearchParams({
    q: query.q,
    limit: "100",
    ...(query.session ? { session: query.session } : {}),
  });
  const response = await fetch(`${hub.url}/api/search?${params}`, {
    headers: { authorization: `Bearer ${hub.key}` },
  });
  if (!response.ok) throw new Error(`search failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { results: unknown[] }).results;
}
