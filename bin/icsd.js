#!/usr/bin/env node
import { enableCompileCache } from "node:module";

// Enabled before cmd/main.ts is loaded, so that on a warm cache even main.ts comes type-stripped from
// the cache and Node never loads its TypeScript stripper (see cmd/runtime.ts).
enableCompileCache();
await import("../cmd/main.ts");
