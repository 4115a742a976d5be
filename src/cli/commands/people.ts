/**
 * People: `dispatch users add|ls|rm|role`, `dispatch share NAME [--write] [--expires 2h]`,
 * `dispatch share ls|revoke ID`, `dispatch who NAME`, `dispatch audit [--session N]
 * [--since 1h] [--json]`. All but `who` are the owner's.
 */
import type { Command } from "commander";
import { formatAge, parseDuration } from "../../core/duration.js";
import { DispatchError } from "../../core/errors.js";
import { Role, ShareLabel, type UserView } from "../../protocol/people.js";
import { UsageError } from "../exitCodes.js";
import { HubClient } from "../HubClient.js";
import { PeopleApi } from "../peopleApi.js";
import { shareExtraWord } from "../shareExtraWord.js";
import { explainExcessArguments, subcommandTypo } from "../usageErrors.js";

const api = () => new PeopleApi(HubClient.locate());

/** "a viewer", "an owner": a role as said in a sentence. */
const aRole = (role: Role) => `${role === "owner" ? "an" : "a"} ${role}`;

function roleArg(text: string, allowNone: boolean): Role | "none" {
  if (allowNone && text === "none") return "none";
  const parsed = Role.safeParse(text);
  if (!parsed.success) {
    throw new UsageError(
      `unknown role '${text}': use owner, writer or viewer${allowNone ? " (or none)" : ""}`,
    );
  }
  return parsed.data;
}

function durationArg(text: string, flag: string): number {
  try {
    return parseDuration(text);
  } catch (err) {
    throw new UsageError(`${flag}: ${(err as Error).message}`);
  }
}

export function registerUsers(program: Command): void {
  const users = program
    .command("users")
    .description("people who sign in to this hub, and their roles (owner only)");
  users
    .command("ls", { isDefault: true })
    .description("list users with their role and per-session grants")
    .option("--json", "print as JSON")
    .action(async (flags: { json?: boolean }) => {
      const people = api();
      const list = await people.users();
      if (flags.json) return console.log(JSON.stringify(list, null, 2));
      if (list.length === 0)
        return console.log("no users yet; add one with `dispatch users add NAME --role writer`");
      const names = await people.sessionNames();
      // A grant on a session since removed still shows, by the id it was given on.
      const grants = (user: UserView) =>
        Object.entries(user.grants).map(([session, role]) => `${names.get(session) ?? session}=${role}`);
      for (const user of list) {
        const granted = grants(user);
        console.log(
          [user.name.padEnd(24), user.role.padEnd(7), user.email ?? "-", granted.join(",")]
            .join("  ")
            .trimEnd(),
        );
      }
    });
  users
    .command("add")
    .description("add a user; prints their personal token once (they sign in with it, or by single sign-on)")
    .argument("<name>", "user name")
    .option("--role <role>", "owner, writer or viewer", "writer")
    .option("--email <email>", "their email, for single sign-on")
    .action(async (name: string, flags: { role: string; email?: string }) => {
      const created = await api().addUser({
        name,
        role: roleArg(flags.role, false) as Role,
        email: flags.email,
      });
      console.log(created.token);
      console.error(
        `${created.user.name} (${created.user.role}): give them this token; it is not shown again`,
      );
    });
  users
    .command("rm")
    .description("remove a user; their tokens and web sign-ins stop working at once")
    .argument("<name>", "user name")
    .action(async (name: string) => {
      console.log(`removed ${(await api().removeUser(name)).name}`);
    });
  users
    .command("role")
    .description("set a user's role, or with --session their role on one session (none: drop that grant)")
    .argument("<name>", "user name")
    .argument("<role>", "owner, writer or viewer (none with --session)")
    .option("--session <session>", "only on this session")
    .action(async (name: string, role: string, flags: { session?: string }) => {
      const people = api();
      const wanted = roleArg(role, flags.session !== undefined);
      if (flags.session === undefined) {
        const user = await people.setRole(name, wanted);
        return console.log(`${user.name} is ${aRole(user.role)}`);
      }
      console.log(await setGrant(people, { name, role: wanted, session: flags.session }));
    });
}

/** Sets or drops a user's grant on one session; says what the user is there now. */
async function setGrant(
  people: PeopleApi,
  request: { name: string; role: Role | "none"; session: string },
): Promise<string> {
  const { name, role } = request;
  // Looked up first: the session's name for the sentence, and whether there was a grant to drop.
  const [session, before] = await Promise.all([
    people.session(request.session),
    people.users().then((list) => list.find((u) => u.name === name)),
  ]);
  const user = await people.setRole(name, role, session.id);
  const there = `${user.name} is ${aRole(user.role)} there (their global role)`;
  if (role === "none") {
    return before?.grants[session.id] === undefined
      ? `${user.name} had no grant on ${session.name}; ${there}`
      : `${user.name}'s grant on ${session.name} removed; ${there}`;
  }
  // An owner is an owner on every session, whatever the grant (`sessionRole`).
  if (user.role === "owner") {
    return `${user.name}'s grant on ${session.name} is ${role}, but an owner is an owner on every session; it counts once their global role is lower`;
  }
  return `${user.name} is ${aRole(role)} on ${session.name} (${aRole(user.role)} elsewhere)`;
}

