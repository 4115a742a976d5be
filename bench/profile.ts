/**
 * Summarises V8 CPU profiles (`node --cpu-prof`): self time by function and by package/file,
 * so "what dominates" is one command away. Profiles come from a run with
 * `npm run bench -- --only SUITE --profile DIR` (every hub and host the suite starts writes
 * one when it exits).
 *
 *   node dist/bench/profile.js DIR [--top N]
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type CallFrame, original } from "./sourceFrames.js";

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function summarise(file: string, top: number): void {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = original((byId.get(id) as ProfileNode).callFrame);
    const where = frame.url.replace(/^file:\/\//, "").replace(/^.*\/node_modules\//, "node_modules/");
    const name = `${frame.functionName || "(anonymous)"} ${where ? `${shortPath(where)}:${frame.lineNumber + 1}` : ""}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    byArea.set(area(frame.functionName, where), (byArea.get(area(frame.functionName, where)) ?? 0) + us);
  }
  const wall = (profile.endTime - profile.startTime) / 1000;
  const busy = total - (byArea.get("(idle)") ?? 0);
  console.log(`\n== ${file}`);
  console.log(
    `wall ${wall.toFixed(0)} ms, sampled ${(total / 1000).toFixed(0)} ms, busy ${(busy / 1000).toFixed(0)} ms`,
  );
  const print = (title: string, map: Map<string, number>) => {
    console.log(`-- ${title} (self time, % of busy)`);
    for (const [name, us] of [...map]
      .filter(([n]) => n !== "(idle)" && !n.startsWith("(idle)"))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)) {
      console.log(
        `${((100 * us) / busy).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`,
      );
    }
  };
  print("by area", byArea);
  print("by function", byFunction);
}

function shortPath(path: string): string {
  return path.replace(/^.*\/dist\//, "dist/").replace(/^node:/, "node:");
}

/** A package (node_modules/x), a source folder (dist/src/hub), node internals, or a V8 bucket. */
function area(functionName: string, where: string): string {
  if (!where) return functionName.startsWith("(") ? functionName : "(native)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where);
  if (pkg) return `node_modules/${pkg[1]}`;
  const src = /dist\/(src\/[^/]+(?:\/screen)?)/.exec(where);
  if (src) return `dispatch ${src[1]}`;
  if (where.startsWith("node:")) return `node:${where.slice(5).split("/")[0]}`;
  return shortPath(where);
}

const args = process.argv.slice(2);
const dir = args[0];
if (!dir) {
  console.error("usage: node dist/bench/profile.js DIR [--top N]");
  process.exit(2);
}
const topIndex = args.indexOf("--top");
const top = topIndex >= 0 ? Number(args[topIndex + 1]) : 20;
for (const name of readdirSync(dir)
  .filter((n) => n.endsWith(".cpuprofile"))
  .sort())
  summarise(join(dir, name), top);
