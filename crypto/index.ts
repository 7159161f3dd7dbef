export * from "./ed25519.ts";
export * from "./hash.ts";
export * from "./merkle.ts";
export * from "./secp256k1.ts";
