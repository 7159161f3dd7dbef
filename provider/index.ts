export { providerModules } from "./app.ts";
