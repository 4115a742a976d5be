/**
 * Which kernels survive an interrupt. xeus-based kernels (xeus-python, as Debian ships it) end
 * on SIGINT, the interrupt their kernelspecs ask for, and take `interrupt_request` as a no-op
 * (jupyter-xeus/xeus#272 and #262, open): interrupting one would throw away everything it holds
 * and leave the cell unstopped. So such a kernel is not interrupted at all, and the refusal says
 * how to stop the cell instead. Known by the `implementation` of its `kernel_info_reply`.
 */

/**
 * Why a kernel of this implementation is not interrupted; undefined when it can be. `name` is
 * the image's name as the person knows it now, for the command it tells them to type.
 */
export function interruptRefusal(implementation: string, name = "IMAGE"): string | undefined {
  if (!implementation.startsWith("xeus")) return undefined;
  return (
    `${implementation} kernels cannot be interrupted: they end on SIGINT and ignore interrupt_request, ` +
    "which would lose every variable, so the cell runs on; to stop it, restart the kernel " +
    `(\`dispatch cmd ${name} restart\`: a fresh kernel, its variables are lost)`
  );
}
