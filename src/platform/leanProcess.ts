/**
 * How the long-lived daemons (the hub, the local host) are started so that an idle one stays
 * small. Measured with 10 idle sessions (docs/BENCHMARKS.md, "Lean"):
 *
 * - V8's young generation grows to its default maximum (16 MiB per semi-space, two of them)
 *   while start-up allocates, and stays committed: capping a semi-space at 2 MiB saved 12 MB in
 *   the hub and 4 MB in the host (1 MiB: 17 and 6, but a restart with 100 busy sessions then
 *   took 2-3x as long, the young generation too small for the catch-up; 2 MiB was within the
 *   noise of the default there; 4 MiB saved 6 and 0).
 * - glibc gives every thread that mallocs its own arena; the daemons' threads (libuv's pool,
 *   V8's GC helpers, the workers) each kept a few hundred KB to MBs resident. Two arenas are
 *   plenty for one event loop.
 *
 * - `NODE_EXTRA_CA_CERTS` makes Node parse the whole bundle at boot, before any code runs: with
 *   Debian's bundle (~140 certificates, OpenSSL 3) that was 65 ms, half of a bare Node's boot on
 *   the 2-core machine, and a hub restart waits on it twice (the hub, and the supervisor booting
 *   beside it). A daemon that makes no TLS connection of its own (the supervisor; the hub
 *   without sign-on, PostgreSQL or plug-ins) starts without it, and `dropLeanEnv` puts it back
 *   into its environment, so the host and the sessions' programs inherit it as the operator set
 *   it (docs/BENCHMARKS.md, "A restart under a second").
 *
 * - `--expose-gc`, so the host can collect a flood's dead Buffers before V8 would
 *   (`bufferGarbage.ts`): after a 64 MiB `cat` the host kept 118-131 MB without it.
 *
 * Any V8 flag has a price at start: V8 checks cached code against a hash of all flags, so Node
 * compiles its built-in modules without their embedded code cache (the hub's ~30 built-ins: 24
 * ms without a flag, 52 with). Starting both daemons without flags took ~50 ms of CPU off a
 * restart and changed no settled idle figure (V8 shrinks the young generation once idle), but
 * a 1 GiB flood then peaked at 242 MB in the hub (199 with the cap) and 201 in the host (127),
 * so the flags stay (docs/BENCHMARKS.md, "What any V8 flag costs").
 *
 * An operator's own choice wins: a semi-space flag in NODE_OPTIONS or MALLOC_ARENA_MAX in the
 * environment is left as it is. The arena setting is the daemon's alone: glibc reads it once at
 * start, and `dropLeanEnv` takes it out again, so sessions' programs never inherit it.
 */

export const SEMI_SPACE_FLAG = "--max-semi-space-size=2";
const EXPOSE_GC_FLAG = "--expose-gc";
const ARENAS = "2";

/** Node flags to put before the entry script of a daemon. */
export function leanNodeArgs(env: NodeJS.ProcessEnv): string[] {
  const semiSpace = (env.NODE_OPTIONS ?? "").includes("semi-space") ? [] : [SEMI_SPACE_FLAG];
  return [...semiSpace, EXPOSE_GC_FLAG];
}

/** Marks an allocator setting dispatch added (not the operator's). */
const ADDED = "DISPATCH_LEAN_ARENAS";

/** Holds the operator's `NODE_EXTRA_CA_CERTS` while a daemon that does not need it boots. */
const DEFERRED_CA_CERTS = "DISPATCH_LEAN_CA_CERTS";

/**
 * The daemon's environment: `env` plus the allocator setting, unless it has one; without the
 * extra CA bundle (kept aside for its children) unless `tls` says the daemon itself connects out
 * over TLS and may need it.
 */
export function leanEnv<T extends NodeJS.ProcessEnv | Record<string, string>>(
  env: T,
  options: { tls: boolean },
): T {
  const lean: NodeJS.ProcessEnv = { ...env };
  if (env.MALLOC_ARENA_MAX === undefined) Object.assign(lean, { MALLOC_ARENA_MAX: ARENAS, [ADDED]: "1" });
  if (!options.tls && env.NODE_EXTRA_CA_CERTS !== undefined) {
    lean[DEFERRED_CA_CERTS] = env.NODE_EXTRA_CA_CERTS;
    delete lean.NODE_EXTRA_CA_CERTS;
  }
  return lean as T;
}

/**
 * First thing in a daemon, before anything is started: removes the allocator setting dispatch
 * added and puts back the CA bundle it kept aside, so children get the operator's environment.
 */
export function dropLeanEnv(env: NodeJS.ProcessEnv = process.env): void {
  if (env[ADDED] === "1") {
    delete env.MALLOC_ARENA_MAX;
    delete env[ADDED];
  }
  const caCerts = env[DEFERRED_CA_CERTS];
  if (caCerts !== undefined) {
    env.NODE_EXTRA_CA_CERTS = caCerts;
    delete env[DEFERRED_CA_CERTS];
  }
}
