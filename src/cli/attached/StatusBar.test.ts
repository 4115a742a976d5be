import { describe, expect, it } from "vitest";
import type { SessionInfo } from "../../protocol/session.js";
import { DISTURBS_STATUS_BAR, statusBarText } from "./StatusBar.js";

const base = { kind: "terminal", host: "local", lastSeq: 5 } as const;
const a = { ...base, id: "a", name: "alpha" } as SessionInfo;
const b = { ...base, id: "b", name: "beta" } as SessionInfo;

describe("status bar", () => {
  it("names the session, its host, the count and the unread ones, exactly cols wide", () => {
    const text = statusBarText(
      { current: a, sessions: [a, b], isUnread: () => true, hint: "Ctrl-] ? help" },
      80,
    );
    expect(text).toHaveLength(80);
    expect(text).toContain("[alpha] · local · 2 sessions · unread: beta");
    expect(text.trimEnd().endsWith("Ctrl-] ? help")).toBe(true);
  });

  it("shows a prompt instead", () => {
    const text = statusBarText(
      { current: a, sessions: [a], isUnread: () => false, hint: "", prompt: "rename" },
      20,
    );
    expect(text).toBe(" rename".padEnd(20));
  });

  it("spots output that resets the scroll region or clears the screen", () => {
    expect(DISTURBS_STATUS_BAR.test("\x1b[r")).toBe(true);
    expect(DISTURBS_STATUS_BAR.test("\x1b[2J")).toBe(true);
    expect(DISTURBS_STATUS_BAR.test("\x1b[?1049h")).toBe(true);
    expect(DISTURBS_STATUS_BAR.test("hello\r\n")).toBe(false);
  });
});
