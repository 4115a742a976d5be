import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { DispatchError } from "../core/errors.js";
import { homePaths } from "../platform/home.js";
import { webSocketUrl } from "./ClientSocket.js";
import { EXIT_ERROR, EXIT_OK, EXIT_USAGE, exitCodeFor, UsageError } from "./exitCodes.js";
import { HubClient } from "./HubClient.js";
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

/**
 * Where Node's fetch finds its dispatcher (undici's `setGlobalDispatcher` sets the same). Its
 * 5-minute deadline is shortened here so that going past it takes a moment, not 5 minutes.
 */
const FETCH_DISPATCHER = Symbol.for("undici.globalDispatcher.1");

/** Gives Node's fetch a `timeoutMs` deadline for an answer's headers and body; returns the undo. */
async function shortenFetchDeadline(timeoutMs: number): Promise<() => void> {
  const global = globalThis as Record<symbol, unknown>;
  // Fetch sets up its dispatcher on first use.
  await fetch("data:,");
  const original = global[FETCH_DISPATCHER] as object;
  const Agent = original.constructor as new (options: object) => object;
  global[FETCH_DISPATCHER] = new Agent({ headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  return () => {
    global[FETCH_DISPATCHER] = original;
  };
}

describe("a session command over REST", () => {
  it("waits for the hub's answer past the deadline fetch would give up at", async () => {
    // A hub that answers when the test says: each request is held.
    const held: ServerResponse[] = [];
    let arrived = () => {};
    const commandArrived = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const server = createServer((request, response) => {
      request.resume();
      held.push(response);
      arrived();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const restore = await shortenFetchDeadline(50);
    try {
      const client = new HubClient({ url, key: "key", paths: homePaths(tmpdir()) });
      const answer = client.command("nb", "eval", { code: "1+1" });
      answer.catch(() => undefined);
      await commandArrived;
      // A fetch sent after the command gives up after the command's own would have.
      const witness = await fetch(url).then(
        () => "answered",
        (err: unknown) => (err as { cause?: { code?: string } }).cause?.code,
      );
      expect(witness).toBe("UND_ERR_HEADERS_TIMEOUT");
      held[0]?.setHeader("content-type", "application/json");
      held[0]?.end(JSON.stringify({ result: { value: 2 } }));
      expect(await answer).toEqual({ value: 2 });
    } finally {
      restore();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
