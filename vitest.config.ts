import { relative } from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The slowest files, ms of a whole local run on 2 cores (`npm test`, 2 December 2026: the
 * files of 12 s or more). Long files go first so the two workers end together: one of these
 * drawn last (vitest orders files it has no timings for by size) would leave a worker idle for
 * most of a minute. Timings vitest cached from an earlier run here take precedence; a file
 * missing from this list costs balance, never correctness.
 */
const SLOWEST_MS: Record<string, number> = {
  "test/postgresBlackhole.test.ts": 76_000,
  "test/faults.test.ts": 59_000,
  "test/durability.test.ts": 57_000,
  "test/web/editor.test.ts": 45_000,
  "test/web/reconnect.test.ts": 40_000,
  "test/images.test.ts": 39_000,
  "test/web/workspace.test.ts": 34_000,
  "test/chat.test.ts": 32_000,
  "test/projects.test.ts": 31_000,
  "test/cluster.test.ts": 30_000,
  "test/storageFaults.test.ts": 30_000,
  "test/postgresIdleCheck.test.ts": 29_000,
  "test/cli.test.ts": 29_000,
  "test/web/sessions.test.ts": 29_000,
  "test/imagesContext.test.ts": 28_000,
  "test/imagesLifecycle.test.ts": 25_000,
  "test/web/login.test.ts": 24_000,
  "test/people.test.ts": 23_000,
  "test/hosts.test.ts": 22_000,
  "test/editor.test.ts": 22_000,
  "test/web/terminal-render.test.ts": 20_000,
  "test/reconnect.test.ts": 20_000,
  "test/imagesFlood.test.ts": 20_000,
  "test/web/share.test.ts": 20_000,
  "test/oneHubPerHome.test.ts": 19_000,
  "test/attachKeysRestart.test.ts": 18_000,
  "src/store/Store.test.ts": 17_000,
  "test/attachReconnect.test.ts": 17_000,
  "test/web/workspaceAssist.test.ts": 17_000,
  "test/refusedCreate.test.ts": 16_000,
  "test/web/keys.test.ts": 16_000,
  "test/protocol.test.ts": 16_000,
  "test/clusterStall.test.ts": 15_000,
  "test/imagesLong.test.ts": 14_000,
  "test/bufferGarbage.test.ts": 14_000,
  "test/web/tiles.test.ts": 14_000,
  "test/agent.test.ts": 14_000,
  "test/imagesInput.test.ts": 14_000,
  "test/imagesFrozen.test.ts": 14_000,
  "test/postgresHub.test.ts": 13_000,
  "src/store/postgres/PostgresStore.test.ts": 13_000,
  "test/inputHostAway.test.ts": 13_000,
  "test/web/editorViewer.test.ts": 13_000,
  "test/lsStatus.test.ts": 13_000,
  "test/attachResend.test.ts": 13_000,
  "test/remoteHostImports.test.ts": 13_000,
  "test/clusterFailover.test.ts": 12_000,
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

/**
 * Files that run ZeroMQ sockets inside the test process (a real kernel driven through the host's
 * own `Kernel`). They get a process each, ended with the file: a native addon's sockets and I/O
 * threads left in a worker that goes on to run a hundred more files are a crash waiting for a
 * garbage collection, and a worker that dies takes whichever file it is running with it.
 */
const OWN_PROCESS = ["test/imagesShutdown.test.ts", "src/host/runtimes/jupyter/Kernel.test.ts"];

const INCLUDE = ["src/**/*.test.ts", "test/**/*.test.ts"];
// Tools, not tests: they refresh docs/screenshots and measure switch time, on request only
// (so an ordinary run neither skips them nor rewrites the working tree).
const EXCLUDE = [
  "**/node_modules/**",
  ...(process.env.DISPATCH_SCREENSHOTS ? [] : ["test/web/screenshots.test.ts"]),
  ...(process.env.DISPATCH_WEB_BENCH ? [] : ["test/web/switch.bench.test.ts"]),
];

export default defineConfig({
  test: {
    // Integration tests start real hubs, hosts and PTYs; each file gets its own DISPATCH_HOME.
    pool: "forks",
    // One browser for the run's browser tests, launched when the first asks for it.
    globalSetup: ["test/web/browserServer.ts"],
    maxWorkers: 2,
    sequence: { sequencer: SlowestFirst },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    reporters: ["default", "./test/unfinishedFiles.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "shared",
          include: INCLUDE,
          exclude: [...EXCLUDE, ...OWN_PROCESS],
          // Each worker runs its files one after another in one process instead of a new process
          // per file: booting vitest and importing the harness, zod and the protocol again cost
          // ~2 s of CPU per file (15 integration files: the workers' CPU 77 s isolated, 44 s not).
          // Files share no state but the harness's list of live hubs, which each file's afterAll
          // empties.
          isolate: false,
        },
      },
      { extends: true, test: { name: "own-process", include: OWN_PROCESS, isolate: true } },
    ],
  },
});
