/**
 * The WebGL renderer where the machine has a real GPU, else xterm's DOM renderer. Software
 * WebGL (SwiftShader) is slower than the DOM renderer and makes Chrome log warnings, so a
 * probe with `failIfMajorPerformanceCaveat` decides once per page.
 */
import type { Terminal } from "@xterm/xterm";

let webglUsable: boolean | undefined;

function probeWebgl(): boolean {
  try {
    const canvas = document.createElement("canvas");
    const gl = canvas.getContext("webgl2", { failIfMajorPerformanceCaveat: true });
    if (!gl) return false;
    gl.getExtension("WEBGL_lose_context")?.loseContext();
    return true;
  } catch {
    // Some browsers throw instead of returning null when WebGL is disabled.
    return false;
  }
}

export type RendererKind = "webgl" | "dom";

/** Loads WebGL into `terminal` when usable; falls back to the DOM renderer on context loss. */
export async function attachRenderer(terminal: Terminal): Promise<RendererKind> {
  webglUsable ??= probeWebgl();
  if (!webglUsable) return "dom";
  try {
    const { WebglAddon } = await import("@xterm/addon-webgl");
    const addon = new WebglAddon();
    addon.onContextLoss(() => {
      // Disposing the addon hands rendering back to the DOM renderer.
      addon.dispose();
    });
    terminal.loadAddon(addon);
    return "webgl";
  } catch (err) {
    console.warn("dispatch: WebGL renderer unavailable, using the DOM renderer", err);
    webglUsable = false;
    return "dom";
  }
}
