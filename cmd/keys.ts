import { readFileSync } from "node:fs";
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { type Command, Option } from "commander";
import {
  type ClientConfig,
  KEYRING_BACKENDS,
  type KeyInfo,
  Keyring,
  type KeyringBackend,
  loadClientConfig,
  type OutputFormat,
  Prompter,
  passphraseSource,
} from "../node/index.ts";
import { IcsdError, toBase64 } from "../utils/index.ts";
import { printJson, withExample, withHome } from "./common.ts";

/** The flags every keyring-using command shares. */
export interface KeyringFlags {
  readonly home: string;
  readonly keyringBackend?: string;
  readonly output?: string;
}

/** Adds `--keyring-backend` (default from client.toml) to a command. */
export function withKeyringBackend(cmd: Command): Command {
  return cmd.addOption(
    new Option("--keyring-backend <backend>", "test or file (default: client.toml keyring-backend)").choices(
      KEYRING_BACKENDS,
    ),
  );
}

/** Adds `--output` (default from client.toml) to a command. */
export function withOutput(cmd: Command): Command {
  return cmd.addOption(
    new Option("--output <format>", "text or json (default: client.toml output)").choices(["text", "json"]),
  );
}

/** Adds `--home`, `--keyring-backend` and `--output` (defaults from client.toml) to a command. */
export function withKeyringOptions(cmd: Command): Command {
  return withOutput(withKeyringBackend(withHome(cmd)));
}

/** The output format: the flag, else client.toml's. */
export function outputFormat(flags: { output?: string }, cfg: ClientConfig): OutputFormat {
  return (flags.output ?? cfg.output) as OutputFormat;
}

/** Opens the keyring of `--home` with the backend of the flag or client.toml, and its bech32 prefix. */
export function openKeyring(
  flags: KeyringFlags,
  prompter: Prompter,
  cfg: ClientConfig = loadClientConfig(flags.home),
  prefix: string = cfg.bech32Prefix,
): Keyring {
  const backend = (flags.keyringBackend ?? cfg.keyringBackend) as KeyringBackend;
  return new Keyring({ home: flags.home, backend, prefix, passphrase: passphraseSource(prompter) });
}

function pubkeyJson(k: KeyInfo): { "@type": string; key: string } {
  return { "@type": "/cosmos.crypto.secp256k1.PubKey", key: toBase64(k.pubkey) };
}

/** A key in the SDK's `keys show` JSON shape (pubkey as an object rather than a JSON string). */
export function keyJson(k: KeyInfo): Record<string, unknown> {
  return { name: k.name, type: k.type, address: k.address, pubkey: pubkeyJson(k) };
}

function keyText(k: KeyInfo): string {
  return `- address: ${k.address}\n  name: ${k.name}\n  pubkey: '${JSON.stringify(pubkeyJson(k))}'\n  type: ${k.type}\n`;
}

const MNEMONIC_WARNING =
  "**Important** write this mnemonic phrase in a safe place.\n" +
  "It is the only way to recover your account if you ever forget your password.";

function registerAdd(keys: Command): void {
  const add = keys
    .command("add")
    .description("Create a key (a fresh 24-word mnemonic), or recover one from a mnemonic with --recover")
    .argument("<name>", "key name: 1-64 characters from [a-zA-Z0-9._-]")
    .option(
      "--recover",
      "read the mnemonic from stdin (or a prompt on a terminal) instead of generating one",
      false,
    )
    .option("--hd-path <path>", "BIP-44 derivation path", "m/44'/118'/0'/0/0");
  withKeyringOptions(add);
  withExample(
    add,
    "icsd keys add alice",
    "echo 'word1 ... word24' | icsd keys add bob --recover",
    "ICSD_KEYRING_PASSPHRASE=... icsd keys add carol --keyring-backend file --output json",
  );
  add.action(async (name: string, opts: KeyringFlags & { recover: boolean; hdPath: string }) => {
    const prompter = new Prompter();
    const cfg = loadClientConfig(opts.home);
    const keyring = openKeyring(opts, prompter, cfg);
    const mnemonic = opts.recover
      ? await prompter.secret("Enter your bip39 mnemonic: ", "a mnemonic")
      : undefined;
    const k = await keyring.add(name, { mnemonic, hdPath: opts.hdPath });
    if (outputFormat(opts, cfg) === "json") {
      printJson(opts.recover ? keyJson(k) : { ...keyJson(k), mnemonic: k.mnemonic });
      return;
    }
    process.stdout.write(keyText(k));
    if (!opts.recover) process.stdout.write(`\n${MNEMONIC_WARNING}\n\n${k.mnemonic}\n`);
  });
}

