/**
 * `node dist/bench/binaryPagesCli.js [--top N] PID...`: each process's resident pages of its
 * node binary beside a bare `node` (started here, idle), by section, by group and by symbol;
 * the differences, largest first. Run as root or as the processes' owner. The memory suite
 * takes the same reading of the hub and the host (`bench/memory.ts`).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { type BinaryPages, binaryPages, difference, type Tally } from "./binaryPages.js";

const MB = 1e6;

/** A bare node, idle after its start: the baseline every Node process pays. */
export async function withBareNode<T>(use: (pid: number) => T): Promise<T> {
  const child = spawn(
    process.execPath,
    ["-e", "setTimeout(() => {}, 1e6); require('fs').writeSync(1, 'ready')"],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  try {
    await once(child.stdout, "data");
    if (child.pid === undefined) throw new Error("the bare node did not start");
    return use(child.pid);
  } finally {
    child.kill();
  }
}

const mb = (bytes: number) => (bytes / MB).toFixed(2).padStart(7);

function table(title: string, a: Tally, bare: Tally, top: number): string {
  const rows = difference(a, bare)
    .slice(0, top)
    .map(
      ([name, delta]) =>
        `  ${mb(delta)} ${mb(a.get(name) ?? 0)} ${mb(bare.get(name) ?? 0)}  ${name.slice(0, 140)}`,
    );
  return [`${title}: MB more than bare, MB here, MB in bare node`, ...rows].join("\n");
}

/** The comparison as text: totals, sections, then the top groups and symbols. */
export function describe(label: string, pages: BinaryPages, bare: BinaryPages, top: number): string {
  return [
    `${label}: ${mb(pages.total)} MB of ${pages.binary} resident; bare node ${mb(bare.total)} MB`,
    table("by section", pages.bySection, bare.bySection, 8),
    table("by group", pages.byGroup, bare.byGroup, top),
    table("by symbol", pages.bySymbol, bare.bySymbol, top),
  ].join("\n");
}

async function main(argv: string[]): Promise<void> {
  let top = 30;
  const pids: number[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--top") top = Number(argv[++i]);
    else pids.push(Number(argv[i]));
  }
  if (pids.length === 0 || pids.some((pid) => !Number.isInteger(pid)) || !(top > 0)) {
    throw new Error("usage: node dist/bench/binaryPagesCli.js [--top N] PID... (the pids of Node processes)");
  }
  await withBareNode((barePid) => {
    const bare = binaryPages(barePid);
    for (const pid of pids)
      process.stdout.write(`${describe(`pid ${pid}`, binaryPages(pid), bare, top)}\n\n`);
  });
}

if (process.argv[1]?.endsWith("binaryPagesCli.js")) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
