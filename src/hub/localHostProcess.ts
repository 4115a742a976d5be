/**
 * Starts the local host daemon: detached (its own process group, so it outlives the hub), in
 * the data directory, its output appended to `host.out`, with the hub's environment minus the
 * hub's secrets. Used by `LocalHostLauncher` and, before the hub's bundle loads, by
 * `earlyLocalHost.ts`; kept free of anything heavier than Node's built-ins for the latter.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isDispatchSetting } from "../core/secrets.js";
import { PLUGINS_VARIABLE, pluginPaths } from "../kinds/plugins.js";
import { leanEnv, leanNodeArgs } from "../platform/leanProcess.js";
import { STARTED_BY_VARIABLE } from "../platform/startingHub.js";

/** The host's own settings, passed on from the hub's environment (no secret among them). */
const HOST_SETTINGS = [
  "DISPATCH_LOG_LEVEL",
  "DISPATCH_HOST_BUFFER_BYTES",
  "DISPATCH_EDITOR_ROOTS",
  "DISPATCH_EDITOR_MAX_BYTES",
  "DISPATCH_BWRAP",
] as const;

/**
 * Spawns the host for the data directory `home` from the hub's environment `env` (the hub's
 * own, as it runs: the operator's CA bundle back in, `dropLeanEnv`); its pid, or undefined
 * when it could not be spawned.
 */
export function spawnLocalHost(options: { home: string; env: NodeJS.ProcessEnv }): number | undefined {
  const { home, env: hubEnv } = options;
  const entry = fileURLToPath(new URL("../host/main.js", import.meta.url));
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(hubEnv)) {
    // The host must never see the hub's secrets; it gets only where its home is.
    if (value !== undefined && !isDispatchSetting(name)) env[name] = value;
  }
  env.DISPATCH_HOME = home;
  for (const name of HOST_SETTINGS) {
    const value = hubEnv[name];
    if (value) env[name] = value;
  }
  // The host runs the plug-in kinds' runtimes.
  if (hubEnv[PLUGINS_VARIABLE]) env[PLUGINS_VARIABLE] = pluginPaths(hubEnv).join(":");
  // A host this hub never reaches (it died starting) stops by itself (`platform/startingHub.ts`).
  env[STARTED_BY_VARIABLE] = String(process.pid);
  const out = openSync(join(home, "host.out"), "a", 0o600);
  try {
    const child = spawn(process.execPath, [...leanNodeArgs(env), entry], {
      detached: true,
      stdio: ["ignore", out, out],
      // The host's chat runtimes call LLM APIs over TLS: it boots with the extra CA bundle.
      env: leanEnv(env, { tls: true }),
      cwd: home,
    });
    // A spawn that failed (no node?) is seen by the launcher's wait: no host answers.
    child.on("error", () => undefined);
    child.unref();
    return child.pid;
  } finally {
    closeSync(out);
  }
}