export function registerShare(program: Command): void {
  const share = program
    .command("share")
    .description("share one session by a link: read-only unless --write; `share ls`, `share revoke ID`")
    .argument("[session]", "session name or id")
    .option("--write", "the link may type into the session too")
    .option("--expires <duration>", "the link stops working after this, e.g. 30m, 2h, 7d")
    .option("--label <name>", "who the link is for: its holder is named `NAME (link)` in `who` and the audit")
    .action(
      async (
        session: string | undefined,
        flags: { write?: boolean; expires?: string; label?: string },
        command: Command,
      ) => {
        if (!session)
          throw new UsageError(
            "name the session to share: dispatch share NAME [--write] [--expires 2h] [--label ada]",
          );
        if (flags.expires) durationArg(flags.expires, "--expires");
        const label = flags.label === undefined ? undefined : labelArg(flags.label);
        const created = await api()
          .share(session, { write: flags.write === true, expires: flags.expires, label })
          .catch((err: unknown) => {
            // No such session, and `share lss` is a typo of `share ls`: said as the typo.
            const typo =
              err instanceof DispatchError && err.code === "not_found"
                ? subcommandTypo(command, session)
                : undefined;
            throw typo ? new UsageError(typo) : err;
          });
        console.log(created.url);
        const until = created.share.expiresAt
          ? `until ${new Date(created.share.expiresAt).toISOString()}`
          : "until revoked";
        const forWhom = created.share.label ? ` for ${created.share.label}` : "";
        console.error(
          `${created.share.role === "writer" ? "read-write" : "read-only"} link to ${session}${forWhom}, ${until}; ` +
            `shown once; revoke with \`dispatch share revoke ${created.share.id.slice(0, 8)}\``,
        );
      },
    );
  share
    .command("ls")
    .description("live share links")
    .option("--json", "print as JSON")
    .action(async (flags: { json?: boolean }) => {
      const list = await api().shares();
      if (flags.json) return console.log(JSON.stringify(list, null, 2));
      if (list.length === 0) return console.log("no live share links");
      for (const link of list) {
        const expires = link.expiresAt
          ? `expires in ${formatAge(link.expiresAt - Date.now())}`
          : "until revoked";
        // A link without a label shows `-`: the columns stay aligned and it reads as "none given".
        console.log(
          `${link.id.slice(0, 8)}  ${(link.sessionName ?? link.session).padEnd(20)}  ${(link.label ?? "-").padEnd(16)}  ${link.role.padEnd(6)}  ${expires}`,
        );
      }
    });
  share
    .command("revoke")
    .description("revoke a share link: browsers using it lose access at once")
    .argument("<id>", "the link's id (or its first characters) from `share ls`")
    .action(async (id: string) => {
      const revoked = await api().revokeShare(id);
      console.log(`revoked link ${revoked.id.slice(0, 8)} to ${revoked.sessionName ?? revoked.session}`);
    });
  // `share NAME read`: commander's "too many arguments" said as the role it seems to be.
  explainExcessArguments(share, ([session = "", extra = ""]) => shareExtraWord(share, session, extra));
}

/** `--label`, checked before asking the hub (which checks it too): said as the option. */
function labelArg(value: string): string {
  const parsed = ShareLabel.safeParse(value);
  if (!parsed.success)
    throw new UsageError(`--label ${JSON.stringify(value)}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export function registerWho(program: Command): void {
  program
    .command("who")
    .description("who is attached to a session, with their role")
    .argument("<session>", "session name or id")
    .option("--json", "print as JSON")
    .action(async (session: string, flags: { json?: boolean }) => {
      const people = await api().presence(session);
      if (flags.json) return console.log(JSON.stringify(people, null, 2));
      if (people.length === 0) return console.log(`nobody is attached to ${session}`);
      for (const person of people) {
        const tabs = person.clients > 1 ? ` (${person.clients} clients)` : "";
        console.log(
          `${person.name.padEnd(24)}  ${person.role.padEnd(6)}  for ${formatAge(Date.now() - person.since)}${tabs}`,
        );
      }
    });
}

export function registerAudit(program: Command): void {
  program
    .command("audit")
    .description(
      "the audit trail: sign-ins, attach/detach, who typed, resize, rename, kill, shares, roles (owner only)",
    )
    .option("--session <session>", "only this session")
    .option("--since <duration>", "only the last DURATION, e.g. 1h, 7d")
    .option("--json", "print as JSON lines")
    .action(async (flags: { session?: string; since?: string; json?: boolean }) => {
      const since = flags.since ? Date.now() - durationArg(flags.since, "--since") : undefined;
      const people = api();
      const entries = await people.audit({ session: flags.session, since });
      if (flags.json) {
        for (const entry of entries) console.log(JSON.stringify(entry));
        return;
      }
      // Sessions by name where they still exist; a removed one by its id (`--session ID` finds it).
      const names = entries.some((e) => e.session !== null) ? await people.sessionNames() : new Map();
      for (const entry of entries) {
        const detail = Object.entries(entry.detail)
          .filter(([key]) => key !== "via")
          .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
          .join(" ");
        console.log(
          [
            new Date(entry.ts).toISOString(),
            entry.actor,
            entry.action,
            entry.address ?? "-",
            entry.session === null ? "-" : (names.get(entry.session) ?? entry.session),
            detail,
          ]
            .join("  ")
            .trimEnd(),
        );
      }
    });
}
