import { describe, expect, it } from "vitest";
import { serveBinding } from "./earlyLocalHost.js";

const serve = (...args: string[]) => serveBinding(["node", "dispatch", "serve", ...args], {}, undefined);

describe("serveBinding", () => {
  it("reads --port=N and --host=H as it reads --port N and --host H", () => {
    expect(serve("--port=7800")).toEqual({ port: 7800, host: "127.0.0.1" });
    expect(serve("--port=7800")).toEqual(serve("--port", "7800"));
    expect(serve("--host=::1", "--port=0")).toEqual({ port: 0, host: "::1" });
  });

  it("takes the last of a flag given twice, as the command's parser does", () => {
    expect(serve("--port", "7800", "--port=7801")).toEqual({ port: 7801, host: "127.0.0.1" });
    expect(serve("--port=7800", "--port", "7801")).toEqual({ port: 7801, host: "127.0.0.1" });
  });

  it("falls back to DISPATCH_PORT, then the remembered port, then 7777", () => {
    const argv = ["node", "dispatch", "serve"];
    expect(serveBinding(argv, { DISPATCH_PORT: "7900" }, 7800)?.port).toBe(7900);
    expect(serveBinding(argv, {}, 7800)?.port).toBe(7800);
    expect(serveBinding(argv, {}, undefined)?.port).toBe(7777);
  });

  it("starts nothing for a bad port or a remote bind without --allow-remote", () => {
    expect(serve("--port=")).toBeUndefined();
    expect(serve("--port=http")).toBeUndefined();
    expect(serve("--host=0.0.0.0")).toBeUndefined();
    expect(serve("--host=0.0.0.0", "--allow-remote")).toEqual({ port: 7777, host: "0.0.0.0" });
  });
});
