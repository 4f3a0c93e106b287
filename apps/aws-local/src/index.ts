export { startAthenaLocal, type AthenaLocal, type AthenaLocalOptions } from "./server.js";
export type { FaultPlan, CallFault, QueryFault } from "./faults.js";
export type { CallLog, LoggedCall } from "./call-log.js";
