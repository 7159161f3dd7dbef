export { buildProvider, providerModules } from "./app.ts";
export * from "./ccv/index.ts";
