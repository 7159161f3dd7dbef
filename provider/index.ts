export { buildProvider, providerModules } from "./app.ts";
