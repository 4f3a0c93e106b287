export type * from "./dialect.js";
