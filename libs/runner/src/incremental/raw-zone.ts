import type { CompiledNode } from "@sluice/compiler";
import type { RawZone } from "@sluice/engines";

/**
 * The raw zone a source node reads (its `external` location, laid out by event type when it
 * declares event types); undefined for a node that is not a raw source.
 *
 * @example rawZoneOf(sourceNode) // { location: "/abs/models/.lake/raw/events", eventTypes: ["order_paid"] }
 */
export function rawZoneOf(node: CompiledNode): RawZone | undefined {
  if (node.kind !== "source" || node.location === undefined) return undefined;
  return { location: node.location, ...(node.eventTypes ? { eventTypes: node.eventTypes } : {}) };
}

/** Each zone once (by location), in the order of their locations. */
export function distinctZones(zones: Iterable<RawZone>): RawZone[] {
  const byLocation = new Map<string, RawZone>();
  for (const zone of zones) if (!byLocation.has(zone.location)) byLocation.set(zone.location, zone);
  return [...byLocation.values()].sort((a, b) => (a.location < b.location ? -1 : 1));
}
