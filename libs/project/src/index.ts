export * from "./diagnostics.js";
export type * from "./types.js";
