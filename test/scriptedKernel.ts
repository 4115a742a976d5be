/**
 * Installs a scripted kernel (a Node script speaking the Jupyter wire protocol with the
 * project's own `zeromq`) as kernelspec `name` under `jupyterPath`: for what a real kernel
 * cannot be made to do on demand (queue a flood faster than it is read, lose a cell's idle,
 * bind a channel late). The script is its own sockets and loop: `PRELUDE` comes before it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

/**
 * What every scripted kernel starts with: the connection file as \`info\`, \`address(port)\`,
 * \`frames(type, parent, content)\` (a signed message's frames after the routing ids) and
 * \`parse(message)\` (a received message's routing ids, header and content).
 */
const PRELUDE = `
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
const zmq = await import(process.env.ZMQ_PATH);
const info = JSON.parse(readFileSync(process.argv[2], "utf8"));
const address = (port) => "tcp://" + info.ip + ":" + port;
const frames = (type, parent, content) => {
  const parts = [{ msg_id: String(Math.random()), msg_type: type, session: "scripted" }, parent, {}, content]
    .map((part) => JSON.stringify(part));
  const hmac = createHmac("sha256", info.key); for (const part of parts) hmac.update(part);
  return ["<IDS|MSG>", hmac.digest("hex"), ...parts];
};
const parse = (message) => {
  const at = message.findIndex((frame) => frame.toString() === "<IDS|MSG>");
  const json = (i) => JSON.parse(message[at + i].toString());
  return { ids: message.slice(0, at), header: json(2), content: json(5) };
};
`;

export function installScriptedKernel(
  jupyterPath: string,
  name: string,
  script: string,
  env: Record<string, string> = {},
): void {
  const dir = join(jupyterPath, "kernels", name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "kernel.mjs"), PRELUDE + script);
  writeFileSync(
    join(dir, "kernel.json"),
    JSON.stringify({
      argv: [process.execPath, join(dir, "kernel.mjs"), "{connection_file}"],
      display_name: name,
      // Not a language with an adapter: no introspection requests of its own.
      language: name,
      env: { ZMQ_PATH: createRequire(import.meta.url).resolve("zeromq"), ...env },
    }),
  );
}
