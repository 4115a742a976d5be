import { fileURLToPath } from "node:url";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vite";

const webRoot = fileURLToPath(new URL(".", import.meta.url));
const repoRoot = fileURLToPath(new URL("..", import.meta.url));

export default defineConfig({
  root: webRoot,
  base: "/",
  plugins: [svelte({ configFile: false })],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // xterm alone is ~400 KB and is needed for the first paint, so the main chunk stays one
    // request; what only some kinds need (CodeMirror, Yjs) is split off by their import().
    chunkSizeWarningLimit: 1200,
    sourcemap: true,
  },
  server: {
    // The UI imports the shared protocol from ../src; let the dev server read it.
    fs: { allow: [repoRoot] },
    proxy: {
      "/api": "http://127.0.0.1:7777",
      "/ws": { target: "ws://127.0.0.1:7777", ws: true },
    },
  },
});
