/**
 * A scripted kernel (`scriptedKernel.ts`) that loses each cell's end, as a real kernel's PUB
 * socket drops messages under a flood (a real kernel cannot be made to drop on demand).
 */

/**
 * Answers kernel_info_request and heartbeats; for an execute_request publishes busy, three
 * lines and its reply, but no idle status: the cell's end was lost on the way.
 */
export const LOSSY_KERNEL = `
const shell = new zmq.Router(); await shell.bind(address(info.shell_port));
const control = new zmq.Router(); await control.bind(address(info.control_port));
const stdin = new zmq.Router(); await stdin.bind(address(info.stdin_port));
const iopub = new zmq.Publisher(); await iopub.bind(address(info.iopub_port));
const hb = new zmq.Reply(); await hb.bind(address(info.hb_port));
(async () => { for await (const [beat] of hb) await hb.send(beat); })();
let count = 0;
for await (const message of shell) {
  const { ids, header, content } = parse(message);
  await iopub.send(frames("status", header, { execution_state: "busy" }));
  if (header.msg_type !== "execute_request") {
    const reply = header.msg_type.replace("_request", "_reply");
    await shell.send([...ids, ...frames(reply, header, { status: "ok", language_info: { name: "lossy" } })]);
    await iopub.send(frames("status", header, { execution_state: "idle" }));
    continue;
  }
  count++;
  const { code } = content;
  await iopub.send(frames("execute_input", header, { code, execution_count: count }));
  for (const line of ["one\\n", "two\\n", "three\\n"])
    await iopub.send(frames("stream", header, { name: "stdout", text: line }));
  await shell.send([...ids, ...frames("execute_reply", header, { status: "ok", execution_count: count })]);
}
`;
