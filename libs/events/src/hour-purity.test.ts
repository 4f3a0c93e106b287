import { describe, expect, it } from "vitest";
import { simulateEvents } from "./simulate.js";

const HOUR_MS = 3_600_000;

/** A session's lines (its events' exact JSON) and the instant of its first event. */
interface SessionLines {
  firstMs: number;
  lines: string[];
}

/** Events of a window (seed 11, 300 events an hour on average) by session. */
function window(
  start: string,
  hours: number,
): { ids: Set<string>; sessions: Map<string, SessionLines> } {
  const ids = new Set<string>();
  const sessions = new Map<string, SessionLines>();
  const config = { seed: 11, start: new Date(start), hours, events: 300 * hours };
  for (const batch of simulateEvents(config)) {
    for (const { event, json } of batch) {
      ids.add(event.event_id);
      const at = Date.parse(event.event_timestamp);
      const s = sessions.get(event.session_id) ?? { firstMs: at, lines: [] };
      s.firstMs = Math.min(s.firstMs, at);
      s.lines.push(json);
      sessions.set(event.session_id, s);
    }
  }
  for (const s of sessions.values()) s.lines.sort();
  return { ids, sessions };
}

/**
 * The sessions of `w` started in [fromMs, toMs). A session's first event comes 0-999 ms after
 * it starts, so one whose first event falls in the first second of `fromMs` or `toMs` could
 * belong to either hour: those are returned apart, as `unsure`.
 */
function startedIn(w: ReturnType<typeof window>, fromMs: number, toMs: number) {
  const sure = new Map<string, SessionLines>();
  const unsure = new Set<string>();
  for (const [id, s] of w.sessions) {
    if (
      (s.firstMs >= fromMs && s.firstMs < fromMs + 1000) ||
      (s.firstMs >= toMs && s.firstMs < toMs + 1000)
    )
      unsure.add(id);
    else if (s.firstMs >= fromMs && s.firstMs < toMs) sure.set(id, s);
  }
  return { sure, unsure };
}

const at = (iso: string) => Date.parse(iso);

describe("events are a pure function of (seed, absolute hour)", () => {
  // A: two days; B: the next day; C: the last 12 hours of A and the first 12 of B.
  const a = window("2025-12-01T00:00:00Z", 48);
  const b = window("2025-12-03T00:00:00Z", 24);
  const c = window("2025-12-02T12:00:00Z", 24);

  it("never repeats an event id across windows of different hours", () => {
    expect(a.ids.size).toBeGreaterThan(12_000);
    expect([...b.ids].filter((id) => a.ids.has(id))).toEqual([]);
    // The case: a week, then the hour after it, with the same seed.
    const week = window("2025-12-01T00:00:00Z", 168);
    const next = window("2025-12-08T00:00:00Z", 1);
    expect(next.ids.size).toBeGreaterThan(100);
    expect([...next.ids].filter((id) => week.ids.has(id))).toEqual([]);
  });

  it("repeats every session of an hour byte for byte in an overlapping window", () => {
    for (const [whole, from, to] of [
      [a, at("2025-12-02T12:00:00Z"), at("2025-12-03T00:00:00Z")],
      [b, at("2025-12-03T00:00:00Z"), at("2025-12-03T12:00:00Z")],
    ] as const) {
      const inWhole = startedIn(whole, from, to);
      const inC = startedIn(c, from, to);
      expect(inWhole.sure.size).toBeGreaterThan(400);
      expect(inWhole.unsure.size).toBeLessThan(5);
      for (const id of inWhole.unsure) inC.sure.delete(id);
      for (const id of inC.unsure) inWhole.sure.delete(id);
      expect([...inC.sure.keys()].sort()).toEqual([...inWhole.sure.keys()].sort());
      for (const [id, s] of inWhole.sure) expect(c.sessions.get(id)!.lines).toEqual(s.lines);
    }
    // Ids C shares with A or B are exactly those of the sessions of the hours they share.
    const shared = [...c.ids].filter((id) => a.ids.has(id) || b.ids.has(id));
    expect(shared).toHaveLength(c.ids.size);
  });

  it("keeps sessions that run over an hour boundary whole, in the window of their first hour", () => {
    const hourOf = (ms: number) => Math.floor(ms / HOUR_MS);
    const spanning = [...c.sessions].filter(([, s]) =>
      s.lines.some((l) => hourOf(Date.parse(JSON.parse(l).event_timestamp)) > hourOf(s.firstMs)),
    );
    expect(spanning.length).toBeGreaterThan(20);
    for (const [id, s] of spanning) {
      const other = s.firstMs < at("2025-12-03T00:00:00Z") ? a : b;
      expect(other.sessions.get(id)?.lines).toEqual(s.lines);
    }
    const boundary = at("2025-12-02T18:00:00Z");
    // A window that starts at the boundary has none of them, not even their later events.
    const later = window("2025-12-02T18:00:00Z", 6);
    const before = spanning.filter(
      ([, s]) => s.firstMs < boundary && hourOf(s.firstMs) === hourOf(boundary) - 1,
    );
    for (const [id] of before) expect(later.sessions.has(id)).toBe(false);
    // The same customer is the same in every window (same id, same country, city and email).
    const customers = new Map<number, string>();
    for (const w of [a, b, c, later])
      for (const s of w.sessions.values()) {
        const customer = JSON.stringify(JSON.parse(s.lines[0]!).customer);
        const id = JSON.parse(customer).customer_id as number;
        expect(customers.get(id) ?? customer).toBe(customer);
        customers.set(id, customer);
      }
  });

  it("refuses a window that does not start at a whole hour", () => {
    const config = { seed: 1, start: new Date("2025-12-01T00:30:00Z"), hours: 1, events: 10 };
    expect(() => [...simulateEvents(config)]).toThrow(/not at a whole hour/);
  });
});
