import type { Exposure } from "@sluice/project";
import type { DiagnosticBag } from "../diagnostic-bag.js";
import type { CompiledExposure } from "../types.js";
import type { NameIndex } from "./name-index.js";

/**
 * Resolve each exposure's `depends_on` to node ids; a ref or source that names nothing is an
 * UNKNOWN_REF / UNKNOWN_SOURCE diagnostic at the item (the exposure keeps the others).
 *
 * @example resolveExposures([{ name: "sales", dependsOn: [{ ref: "funnel", at }], ... }], index, bag)
 * // [{ name: "sales", dependsOn: ["model.funnel"], ... }]
 */
export function resolveExposures(
  exposures: readonly Exposure[],
  index: NameIndex,
  bag: DiagnosticBag,
): CompiledExposure[] {
  return exposures.map(({ dependsOn, ...exposure }) => {
    const ids: string[] = [];
    for (const d of dependsOn) {
      const id = "ref" in d ? index.ref(d.ref, d.at) : index.source(d.source[0], d.source[1], d.at);
      if (typeof id === "string") ids.push(id);
      else if (id) bag.add(id);
    }
    return { ...exposure, id: `exposure.${exposure.name}`, dependsOn: ids };
  });
}
