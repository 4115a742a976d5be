/** Entry of the `dispatch` command (`bin/dispatch.js` imports this). */

// `dispatch logs NAME | head`: a reader that stops early is not an error.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

// `dispatch start` (what a hub restart waits on) boots without the other command modules.
const { runCli } =
  process.argv[2] === "start" ? await import("./startProgram.js") : await import("./program.js");
const code = await runCli(process.argv);
// Exit explicitly: idle keep-alive sockets must not hold a finished command for seconds.
// Both streams are flushed first (pipes may be asynchronous).
await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
await new Promise<void>((resolve) => process.stderr.write("", () => resolve()));
process.exit(code);
