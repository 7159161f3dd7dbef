import { mkdir } from "node:fs/promises";
import { Level } from "level";
import type { BatchOp } from "../consensus/application.ts";
import { errorMessage, IcsdError } from "../utils/index.ts";
import type { KeyRange, KvStore } from "./kvStore.ts";

/**
 * The LevelDB implementation of KvStore (package `level`, binary keys and values). Keys order
 * byte-lexicographically; batches are atomic; `sync: true` waits for fsync; iterators read a snapshot.
 */
export class LevelKvStore implements KvStore {
  private readonly db: Level<Uint8Array, Uint8Array>;

  private constructor(db: Level<Uint8Array, Uint8Array>) {
    this.db = db;
  }

  /**
   * Opens (creating if needed) the database at `path`. Throws IcsdError "DB_LOCKED" when another process
   * (or another instance in this one) holds the database, "DB_OPEN_FAILED" on any other failure.
   */
  static async open(path: string): Promise<LevelKvStore> {
    await mkdir(path, { recursive: true });
    const db = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: "view", valueEncoding: "view" });
    try {
      await db.open();
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause;
      if (cause?.code === "LEVEL_LOCKED" || (e as { code?: string }).code === "LEVEL_LOCKED") {
        throw new IcsdError(
          "DB_LOCKED",
          `database ${path} is locked: is another icsd running on this home?`,
          {
            path,
          },
        );
      }
      throw new IcsdError("DB_OPEN_FAILED", `cannot open database ${path}: ${errorMessage(e)}`, { path });
    }
    return new LevelKvStore(db);
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const v = await this.db.get(key);
    return v === undefined || v === null ? undefined : plain(v);
  }

  async getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    if (keys.length === 0) return [];
    const out = await this.db.getMany(keys as Uint8Array[]);
    return out.map((v) => (v === undefined || v === null ? undefined : plain(v)));
  }

  async put(key: Uint8Array, value: Uint8Array, opts?: { sync?: boolean }): Promise<void> {
    await this.db.put(key, value, { sync: opts?.sync ?? false });
  }

  async del(key: Uint8Array, opts?: { sync?: boolean }): Promise<void> {
    await this.db.del(key, { sync: opts?.sync ?? false });
  }

  async batch(ops: readonly BatchOp[], opts?: { sync?: boolean }): Promise<void> {
    if (ops.length === 0) return;
    await this.db.batch(
      ops.map((op) =>
        op.type === "put"
          ? { type: "put" as const, key: op.key, value: op.value }
          : { type: "del" as const, key: op.key },
      ),
      { sync: opts?.sync ?? false },
    );
  }

  async *entries(range: KeyRange): AsyncIterable<[Uint8Array, Uint8Array]> {
    const opts: { gte?: Uint8Array; lt?: Uint8Array; reverse: boolean; limit: number } = {
      reverse: range.reverse ?? false,
      limit: range.limit ?? -1,
    };
    if (range.gte) opts.gte = range.gte;
    if (range.lt) opts.lt = range.lt;
    const it = this.db.iterator(opts);
    try {
      for await (const [k, v] of it) yield [plain(k), plain(v)];
    } finally {
      await it.close();
    }
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

/** classic-level hands out Buffers; callers get plain Uint8Array views (no copy) for consistent equality. */
function plain(b: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(b) === Uint8Array.prototype
    ? b
    : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
