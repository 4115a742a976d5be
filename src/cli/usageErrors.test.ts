import { CommanderError } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EXIT_USAGE, exitCodeFor } from "./exitCodes.js";
import { buildProgram } from "./program.js";
import { usageErrorLine } from "./usageErrors.js";

afterEach(() => {
  vi.restoreAllMocks();
});

/** What `dispatch ARGS` prints on stderr and the exit code it ends with, when commander refuses ARGS. */
async function refused(args: string[]): Promise<{ stderr: string; code: number }> {
  let stderr = "";
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const error = await buildProgram()
    .parseAsync(["node", "dispatch", ...args])
    .then(
      () => undefined,
      (err: unknown) => err,
    );
  vi.restoreAllMocks();
  expect(error).toBeInstanceOf(CommanderError);
  return { stderr, code: exitCodeFor(error) };
}

describe("usage errors of the dispatch command", () => {
  it("name an unknown command in one line, with the guess and where the list is", async () => {
    expect(await refused(["lss"])).toEqual({
      stderr: "dispatch: no command 'lss' — did you mean 'ls'? (dispatch --help lists them)\n",
      code: EXIT_USAGE,
    });
    expect(await refused(["hosts", "token", "crate"])).toEqual({
      stderr:
        "dispatch: no command 'crate' — did you mean 'create'? (dispatch hosts token --help lists them)\n",
      code: EXIT_USAGE,
    });
    expect((await refused(["xyzzy"])).stderr).toBe(
      "dispatch: no command 'xyzzy' (dispatch --help lists them)\n",
    );
  });

  it("name an unknown option in one line, as the command it was given to lists them", async () => {
    expect(await refused(["ls", "--jsn"])).toEqual({
      stderr: "dispatch: no option '--jsn' — did you mean '--json'? (dispatch ls --help lists them)\n",
      code: EXIT_USAGE,
    });
  });

  it("keep commander's other messages, one line each", async () => {
    expect(await refused(["rename", "only-one"])).toEqual({
      stderr: "dispatch: missing required argument 'new'\n",
      code: EXIT_USAGE,
    });
  });
});

describe("usageErrorLine", () => {
  it("joins several guesses, and shows control characters rather than sending them", () => {
    expect(
      usageErrorLine("error: unknown command 'st'\n(Did you mean one of host, stop?)\n", "dispatch"),
    ).toBe("no command 'st' — did you mean 'host' or 'stop'? (dispatch --help lists them)");
    expect(usageErrorLine("error: unknown command 'l\u001b[31ms'\n", "dispatch")).toBe(
      "no command 'l\\x1b[31ms' (dispatch --help lists them)",
    );
  });
});
