/**
 * Sessions whose stored log a fault test checks afterwards, event by event: a counter printing
 * numbered lines, and reading back what the hub stored of it.
 */
import { tmpdir } from "node:os";
import { expect } from "vitest";
import { type HubHandle, waitFor } from "./harness.js";

export interface StoredEvent {
  seq: number;
  type: string;
  data: unknown;
}

export async function api<T>(h: HubHandle, path: string, init?: RequestInit): Promise<T> {
  const response = await h.api(path, init);
  const body = (await response.json()) as T;
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/**
 * A session printing `TAG-1`, `TAG-2`, ... (with `pad` filler per line), `lines` of them or
 * forever; with `pause`, a `sleep` that long after every line, or after every `every` lines (each
 * `sleep` is a fork and an exec, about a millisecond of CPU).
 */
export async function counter(
  h: HubHandle,
  name: string,
  options: { lines?: number; pad?: number; pause?: string; every?: number },
) {
  const filler = "x".repeat(options.pad ?? 0);
  const limit = options.lines === undefined ? "" : `[ $i -ge ${options.lines} ] && break; `;
  const pause = options.pause ? `[ $((i % ${options.every ?? 1})) -ne 0 ] || sleep ${options.pause}` : ":";
  const script = `i=0; while :; do ${limit}i=$((i+1)); echo ${name}-$i ${filler}; ${pause}; done`;
  return (
    await api<{ session: { id: string; name: string } }>(h, "/api/sessions", {
      method: "POST",
      body: JSON.stringify({ name, cwd: tmpdir(), command: ["sh", "-c", script] }),
    })
  ).session;
}

/** A `counter` run to its end; its stored events, as the hub returns them. */
export async function finishedCounter(
  h: HubHandle,
  name: string,
  options: { lines: number; pad?: number },
): Promise<StoredEvent[]> {
  await counter(h, name, options);
  await waitFor(
    async () =>
      (await api<{ session: { status: string } }>(h, `/api/sessions/${name}`)).session.status === "exited",
    { message: `${name} ends` },
  );
  return storedEvents(h, name);
}

export async function storedEvents(h: HubHandle, name: string): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  for (let after = 0; ; ) {
    const page = await api<{ events: StoredEvent[] }>(
      h,
      `/api/sessions/${name}/events?after=${after}&limit=10000`,
    );
    if (page.events.length === 0) return all;
    all.push(...page.events);
    after = page.events[page.events.length - 1]?.seq ?? after;
  }
}

/**
 * The stored log, checked event by event: seqs 1..n without a hole, no `gap`, and the counter's
 * lines each exactly once, in order. Returns how many lines it printed.
 */
export async function checkCompleteLog(h: HubHandle, name: string): Promise<number> {
  const events = await storedEvents(h, name);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(events.filter((e) => e.type === "gap")).toEqual([]);
  const text = events
    .filter((e) => e.type === "output")
    .map((e) => Buffer.from(e.data as string, "base64").toString("utf8"))
    .join("");
  const numbers = [...text.matchAll(new RegExp(`${name}-(\\d+)`, "g"))].map((m) => Number(m[1]));
  expect(numbers.length).toBeGreaterThan(0);
  expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  return numbers.length;
}
