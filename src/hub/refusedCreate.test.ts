import { describe, expect, it } from "vitest";
import { DispatchError } from "../core/errors.js";
import type { SessionKind } from "../kinds/kind.js";
import { refusedBeforeStart } from "./refusedCreate.js";

describe("refusedBeforeStart", () => {
  const kind = (screen: boolean): SessionKind => ({ name: "k", label: "k", screen });

  it("is a host's verdict on the request, for a kind that is not a terminal", () => {
    expect(refusedBeforeStart(kind(false), new DispatchError("bad_request", "no kernel 'x'"))).toBe(true);
    expect(refusedBeforeStart(kind(false), new DispatchError("forbidden", "outside the roots"))).toBe(true);
  });

  it("is not a terminal's program that cannot start, nor a host that may have started it", () => {
    expect(refusedBeforeStart(kind(true), new DispatchError("bad_request", "command not found"))).toBe(false);
    expect(refusedBeforeStart(kind(false), new DispatchError("host_unavailable", "disconnected"))).toBe(
      false,
    );
    expect(refusedBeforeStart(kind(false), new DispatchError("internal", "could not load"))).toBe(false);
    expect(refusedBeforeStart(kind(false), new Error("plain"))).toBe(false);
  });
});
