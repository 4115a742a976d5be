/**
 * The WebGL renderer where the machine has a real GPU, else xterm's DOM renderer. Software
 * WebGL (SwiftShader) is slower than the DOM renderer and makes Chrome log warnings, so a
 * probe with `failIfMajorPerformanceCaveat` decides once per page.
 */
import type { Terminal } from "@xterm/xterm";

let webglUsable: boolean | undefined;

/** Renderer names of software rasterizers, where the DOM renderer is the faster choice. */
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render/i;

function probeWebgl(): boolean {
  try {
    const canvas = document.createElement("canvas");
    const gl = canvas.getContext("webgl2", { failIfMajorPerformanceCaveat: true });
    if (!gl) return false;
    // Headless and GPU-less Chrome still hand out SwiftShader despite the caveat flag.
    const info = gl.getExtension("WEBGL_debug_renderer_info");
    const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension("WEBGL_lose_context")?.loseContext();
    return !SOFTWARE_RENDERER.test(renderer);
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
