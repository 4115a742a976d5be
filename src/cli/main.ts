/**
 * Entry of the `dispatch` command (`bin/dispatch.js` imports it). The build bundles it into one
 * CommonJS file run through V8's code cache (`scripts/bundle.js`, `platform/cachedBundle.ts`):
 * no top-level await.
 */
import { importModule } from "../core/importModule.js";

// `dispatch logs NAME | head`: a reader that stops early is not an error.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

async function main(): Promise<void> {
  if (process.argv[2] === "serve") {
    // The hub's own entry (`dispatchServe.ts`: `serve` alone, bundled and cached on its own),
    // which runs the command and exits: the CLI's bundle leaves the server out.
    await importModule(new URL("./dispatchServe.js", import.meta.url).href);
    return;
  }
  // `dispatch start` (what a hub restart waits on) boots without the other command modules.
  const { runCli } =
    process.argv[2] === "start" ? await import("./startProgram.js") : await import("./program.js");
  const code = await runCli(process.argv);
  // Exit explicitly: idle keep-alive sockets must not hold a finished command for seconds.
  // Both streams are flushed first (pipes may be asynchronous).
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  await new Promise<void>((resolve) => process.stderr.write("", () => resolve()));
  process.exit(code);
}

void main();
