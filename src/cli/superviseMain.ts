/**
 * Entry of the hub's supervisor (`dispatch start` runs it detached). Kept apart from the CLI's
 * entry so it boots without commander and every command module: under load each Node boot
 * costs seconds, and `start` waits for the supervisor's boot plus the hub's.
 *
 * Arguments: `--adopt PID` (the first hub, which `dispatch start` started itself), then the
 * `serve` flags (`--port P --host H` and any others, passed on to every hub).
 */
import { dataHome, ensureHome } from "../platform/home.js";
import { dropLeanEnv } from "../platform/leanProcess.js";
import { runSupervisor } from "./Supervisor.js";

// The hubs it starts get the operator's environment, made lean again for each (`spawnHubProcess`).
dropLeanEnv();

const adoptAt = process.argv.indexOf("--adopt");
const adopt = adoptAt >= 0 ? Number(process.argv[adoptAt + 1]) : undefined;
const argv =
  adoptAt >= 0
    ? [...process.argv.slice(2, adoptAt), ...process.argv.slice(adoptAt + 2)]
    : process.argv.slice(2);
const flag = (name: string) => {
  const index = argv.indexOf(name);
  return index >= 0 ? argv[index + 1] : undefined;
};
const firstPort = Number(flag("--port") ?? 0);
const portAt = argv.indexOf("--port");
/** Every flag but the port, which becomes the one the first hub got. */
const rest = portAt >= 0 ? [...argv.slice(0, portAt), ...argv.slice(portAt + 2)] : argv;

process.exitCode = await runSupervisor({
  paths: ensureHome(dataHome()),
  serveArgs: (port) => ["serve", "--port", String(port ?? firstPort), ...rest],
  adopt: adopt !== undefined && Number.isInteger(adopt) && adopt > 0 ? adopt : undefined,
});
