/**
 * The environment of the daemons `dispatch start` runs: the hub and its supervisor boot without
 * the operator's `NODE_EXTRA_CA_CERTS` (Node parses the whole bundle at boot, on a restart's
 * critical path), and every program a session runs still gets it, as the operator set it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub, storedOutput, waitFor } from "./harness.js";

let hub: HubHandle;
const caDir = mkdtempSync(join(tmpdir(), "dispatch-test-ca-"));
// A real bundle of two certificates, in a file of the test's own.
const caFile = join(caDir, "extra.pem");

beforeAll(async () => {
  writeFileSync(caFile, `${rootCertificates.slice(0, 2).join("\n")}\n`);
  hub = await startHub({ env: { NODE_EXTRA_CA_CERTS: caFile } });
});

afterAll(async () => {
  await cleanupAll();
  rmSync(caDir, { recursive: true, force: true });
});

/** The environment a process started with (what Node read at its boot). */
function bootEnvironment(pid: number): Map<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter(Boolean);
  return new Map(
    entries.map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]),
  );
}

describe("the daemons' environment", () => {
  it("gives a session's programs the operator's NODE_EXTRA_CA_CERTS, and nothing dispatch added", async () => {
    const created = await hub.cli([
      "new",
      "--",
      "sh",
      "-c",
      'echo "ca=[$NODE_EXTRA_CA_CERTS] arenas=[$MALLOC_ARENA_MAX] lean=[$DISPATCH_LEAN_CA_CERTS]"; sleep 60',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const name = created.stdout.trim();
    const line = await waitFor(
      async () => (await storedOutput(hub, name)).match(/ca=\[.*\] arenas=\[.*\] lean=\[.*\]/)?.[0],
      { message: "the session's environment line" },
    );
    expect(line).toBe(`ca=[${caFile}] arenas=[] lean=[]`);
  });

  it("boots the hub and its supervisor without the extra CA bundle, the host with it", () => {
    const { hub: hubPid, host: hostPid } = hub.pids();
    const supervisorPid = Number(readFileSync(join(hub.home, "supervisor.pid"), "utf8").trim());
    for (const pid of [hubPid, supervisorPid]) {
      const env = bootEnvironment(pid as number);
      expect(env.has("NODE_EXTRA_CA_CERTS"), `pid ${pid}`).toBe(false);
      expect(env.get("DISPATCH_LEAN_CA_CERTS"), `pid ${pid}`).toBe(caFile);
    }
    // The host's chat runtimes connect to LLM APIs over TLS.
    expect(bootEnvironment(hostPid as number).get("NODE_EXTRA_CA_CERTS")).toBe(caFile);
  });
});
