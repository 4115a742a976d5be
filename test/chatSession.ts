/**
 * A chat session as the tests drive and read it: created as a user does, sent input, and read
 * back from the hub's stored events (output as a terminal shows it, `chat` steps, the record).
 */
import { expect } from "vitest";
import type { SessionInfo } from "../src/protocol/session.js";
import type { HubHandle } from "./harness.js";

export interface StoredEvent {
  seq: number;
  type: string;
  data: unknown;
}
export type Step = Record<string, unknown> & { role: string };

/** Every stored event of a session, paged. */
export async function storedEvents(h: HubHandle, name: string): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  for (let after = 0; ; ) {
    const res = await h.api(`/api/sessions/${name}/events?after=${after}&limit=1000`);
    const page = (await res.json()) as { events: StoredEvent[] };
    const last = page.events[page.events.length - 1];
    if (!last) return all;
    all.push(...page.events);
    after = last.seq;
  }
}

/** The session's stored output, decoded: what any terminal client shows. */
export async function storedText(h: HubHandle, name: string): Promise<string> {
  return (await storedEvents(h, name))
    .filter((e) => e.type === "output")
    .map((e) => Buffer.from(e.data as string, "base64").toString("utf8"))
    .join("");
}

/** The session's stored `chat` events. */
export async function chatSteps(h: HubHandle, name: string): Promise<Step[]> {
  return (await storedEvents(h, name)).filter((e) => e.type === "chat").map((e) => e.data as Step);
}

export async function replies(h: HubHandle, name: string): Promise<Step[]> {
  return (await chatSteps(h, name)).filter((step) => step.role === "assistant");
}

export async function sessionInfo(h: HubHandle, name: string): Promise<SessionInfo> {
  return ((await (await h.api(`/api/sessions/${name}`)).json()) as { session: SessionInfo }).session;
}

/** Creates a chat the way a user does (`dispatch chat NAME`), leaving the prompt at once. */
export async function createChat(h: HubHandle, name: string, provider: string, env?: Record<string, string>) {
  const created = await h.cli(["chat", name, "--provider", provider], {
    input: "/quit\n",
    ...(env ? { env } : {}),
  });
  expect(created.code, created.stderr).toBe(0);
}

/** Input to a chat: a line ending in `\r` is a message, `\x03` cancels. */
export async function send(h: HubHandle, name: string, data: string): Promise<void> {
  const res = await h.api(`/api/sessions/${name}/input`, { method: "POST", body: JSON.stringify({ data }) });
  expect(res.status, await res.text()).toBe(200);
}
