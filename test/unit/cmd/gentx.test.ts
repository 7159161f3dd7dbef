import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { sha256 as cosmSha256 } from "@cosmjs/crypto";
import { fromBech32 } from "@cosmjs/encoding";
import { DirectSecp256k1Wallet } from "@cosmjs/proto-signing";
import { PubKey as Ed25519PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import { PubKey as Secp256k1PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { MsgCreateValidator } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { AuthInfo, SignDoc, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { secp256k1Address, verifySecp256k1 } from "../../../crypto/index.ts";
import {
  addGenesisAccount,
  buildGentx,
  collectGentxs,
  decodeGentx,
  loadGenesis,
  loadValidatorKey,
  newGenesis,
  saveGenesis,
} from "../../../node/index.ts";
import { fromBase64, IcsdError, toBase64 } from "../../../utils/index.ts";

const MAIN = fileURLToPath(new URL("../../../cmd/main.ts", import.meta.url));
const ABANDON =
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const ABANDON_ADDRESS = "cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function icsd(args: string[], input = ""): Run {
  const r = spawnSync(process.execPath, ["--disable-warning=ExperimentalWarning", MAIN, ...args], {
    encoding: "utf8",
    timeout: 30_000,
    input,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function ok(r: Run): Run {
  assert.equal(r.code, 0, r.stderr);
  return r;
}

function assertUserError(r: Run, msg: RegExp): void {
  assert.equal(r.code, 1, r.stdout);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
  assert.match(lines[0]!, msg);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
}

/** What an SDK node checks of a gentx at height 0: the signer's signature over SignDoc with account number 0. */
function verifyAtGenesis(txBase64: string, chainId: string): { msg: MsgCreateValidator; signer: Uint8Array } {
  const raw = TxRaw.decode(fromBase64(txBase64));
  const body = TxBody.decode(raw.bodyBytes);
  const auth = AuthInfo.decode(raw.authInfoBytes);
  assert.equal(body.messages.length, 1);
  assert.equal(body.messages[0]!.typeUrl, "/cosmos.staking.v1beta1.MsgCreateValidator");
  const msg = MsgCreateValidator.decode(body.messages[0]!.value);
  assert.equal(auth.signerInfos.length, 1);
  assert.equal(auth.signerInfos[0]!.sequence, 0n);
  assert.deepEqual(auth.fee?.amount, []);
  assert.ok((auth.fee?.gasLimit ?? 0n) >= 200_000n);
  const key = Secp256k1PubKey.decode(auth.signerInfos[0]!.publicKey!.value).key;
  const signBytes = (accountNumber: bigint) =>
    SignDoc.encode({
      bodyBytes: raw.bodyBytes,
      authInfoBytes: raw.authInfoBytes,
      chainId,
      accountNumber,
    }).finish();
  assert.ok(verifySecp256k1(key, signBytes(0n), raw.signatures[0]!), "valid with account number 0");
  assert.ok(
    !verifySecp256k1(key, signBytes(1n), raw.signatures[0]!),
    "not valid with another account number",
  );
  return { msg, signer: secp256k1Address(key) };
}

describe("icsd genesis gentx and collect-gentxs", { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "icsd-gentx-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const n0 = join(dir, "n0");
  const n1 = join(dir, "n1");

  it("gentx checks the chain id, the key's genesis funds and the flags", () => {
    ok(icsd(["init", "node0", "--chain-id", "gentx-1", "--home", n0]));
    ok(icsd(["keys", "add", "val0", "--recover", "--home", n0], ABANDON));
    assertUserError(
      icsd(["genesis", "gentx", "val0", "5000000stake", "--home", n0]),
      /account cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4 has 0stake in genesis, less than 5000000stake/,
    );
    ok(icsd(["genesis", "add-account", "val0", "100000000stake", "--home", n0]));
    assertUserError(
      icsd(["genesis", "gentx", "val0", "5000000stake", "--chain-id", "other-1", "--home", n0]),
      /--chain-id other-1 does not match the genesis chain id gentx-1/,
    );
    assertUserError(
      icsd(["genesis", "gentx", "val0", "500000000stake", "--home", n0]),
      /has 100000000stake in genesis, less than 500000000stake/,
    );
    assertUserError(
      icsd(["genesis", "gentx", "val0", "5.5stake", "--home", n0]),
      /decimal amounts are not allowed/,
    );
    assertUserError(
      icsd(["genesis", "gentx", "val0", "5000000stake", "--commission-rate", "2", "--home", n0]),
      /--commission-rate must be a decimal between 0 and 1/,
    );
    assertUserError(
      icsd(["genesis", "gentx", "nobody", "5000000stake", "--home", n0]),
      /key "nobody" not found/,
    );
    assertUserError(icsd(["genesis", "collect-gentxs", "--home", n0]), /no gentx directory/);
  });

  it("gentx + collect-gentxs build a genesis whose gen_txs are MsgCreateValidators signed for account number 0", () => {
    ok(
      icsd([
        "genesis",
        "gentx",
        "val0",
        "5000000stake",
        "--chain-id",
        "gentx-1",
        "--commission-rate",
        "0.05",
        "--home",
        n0,
      ]),
    );
    // A second validator: its own home and key, funded in n0's genesis, its gentx copied over.
    ok(icsd(["init", "node1", "--chain-id", "gentx-1", "--home", n1]));
    const k1 = JSON.parse(ok(icsd(["keys", "add", "val1", "--home", n1, "--output", "json"])).stdout) as {
      address: string;
    };
    ok(icsd(["genesis", "add-account", k1.address, "100000000stake", "--home", n0]));
    copyFileSync(join(n0, "config", "genesis.json"), join(n1, "config", "genesis.json"));
    ok(icsd(["genesis", "gentx", "val1", "7000000stake", "--moniker", "second", "--home", n1]));
    const [f1] = readdirSync(join(n1, "config", "gentx"));
    copyFileSync(join(n1, "config", "gentx", f1!), join(n0, "config", "gentx", f1!));
    const files = readdirSync(join(n0, "config", "gentx")).sort();
    assert.equal(files.length, 2);
    assert.ok(files.every((f) => /^gentx-[0-9a-f]{40}\.json$/.test(f)));

    const r = ok(icsd(["genesis", "collect-gentxs", "--home", n0]));
    assert.match(r.stdout, /collected 2 genesis transaction\(s\)/);
    const g = loadGenesis(join(n0, "config", "genesis.json"));
    assert.equal(g.validators.length, 0, "the staking module supplies the validator set");
    const genTxs = (g.appState.genutil as { gen_txs: string[] }).gen_txs;
    assert.equal(genTxs.length, 2);
    // In file-name order, as written in each gentx file.
    files.forEach((f, i) => {
      const file = JSON.parse(readFileSync(join(n0, "config", "gentx", f), "utf8")) as { tx_bytes: string };
      assert.equal(genTxs[i], file.tx_bytes);
    });
    const byMoniker = new Map(
      genTxs.map((t) => verifyAtGenesis(t, "gentx-1")).map((v) => [v.msg.description.moniker, v]),
    );
    const v0 = byMoniker.get("node0")!;
    assert.equal(v0.msg.validatorAddress, "cosmosvaloper19rl4cm2hmr8afy4kldpxz3fka4jguq0ae5egnx");
    assert.deepEqual(v0.signer, fromBech32(ABANDON_ADDRESS, 90).data, "signed by the key of val0");
    assert.equal(v0.msg.delegatorAddress, ABANDON_ADDRESS);
    assert.deepEqual(v0.msg.value, { denom: "stake", amount: "5000000" });
    assert.equal(v0.msg.commission.rate, "50000000000000000");
    assert.equal(v0.msg.commission.maxRate, "200000000000000000");
    assert.equal(v0.msg.minSelfDelegation, "1");
    assert.equal(v0.msg.pubkey?.typeUrl, "/cosmos.crypto.ed25519.PubKey");
    const consKey = Ed25519PubKey.decode(v0.msg.pubkey!.value).key;
    assert.deepEqual(consKey, loadValidatorKey(join(n0, "config", "priv_validator_key.json")).pubKey);
    const v1 = byMoniker.get("second")!;
    assert.deepEqual(v1.msg.value, { denom: "stake", amount: "7000000" });
    assert.equal(v1.msg.delegatorAddress, k1.address);

    // A gentx for another chain or an unfunded validator is refused, naming the file.
    writeFileSync(join(n0, "config", "gentx", "zz-bad.json"), JSON.stringify({ tx_bytes: "AAAA" }));
    assertUserError(
      icsd(["genesis", "collect-gentxs", "--home", n0]),
      /zz-bad\.json: not a protobuf TxRaw|zz-bad\.json: must hold exactly one/,
    );
    rmSync(join(n0, "config", "gentx", "zz-bad.json"));
    const other = join(dir, "other");
    ok(icsd(["init", "other", "--chain-id", "gentx-2", "--home", other]));
    assertUserError(
      icsd(["genesis", "collect-gentxs", "--gentx-dir", join(n0, "config", "gentx"), "--home", other]),
      /gentx-[0-9a-f]+\.json: account cosmos1\w+ has 0stake in genesis|signature verification failed for chain gentx-2/,
    );
  });

  it("buildGentx and collectGentxs work in-process with any OfflineDirectSigner (as the devnet uses them)", async () => {
    const wallet = await DirectSecp256k1Wallet.fromKey(
      cosmSha256(new TextEncoder().encode("gentx-test")),
      "cosmos",
    );
    const [acc] = await wallet.getAccounts();
    const path = join(dir, "inproc-genesis.json");
    let doc = newGenesis({ chainId: "inproc-1", genesisTime: 1_700_000_000_000_000_000n });
    doc = addGenesisAccount(doc, acc!.address, [{ denom: "stake", amount: 10_000_000n }]);
    saveGenesis(path, doc);
    const consensusPubKey = new Uint8Array(32).fill(7);
    const tx = await buildGentx({
      chainId: "inproc-1",
      accountPrefix: "cosmos",
      signer: wallet,
      address: acc!.address,
      consensusPubKey,
      amount: { denom: "stake", amount: 10_000_000n },
      moniker: "dev0",
    });
    const decoded = decodeGentx(tx, "inproc-1", "cosmos");
    assert.equal(decoded.delegator, acc!.address);
    assert.deepEqual(decoded.consensusPubKey, consensusPubKey);
    assert.throws(
      () => decodeGentx(tx, "inproc-2", "cosmos"),
      /signature verification failed for chain inproc-2/,
    );
    const out = collectGentxs(path, [tx]);
    assert.deepEqual((out.appState.genutil as { gen_txs: string[] }).gen_txs, [toBase64(tx)]);
    assert.equal(loadGenesis(path).validators.length, 0);
    verifyAtGenesis(toBase64(tx), "inproc-1");
    // The same validator twice, or more than the account holds, is refused.
    assert.throws(() => collectGentxs(path, [tx, tx]), /gentx 1: a second gentx for validator/);
    const big = await buildGentx({
      chainId: "inproc-1",
      accountPrefix: "cosmos",
      signer: wallet,
      address: acc!.address,
      consensusPubKey,
      amount: { denom: "stake", amount: 10_000_001n },
      moniker: "dev0",
    });
    assert.throws(
      () => collectGentxs(path, [big]),
      (e: unknown) => e instanceof IcsdError && /has 10000000stake in genesis, less than/.test(e.message),
    );
  });
});
