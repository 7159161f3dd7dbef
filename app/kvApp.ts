import type {
  AppInfo,
  Application,
  CheckTxKind,
  CommitResponse,
  Event,
  FinalizeBlockRequest,
  FinalizeBlockResponse,
  InitChainRequest,
  InitChainResponse,
  PrepareProposalRequest,
  ProcessProposalRequest,
  QueryRequest,
  QueryResponse,
  TxResult,
  ValidatorUpdate,
  WriteBatch,
} from "../consensus/index.ts";
import { fromBase64, fromUtf8, toBase64, utf8 } from "../utils/index.ts";
import type { StateTree } from "./stateTree.ts";

const MAX_KEY_BYTES = 256;
const MAX_VALUE_BYTES = 64 * 1024;
const VAL_PREFIX = "val:";

function result(code: number, log: string, events: Event[] = []): TxResult {
  return {
    code,
    codespace: code === 0 ? "" : "kvstore",
    log,
    data: new Uint8Array(),
    gasWanted: 0n,
    gasUsed: 0n,
    events,
  };
}

type Parsed =
  | { kind: "set"; key: string; value: string }
  | { kind: "validator"; update: ValidatorUpdate }
  | { kind: "error"; log: string };

/**
 * Parses a transaction: `key=value` sets a key (CometBFT's kvstore format); `val:<base64 ed25519
 * pubkey>!<power>` changes the validator set (power 0 removes), which exercises updates at H+2.
 */
function parseTx(tx: Uint8Array): Parsed {
  let s: string;
  try {
    s = fromUtf8(tx);
  } catch {
    return { kind: "error", log: "tx is not UTF-8" };
  }
  if (s.startsWith(VAL_PREFIX)) {
    const [pub, power] = s.slice(VAL_PREFIX.length).split("!");
    if (!pub || power === undefined || !/^\d{1,18}$/.test(power))
      return { kind: "error", log: "want val:<pubkey>!<power>" };
    let pubKey: Uint8Array;
    try {
      pubKey = fromBase64(pub);
    } catch {
      return { kind: "error", log: "validator pubkey is not base64" };
    }
    if (pubKey.length !== 32) return { kind: "error", log: "validator pubkey must be 32 bytes" };
    return { kind: "validator", update: { pubKey, power: BigInt(power) } };
  }
  const eq = s.indexOf("=");
  if (eq <= 0) return { kind: "error", log: "want key=value" };
  const key = s.slice(0, eq);
  const value = s.slice(eq + 1);
  if (utf8(key).length > MAX_KEY_BYTES)
    return { kind: "error", log: `key longer than ${MAX_KEY_BYTES} bytes` };
  if (utf8(value).length > MAX_VALUE_BYTES)
    return { kind: "error", log: `value longer than ${MAX_VALUE_BYTES} bytes` };
  return { kind: "set", key, value };
}

/**
 * A small key-value application: the chain core's test fixture and the default app until the SDK-style
 * application exists. State lives in the authenticated tree, so the app hash commits to every key.
 */
export class KvApp implements Application {
  private readonly tree: StateTree;

  constructor(tree: StateTree) {
    this.tree = tree;
  }

  async info(): Promise<AppInfo> {
    return { lastBlockHeight: this.tree.version, lastBlockAppHash: this.tree.hash, version: "kvstore/1" };
  }

  async initChain(req: InitChainRequest): Promise<InitChainResponse> {
    const state = req.appState;
    if (state && typeof state === "object" && !Array.isArray(state)) {
      const kv = (state as Record<string, unknown>).kv;
      if (kv && typeof kv === "object") {
        for (const k of Object.keys(kv).sort()) {
          const v = (kv as Record<string, unknown>)[k];
          if (typeof v === "string") this.tree.set(utf8(k), utf8(v));
        }
      }
    }
    return { validators: [], appHash: await this.tree.workingHash() };
  }

  async checkTx(tx: Uint8Array, _kind: CheckTxKind): Promise<TxResult> {
    const p = parseTx(tx);
    return p.kind === "error" ? result(1, p.log) : result(0, "");
  }

  async prepareProposal(req: PrepareProposalRequest): Promise<readonly Uint8Array[]> {
    return req.txs.filter((tx) => parseTx(tx).kind !== "error");
  }

  async processProposal(req: ProcessProposalRequest): Promise<boolean> {
    return req.block.txs.every((tx) => parseTx(tx).kind !== "error");
  }

  async finalizeBlock(req: FinalizeBlockRequest): Promise<FinalizeBlockResponse> {
    const txResults: TxResult[] = [];
    const updates = new Map<string, ValidatorUpdate>();
    for (const tx of req.block.txs) {
      const p = parseTx(tx);
      if (p.kind === "error") {
        txResults.push(result(1, p.log));
      } else if (p.kind === "set") {
        this.tree.set(utf8(p.key), utf8(p.value));
        txResults.push(
          result(0, "", [
            {
              type: "app",
              attributes: [
                { key: "key", value: p.key, index: true },
                { key: "creator", value: "kvstore", index: true },
              ],
            },
          ]),
        );
      } else {
        updates.set(toBase64(p.update.pubKey), p.update);
        txResults.push(result(0, ""));
      }
    }
    this.tree.set(utf8("__height"), utf8(String(req.block.header.height)));
    const validatorUpdates = [...updates.keys()].sort().map((k) => updates.get(k)!);
    return { events: [], txResults, validatorUpdates, appHash: await this.tree.workingHash() };
  }

  async commit(batch: WriteBatch): Promise<CommitResponse> {
    await this.tree.commit(batch);
    return { retainHeight: 0 };
  }

  async query(req: QueryRequest): Promise<QueryResponse> {
    const height = req.height === 0 ? this.tree.version : req.height;
    const value = await this.tree.getAt(req.data, height);
    return {
      code: 0,
      codespace: "",
      log: value ? "exists" : "does not exist",
      key: req.data,
      value: value ?? new Uint8Array(),
      height,
    };
  }
}
