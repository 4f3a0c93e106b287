import type { RawWindowLoad, RelationInfo } from "@sluice/engines";
import type { TableStates } from "../lake/lake-plan-input.js";
import type { RawHours } from "./raw-hours.js";

/** What an incremental model's window was planned from, before the DAG ran. */
export interface WindowPlan {
  /** The first raw hour the node reads (`YYYY/MM/DD/HH`, or before every hour: a full read). */
  from: string;
  /** The version's recorded state (watermark, the hours it read, ...). */
  state: VersionState;
  /** The raw hours listed for it (signatures), for the next version's record. */
  raw?: RawHours;
  /** The table as planning found it (only the node itself changes it before it runs). */
  existing?: RelationInfo;
}

/** The state recorded with a table's current version. */
export interface VersionState {
  watermark?: string;
  /** The raw hours (and their signatures) the version read in its lookback window. */
  rawHours?: Record<string, string>;
  uniformSchema?: boolean;
  /** When the run that wrote it listed the raw zone (epoch ms). */
  listedAt?: number;
  /** The first raw hour it read that no reconciliation has balanced yet. */
  pendingFrom?: string;
  /** The id of the write that last set its columns. */
  schema?: string;
  /** What decided its incremental SELECT's columns when they were last found its own. */
  select?: string;
}

/**
 * The raw reads of one run on a lake engine: each raw zone is read once, from the files' bytes,
 * from the earliest hour any node's window needs; `sluice_raw_window()` binds to that table.
 */
export interface RawReads {
  /** Raw zone location → its hours read into a temporary table, with their byte census. */
  loads: Map<string, Promise<RawWindowLoad>>;
  /** Raw zone location → the first hour read. */
  loadedFrom: Map<string, string>;
  /** Node id → its planned window. */
  windows: Map<string, WindowPlan>;
  /** When this run started listing raw zones (epoch ms), recorded with each version. */
  listedAt: number;
  /** Nodes whose raw hours a reconciliation checks: they record pending hours until it passes. */
  reconciled: ReadonlySet<string>;
  /** Every published table's state row, read once for the run (see `TableStates`). */
  tableStates: TableStates;
}
