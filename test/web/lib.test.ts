/** Unit tests for the web UI's pure modules (no browser needed). */
import { describe, expect, it } from "vitest";
import { splitCommand } from "../../src/core/argv.js";
import { BACKOFF_MAX_MS, backoffDelay } from "../../src/core/backoff.js";
import { fuzzyFilter, fuzzyMatch } from "../../src/core/fuzzy.js";
import { droppedEventReason } from "../../src/protocol/droppedEvent.js";
import type { SessionInfo } from "../../src/protocol/session.js";
import { becameWaiting, needsYouLabel } from "../../web/src/lib/agent-state.js";
import { exitNote } from "../../web/src/lib/exit-note.js";
import { applyCtrl, keySequence } from "../../web/src/lib/keys.js";
import { parseInline, parseMarkdown } from "../../web/src/lib/markdown.js";
import { matchPrefixed, matchShortcut } from "../../web/src/lib/shortcuts.js";
import { statusLook } from "../../web/src/lib/status.js";

function key(init: Partial<KeyboardEvent>): KeyboardEvent {
  return {
    altKey: false,
    ctrlKey: false,
    metaKey: false,
    shiftKey: false,
    key: "",
    code: "",
    ...init,
  } as KeyboardEvent;
}

describe("backoff", () => {
  it("doubles with jitter between half and all of the ceiling, capped", () => {
    expect(backoffDelay(0, () => 0)).toBe(125);
    expect(backoffDelay(0, () => 1)).toBe(250);
    expect(backoffDelay(3, () => 0.5)).toBe(1500);
    expect(backoffDelay(50, () => 1)).toBe(BACKOFF_MAX_MS);
    expect(backoffDelay(50, () => 0)).toBe(BACKOFF_MAX_MS / 2);
  });
});

describe("exitNote", () => {
  it("names the code or signal of a process, and the reason of a session ended from outside", () => {
    expect(exitNote({ code: 3, signal: null })).toBe("process exited, code 3");
    expect(exitNote({ code: null, signal: 9 })).toBe("process exited, SIGKILL");
    expect(exitNote({ code: null, signal: null, reason: "host lost" })).toBe("session ended: host lost");
    expect(exitNote({ code: 0, signal: null, reason: "host stopped" })).toBe(
      "process exited, code 0 (host stopped)",
    );
    expect(exitNote({})).toBe("process exited");
  });
});

describe("fuzzy", () => {
  it("matches characters in order and ranks word starts and runs first", () => {
    expect(fuzzyMatch("bld", "build")).not.toBeNull();
    expect(fuzzyMatch("xyz", "build")).toBeNull();
    const names = ["api-server", "build", "web-build", "rebuild-all"];
    expect(fuzzyFilter(names, "build", (n) => n)[0]).toBe("build");
    expect(fuzzyFilter(names, "wb", (n) => n)).toEqual(["web-build"]);
    expect(fuzzyFilter(names, "", (n) => n)).toEqual(names);
  });
});

describe("splitCommand", () => {
  it("splits like a shell without expanding", () => {
    expect(splitCommand("npm run dev")).toEqual(["npm", "run", "dev"]);
    expect(splitCommand(`bash -c 'echo "hi there"; ls'`)).toEqual(["bash", "-c", 'echo "hi there"; ls']);
    expect(splitCommand('a\\ b "" c')).toEqual(["a b", "", "c"]);
    expect(splitCommand("   ")).toEqual([]);
  });
});

describe("key bar", () => {
  it("sends normal or application cursor arrows, Esc and Tab", () => {
    expect(keySequence("ArrowUp", false)).toBe("\x1b[A");
    expect(keySequence("ArrowLeft", true)).toBe("\x1bOD");
    expect(keySequence("Escape", false)).toBe("\x1b");
    expect(keySequence("Tab", false)).toBe("\t");
  });

  it("applies Ctrl to the next character", () => {
    expect(applyCtrl("c")).toBe("\x03");
    expect(applyCtrl("D")).toBe("\x04");
    expect(applyCtrl("[")).toBe("\x1b");
    expect(applyCtrl(" ")).toBe("\x00");
    expect(applyCtrl("ab")).toBe("ab");
  });
});

