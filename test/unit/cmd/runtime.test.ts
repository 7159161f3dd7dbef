import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  compileCacheDir,
  isStartCommand,
  START_MALLOC_ARENA_MAX,
  START_V8_FLAGS,
  startRuntime,
} from "../../../cmd/runtime.ts";

describe("isStartCommand", () => {
  it("recognizes `icsd start`, also after --trace, and nothing else", () => {
    assert.equal(isStartCommand(["start"]), true);
    assert.equal(isStartCommand(["start", "--home", "/h"]), true);
    assert.equal(isStartCommand(["--trace", "start", "--home", "/h"]), true);
    assert.equal(isStartCommand([]), false);
    assert.equal(isStartCommand(["init", "start"]), false);
    assert.equal(isStartCommand(["relayer", "start", "--config", "r.toml"]), false);
    assert.equal(isStartCommand(["--help", "start"]), false);
    assert.equal(isStartCommand(["starts"]), false);
  });
});

describe("startRuntime", () => {
  it("adds the V8 flags, the compile cache and the malloc arena limit by default", () => {
    const r = startRuntime(["--disable-warning=ExperimentalWarning"], {});
    assert.deepEqual(r.flags, START_V8_FLAGS);
    assert.deepEqual(r.env, {
      NODE_COMPILE_CACHE: compileCacheDir(),
      MALLOC_ARENA_MAX: START_MALLOC_ARENA_MAX,
    });
  });

  it("leaves out a V8 flag the user gave on the command line or in NODE_OPTIONS, in either spelling", () => {
    assert.deepEqual(startRuntime(["--max-semi-space-size=16"], {}).flags, []);
    assert.deepEqual(startRuntime(["--max_semi_space_size=16"], {}).flags, []);
    assert.deepEqual(startRuntime([], { NODE_OPTIONS: "--inspect  --max-semi-space-size=1" }).flags, []);
    assert.deepEqual(startRuntime([], { NODE_OPTIONS: "--max-old-space-size=512" }).flags, START_V8_FLAGS);
  });

  it("keeps the user's compile cache and malloc settings", () => {
    const env = (e: NodeJS.ProcessEnv) => startRuntime([], e).env;
    assert.deepEqual(env({ NODE_COMPILE_CACHE: "/c", MALLOC_ARENA_MAX: "8" }), {});
    assert.deepEqual(
      env({ NODE_DISABLE_COMPILE_CACHE: "1", GLIBC_TUNABLES: "glibc.malloc.arena_max=4" }),
      {},
    );
    assert.deepEqual(env({ NODE_COMPILE_CACHE: "/c", GLIBC_TUNABLES: "glibc.malloc.tcache_count=0" }), {
      MALLOC_ARENA_MAX: START_MALLOC_ARENA_MAX,
    });
  });
});
