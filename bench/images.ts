/**
 * Live runtime images: the round trip of `1+1` to a python3 kernel through the hub (client ->
 * hub -> host -> ZeroMQ -> kernel and back, answered once the kernel is idle again), beside the
 * same kernelspec driven directly by jupyter_client (`/usr/bin/python3`, Debian's
 * python3-jupyter-client) in the same run; and the memory an idle image costs the hub and host
 * on top of the kernel's own process.
 */
import { childJson } from "./childJson.js";
import type { BenchContext } from "./context.js";
import { rssOf, startHub } from "./hub.js";
import { row } from "./report.js";
import { MiB, median, percentile, sleep, waitUntil } from "./stats.js";

const SUITE = "images";
const KERNEL = "python3";

/** The baseline: the same request/reply/idle cycle with jupyter_client, timed in Python. */
const DIRECT = `
import json, sys, time
from jupyter_client import KernelManager
n = int(sys.argv[1])
km = KernelManager(kernel_name=sys.argv[2])
km.start_kernel()
kc = km.client()
kc.start_channels()
kc.wait_for_ready(timeout=60)
samples = []
for i in range(n + 20):
    t = time.perf_counter()
    msg_id = kc.execute("1+1")
    kc.get_shell_msg(timeout=30)
    while True:
        m = kc.get_iopub_msg(timeout=30)
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            break
    if i >= 20:
        samples.append((time.perf_counter() - t) * 1000)
kc.stop_channels()
km.shutdown_kernel(now=True)
print(json.dumps(samples))
`;

/** Hub + host VmRSS: the median of 5 readings, 400 ms apart, after 2 s of settling. */
async function settledRss(hub: { rss(): { hub: number; host: number } }): Promise<number> {
  await sleep(2000);
  const readings: number[] = [];
  for (let i = 0; i < 5; i++) {
    const { hub: hubRss, host } = hub.rss();
    readings.push(hubRss + host);
    await sleep(400);
  }
  return median(readings);
}

function direct(n: number): Promise<number[]> {
  return childJson("jupyter_client baseline", "/usr/bin/python3", ["-c", DIRECT, String(n), KERNEL]);
}

export async function imagesSuite(ctx: BenchContext): Promise<void> {
  const n = ctx.quick ? 200 : 1000;
  const hub = await startHub({ env: ctx.hubEnv });
  try {
    const socket = await hub.socket();
    const created = await hub.cli(["new", "--kernel", KERNEL, "--name", "bench"]);
    if (created.code !== 0) throw new Error(`could not start a workspace: ${created.stderr}`);
    const evaluate = () =>
      socket.request({
        type: "command",
        session: "bench",
        name: "eval",
        args: { code: "1+1", mode: "print" },
      });
    ctx.log(`${SUITE}: ${n} round trips of 1+1 through the hub`);
    for (let i = 0; i < 20; i++) await evaluate();
    const viaHub: number[] = [];
    for (let i = 0; i < n; i++) {
      const started = performance.now();
      await evaluate();
      viaHub.push(performance.now() - started);
    }
    ctx.log(`${SUITE}: ${n} round trips with jupyter_client, directly`);
    const viaClient = await direct(n);
    for (const p of [50, 99]) {
      const hubP = percentile(viaHub, p);
      const directP = percentile(viaClient, p);
      ctx.add(
        row(
          SUITE,
          `1+1 round trip p${p}, through the hub`,
          hubP,
          "ms",
          undefined,
          `jupyter_client direct: ${directP.toFixed(2)} ms`,
        ),
      );
      ctx.add(row(SUITE, `1+1 round trip p${p}, jupyter_client direct (same kernelspec)`, directP, "ms"));
    }

    // Memory: hub + host before and after more idle images, per image (medians of readings
    // after settling, as the memory suite does: one reading is at the mercy of the GC).
    const images = 5;
    const before = await settledRss(hub);
    for (let i = 0; i < images; i++) {
      const made = await hub.cli(["new", "--kernel", KERNEL, "--name", `idle-${i}`]);
      if (made.code !== 0) throw new Error(made.stderr);
    }
    await waitUntil(
      "idle images",
      async () => {
        const listed = JSON.parse((await hub.cli(["images", "--json"])).stdout) as {
          execution: string;
          memory: number | null;
        }[];
        return listed.length === images + 1 && listed.every((image) => image.execution === "idle")
          ? listed
          : undefined;
      },
      60_000,
    );
    const listed = JSON.parse((await hub.cli(["images", "--json"])).stdout) as { pid: number | null }[];
    const after = await settledRss(hub);
    const perImage = (after - before) / images;
    const kernelRss = listed.map((image) => (image.pid ? rssOf(image.pid) : 0)).filter((rss) => rss > 0);
    ctx.add(row(SUITE, "memory per idle image, hub + host (on top of the kernel)", perImage / MiB, "MiB"));
    ctx.add(row(SUITE, "memory of an idle python3 kernel process", percentile(kernelRss, 50) / MiB, "MiB"));
  } finally {
    await hub.stop();
  }
}
