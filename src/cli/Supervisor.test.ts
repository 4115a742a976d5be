import { describe, expect, it } from "vitest";
import { hubConnectsOut } from "./Supervisor.js";

describe("hubConnectsOut", () => {
  const serve = ["serve", "--port", "0", "--host", "127.0.0.1"];

  it("is false for a hub on its SQLite file without sign-on or plug-ins", () => {
    expect(hubConnectsOut({ PATH: "/usr/bin" }, serve)).toBe(false);
  });

  it("is true for sign-on, a PostgreSQL store (flag or environment) and plug-ins", () => {
    expect(hubConnectsOut({ DISPATCH_OIDC_ISSUER: "https://id.example" }, serve)).toBe(true);
    expect(hubConnectsOut({}, [...serve, "--store", "postgres://db/dispatch"])).toBe(true);
    expect(hubConnectsOut({ DISPATCH_STORE: "postgres://db/dispatch" }, serve)).toBe(true);
    expect(hubConnectsOut({ DISPATCH_PLUGINS: "/opt/kind.js" }, serve)).toBe(true);
  });
});
