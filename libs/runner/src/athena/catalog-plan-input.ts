import type { CompiledNode } from "@sluice/compiler";
import {
  INPUTS_PARAMETER,
  lookbackHours,
  NO_WATERMARK,
  PENDING_PARAMETER,
  SCHEMA_PARAMETER,
  SELECT_PARAMETER,
  usesWindow,
  VERSION_PARAMETER,
  WATERMARK_PARAMETER,
  windowStart,
  type CatalogState,
  type PlanInput,
} from "@sluice/compiler/plan";
import type { RelationInfo } from "@sluice/engines";
import { newestHour } from "../incremental/raw-hours.js";
import type { CatalogEngine } from "./catalog-engine.js";
import {
  checkInputs,
  versionParameters,
  type InputsCheck,
  type InputsContext,
} from "./unchanged-inputs.js";

const HOUR = /^\d{4}\/\d\d\/\d\d\/\d\d$/;

/**
 * What the catalog says of the table a node writes, as a plan's input: exists, kind, location,
 * columns and what sluice records in its parameters (watermark, inputs, version, pending hours).
 */
export function catalogState(info: RelationInfo): CatalogState {
  if (!info.exists) return { exists: false };
  const parameters = info.parameters ?? {};
  const hour = (name: string): string | undefined => {
    const value = parameters[name];
    return value !== undefined && HOUR.test(value) ? value : undefined;
  };
  const watermark = hour(WATERMARK_PARAMETER);
  const pending = hour(PENDING_PARAMETER);
  const inputs = parameters[INPUTS_PARAMETER];
  const version = parameters[VERSION_PARAMETER];
  const schema = parameters[SCHEMA_PARAMETER];
  const select = parameters[SELECT_PARAMETER];
  return {
    exists: true,
    ...(info.kind === undefined ? {} : { kind: info.kind }),
    ...(info.location === undefined ? {} : { location: info.location }),
    ...(info.columns === undefined ? {} : { columns: info.columns }),
    ...(watermark === undefined ? {} : { watermark }),
    ...(inputs === undefined ? {} : { inputs }),
    ...(version === undefined ? {} : { version }),
    ...(pending === undefined ? {} : { pending }),
    ...(schema === undefined || schema === "" ? {} : { schema }),
    ...(select === undefined || select === "" ? {} : { select }),
    ...(info.definition === undefined ? {} : { definition: info.definition }),
  };
}

/** The node's run writes into its published table (rather than a new version). */
export function writesIncrementally(node: CompiledNode, state: CatalogState): boolean {
  return (
    node.materialization === "incremental" &&
    state.exists &&
    state.kind === "table" &&
    state.location !== undefined
  );
}

/** What {@link catalogPlanInput} needs of the run besides the inputs check's context. */
export interface PlanInputContext extends InputsContext {
  writeId: string;
  /** The models whose raw hours a reconciliation checks (they record them as pending). */
  reconciled?: ReadonlySet<string>;
}

/**
 * A table node's plan input on a catalog engine, from the state read before it: whether its
 * inputs changed (the raw hours upstream listed once per run, the versions of the tables it
 * reads), and what the version it writes records (`sluice_version`, `sluice_inputs`, the hours
 * pending reconciliation, the newest raw hour listed as its watermark). `build` and
 * `build --dry-run` plan with it alike.
 */
export async function catalogPlanInput(
  node: CompiledNode,
  ctx: PlanInputContext,
  engine: Pick<CatalogEngine, "describeRelation" | "listRawHours">,
  existing: RelationInfo,
  state: CatalogState,
): Promise<{ input: PlanInput; check: InputsCheck; from: string }> {
  const incremental = writesIncrementally(node, state);
  const from = incremental ? windowStart(node, state) : NO_WATERMARK;
  const windowed = node.materialization === "incremental" && usesWindow(node);
  const lookback = windowed ? lookbackHours(node.config as Record<string, unknown>) : undefined;
  const check = await checkInputs(node, ctx, engine, existing, from, lookback);
  const pending = node.materialization === "incremental" && ctx.reconciled?.has(node.id) === true;
  const rawUpstream = node.materialization === "incremental" && (ctx.rawSources?.size ?? 0) > 0;
  const rawWatermark = newestHour(check.raw);
  const input: PlanInput = {
    fullRefresh: ctx.fullRefresh,
    writeId: ctx.writeId,
    state,
    ...(check.current === undefined ? {} : { inputs: check.current }),
    ...(check.selectInputs === undefined ? {} : { selectInputs: check.selectInputs }),
    ...(rawUpstream && rawWatermark !== undefined ? { rawWatermark } : {}),
    recorded: {
      ...versionParameters(check, ctx.writeId),
      ...(pending ? { [PENDING_PARAMETER]: from } : {}),
    },
  };
  return { input, check, from };
}
