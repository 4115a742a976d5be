/**
 * A kernel's flood (on request: `--only image-flood`): one cell `for i in range(N): print(i)`
 * in a python3 and an xpython workspace through `dispatch eval --json`, a fresh hub each. Its
 * wall time, what the answer holds (outputs, lines of the N printed, its `incomplete` mark), the
 * host's RSS at the answer and after a wait, the hub's after it; beside the same flood driven
 * directly by jupyter_client (`/usr/bin/python3`, Debian's python3-jupyter-client) in the same
 * run, counting stream lines until the cell's idle. docs/BENCHMARKS.md, "xeus-python's flood".
 */
import { existsSync } from "node:fs";
import { childJson } from "./childJson.js";
import type { BenchContext } from "./context.js";
import { startHub } from "./hub.js";
import { row } from "./report.js";
import { MiB, sleep } from "./stats.js";

const SUITE = "image-flood";
const KERNELS = ["python3", "xpython"];
const NONE = "—";

/**
 * The baseline: the same cell with jupyter_client, its stream lines counted until the cell's
 * idle status (or 60 s without a message: xeus-python can lose the idle of a flood).
 */
const DIRECT = `
import json, queue, sys, time
from jupyter_client import KernelManager
n, kernel = int(sys.argv[1]), sys.argv[2]
km = KernelManager(kernel_name=kernel)
km.start_kernel()
kc = km.client()
kc.start_channels()
kc.wait_for_ready(timeout=60)
def run(code):
    t = time.perf_counter()
    msg_id = kc.execute(code)
    lines, idle, last = 0, False, t
    while True:
        try:
            m = kc.get_iopub_msg(timeout=60)
        except queue.Empty:
            break
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        last = time.perf_counter()
        if m["msg_type"] == "stream":
            lines += m["content"]["text"].count("\\n")
        elif m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            idle = True
            break
    return {"seconds": last - t, "lines": lines, "idle": idle}
run("1+1")
result = run(f"for i in range({n}): print(i)")
kc.stop_channels()
km.shutdown_kernel(now=True)
print(json.dumps(result))
`;

interface Direct {
  seconds: number;
  lines: number;
  idle: boolean;
}

interface Answer {
  status: string;
  outputs: { type: string; text?: string }[];
  truncatedBytes: number;
  incomplete?: string;
}

function lines(answer: Answer): number {
  let count = 0;
  for (const output of answer.outputs) {
    if (output.type === "stream") count += (output.text ?? "").split("\n").length - 1;
  }
  return count;
}

async function flood(ctx: BenchContext, kernel: string, n: number, waitS: number): Promise<void> {
  const code = `for i in range(${n}): print(i)`;
  const hub = await startHub({ env: ctx.hubEnv });
  let secs: number;
  let answer: Answer;
  let atAnswer: number;
  let later: { hub: number; host: number };
  try {
    const created = await hub.cli(["new", "--kernel", kernel, "--name", "flood"], 120_000);
    if (created.code !== 0) throw new Error(`could not start a ${kernel} workspace: ${created.stderr}`);
    await hub.cli(["eval", "flood", "1+1", "--json"], 120_000);
    ctx.log(`${SUITE}: ${kernel}, ${n.toLocaleString("en-US")} lines through the hub`);
    const started = performance.now();
    const result = await hub.cli(["eval", "flood", code, "--json"], 600_000);
    secs = (performance.now() - started) / 1000;
    atAnswer = hub.rss().host;
    if (result.code !== 0) throw new Error(`eval of the flood failed: ${result.stderr.slice(-500)}`);
    answer = JSON.parse(result.stdout) as Answer;
    await sleep(waitS * 1000);
    later = hub.rss();
  } finally {
    await hub.stop();
  }
  ctx.log(`${SUITE}: ${kernel}, the same with jupyter_client, directly`);
  const direct = await childJson<Direct>("jupyter_client baseline", "/usr/bin/python3", [
    "-c",
    DIRECT,
    String(n),
    kernel,
  ]);
  const got = lines(answer);
  const cut = answer.truncatedBytes > 0 ? `, ${answer.truncatedBytes.toLocaleString("en-US")} bytes cut` : "";
  const mark = answer.incomplete ?? "none";
  const directIdle = direct.idle ? "" : " (no idle: timed out)";
  ctx.add(
    row(SUITE, `${kernel}: cell wall time, through the hub`, secs, "s", {
      text: NONE,
      ratio: { value: secs / direct.seconds, of: "jupyter_client direct" },
    }),
  );
  ctx.add(row(SUITE, `${kernel}: cell wall time, jupyter_client direct${directIdle}`, direct.seconds, "s"));
  ctx.add(row(SUITE, `${kernel}: outputs in the answer`, answer.outputs.length, "outputs"));
  ctx.add(
    row(SUITE, `${kernel}: lines in the answer (incomplete: ${mark}${cut})`, got, "lines", {
      text: NONE,
      ratio: { value: got / n, of: `${n.toLocaleString("en-US")} printed` },
    }),
  );
  ctx.add(
    row(SUITE, `${kernel}: lines, jupyter_client direct${directIdle}`, direct.lines, "lines", {
      text: NONE,
      ratio: { value: direct.lines / n, of: "printed" },
    }),
  );
  ctx.add(row(SUITE, `${kernel}: host RSS at the answer`, atAnswer / MiB, "MiB"));
  ctx.add(row(SUITE, `${kernel}: host RSS ${waitS} s later`, later.host / MiB, "MiB"));
  ctx.add(row(SUITE, `${kernel}: hub RSS ${waitS} s later`, later.hub / MiB, "MiB"));
}

export async function imageFloodSuite(ctx: BenchContext): Promise<void> {
  const n = ctx.quick ? 20_000 : 200_000;
  const waitS = ctx.quick ? 10 : 30;
  for (const kernel of KERNELS) {
    if (!existsSync(`/usr/share/jupyter/kernels/${kernel}/kernel.json`)) {
      ctx.log(
        `${SUITE}: skipping ${kernel}: not installed (no /usr/share/jupyter/kernels/${kernel}/kernel.json)`,
      );
      continue;
    }
    await flood(ctx, kernel, n, waitS);
  }
}
