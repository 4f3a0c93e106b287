import type { ShopEvent } from "./schema.js";

/**
 * Splices pre-serialized nested objects into an event's JSON. The simulation serializes a
 * session's customer and session objects (and an order) once and reuses the text for every
 * event of the session, which is several times faster than JSON.stringify per event.
 */
export function composeEventJson(
  e: ShopEvent,
  customerJson: string,
  sessionJson: string,
  productJson: string | undefined,
  orderJson: string | undefined,
): string {
  let s =
    '{"event_id":"' + e.event_id +
    '","event_type":"' + e.event_type +
    '","event_timestamp":"' + e.event_timestamp +
    '","session_id":"' + e.session_id +
    '","customer":' + customerJson +
    ',"session":' + sessionJson;
  if (productJson !== undefined) s += ',"product":' + productJson;
  if (e.quantity !== undefined) s += ',"quantity":' + e.quantity;
  if (orderJson !== undefined) s += ',"order":' + orderJson;
  if (e.payment !== undefined) s += ',"payment":{"method":"' + e.payment.method + '"}';
  return s + "}";
}

/**
 * The event as one JSON line (no newline), in contract key order; the same text as
 * `JSON.stringify(event)` for events built in that order, as the simulation builds them.
 *
 * @example
 * const line = eventToJson(event) + "\n";
 */
export function eventToJson(e: ShopEvent): string {
  const json = (o: object | undefined) => (o === undefined ? undefined : JSON.stringify(o));
  return composeEventJson(e, JSON.stringify(e.customer), JSON.stringify(e.session), json(e.product), json(e.order));
}
