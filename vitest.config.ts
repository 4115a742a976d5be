import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Tools, not tests: they refresh docs/screenshots and measure switch time, on request only
    // (so an ordinary run neither skips them nor rewrites the working tree).
    exclude: [
      "**/node_modules/**",
      ...(process.env.DISPATCH_SCREENSHOTS ? [] : ["test/web/screenshots.test.ts"]),
      ...(process.env.DISPATCH_WEB_BENCH ? [] : ["test/web/switch.bench.test.ts"]),
    ],
    // Integration tests start real hubs, hosts and PTYs; each file gets its own DISPATCH_HOME.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
