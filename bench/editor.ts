/**
 * Editor sessions: keystroke-to-peer latency (one character typed into one collaborator's
 * Y.Doc, sent as `input`, applied by the host, stored by the hub, until the other
 * collaborator has applied it), idle, p50/p99; and the open time of a 5 MB file (the create
 * request until its whole text is in the session's document, read back over REST).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { EditorPeer } from "../test/editorPeer.js";
import type { BenchContext } from "./context.js";
import { startHub } from "./hub.js";
import { row } from "./report.js";
import { median, percentile, sleep, within } from "./stats.js";

const SUITE = "editor";
/** People type slower than this; faster keys would measure the queue, not the path. */
const KEY_INTERVAL_MS = 30;
const KEY_TIMEOUT_MS = 10_000;
const FIVE_MB = 5 * 1024 * 1024;

export async function editorSuite(ctx: BenchContext): Promise<void> {
  const hub = await startHub({ env: { ...ctx.hubEnv, DISPATCH_EDITOR_ROOTS: ctx.scratch } });
  const peers: EditorPeer[] = [];
  try {
    const api = (path: string, body?: unknown) =>
      fetch(`${hub.url}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: { authorization: `Bearer ${hub.key}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });

    writeFileSync(join(ctx.scratch, "typing.txt"), "");
    const created = await api("/api/sessions", {
      kind: "editor",
      name: "typing",
      options: { path: "typing.txt" },
    });
    if (created.status !== 201)
      throw new Error(`editor session: HTTP ${created.status} ${await created.text()}`);
    const a = await EditorPeer.open({ url: hub.url, key: hub.key, session: "typing", client: "a" });
    const b = await EditorPeer.open({ url: hub.url, key: hub.key, session: "typing", client: "b" });
    peers.push(a, b);
    const keys = ctx.quick ? 300 : 1000;
    ctx.log(`${SUITE}: ${keys} keystrokes from one peer to the other`);
    const latencies: number[] = [];
    const text = a.doc.getText("text");
    for (let i = 0; i < keys; i++) {
      const want = text.length + 1;
      const arrived = new Promise<void>((resolve) => {
        b.onRemote = () => {
          if (b.doc.getText("text").length >= want) resolve();
        };
      });
      const start = performance.now();
      text.insert(text.length, String.fromCharCode(97 + (i % 26)));
      await within(arrived, KEY_TIMEOUT_MS, `keystroke ${i}`);
      latencies.push(performance.now() - start);
      await sleep(KEY_INTERVAL_MS);
    }
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    ctx.add(row(SUITE, `keystroke to a second client, idle, p50 (${keys} keys)`, p50, "ms"));
    ctx.add(
      row(SUITE, `keystroke to a second client, idle, p99 (${keys} keys)`, p99, "ms", {
        text: "≤ 20 ms",
        max: 20,
      }),
    );

    const line = `${"x".repeat(99)}\n`;
    writeFileSync(join(ctx.scratch, "big.txt"), line.repeat(Math.ceil(FIVE_MB / line.length)));
    const opens: number[] = [];
    for (let i = 0; i < (ctx.quick ? 2 : 5); i++) {
      ctx.log(`${SUITE}: open a 5 MB file (${i + 1})`);
      const start = performance.now();
      const reply = await api("/api/sessions", {
        kind: "editor",
        name: `big${i}`,
        options: { path: "big.txt" },
      });
      if (reply.status !== 201) throw new Error(`open 5 MB: HTTP ${reply.status} ${await reply.text()}`);
      const body = (await (await api(`/api/sessions/big${i}/text`)).json()) as { text: string };
      if (body.text.length < FIVE_MB) throw new Error(`open 5 MB: only ${body.text.length} characters`);
      opens.push(performance.now() - start);
      await fetch(`${hub.url}/api/sessions/big${i}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${hub.key}` },
      });
    }
    ctx.add(row(SUITE, "open a 5 MB file: create until its text is read back (median)", median(opens), "ms"));
  } finally {
    for (const peer of peers) peer.close();
    await hub.stop();
  }
}
