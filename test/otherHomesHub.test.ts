/**
 * A data directory whose hub is not running (no `hub.json`) while another directory's hub
 * answers on the port the CLI falls back to: `status`, `doctor` and `ls` say this one's hub is
 * not running and how to start it, not that the access key is wrong.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cleanEnv, type HubHandle, runCli, startHub } from "./harness.js";

let other: HubHandle;
let home: string;
let env: Record<string, string>;

beforeAll(async () => {
  other = await startHub();
  home = mkdtempSync(join(tmpdir(), "dispatch-no-hub-json-"));
  // This directory's own key (its hub ran here once): the other hub refuses it.
  writeFileSync(join(home, "access.key"), "this-homes-key-0123456789\n", { mode: 0o600 });
  env = cleanEnv({ DISPATCH_HOME: home, HOME: home, DISPATCH_PORT: String(other.port) });
});

afterAll(async () => {
  await other?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

it("ls says this directory's hub is not running, not that the key is wrong", async () => {
  const ls = await runCli(["ls"], env);
  expect(ls.code).toBe(1);
  expect(ls.stderr).toContain(`the hub is not running (no hub.json in ${home})`);
  expect(ls.stderr).toContain("dispatch start");
  expect(ls.stderr).not.toMatch(/access key/);
});

it("status and doctor report the hub stopped", async () => {
  const status = await runCli(["status"], env);
  expect(status.stdout).toMatch(/^hub\s+stopped/m);
  expect(status.stderr).not.toMatch(/access key/);

  const doctor = await runCli(["doctor"], env);
  expect(doctor.stdout).toMatch(/the hub is not running/);
  expect(doctor.stdout).not.toMatch(/wrong access key/);
});
