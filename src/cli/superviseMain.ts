/**
 * Entry of the hub's supervisor (`dispatch start` runs it detached). Kept apart from the CLI's
 * entry so it boots without commander and every command module: under load each Node boot
 * costs seconds, and `start` waits for the supervisor's boot plus the hub's.
 *
 * Arguments: `--adopt PID` (the first hub, which `dispatch start` started itself), then the
 * `serve` flags (`--port P --host H` and any others, passed on to every hub): `supervisorArgs`.
 */
import { dataHome, ensureHome } from "../platform/home.js";
import { dropLeanEnv } from "../platform/leanProcess.js";
import { runSupervisor, supervisorArgs } from "./Supervisor.js";

// The hubs it starts get the operator's environment, made lean again for each (`spawnHubProcess`).
dropLeanEnv();

process.exitCode = await runSupervisor({
  paths: ensureHome(dataHome()),
  ...supervisorArgs(process.argv.slice(2)),
});
