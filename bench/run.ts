/**
 * `npm run bench [-- --quick] [-- --only a,b] [-- --profile DIR]`: runs the suites on real
 * processes, prints each figure beside its budget and writes bench/results/latest.json.
 * Wires only; each measure lives in its own module. Exits 0 unless a suite broke.
 */
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { attachSuite } from "./attach.js";
import { browserEchoSuite } from "./browserEcho.js";
import { clientEchoSuite } from "./clientEcho.js";
import { clusterSuite } from "./cluster.js";
import type { BenchContext } from "./context.js";
import { echoSuite } from "./echo.js";
import { editorSuite } from "./editor.js";
import { floodPeakSuite } from "./floodPeak.js";
import { profileHubs, REPO_ROOT, stopAllHubs } from "./hub.js";
import { imageFloodSuite } from "./imageFlood.js";
import { imagesSuite } from "./images.js";
import { memorySuite } from "./memory.js";
import { machine, type Results, type Row, textTable, writeResults } from "./report.js";
import { restartSuite } from "./restart.js";
import { searchSuite } from "./search.js";
import { soakSuite } from "./soak.js";
import { startupSuite } from "./startup.js";
import { storeSuite } from "./store.js";
import { switchSuite } from "./switch.js";
import { throughputSuite } from "./throughput.js";

const SUITES: Record<string, (ctx: BenchContext) => Promise<void>> = {
  store: storeSuite,
  startup: startupSuite,
  throughput: throughputSuite,
  echo: echoSuite,
  "client-echo": clientEchoSuite,
  "browser-echo": browserEchoSuite,
  "flood-peak": floodPeakSuite,
  attach: attachSuite,
  memory: memorySuite,
  restart: restartSuite,
  switch: switchSuite,
  // Minutes long: run on request (`--only soak`), not in a full run.
  soak: soakSuite,
  images: imagesSuite,
  search: searchSuite,
  editor: editorSuite,
  // Three nodes on PostgreSQL with 1,000 clients: run on request (`--only cluster`).
  cluster: clusterSuite,
  // One kernel's flood of 200,000 lines, python3 and xpython: on request (`--only image-flood`).
  "image-flood": imageFloodSuite,
};
/** Suites a full run leaves out (minutes long); `--only NAME` runs them. */
const ON_REQUEST = new Set(["soak", "cluster", "image-flood"]);
/** Where misbehaviour of the hub is written down for people, beside the JSON. */
const NOTES_FILE = "/tmp/bench-notes.md";

interface Options {
  quick: boolean;
  only: string[];
  profileDir: string | undefined;
  out: string;
}

function parseArgs(argv: string[]): Options {
  const options: Options = {
    quick: false,
    only: Object.keys(SUITES).filter((name) => !ON_REQUEST.has(name)),
    profileDir: undefined,
    out: join(REPO_ROOT, "bench", "results", "latest.json"),
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === "--quick") options.quick = true;
    else if (arg === "--only") options.only = value().split(",");
    else if (arg === "--profile") options.profileDir = resolve(value());
    else if (arg === "--out") options.out = resolve(value());
    else throw new Error(`unknown argument '${arg}' (use --quick, --only a,b, --profile DIR, --out FILE)`);
  }
  for (const name of options.only) {
    if (!SUITES[name]) throw new Error(`unknown suite '${name}'; suites: ${Object.keys(SUITES).join(", ")}`);
  }
  return options;
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const scratch = mkdtempSync(join(tmpdir(), "dispatch-bench-files-"));
  const rows: Row[] = [];
  const notes: string[] = [];
  const failures: { suite: string; error: string }[] = [];
  const ctx: BenchContext = {
    quick: options.quick,
    scratch,
    hubEnv: {},
    add: (r) => {
      rows.push(r);
      console.error(
        `  ${r.measure}: ${r.value === null ? "n/a" : r.value.toFixed(2)} ${r.unit} ${r.verdict}`,
      );
    },
    note: (text) => {
      notes.push(text);
      console.error(`  NOTE: ${text}`);
      appendFileSync(NOTES_FILE, `- ${new Date().toISOString()} ${text}\n`);
    },
    log: (text) => console.error(`bench: ${text}`),
  };
  if (options.profileDir) profileHubs(options.profileDir);
  const stopOnSignal = (signal: NodeJS.Signals) => {
    console.error(`bench: ${signal}, cleaning up`);
    void stopAllHubs().finally(() => process.exit(130));
  };
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);

  try {
    for (const name of options.only) {
      const suite = SUITES[name] as (ctx: BenchContext) => Promise<void>;
      const t0 = Date.now();
      ctx.log(`${name} (${options.quick ? "quick" : "full"})`);
      try {
        await suite(ctx);
      } catch (err) {
        const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
        failures.push({ suite: name, error });
        console.error(`bench: suite ${name} FAILED: ${error}`);
        appendFileSync(NOTES_FILE, `- ${new Date().toISOString()} suite ${name} failed: ${error}\n`);
      } finally {
        await stopAllHubs();
      }
      ctx.log(`${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    await stopAllHubs();
    rmSync(scratch, { recursive: true, force: true });
  }

  const results: Results = {
    mode: options.quick ? "quick" : "full",
    startedAt: new Date(started).toISOString(),
    durationS: Math.round((Date.now() - started) / 100) / 10,
    machine: machine(),
    rows,
    failures,
    notes,
  };
  writeResults(options.out, results);
  console.log(textTable(rows));
  for (const note of notes) console.log(`note: ${note}`);
  for (const failure of failures) console.log(`FAILED: ${failure.suite}: ${failure.error.split("\n")[0]}`);
  console.log(`\n${results.mode} run, ${results.durationS} s; results in ${options.out}`);
  return failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    void stopAllHubs().finally(() => process.exit(2));
  },
);
