import { describe, expect, it } from "vitest";
import type { SessionKind } from "../kinds/kind.js";
import { registerKind } from "../kinds/registry.js";
import { endedError, reviveHint } from "./endedSession.js";

/** A plug-in kind that cannot be revived. */
const oneShot: SessionKind = { name: "one-shot-test", label: "one shot" };
registerKind(oneShot);

const ended = { status: "exited", exitCode: 1, reason: null } as const;

describe("endedError", () => {
  it("says how to start again a session whose kind revives", () => {
    const error = endedError({ ...ended, name: "py2", kind: "workspace" }, "'eval' was not run");
    expect(error).toMatchObject({
      code: "session_exited",
      message:
        "session 'py2' has exited with code 1; 'eval' was not run; `dispatch revive py2` starts a fresh kernel (`--replay` re-runs the cells that succeeded)",
    });
  });

  it("says nothing more for a kind that cannot be revived, or one this hub does not know", () => {
    const error = endedError({ ...ended, name: "once", kind: oneShot.name }, "input was not delivered");
    expect(error.message).toBe("session 'once' has exited with code 1; input was not delivered");
    expect(reviveHint({ name: "gone", kind: "no-such-kind" })).toBe("");
  });

  it("gives the reason when there is no exit code", () => {
    const error = endedError(
      { name: "t", kind: "terminal", status: "failed", exitCode: null, reason: "host lost" },
      "it cannot be resized",
    );
    expect(error.message).toBe(
      "session 't' has failed (host lost); it cannot be resized; `dispatch revive t` starts it again",
    );
  });
});