function registerReadCommands(keys: Command): void {
  const list = keys.command("list").description("List every key of the keyring");
  withKeyringOptions(list);
  withExample(list, "icsd keys list", "icsd keys list --keyring-backend file --output json");
  list.action((opts: KeyringFlags) => {
    const cfg = loadClientConfig(opts.home);
    const all = openKeyring(opts, new Prompter(), cfg).list();
    if (outputFormat(opts, cfg) === "json") printJson(all.map(keyJson));
    else
      process.stdout.write(
        all.length === 0 ? "No records were found in keyring\n" : all.map(keyText).join(""),
      );
  });

  const show = keys
    .command("show")
    .description("Show a key by name (or address)")
    .argument("<name>", "key name or address")
    .option("-a, --address", "print only the address", false)
    .addOption(
      new Option("--bech <prefix>", "address kind: acc (account) or val (validator operator)")
        .choices(["acc", "val"])
        .default("acc"),
    );
  withKeyringOptions(show);
  withExample(
    show,
    "icsd keys show alice",
    "icsd keys show alice -a",
    "icsd keys show validator --bech val -a",
  );
  show.action((name: string, opts: KeyringFlags & { address: boolean; bech: "acc" | "val" }) => {
    const cfg = loadClientConfig(opts.home);
    const found = openKeyring(opts, new Prompter(), cfg).find(name);
    // The operator address is the account's bytes under the valoper prefix, as gaiad's --bech val.
    const k =
      opts.bech === "val"
        ? { ...found, address: toBech32(`${cfg.bech32Prefix}valoper`, fromBech32(found.address, 1023).data) }
        : found;
    if (opts.address) process.stdout.write(`${k.address}\n`);
    else if (outputFormat(opts, cfg) === "json") printJson(keyJson(k));
    else process.stdout.write(keyText(k));
  });

  const exp = keys
    .command("export")
    .description(
      "Print a key's secret: the mnemonic (test backend) or the armored, still encrypted key JSON (file backend)",
    )
    .argument("<name>", "key name");
  withKeyringOptions(exp);
  withExample(exp, "icsd keys export alice > alice.key", "icsd keys import alice2 alice.key");
  exp.action(async (name: string, opts: KeyringFlags) => {
    const text = await openKeyring(opts, new Prompter()).export(name);
    process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  });
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

// A mnemonic is one line; an exported key is JSON over several lines. Reading only as far as the key
// goes leaves the next stdin line for the file keyring's passphrase.
async function readKeyFromStdin(prompter: Prompter): Promise<string> {
  let text = await prompter.line("Enter a mnemonic: ", "a mnemonic or an exported key");
  if (!text.trim().startsWith("{")) return text;
  while (!parsesAsJson(text)) text += `\n${await prompter.line("", "the rest of the exported key")}`;
  return text;
}

function registerWriteCommands(keys: Command): void {
  const del = keys
    .command("delete")
    .description("Delete a key (asks for confirmation unless --yes)")
    .argument("<name>", "key name")
    .option("-y, --yes", "do not ask for confirmation", false);
  withKeyringOptions(del);
  withExample(del, "icsd keys delete alice --yes");
  del.action(async (name: string, opts: KeyringFlags & { yes: boolean }) => {
    const prompter = new Prompter();
    const keyring = openKeyring(opts, prompter);
    const k = keyring.show(name);
    if (!opts.yes && !(await prompter.confirm(`Delete key ${name} (${k.address})? It cannot be undone.`))) {
      throw new IcsdError("ABORTED", "aborted: the key was not deleted");
    }
    keyring.delete(name);
    process.stdout.write(`Key deleted forever (uh oh!): ${name}\n`);
  });

  const imp = keys
    .command("import")
    .description(
      "Import a key from a file (or - for stdin) holding a mnemonic, or what `keys export` wrote for the file backend",
    )
    .argument("<name>", "key name")
    .argument("<file>", "a file path, or - to read stdin");
  withKeyringOptions(imp);
  withExample(
    imp,
    "icsd keys import alice alice.key",
    "icsd keys export alice | icsd keys import alice2 - --home ./other",
  );
  imp.action(async (name: string, file: string, opts: KeyringFlags) => {
    const prompter = new Prompter();
    let text: string;
    if (file === "-") text = await readKeyFromStdin(prompter);
    else {
      try {
        text = readFileSync(file, "utf8");
      } catch (e) {
        throw new IcsdError(
          "FILE_NOT_READABLE",
          `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? e}`,
        );
      }
    }
    const cfg = loadClientConfig(opts.home);
    const k = await openKeyring(opts, prompter, cfg).import(name, text);
    if (outputFormat(opts, cfg) === "json") printJson(keyJson(k));
    else process.stdout.write(keyText(k));
  });
}

/** `icsd keys add|list|show|delete|import|export`: account keys in `<home>/keyring-<backend>/`. */
export function registerKeys(program: Command): void {
  const keys = program
    .command("keys")
    .description(
      "Manage account keys (secp256k1, BIP-39 mnemonics) in <home>/keyring-test or <home>/keyring-file",
    );
  withExample(keys, "icsd keys add alice", "icsd keys list", "icsd keys show alice -a");
  keys.addHelpText(
    "after",
    "\nThe file backend reads its passphrase from ICSD_KEYRING_PASSPHRASE, else from stdin (one line),\nelse asks on the terminal.",
  );
  registerAdd(keys);
  registerReadCommands(keys);
  registerWriteCommands(keys);
}
