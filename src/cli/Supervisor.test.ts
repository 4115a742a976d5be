import { describe, expect, it } from "vitest";
import { hubConnectsOut, supervisorArgs } from "./Supervisor.js";

describe("hubConnectsOut", () => {
  const serve = ["serve", "--port", "0", "--host", "127.0.0.1"];

  it("is false for a hub on its SQLite file without sign-on or plug-ins", () => {
    expect(hubConnectsOut({ PATH: "/usr/bin" }, serve)).toBe(false);
  });

  it("is true for sign-on, a PostgreSQL store (flag or environment) and plug-ins", () => {
    expect(hubConnectsOut({ DISPATCH_OIDC_ISSUER: "https://id.example" }, serve)).toBe(true);
    expect(hubConnectsOut({}, [...serve, "--store", "postgres://db/dispatch"])).toBe(true);
    expect(hubConnectsOut({}, [...serve, "--store=postgres://db/dispatch"])).toBe(true);
    expect(hubConnectsOut({ DISPATCH_STORE: "postgres://db/dispatch" }, serve)).toBe(true);
    expect(hubConnectsOut({ DISPATCH_PLUGINS: "/opt/kind.js" }, serve)).toBe(true);
  });
});

describe("supervisorArgs", () => {
  it("restarts the hub on the port the first one got, whichever way --port was written", () => {
    for (const port of [["--port", "0"], ["--port=0"]]) {
      const args = supervisorArgs(["--adopt", "4242", ...port, "--host", "127.0.0.1", "--allow-remote"]);
      expect(args.adopt).toBe(4242);
      expect(args.serveArgs(7801)).toEqual([
        "serve",
        "--port",
        "7801",
        "--host",
        "127.0.0.1",
        "--allow-remote",
      ]);
      // Before the first hub listened: the port it was given.
      expect(args.serveArgs(undefined)).toEqual([
        "serve",
        "--port",
        "0",
        "--host",
        "127.0.0.1",
        "--allow-remote",
      ]);
    }
  });

  it("reads --adopt=PID too, and adopts nothing without a pid", () => {
    expect(supervisorArgs(["--adopt=4242", "--port=7800"]).adopt).toBe(4242);
    expect(supervisorArgs(["--port", "7800"]).adopt).toBeUndefined();
    expect(supervisorArgs(["--port", "7800"]).serveArgs(undefined)).toEqual(["serve", "--port", "7800"]);
  });
});
