/**
 * A flag's value read from argv without commander, for entries that boot without it (the hub's
 * early local host, the supervisor): `--flag VALUE` or `--flag=VALUE`, as commander takes
 * either, so a command line means the same to them as to the command it is passed on to.
 */

/** The value of `flag`; the last one given wins, as in commander. */
export function flagValue(args: readonly string[], flag: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === flag) value = args[++i];
    else if (arg.startsWith(`${flag}=`)) value = arg.slice(flag.length + 1);
  }
  return value;
}

/** `args` without `flag` and its value, in either spelling, however often it was given. */
export function withoutFlag(args: readonly string[], flag: string): string[] {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === flag) i++;
    else if (!arg.startsWith(`${flag}=`)) kept.push(arg);
  }
  return kept;
}
