export * from "./ed25519.ts";
export * from "./hash.ts";
export * from "./merkle.ts";
