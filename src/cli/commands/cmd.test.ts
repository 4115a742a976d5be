import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DispatchError } from "../../core/errors.js";
import { homePaths } from "../../platform/home.js";
import { HUB_PROOF_HEADER, hubProof, parseProofHeader } from "../../platform/keyProof.js";
import { EXIT_ERROR, EXIT_OK, EXIT_USAGE } from "../exitCodes.js";
import { HubClient } from "../HubClient.js";
import { runCli } from "../program.js";

/** What the fake hub saw of the last request. */
interface Seen {
  method: string | undefined;
  url: string | undefined;
  auth: string | undefined;
  contentType: string | undefined;
  body: string;
}

/**
 * A stand-in for the hub's session-command route: the answer is set per test. It holds the key
 * `k` and proves it as the hub does, so the CLI (which proves `DISPATCH_KEY`) believes it.
 */
let answer: { status: number; body: unknown } = { status: 200, body: { result: null } };
let seen: Seen | undefined;
let server: Server;
let url: string;
let home: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    request.on("end", () => {
      seen = {
        method: request.method,
        url: request.url,
        auth: request.headers.authorization,
        contentType: request.headers["content-type"],
        body,
      };
      const proof = parseProofHeader(request.headers.authorization);
      response.writeHead(answer.status, {
        "content-type": "application/json",
        ...(proof ? { [HUB_PROOF_HEADER]: hubProof("k", proof) } : {}),
      });
      response.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  home = mkdtempSync(join(tmpdir(), "dispatch-cmd-"));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(home, { recursive: true, force: true });
});

afterEach(() => {
  vi.restoreAllMocks();
  process.env = { ...savedEnv };
  process.exitCode = undefined;
  seen = undefined;
});

describe("HubClient.command", () => {
  const client = () => new HubClient({ url, key: "k", paths: homePaths(home) });

  it("posts the args as the JSON body and returns the result", async () => {
    answer = { status: 200, body: { result: { value: 2 } } };
    expect(await client().command("brisk otter", "eval", { code: "1+1" })).toEqual({ value: 2 });
    expect(seen).toEqual({
      method: "POST",
      url: "/api/sessions/brisk%20otter/commands/eval",
      auth: "Bearer k",
      contentType: "application/json",
      body: '{"code":"1+1"}',
    });
  });

  it("sends no body without args, and reads a missing result as null", async () => {
    answer = { status: 200, body: {} };
    expect(await client().command("s", "clear")).toBeNull();
    expect(seen?.body).toBe("");
    expect(seen?.contentType).toBeUndefined();
  });

  it("throws the hub's error", async () => {
    answer = { status: 400, body: { error: { code: "bad_request", message: "no command 'x'" } } };
    const failure = client().command("s", "x", 1);
    await expect(failure).rejects.toBeInstanceOf(DispatchError);
    await expect(failure).rejects.toMatchObject({ code: "bad_request", message: "no command 'x'" });
  });
});

describe("dispatch cmd", () => {
  function run(...args: string[]): { code: Promise<number>; out: string[]; err: string[] } {
    process.env.DISPATCH_HOME = home;
    process.env.DISPATCH_PORT = url.split(":")[2];
    // The hub to use is named: a command never starts one of its own (auto-start).
    process.env.DISPATCH_URL = url;
    process.env.DISPATCH_KEY = "k";
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(console, "log").mockImplementation((text: string) => out.push(text));
    vi.spyOn(console, "error").mockImplementation((text: string) => err.push(text));
    return { code: runCli(["node", "dispatch", "cmd", ...args]), out, err };
  }

  it("prints the result as pretty JSON", async () => {
    answer = { status: 200, body: { result: { lines: ["a", "b"] } } };
    const { code, out } = run("s", "tail", '{"n": 2}');
    expect(await code).toBe(EXIT_OK);
    expect(out).toEqual([JSON.stringify({ lines: ["a", "b"] }, null, 2)]);
    expect(seen?.body).toBe('{"n":2}');
  });

  it("exits 1 with the hub's message when the command fails", async () => {
    answer = { status: 404, body: { error: { code: "not_found", message: "no session 's'" } } };
    const { code, err } = run("s", "tail");
    expect(await code).toBe(EXIT_ERROR);
    expect(err).toEqual(["dispatch: no session 's'"]);
  });

  it("exits 2 on ARGS_JSON that is not JSON, without asking the hub", async () => {
    const { code, err } = run("s", "tail", "{n: 2}");
    expect(await code).toBe(EXIT_USAGE);
    expect(err[0]).toMatch(/^dispatch: ARGS_JSON is not valid JSON: /);
    expect(seen).toBeUndefined();
  });
});
