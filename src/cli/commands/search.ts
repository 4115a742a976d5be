/**
 * `dispatch search PATTERN [--session NAME] [--since 1h] [--limit N] [--json]`: lines of stored
 * output in every session (escape sequences stripped) holding every word of PATTERN, one per
 * line as `name  time  seq  line`, oldest first. Opens nothing: attach after `seq - 1`
 * (`dispatch logs NAME --after SEQ-1`) to see a line in its place.
 */
import type { Command } from "commander";
import { SearchBody, SearchRequest, type SearchResult } from "../../protocol/api.js";
import { UsageError } from "../exitCodes.js";
import { HubClient } from "../HubClient.js";

export function registerSearch(program: Command): void {
  program
    .command("search")
    .description("find lines in every session's stored output (words, any case or accents)")
    .argument("<pattern>", "words that must all be on the line (each matches the start of a word)")
    .option("--session <name>", "only this session")
    .option("--since <when>", "only output since then: a duration (30m, 1h, 7d) or a date")
    .option("--limit <n>", "at most this many lines, the newest", "100")
    .option("--json", "print {results: [{session, name, seq, ts, line}]}")
    .action(search);
}

async function search(
  pattern: string,
  options: { session?: string; since?: string; limit: string; json?: boolean },
): Promise<void> {
  if (!/^\d+$/.test(options.limit) || Number(options.limit) < 1 || Number(options.limit) > 10000) {
    throw new UsageError(`invalid --limit '${options.limit}': use a number from 1 to 10000`);
  }
  // Said here: a pattern past the URL's bound gets a bare HTTP 431 quoting all of it.
  const longest = SearchRequest.shape.q.maxLength;
  if (longest !== null && pattern.length > longest) {
    throw new UsageError(
      `the pattern is ${pattern.length} characters; search takes at most ${longest}: give fewer or shorter words`,
    );
  }
  const params = new URLSearchParams({ q: pattern, limit: options.limit });
  if (options.session) params.set("session", options.session);
  if (options.since) params.set("since", options.since);
  const body = SearchBody.parse(await HubClient.locate().call("GET", `/api/search?${params}`));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(body)}\n`);
    return;
  }
  if (body.results.length === 0) {
    process.stderr.write(`no stored output matches '${pattern}'\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(formatResults(body.results));
}

/** `name  time  seq  line`, names and seqs padded so the lines start in one column. */
export function formatResults(results: readonly SearchResult[]): string {
  const nameWidth = Math.max(...results.map((r) => r.name.length));
  const seqWidth = Math.max(...results.map((r) => String(r.seq).length));
  return results
    .map(
      (r) =>
        `${r.name.padEnd(nameWidth)}  ${localTime(r.ts)}  ${String(r.seq).padStart(seqWidth)}  ${r.line}\n`,
    )
    .join("");
}

/** `2026-11-29 08:31:42` in the local time zone. */
function localTime(ts: number): string {
  const d = new Date(ts);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
