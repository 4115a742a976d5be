import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeHubFiles } from "./hubFiles.js";

describe("writeHubFiles", () => {
  let dir: string;
  let paths: { hubInfo: string; hubPid: string };
  const listening = { port: 7070, host: "127.0.0.1", url: "http://127.0.0.1:7070" };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "dispatch-hub-files-"));
    paths = { hubInfo: join(dir, "hub.json"), hubPid: join(dir, "hub.pid") };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("says where the hub listens, and takes it back as the hub stops", () => {
    const files = writeHubFiles(paths, listening);
    expect(JSON.parse(readFileSync(paths.hubInfo, "utf8"))).toMatchObject({ pid: process.pid, ...listening });
    expect(readFileSync(paths.hubPid, "utf8")).toBe(String(process.pid));
    expect(existsSync(`${paths.hubInfo}.tmp`)).toBe(false);
    files.remove();
    expect(existsSync(paths.hubInfo)).toBe(false);
    expect(existsSync(paths.hubPid)).toBe(false);
  });

  it("leaves the files of a hub that started since", () => {
    const files = writeHubFiles(paths, listening);
    const later = JSON.stringify({ pid: 1, port: 7071, host: "127.0.0.1", url: "http://127.0.0.1:7071" });
    writeFileSync(paths.hubInfo, later);
    writeFileSync(paths.hubPid, "1");
    files.remove();
    expect(readFileSync(paths.hubInfo, "utf8")).toBe(later);
    expect(readFileSync(paths.hubPid, "utf8")).toBe("1");
  });

  it("stops quietly when the files are already gone", () => {
    const files = writeHubFiles(paths, listening);
    rmSync(paths.hubInfo);
    rmSync(paths.hubPid);
    expect(() => files.remove()).not.toThrow();
  });
});
