/**
 * `dispatch share NAME r`: a word after the session, most often the link's role as a person
 * would say it (`read`, `w`, `rw`, `viewer`). `share` takes no role word: a link is read-only
 * unless `--write`. Commander only says "too many arguments", and a short session name one or
 * two letters from a subcommand (`db`, `ls`) was taken for a mistyped `share ls`; this says what
 * is wrong with the role and what to type instead.
 */
import type { Command } from "commander";
import { didYouMean } from "../core/names.js";
import { guessedSubcommand } from "./usageErrors.js";

type Access = "read-only" | "read-write";

/** Words for a link's access, guessed from as any did-you-mean is (a word they begin, a typo). */
const ROLE_WORDS: Readonly<Record<string, Access>> = {
  read: "read-only",
  "read-only": "read-only",
  readonly: "read-only",
  view: "read-only",
  viewer: "read-only",
  write: "read-write",
  "read-write": "read-write",
  readwrite: "read-write",
  writer: "read-write",
};

/**
 * Words taken only as typed: two letters are two edits from any other two, so as candidates
 * they would make a guess of every short word.
 */
const SHORT_ROLE_WORDS: Readonly<Record<string, Access>> = { ro: "read-only", rw: "read-write" };

/** The access `word` means, if it looks like a role at all. */
export function accessMeant(word: string): Access | undefined {
  const lower = word.toLowerCase();
  const short = SHORT_ROLE_WORDS[lower];
  if (short) return short;
  const guess = didYouMean(lower, Object.keys(ROLE_WORDS));
  return guess === undefined ? undefined : ROLE_WORDS[guess];
}

/**
 * What to say about `extra`, the word after `session` in `share` (the command): the role it
 * seems to mean; else the subcommand `session` seems a typo of (`share revok 1a2b`); else that
 * `share` takes one session.
 */
export function shareExtraWord(share: Command, session: string, extra: string): string {
  const access = accessMeant(extra);
  const usage = `dispatch share ${session}`;
  const roles = "a link is read-only, or read-write with --write";
  if (access === "read-only") {
    return `no role '${extra}' — did you mean read-only? (${roles}: \`${usage}\`)`;
  }
  if (access === "read-write") {
    return `no role '${extra}' — did you mean read-write? (${roles}: \`${usage} --write\`)`;
  }
  return (
    guessedSubcommand(share, session) ??
    `'${extra}' after the session: share takes one session, and no role (${roles}: \`${usage} [--write] [--expires 2h]\`)`
  );
}
