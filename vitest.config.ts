import { relative } from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The slowest files, ms of a whole local run on 2 cores (`npx vitest run`, December 2026: the
 * files of 12 s or more). Long files go first so the two workers end together: one of these
 * drawn last (vitest orders files it has no timings for by size) would leave a worker idle for
 * most of a minute. Timings vitest cached from an earlier run here take precedence; a file
 * missing from this list costs balance, never correctness.
 */
const SLOWEST_MS: Record<string, number> = {
  "test/durability.test.ts": 78_000,
  "test/faults.test.ts": 67_000,
  "test/storageFaults.test.ts": 44_000,
  "test/chat.test.ts": 43_000,
  "test/web/editor.test.ts": 41_000,
  "test/web/reconnect.test.ts": 41_000,
  "test/cli.test.ts": 39_000,
  "test/projects.test.ts": 38_000,
  "test/images.test.ts": 35_000,
  "test/web/workspace.test.ts": 35_000,
  "test/web/sessions.test.ts": 34_000,
  "test/cluster.test.ts": 33_000,
  "test/hosts.test.ts": 32_000,
  "test/imagesLifecycle.test.ts": 32_000,
  "test/postgresBlackhole.test.ts": 28_000,
  "test/imagesInput.test.ts": 26_000,
  "test/oneHubPerHome.test.ts": 26_000,
  "test/postgresHub.test.ts": 23_000,
  "test/web/share.test.ts": 23_000,
  "test/imagesContext.test.ts": 22_000,
  "test/web/terminal-render.test.ts": 21_000,
  "test/web/keys.test.ts": 20_000,
  "test/refusedCreate.test.ts": 20_000,
  "test/people.test.ts": 20_000,
  "test/web/paste.test.ts": 20_000,
  "test/web/chat.test.ts": 20_000,
  "test/web/login.test.ts": 19_000,
  "test/clusterFailover.test.ts": 19_000,
  "test/imagesFlood.test.ts": 19_000,
  "test/agent.test.ts": 18_000,
  "test/editor.test.ts": 18_000,
  "test/web/oidc.test.ts": 18_000,
  "src/store/Store.test.ts": 17_000,
  "test/web/tiles.test.ts": 17_000,
  "test/web/history.test.ts": 17_000,
  "test/attachReconnect.test.ts": 17_000,
  "test/imagesLong.test.ts": 16_000,
  "test/reconnect.test.ts": 16_000,
  "test/protocol.test.ts": 16_000,
  "test/web/editorViewer.test.ts": 16_000,
  "test/imagesQueue.test.ts": 15_000,
  "test/chatErrors.test.ts": 15_000,
  "test/web/workspaceIncomplete.test.ts": 15_000,
  "test/hostTokenProof.test.ts": 15_000,
  "test/imagesFrozen.test.ts": 15_000,
  "test/oidc.test.ts": 14_000,
  "test/web/reviveTyping.test.ts": 14_000,
  "test/search.test.ts": 14_000,
  "test/replyLimit.test.ts": 14_000,
  "test/tui.test.ts": 14_000,
  "test/bufferGarbage.test.ts": 14_000,
  "test/sandbox.test.ts": 13_000,
  "test/holes.test.ts": 13_000,
  "test/web/listRoles.test.ts": 13_000,
  "src/store/postgres/PostgresStore.test.ts": 12_000,
};

/** Longest first, by vitest's own timing of each file when it has one, else by `SLOWEST_MS`. */
class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    // The base order (cached timings, else size) settles ties and files with no estimate.
    const base = await super.sort(files);
    const root = this.ctx.config.root;
    const estimate = (spec: TestSpecification): number | undefined => {
      const file = relative(root, spec.moduleId);
      return this.ctx.cache.getFileTestResults(`${spec.project.name}:${file}`)?.duration ?? SLOWEST_MS[file];
    };
    const ranked = base.map((spec, order) => ({ spec, order, ms: estimate(spec) }));
    ranked.sort((a, b) => {
      if (a.ms !== undefined && b.ms !== undefined && a.ms !== b.ms) return b.ms - a.ms;
      if (a.ms !== undefined && b.ms === undefined) return -1;
      if (a.ms === undefined && b.ms !== undefined) return 1;
      return a.order - b.order;
    });
    return ranked.map(({ spec }) => spec);
  }
}

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
    // Each worker runs its files one after another in one process instead of a new process per
    // file: booting vitest and importing the harness, zod and the protocol again cost ~2 s of CPU
    // per file (15 integration files: the workers' CPU 77 s isolated, 44 s not). Files share no
    // state but the harness's list of live hubs, which each file's afterAll empties.
    isolate: false,
    // One browser for the run's browser tests, launched when the first asks for it.
    globalSetup: ["test/web/browserServer.ts"],
    maxWorkers: 2,
    sequence: { sequencer: SlowestFirst },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
