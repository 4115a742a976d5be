/** The host commands, registered together: `host` (run a remote host), `hosts`, `use`. */
export { registerHost } from "./host.js";
export { registerHosts } from "./hosts.js";
export { registerUse } from "./use.js";
