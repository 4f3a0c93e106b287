export { startAthenaLocal, type AthenaLocal, type AthenaLocalOptions } from "./server.js";
export type { FaultPlan, CallFault, QueryFault } from "./faults.js";
