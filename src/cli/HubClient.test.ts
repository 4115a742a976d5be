import { CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { DispatchError } from "../core/errors.js";
import { webSocketUrl } from "./ClientSocket.js";
import { EXIT_ERROR, EXIT_OK, EXIT_USAGE, exitCodeFor, UsageError } from "./exitCodes.js";
import { DEFAULT_PORT, resolvePort } from "./hubAddress.js";

describe("resolvePort", () => {
  it("takes --port, else DISPATCH_PORT, else 7777", () => {
    expect(resolvePort("8080", { DISPATCH_PORT: "9090" })).toBe(8080);
    expect(resolvePort(undefined, { DISPATCH_PORT: "9090" })).toBe(9090);
    expect(resolvePort(undefined, {})).toBe(DEFAULT_PORT);
    expect(resolvePort("0", {})).toBe(0);
    expect(resolvePort(undefined, { DISPATCH_PORT: "" })).toBe(DEFAULT_PORT);
  });

  it.each(["abc", "-1", "65536", "80.5"])("rejects --port %j as a usage error", (text) => {
    expect(() => resolvePort(text, {})).toThrow(UsageError);
    expect(() => resolvePort(undefined, { DISPATCH_PORT: text })).toThrow(/DISPATCH_PORT/);
  });
});

describe("exit codes", () => {
  it("maps usage mistakes to 2, help to 0, everything else to 1", () => {
    expect(exitCodeFor(new CommanderError(1, "commander.unknownCommand", "x"))).toBe(EXIT_USAGE);
    expect(exitCodeFor(new CommanderError(0, "commander.helpDisplayed", "x"))).toBe(EXIT_OK);
    expect(exitCodeFor(new UsageError("x"))).toBe(EXIT_USAGE);
    expect(exitCodeFor(new DispatchError("not_found", "x"))).toBe(EXIT_ERROR);
    expect(exitCodeFor(new Error("x"))).toBe(EXIT_ERROR);
  });
});

describe("webSocketUrl", () => {
  it("derives /ws from the hub URL", () => {
    expect(webSocketUrl("http://127.0.0.1:7777")).toBe("ws://127.0.0.1:7777/ws");
    expect(webSocketUrl("https://hub.example/")).toBe("wss://hub.example/ws");
    expect(webSocketUrl("ws://x:1/ws")).toBe("ws://x:1/ws");
  });
});
