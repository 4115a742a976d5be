/**
 * Test-only pauses: a `DISPATCH_TEST_*_MS` variable that makes every pause of one kind of
 * storage retry that long, so a test can tell a retry that came without waiting (the store
 * healed) from one that waited out its pause. Unset, as in production: undefined.
 */
import { z } from "zod";

const Pause = z.coerce.number().int().min(1).max(3_600_000);

export function testOnlyPause(name: string, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const parsed = Pause.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `${name}='${raw}' is not a time in milliseconds between 1 and 3600000 (a test-only setting: leave it unset)`,
    );
  }
  return parsed.data;
}
