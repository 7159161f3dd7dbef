import { createInterface } from "node:readline/promises";
import { IcsdError } from "../utils/index.ts";
import type { PassphraseSource } from "./keyring.ts";

/** The environment variable that holds the file keyring's passphrase. */
export const PASSPHRASE_ENV = "ICSD_KEYRING_PASSPHRASE";

/** The streams a Prompter talks to (stdin/stderr by default; tests pass their own). */
export interface PromptStreams {
  readonly input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  readonly output: NodeJS.WritableStream;
}

/**
 * Reads answers from the user: on a TTY it prompts (secrets without echo); otherwise stdin is read to
 * its end once and each question takes the next line, so `printf 'words\npass\n' | icsd ...` works.
 */
export class Prompter {
  readonly #io: PromptStreams;
  #lines: string[] | undefined;

  constructor(io: PromptStreams = { input: process.stdin, output: process.stderr }) {
    this.#io = io;
  }

  /** True when a person can answer (stdin is a terminal). */
  get interactive(): boolean {
    return this.#io.input.isTTY === true;
  }

  async #nextPipedLine(what: string): Promise<string> {
    if (this.#lines === undefined) {
      const chunks: Buffer[] = [];
      for await (const c of this.#io.input) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
      const text = Buffer.concat(chunks).toString("utf8");
      this.#lines = text.split(/\r?\n/);
      if (this.#lines.at(-1) === "") this.#lines.pop();
    }
    const line = this.#lines.shift();
    if (line === undefined) throw new IcsdError("STDIN_EMPTY", `expected ${what} on stdin, got end of input`);
    return line;
  }

  /** One line of text (`what` names it in errors, e.g. "a mnemonic"). */
  async line(prompt: string, what: string): Promise<string> {
    if (!this.interactive) return this.#nextPipedLine(what);
    const rl = createInterface({ input: this.#io.input, output: this.#io.output, terminal: true });
    try {
      return await rl.question(prompt);
    } finally {
      rl.close();
    }
  }

  /** A secret: typed without echo on a TTY, else the next stdin line. */
  async secret(prompt: string, what: string): Promise<string> {
    const input = this.#io.input;
    if (!this.interactive || !input.setRawMode) return this.#nextPipedLine(what);
    const setRaw = input.setRawMode.bind(input);
    this.#io.output.write(prompt);
    return new Promise<string>((resolve, reject) => {
      let buf = "";
      const finish = () => {
        input.off("data", onData);
        setRaw(false);
        input.pause();
        this.#io.output.write("\n");
      };
      const onData = (chunk: Buffer | string) => {
        for (const ch of String(chunk)) {
          if (ch === "\r" || ch === "\n") {
            finish();
            resolve(buf);
            return;
          }
          if (ch === "\u0003" || ch === "\u0004") {
            finish();
            reject(new IcsdError("ABORTED", "aborted"));
            return;
          }
          if (ch === "\u007f" || ch === "\b") buf = buf.slice(0, -1);
          else if (ch >= " ") buf += ch;
        }
      };
      setRaw(true);
      input.setEncoding("utf8");
      input.on("data", onData);
      input.resume();
    });
  }

  /** Asks y/N on a TTY; refuses (CONFIRMATION_REQUIRED, naming `yesFlag`) when nobody can answer. */
  async confirm(question: string, yesFlag = "--yes"): Promise<boolean> {
    if (!this.interactive) {
      throw new IcsdError("CONFIRMATION_REQUIRED", `stdin is not a terminal: pass ${yesFlag} to confirm`);
    }
    return /^y(es)?$/i.test((await this.line(`${question} [y/N] `, "an answer")).trim());
  }
}

/**
 * The passphrase of the file keyring: from `ICSD_KEYRING_PASSPHRASE` when set, else asked of the
 * Prompter (a new key's passphrase is asked twice on a TTY). Asked at most once per process.
 */
export function passphraseSource(prompter: Prompter, env: NodeJS.ProcessEnv = process.env): PassphraseSource {
  let cached: string | undefined;
  return async (purpose) => {
    if (cached !== undefined) return cached;
    const fromEnv = env[PASSPHRASE_ENV];
    if (fromEnv !== undefined && fromEnv !== "") {
      cached = fromEnv;
      return cached;
    }
    const p = await prompter.secret("Enter keyring passphrase: ", "the keyring passphrase");
    if (purpose === "encrypt" && prompter.interactive) {
      const again = await prompter.secret("Re-enter keyring passphrase: ", "the keyring passphrase");
      if (again !== p) throw new IcsdError("KEYRING_PASSPHRASE_MISMATCH", "the passphrases do not match");
    }
    cached = p;
    return p;
  };
}
