import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { after, describe, it } from "node:test";
import { DirectSecp256k1HdWallet, makeCosmoshubPath } from "@cosmjs/proto-signing";
import {
  DEFAULT_HD_PATH,
  generateMnemonic,
  Keyring,
  type KeyringBackend,
  normalizeMnemonic,
  PASSPHRASE_ENV,
  Prompter,
  parseStoredKey,
  passphraseSource,
} from "../../../node/index.ts";
import { IcsdError, toBase64 } from "../../../utils/index.ts";

const ABANDON =
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const ABANDON_ADDRESS = "cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4";
const PASS = "correct horse battery";

function code(c: string): (e: unknown) => boolean {
  return (e) => e instanceof IcsdError && e.code === c;
}

function fileKeyring(home: string, pass = PASS): Keyring {
  return new Keyring({ home, backend: "file", passphrase: async () => pass });
}

function prompterOn(text: string): Prompter {
  const output = new Writable({ write: (_c, _e, cb) => cb() });
  return new Prompter({ input: Readable.from([Buffer.from(text)]), output });
}

describe("keyring", { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "icsd-keyring-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("derives the known address of the abandon mnemonic on m/44'/118'/0'/0/0, as CosmJS does", async () => {
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(ABANDON, { hdPaths: [makeCosmoshubPath(0)] });
    const [acc] = await wallet.getAccounts();
    assert.equal(acc!.address, ABANDON_ADDRESS);
    for (const backend of ["test", "file"] as KeyringBackend[]) {
      const kr =
        backend === "test"
          ? new Keyring({ home: join(dir, "known"), backend })
          : fileKeyring(join(dir, "known"));
      const k = await kr.add("abandon", { mnemonic: `  ${ABANDON.toUpperCase()}\n` });
      assert.equal(k.address, ABANDON_ADDRESS, backend);
      assert.equal(k.hdPath, DEFAULT_HD_PATH);
      assert.equal(k.mnemonic, ABANDON);
      assert.deepEqual(k.pubkey, acc!.pubkey);
      const signer = await kr.signer("abandon");
      assert.equal((await signer.getAccounts())[0]!.address, ABANDON_ADDRESS);
    }
  });

  it("uses the keyring's bech32 prefix and the given HD path", async () => {
    const home = join(dir, "prefix");
    const osmo = new Keyring({ home, backend: "test", prefix: "osmo" });
    const k = await osmo.add("a", { mnemonic: ABANDON });
    assert.match(k.address, /^osmo1/);
    assert.equal(new Keyring({ home, backend: "test" }).show("a").address, ABANDON_ADDRESS);
    const other = await osmo.add("b", { mnemonic: ABANDON, hdPath: "m/44'/118'/0'/0/1" });
    assert.notEqual(other.address, k.address);
    await assert.rejects(osmo.add("c", { mnemonic: ABANDON, hdPath: "44/x" }), code("INVALID_HD_PATH"));
  });

  it("test backend: adds with a fresh 24-word mnemonic, lists, shows, finds by address, deletes", async () => {
    const home = join(dir, "test");
    const kr = new Keyring({ home, backend: "test" });
    const alice = await kr.add("alice");
    assert.equal(alice.mnemonic.split(" ").length, 24);
    assert.equal(normalizeMnemonic(alice.mnemonic), alice.mnemonic);
    await kr.add("bob", { mnemonic: ABANDON });
    assert.deepEqual(
      kr.list().map((k) => k.name),
      ["alice", "bob"],
    );
    assert.equal(kr.show("alice").address, alice.address);
    assert.equal(kr.find(ABANDON_ADDRESS).name, "bob");
    assert.equal(kr.find("alice").address, alice.address);
    assert.equal(statSync(kr.dir).mode & 0o777, 0o700);
    for (const f of readdirSync(kr.dir)) assert.equal(statSync(join(kr.dir, f)).mode & 0o777, 0o600, f);
    const stored = JSON.parse(readFileSync(join(kr.dir, "alice.json"), "utf8"));
    assert.equal(stored.mnemonic, alice.mnemonic);
    assert.equal(stored.address, alice.address);
    assert.equal(stored.pubkey, toBase64(alice.pubkey));
    assert.equal(await kr.export("alice"), alice.mnemonic);

    await assert.rejects(kr.add("alice"), code("KEY_EXISTS"));
    await assert.rejects(kr.add("bad/name"), code("INVALID_KEY_NAME"));
    await assert.rejects(kr.add("x".repeat(65)), code("INVALID_KEY_NAME"));
    assert.throws(() => kr.show("carol"), code("KEY_NOT_FOUND"));
    assert.throws(() => kr.find("cosmos1zzz"), code("KEY_NOT_FOUND"));
    kr.delete("alice");
    assert.throws(() => kr.delete("alice"), code("KEY_NOT_FOUND"));
    assert.deepEqual(
      kr.list().map((k) => k.name),
      ["bob"],
    );
    const again = await kr.import("alice", alice.mnemonic);
    assert.equal(again.address, alice.address);
  });

  it("rejects malformed mnemonics with a reason", async () => {
    assert.throws(() => normalizeMnemonic("abandon about"), /expected 12, 15, 18, 21 or 24 words, got 2/);
    assert.throws(
      () => normalizeMnemonic(ABANDON.replace("about", "zzzz")),
      /"zzzz" is not a BIP39 English word/,
    );
    assert.throws(() => normalizeMnemonic(ABANDON.replace("about", "abandon")), /checksum/);
    assert.equal(generateMnemonic().split(" ").length, 24);
  });

  it("file backend: seals the mnemonic (0600), refuses a wrong passphrase, signs with the right one", async () => {
    const home = join(dir, "file");
    const kr = fileKeyring(home);
    const k = await kr.add("carol");
    const path = join(kr.dir, "carol.json");
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(kr.dir).mode & 0o777, 0o700);
    const text = readFileSync(path, "utf8");
    assert.ok(!text.includes(k.mnemonic), "the mnemonic is not in clear");
    const stored = parseStoredKey(text, path);
    assert.equal(stored.mnemonic, undefined);
    assert.equal(stored.crypto?.kdf, "scrypt");
    assert.equal(stored.crypto?.cipher, "aes-256-gcm");

    // Public facts need no passphrase.
    assert.equal(new Keyring({ home, backend: "file" }).show("carol").address, k.address);
    await assert.rejects(
      new Keyring({ home, backend: "file" }).signer("carol"),
      code("KEYRING_PASSPHRASE_REQUIRED"),
    );
    await assert.rejects(
      fileKeyring(home, "wrong passphrase").signer("carol"),
      code("KEYRING_BAD_PASSPHRASE"),
    );
    const signer = await kr.signer("carol");
    assert.equal((await signer.getAccounts())[0]!.address, k.address);
    await assert.rejects(fileKeyring(home, "short").add("dave"), code("KEYRING_WEAK_PASSPHRASE"));
  });

  it("file backend: export writes armored JSON that imports elsewhere with its passphrase only", async () => {
    const kr = fileKeyring(join(dir, "exp"));
    const k = await kr.add("erin", { mnemonic: ABANDON });
    const armored = await kr.export("erin");
    assert.ok(!armored.includes("abandon"));
    const other = fileKeyring(join(dir, "imp"));
    const imported = await other.import("erin2", armored);
    assert.equal(imported.address, k.address);
    await assert.rejects(
      fileKeyring(join(dir, "imp"), "not the passphrase").import("erin3", armored),
      code("KEYRING_BAD_PASSPHRASE"),
    );
    // The public key is authenticated: a swapped pubkey does not open.
    const swapped = JSON.parse(armored);
    swapped.pubkey = toBase64(new Uint8Array(33).fill(2));
    await assert.rejects(other.import("erin4", JSON.stringify(swapped)), code("KEYRING_BAD_PASSPHRASE"));
    // A test keyring can import it too (the mnemonic is then kept in clear).
    const plain = new Keyring({ home: join(dir, "imp"), backend: "test", passphrase: async () => PASS });
    assert.equal((await plain.import("erin", armored)).address, ABANDON_ADDRESS);
    assert.equal(await plain.export("erin"), ABANDON);
  });

  it("refuses malformed key files, naming the field", () => {
    const home = join(dir, "bad");
    const kr = new Keyring({ home, backend: "test" });
    assert.throws(() => parseStoredKey("{", "x.json"), code("KEYRING_INVALID"));
    assert.throws(
      () => parseStoredKey('{"name":"a","type":"local","address":"a","hd_path":"m","pubkey":"AA=="}', "x"),
      /pubkey/,
    );
    const good = {
      name: "a",
      type: "local",
      address: "a",
      hd_path: "m",
      pubkey: toBase64(new Uint8Array(33)),
    };
    assert.throws(() => parseStoredKey(JSON.stringify(good), "x"), /mnemonic or crypto/);
    const crypto = {
      kdf: "scrypt",
      n: 1 << 30,
      r: 8,
      p: 1,
      salt: "",
      cipher: "aes-256-gcm",
      iv: "",
      tag: "",
      ciphertext: "",
    };
    assert.throws(() => parseStoredKey(JSON.stringify({ ...good, crypto }), "x"), /crypto\.n/);
    assert.deepEqual(kr.list(), [], "no keyring directory yet");
    mkdirSync(kr.dir, { recursive: true });
    writeFileSync(join(kr.dir, "broken.json"), "nope");
    assert.throws(
      () => kr.list(),
      (e) => code("KEYRING_INVALID")(e) && /broken\.json/.test((e as Error).message),
    );
  });

  it("prompter: piped stdin answers one line per question; confirmation needs a terminal", async () => {
    const p = prompterOn("word list here\nsecret-pass\n");
    assert.equal(p.interactive, false);
    assert.equal(await p.line("? ", "a mnemonic"), "word list here");
    assert.equal(await p.secret("? ", "a passphrase"), "secret-pass");
    await assert.rejects(p.line("? ", "more"), code("STDIN_EMPTY"));
    await assert.rejects(p.confirm("ok?"), code("CONFIRMATION_REQUIRED"));

    const fromStdin = passphraseSource(prompterOn("from-stdin-pass\n"), {});
    assert.equal(await fromStdin("encrypt", "k"), "from-stdin-pass");
    assert.equal(await fromStdin("decrypt", "k"), "from-stdin-pass", "asked once, then cached");
    const fromEnv = passphraseSource(prompterOn(""), { [PASSPHRASE_ENV]: "from-env-pass" });
    assert.equal(await fromEnv("decrypt", "k"), "from-env-pass");
  });
});
