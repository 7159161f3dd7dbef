import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import {
  DEFAULT_TESTNET_TOPOLOGY,
  hostRpcPort,
  TESTNET_MAX_CONSUMERS,
  TESTNET_MAX_VALIDATORS,
  TESTNET_RELAYER_METRICS_PORT,
  testnetComposeYaml,
  testnetPlan,
} from "../../../node/index.ts";
import { icsdCommandProblem } from "../../support/composeCheck.ts";

const REPO = join(import.meta.dirname, "../../..");

describe("testnet container plan", () => {
  it("names the devnet's default topology: provider-<i>, consumer-1-<i>, relayer", () => {
    const plan = testnetPlan(DEFAULT_TESTNET_TOPOLOGY);
    assert.deepEqual(
      plan.chains.map((c) => [
        c.chainId,
        c.mode,
        c.nodes.map((n) => `${n.service}=${n.hostHome}:${n.hostRpcPort}`),
      ]),
      [
        [
          "provider-1",
          "provider",
          [
            "provider-1-0=provider-1/node0:26657",
            "provider-1-1=provider-1/node1:26667",
            "provider-1-2=provider-1/node2:26677",
            "provider-1-3=provider-1/node3:26687",
          ],
        ],
        [
          "consumer-1",
          "consumer",
          [
            "consumer-1-0=consumer-1/node0:27657",
            "consumer-1-1=consumer-1/node1:27667",
            "consumer-1-2=consumer-1/node2:27677",
            "consumer-1-3=consumer-1/node3:27687",
          ],
        ],
      ],
    );
    assert.equal(plan.relayer?.service, "relayer");
    assert.equal(testnetPlan({ ...DEFAULT_TESTNET_TOPOLOGY, consumers: 0 }).relayer, undefined);
  });

  it("host ports stay distinct (and off the relayer's) at the largest topology", () => {
    const plan = testnetPlan({
      validators: TESTNET_MAX_VALIDATORS,
      consumers: TESTNET_MAX_CONSUMERS,
      chainId: "p-1",
    });
    const ports = [
      ...plan.chains.flatMap((c) => c.nodes.map((n) => n.hostRpcPort)),
      TESTNET_RELAYER_METRICS_PORT,
    ];
    assert.equal(new Set(ports).size, ports.length);
    assert.ok(Math.max(...ports) <= 65535);
    assert.equal(hostRpcPort(2, 3), 28687, "consumer-2's node3");
    const services = plan.chains.flatMap((c) => c.nodes.map((n) => n.service));
    assert.equal(new Set(services).size, services.length);
  });

  it("the compose YAML parses to one service per node plus the relayer, each running an icsd command", () => {
    const plan = testnetPlan({ validators: 2, consumers: 2, chainId: "provider-1" });
    const doc = parseYaml(testnetComposeYaml(plan, ".", ["a header"])) as {
      services: Record<
        string,
        { command: string[]; volumes: string[]; ports: string[]; depends_on?: object }
      >;
    };
    assert.deepEqual(Object.keys(doc.services), [
      "provider-1-0",
      "provider-1-1",
      "consumer-1-0",
      "consumer-1-1",
      "consumer-2-0",
      "consumer-2-1",
      "relayer",
    ]);
    assert.deepEqual(doc.services["consumer-2-1"]?.volumes, ["./consumer-2/node1:/home/node/.icsd"]);
    assert.deepEqual(doc.services["consumer-2-1"]?.ports, ["127.0.0.1:28667:26657"]);
    assert.equal(Object.keys(doc.services.relayer?.depends_on ?? {}).length, 6);
    for (const [name, s] of Object.entries(doc.services)) {
      assert.equal(icsdCommandProblem(s.command), undefined, name);
    }
  });
});

describe("icsdCommandProblem", () => {
  it("accepts real commands and names what is wrong with the others", () => {
    assert.equal(icsdCommandProblem(["start", "--home", "/h"]), undefined);
    assert.equal(icsdCommandProblem(["relayer", "start", "--config", "/r.toml"]), undefined);
    assert.equal(icsdCommandProblem(["testnet", "init-files", "--output", "/t"]), undefined);
    assert.match(icsdCommandProblem(["strat", "--home", "/h"]) ?? "", /unknown command 'strat'/);
    assert.match(icsdCommandProblem(["start", "--hom", "/h"]) ?? "", /unknown option '--hom'/);
    assert.match(icsdCommandProblem(["relayer", "start"]) ?? "", /required option '--config/);
    assert.match(icsdCommandProblem(["relayer"]) ?? "", /prints help or a version and runs nothing/);
    assert.match(icsdCommandProblem(["start", "--help"]) ?? "", /prints help/);
    assert.match(icsdCommandProblem(["start", "extra"]) ?? "", /too many arguments/);
  });
});

describe("the checked-in docker-compose.yml", () => {
  it("is what the generator writes for the default topology, homes under ./testnet", () => {
    const root = parseYaml(readFileSync(join(REPO, "docker-compose.yml"), "utf8")) as unknown;
    const generated = parseYaml(
      testnetComposeYaml(testnetPlan(DEFAULT_TESTNET_TOPOLOGY), "./testnet", ["header"]),
    ) as unknown;
    assert.deepEqual(root, generated);
  });
});
