/**
 * What the hub's entry did before its bundle loaded (`hub/earlyLocalHost.ts`), handed to the
 * bundle: the local host it started, so the launcher waits for that one instead of starting a
 * second, and the port it holds, so the hub listens on it without a gap another program could
 * take. The two are separate copies of this module (the entry's and the bundle's): the hand-over
 * goes through a registered symbol on the global object, one per process.
 */
import type { Server } from "node:net";

const EARLY_START = Symbol.for("dispatch.earlyStart");

interface EarlyStart {
  hostPid?: number | undefined;
  held?: { port: number; host: string; server: Server } | undefined;
}

function early(): EarlyStart {
  const global = globalThis as { [EARLY_START]?: EarlyStart };
  global[EARLY_START] ??= {};
  return global[EARLY_START];
}

export function noteEarlyHost(pid: number): void {
  early().hostPid = pid;
}

export function noteEarlyPort(held: { port: number; host: string; server: Server }): void {
  early().held = held;
}

/** The pid of the host started early, once: whoever takes it waits for that host. */
export function takeEarlyHost(): number | undefined {
  const { hostPid } = early();
  early().hostPid = undefined;
  return hostPid;
}

/** The server holding `port` on `host` since before the bundle loaded, if that is the one held. */
export function takeEarlyPort(port: number, host: string): Server | undefined {
  const { held } = early();
  early().held = undefined;
  if (held === undefined) return undefined;
  if (held.port === port && held.host === host) return held.server;
  // Not the port asked for (cannot happen: both read the same arguments); not kept open.
  held.server.close();
  return undefined;
}
