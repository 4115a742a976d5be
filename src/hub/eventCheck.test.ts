import { describe, expect, it } from "vitest";
import { agentKind } from "../kinds/agent/index.js";
import { chatKind } from "../kinds/chat/index.js";
import { terminalKind } from "../kinds/terminal/index.js";
import type { JsonEvent } from "../protocol/events.js";
import { eventProblem } from "./eventCheck.js";

const event = (type: string, data: Record<string, unknown>): JsonEvent => ({
  session: "s",
  seq: 1,
  ts: 1,
  type,
  data,
});

describe("eventProblem", () => {
  it("accepts core events with their payloads for every kind", () => {
    for (const kind of [terminalKind, agentKind, chatKind, undefined]) {
      expect(eventProblem(kind, event("exit", { code: 0, signal: null }))).toBeUndefined();
      expect(eventProblem(kind, event("resize", { cols: 80, rows: 24 }))).toBeUndefined();
    }
  });

  it("accepts a kind's own event only for that kind, checked by its schema", () => {
    const state = event("state", { state: "waiting", message: "approve?", source: "hook" });
    expect(eventProblem(agentKind, state)).toBeUndefined();
    expect(eventProblem(terminalKind, state)).toMatch(/event type 'state' is neither a core event nor/);
    expect(eventProblem(chatKind, state)).toContain("'chat' sessions write chat");
    expect(eventProblem(agentKind, event("state", { state: "sleeping", source: "hook" }))).toMatch(
      /^'state' event: 'state': /,
    );
  });

  it("refuses a core event with a malformed payload", () => {
    expect(eventProblem(terminalKind, event("resize", { cols: "wide" }))).toMatch(/^'resize' event: 'cols'/);
  });
});