describe("shortcuts", () => {
  const anywhere = { inTerminal: false, inField: false };
  const terminal = { inTerminal: true, inField: false };

  it("maps Alt shortcuts by physical key outside terminals, and leaves them to the shell inside", () => {
    expect(matchShortcut(key({ altKey: true, code: "KeyN", key: "˜" }), anywhere)).toEqual({ action: "new" });
    expect(matchShortcut(key({ altKey: true, code: "BracketRight" }), anywhere)).toEqual({ action: "next" });
    expect(matchShortcut(key({ altKey: true, code: "Digit3" }), anywhere)).toEqual({
      action: "jump",
      index: 3,
    });
    expect(matchShortcut(key({ altKey: true, code: "Digit0" }), anywhere)).toBeNull();
    expect(matchShortcut(key({ ctrlKey: true, code: "KeyK" }), anywhere)).toEqual({ action: "palette" });
    // Inside a terminal: readline's Alt+B/N and Ctrl+K, unless the user lets Alt shortcuts through.
    expect(matchShortcut(key({ altKey: true, code: "KeyN" }), terminal)).toBeNull();
    expect(matchShortcut(key({ ctrlKey: true, code: "KeyK" }), terminal)).toBeNull();
    expect(matchShortcut(key({ altKey: true, code: "KeyN" }), { ...terminal, altInTerminal: true })).toEqual({
      action: "new",
    });
  });

  it("maps the key after the prefix by character", () => {
    expect(matchPrefixed(key({ key: "k" }))).toEqual({ action: "palette" });
    expect(matchPrefixed(key({ key: "?", shiftKey: true }))).toEqual({ action: "help" });
    expect(matchPrefixed(key({ key: "4" }))).toEqual({ action: "jump", index: 4 });
    expect(matchPrefixed(key({ key: "ArrowLeft" }))).toEqual({ action: "tile-previous" });
    expect(matchPrefixed(key({ key: "q" }))).toBeNull();
  });

  it("opens help with ? only outside the terminal and text fields", () => {
    expect(matchShortcut(key({ key: "?", shiftKey: true }), anywhere)).toEqual({ action: "help" });
    expect(matchShortcut(key({ key: "?", shiftKey: true }), terminal)).toBeNull();
    expect(matchShortcut(key({ key: "?", shiftKey: true }), { inTerminal: false, inField: true })).toBeNull();
  });

  it("leaves ordinary typing alone", () => {
    expect(matchShortcut(key({ key: "a", code: "KeyA" }), terminal)).toBeNull();
    expect(matchShortcut(key({ ctrlKey: true, key: "c", code: "KeyC" }), terminal)).toBeNull();
  });
});

describe("status", () => {
  it("renders unknown statuses neutrally", () => {
    expect(statusLook("running").color).toContain("running");
    expect(statusLook("unreachable").label).toBe("unreachable");
    expect(statusLook("hibernating")).toEqual({ label: "hibernating", color: "var(--status-unknown)" });
  });
});

describe("markdown", () => {
  it("reads fenced code, lists, headings and inline spans as a tree", () => {
    const blocks = parseMarkdown(
      [
        "# Title",
        "Some **bold**, *em*, `a<b>` and [a link](https://example.com/x).",
        "",
        "```ts",
        "const x = 1 < 2;",
        "```",
        "- one",
        "- two_words stay",
        "",
        "1. first",
        "2. second",
      ].join("\n"),
    );
    expect(blocks.map((b) => b.type)).toEqual(["heading", "paragraph", "code", "list", "list"]);
    expect(blocks[2]).toEqual({ type: "code", lang: "ts", text: "const x = 1 < 2;" });
    expect(blocks[1]).toMatchObject({
      children: [
        { type: "text", text: "Some " },
        { type: "strong", children: [{ type: "text", text: "bold" }] },
        { type: "text", text: ", " },
        { type: "em", children: [{ type: "text", text: "em" }] },
        { type: "text", text: ", " },
        { type: "code", text: "a<b>" },
        { type: "text", text: " and " },
        { type: "link", href: "https://example.com/x", children: [{ type: "text", text: "a link" }] },
        { type: "text", text: "." },
      ],
    });
    expect(blocks[3]).toMatchObject({
      ordered: false,
      items: [[{ text: "one" }], [{ text: "two_words stay" }]],
    });
    expect(blocks[4]).toMatchObject({ ordered: true, start: 1 });
  });

  it("keeps unsafe links and raw HTML as text, and an unclosed fence as code", () => {
    expect(parseInline("[x](javascript:alert(1)) <img src=x>")).toEqual([
      { type: "text", text: "[x](javascript:alert(1)) <img src=x>" },
    ]);
    expect(parseMarkdown("text\n```py\nprint(1)")).toEqual([
      { type: "paragraph", children: [{ type: "text", text: "text" }] },
      { type: "code", lang: "py", text: "print(1)" },
    ]);
  });
});

describe("agent state", () => {
  const session = (agent: SessionInfo["agent"]) => ({ id: "s1", name: "ag", agent }) as SessionInfo;
  const waiting = { state: "waiting", message: "ok?", source: "hook", at: 1 } as const;

  it("says 'needs you', with a ? for a guess", () => {
    expect(needsYouLabel(session(waiting))).toBe("needs you");
    expect(needsYouLabel(session({ ...waiting, source: "guess" }))).toBe("needs you?");
    expect(needsYouLabel(session({ ...waiting, state: "working" }))).toBeNull();
    expect(needsYouLabel(session(null))).toBeNull();
  });

  it("counts a transition to waiting (or a new wait) once", () => {
    const working = session({ ...waiting, state: "working" });
    expect(becameWaiting(working, session(waiting))).toBe(true);
    expect(becameWaiting(undefined, session(waiting))).toBe(true);
    expect(becameWaiting(session(waiting), session(waiting))).toBe(false);
    expect(becameWaiting(session(waiting), session({ ...waiting, at: 2 }))).toBe(true);
    expect(becameWaiting(session(waiting), working)).toBe(false);
  });
});

describe("a gap where the host dropped an event", () => {
  it("says why; a gap of lost output says nothing more", () => {
    const reason = "the 'blob' event was 9.0 MiB, more than the 8.0 MiB …";
    expect(droppedEventReason({ fromSeq: 7, bytes: 0, dropped: { type: "blob", bytes: 9e6 }, reason })).toBe(
      reason,
    );
    expect(droppedEventReason({ fromSeq: 3, bytes: 120 })).toBeUndefined();
  });
});
