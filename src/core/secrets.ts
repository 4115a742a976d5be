/**
 * The environment a host passes on to sessions: its own, minus anything that belongs to
 * dispatch (the access key, tokens, settings). Scrubbed once at start, before any session is
 * spawned, so no secret can leak into a shell.
 */

/** Variables never passed to sessions, besides every `DISPATCH_*`. */
const SECRET_NAMES = new Set(["DISPATCH_KEY", "DISPATCH_TOKEN", "DISPATCH_HOST_TOKEN"]);

export function isDispatchSetting(name: string): boolean {
  return name.startsWith("DISPATCH_") || SECRET_NAMES.has(name);
}

/** Returns the session-safe environment and deletes dispatch settings from `env` in place. */
export function scrubEnvironment(env: Record<string, string | undefined>): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (isDispatchSetting(name)) {
      delete env[name];
    } else if (value !== undefined) {
      clean[name] = value;
    }
  }
  return clean;
}
