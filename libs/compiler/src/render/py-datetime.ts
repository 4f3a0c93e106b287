import { splitArgs } from "./kwargs.js";
import { callableWithMembers } from "./python-methods.js";

/**
 * Python's `datetime` values as dbt templates use them (`run_started_at`,
 * `modules.datetime`): str/isoformat/strftime, the fields, `date()`, `timestamp()`, and the
 * arithmetic with `timedelta` (`run_started_at - modules.datetime.timedelta(days=1)`, wired into
 * templates' `-` and `+` by python-operators.ts). Times are UTC; a naive datetime (`now()`) is
 * UTC wall time without an offset.
 */

const DAY_MS = 86_400_000;
const DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

function integer(name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v))
    throw new TypeError(`datetime: ${name} must be an integer, not ${String(v)}`);
  return v;
}

/** Python's `timedelta`: a duration in whole microseconds (ms precision kept here). */
export class PyTimedelta {
  constructor(readonly ms: number) {}
  get days(): number {
    return Math.floor(this.ms / DAY_MS);
  }
  get seconds(): number {
    return Math.floor((this.ms - this.days * DAY_MS) / 1000);
  }
  get microseconds(): number {
    return Math.round((this.ms - this.days * DAY_MS - this.seconds * 1000) * 1000);
  }
  total_seconds(): number {
    return this.ms / 1000;
  }
  valueOf(): number {
    return this.ms;
  }
  /** Python's str: `1 day, 2:03:04`, `-1 day, 23:59:59`, `0:00:01.500000`. */
  toString(): string {
    const days = this.days;
    const s = this.seconds;
    const clock = `${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
    const fraction = this.microseconds === 0 ? "" : `.${pad(this.microseconds, 6)}`;
    const dayPart = days === 0 ? "" : `${days} day${Math.abs(days) === 1 ? "" : "s"}, `;
    return `${dayPart}${clock}${fraction}`;
  }
}

/** Python's `date`: a calendar day (held as its UTC midnight). */
export class PyDate {
  constructor(private readonly at: () => Date) {}
  /** The day as a Date at UTC midnight. */
  protected get d(): Date {
    return this.at();
  }
  get year(): number {
    return this.d.getUTCFullYear();
  }
  get month(): number {
    return this.d.getUTCMonth() + 1;
  }
  get day(): number {
    return this.d.getUTCDate();
  }
  /** Monday 0 ... Sunday 6. */
  weekday(): number {
    return (this.d.getUTCDay() + 6) % 7;
  }
  isoweekday(): number {
    return this.weekday() + 1;
  }
  isoformat(): string {
    return `${pad(this.year, 4)}-${pad(this.month)}-${pad(this.day)}`;
  }
  strftime(format: unknown): string {
    return strftime(this.d, String(format), null);
  }
  valueOf(): number {
    return this.d.getTime();
  }
  toString(): string {
    return this.isoformat();
  }
}

/**
 * Python's `datetime`: aware (`tz`, "UTC" or an IANA zone: str ends `+00:00`, `+01:00`) or naive
 * (UTC wall time). Its instant is read from `instant` when first used, not when made:
 * `run_started_at` is in every template's context, and only a template that reads it depends
 * on the invocation's clock (see dbt-context.ts).
 */
export class PyDateTime extends PyDate {
  constructor(
    private readonly instant: () => Date,
    readonly tz: string | null,
  ) {
    super(() => wallTime(instant(), tz));
  }
  /** A datetime at a fixed instant. */
  static at(d: Date, tz: string | null): PyDateTime {
    const fixed = new Date(d.getTime());
    return new PyDateTime(() => fixed, tz);
  }
  get hour(): number {
    return this.d.getUTCHours();
  }
  get minute(): number {
    return this.d.getUTCMinutes();
  }
  get second(): number {
    return this.d.getUTCSeconds();
  }
  get microsecond(): number {
    return this.d.getUTCMilliseconds() * 1000;
  }
  get tzinfo(): PyTimezone | null {
    return this.tz === null ? null : new PyTimezone(this.tz);
  }
  date(): PyDate {
    const d = this.d;
    const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
    return new PyDate(() => day);
  }
  /** Seconds since the epoch (a naive datetime is taken as UTC). */
  timestamp(): number {
    return this.instant().getTime() / 1000;
  }
  /** The same instant in another zone (`modules.pytz.timezone('Europe/Berlin')`, or a name). */
  astimezone(tz: unknown): PyDateTime {
    return PyDateTime.at(this.instant(), zoneName(tz ?? "UTC"));
  }
  override isoformat(sep: unknown = "T"): string {
    const fraction = this.microsecond === 0 ? "" : `.${pad(this.microsecond, 6)}`;
    const time = `${pad(this.hour)}:${pad(this.minute)}:${pad(this.second)}${fraction}`;
    const zone = this.tz === null ? "" : offsetText(offsetOf(this.instant(), this.tz), ":");
    return `${super.isoformat()}${String(sep)}${time}${zone}`;
  }
  override strftime(format: unknown): string {
    const zone =
      this.tz === null
        ? null
        : {
            offset: offsetOf(this.instant(), this.tz),
            name: zoneAbbreviation(this.instant(), this.tz),
          };
    return strftime(this.d, String(format), zone);
  }
  /** Python's `replace(hour=0, ...)`: the same datetime with the named fields changed. */
  replace(...args: unknown[]): PyDateTime {
    const { kwargs } = splitArgs(args);
    const field = (name: string, now: number) =>
      kwargs[name] === undefined ? now : integer(name, kwargs[name]);
    const wall = Date.UTC(
      field("year", this.year),
      field("month", this.month) - 1,
      field("day", this.day),
      field("hour", this.hour),
      field("minute", this.minute),
      field("second", this.second),
      Math.floor(field("microsecond", this.microsecond) / 1000),
    );
    return PyDateTime.at(fromWallTime(wall, this.tz), this.tz);
  }
  override valueOf(): number {
    return this.instant().getTime();
  }
  override toString(): string {
    return this.isoformat(" ");
  }
}

/** A time zone as `modules.pytz.timezone(name)` gives it: `.zone`, and str its name. */
export class PyTimezone {
  constructor(readonly zone: string) {}
  /** pytz's `tz.localize(naive)`: the naive datetime's wall time, in this zone. */
  localize(naive: unknown): PyDateTime {
    if (!(naive instanceof PyDateTime) || naive.tz !== null)
      throw new TypeError("localize: a naive datetime is required");
    return PyDateTime.at(fromWallTime(naive.valueOf(), this.zone), this.zone);
  }
  toString(): string {
    return this.zone;
  }
}

/** A zone's name from a PyTimezone or a string; an unknown zone is pytz's error. */
function zoneName(tz: unknown): string {
  const name = tz instanceof PyTimezone ? tz.zone : String(tz);
  formatterOf(name);
  return name;
}

const WALL_FIELDS: Intl.DateTimeFormatOptions = {
  hourCycle: "h23",
  year: "numeric",
  month: "numeric",
  day: "numeric",
  hour: "numeric",
  minute: "numeric",
  second: "numeric",
};
const formatters = new Map<string, Intl.DateTimeFormat>();
/**
 * A zone's formatter (made once): of its wall-time fields, or with `locale`, of its
 * abbreviation in that locale. An unknown zone is pytz's error.
 */
function formatterOf(zone: string, locale?: string): Intl.DateTimeFormat {
  const key = `${zone}\0${locale ?? ""}`;
  let f = formatters.get(key);
  if (f === undefined) {
    try {
      f =
        locale === undefined
          ? new Intl.DateTimeFormat("en-US", { timeZone: zone, ...WALL_FIELDS })
          : new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: "short" });
    } catch {
      throw new Error(`UnknownTimeZoneError: '${zone}' (an IANA name, e.g. 'Europe/Berlin')`);
    }
    formatters.set(key, f);
  }
  return f;
}

/** Minutes the zone is ahead of UTC at an instant. */
function offsetOf(d: Date, zone: string): number {
  if (zone === "UTC") return 0;
  const parts = Object.fromEntries(
    formatterOf(zone)
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(
    Number(parts["year"]),
    Number(parts["month"]) - 1,
    Number(parts["day"]),
    Number(parts["hour"]),
    Number(parts["minute"]),
    Number(parts["second"]),
  );
  return Math.round((wall - (d.getTime() - d.getUTCMilliseconds())) / 60_000);
}

/**
 * The zone's abbreviation at an instant (`EST`, `CET`, `BST`, `AEDT`, `IST`) from the English
 * locales whose ICU data names it, else the offset as tzdata writes it (`+03`, `+0530`).
 */
function zoneAbbreviation(d: Date, zone: string): string {
  if (zone === "UTC") return "UTC";
  for (const locale of ["en-US", "en-GB", "en-AU", "en-IN"]) {
    const name = formatterOf(zone, locale)
      .formatToParts(d)
      .find((p) => p.type === "timeZoneName")?.value;
    if (name !== undefined && !/^GMT[+-]/.test(name)) return name;
  }
  const offset = offsetOf(d, zone);
  return offsetText(offset, "").replace(/00$/, "");
}

/** The wall time of an instant in a zone, as a Date whose UTC fields are that wall time. */
function wallTime(d: Date, zone: string | null): Date {
  return zone === null ? d : new Date(d.getTime() + offsetOf(d, zone) * 60_000);
}

/** The instant a zone's wall time (ms as if UTC) names (the offset of the nearer instant). */
function fromWallTime(wall: number, zone: string | null): Date {
  if (zone === null) return new Date(wall);
  const guess = wall - offsetOf(new Date(wall), zone) * 60_000;
  return new Date(wall - offsetOf(new Date(guess), zone) * 60_000);
}

/** `+01:00` (`sep` ":") or `+0100`. */
function offsetText(minutes: number, sep: string): string {
  const sign = minutes < 0 ? "-" : "+";
  const m = Math.abs(minutes);
  return `${sign}${pad(Math.floor(m / 60))}${sep}${pad(m % 60)}`;
}

/**
 * Python's strftime over a wall time (a Date whose UTC fields are it) and its zone (none: naive);
 * an unknown directive is an error, never passed through.
 */
function strftime(d: Date, format: string, zone: { offset: number; name: string } | null): string {
  const weekday = (d.getUTCDay() + 6) % 7;
  const hour12 = d.getUTCHours() % 12 || 12;
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const dayOfYear = Math.floor((d.getTime() - yearStart) / DAY_MS) + 1;
  const directives: Record<string, () => string> = {
    a: () => DAYS[weekday]!.slice(0, 3),
    A: () => DAYS[weekday]!,
    w: () => String(d.getUTCDay()),
    u: () => String(weekday + 1),
    d: () => pad(d.getUTCDate()),
    b: () => MONTHS[d.getUTCMonth()]!.slice(0, 3),
    B: () => MONTHS[d.getUTCMonth()]!,
    m: () => pad(d.getUTCMonth() + 1),
    y: () => pad(d.getUTCFullYear() % 100),
    Y: () => pad(d.getUTCFullYear(), 4),
    H: () => pad(d.getUTCHours()),
    I: () => pad(hour12),
    p: () => (d.getUTCHours() < 12 ? "AM" : "PM"),
    M: () => pad(d.getUTCMinutes()),
    S: () => pad(d.getUTCSeconds()),
    f: () => pad(d.getUTCMilliseconds() * 1000, 6),
    z: () => (zone ? offsetText(zone.offset, "") : ""),
    Z: () => zone?.name ?? "",
    j: () => pad(dayOfYear, 3),
    "%": () => "%",
  };
  return format.replace(/%(.?)/g, (_, c: string) => {
    const directive = directives[c];
    if (!directive)
      throw new Error(
        `strftime: unsupported directive '%${c}' (supported: %${Object.keys(directives).join(" %")})`,
      );
    return directive();
  });
}

/** Python's `timedelta(days=1, hours=2, ...)` (positional: days, seconds, microseconds). */
export function timedelta(...args: unknown[]): PyTimedelta {
  const { positional, kwargs } = splitArgs(args);
  const [days = 0, seconds = 0, microseconds = 0] = positional as number[];
  const units: Record<string, number> = {
    weeks: 7 * DAY_MS,
    days: DAY_MS,
    hours: 3_600_000,
    minutes: 60_000,
    seconds: 1000,
    milliseconds: 1,
    microseconds: 0.001,
  };
  let ms = Number(days) * DAY_MS + Number(seconds) * 1000 + Number(microseconds) / 1000;
  for (const [name, value] of Object.entries(kwargs)) {
    const unit = units[name];
    if (unit === undefined)
      throw new TypeError(
        `timedelta: unexpected keyword '${name}' (${Object.keys(units).join(", ")})`,
      );
    if (typeof value !== "number") throw new TypeError(`timedelta: ${name} must be a number`);
    ms += value * unit;
  }
  return new PyTimedelta(ms);
}

/**
 * Python's `datetime - timedelta`, `datetime - datetime`, `date - date` (and numbers as
 * JavaScript subtracts them); `undefined` when neither side is a datetime value.
 */
export function datetimeSub(left: unknown, right: unknown): unknown {
  if (left instanceof PyDate && right instanceof PyTimedelta) return shifted(left, -right.ms);
  if (left instanceof PyDate && right instanceof PyDate)
    return new PyTimedelta(left.valueOf() - right.valueOf());
  if (left instanceof PyTimedelta && right instanceof PyTimedelta)
    return new PyTimedelta(left.ms - right.ms);
  return undefined;
}

/** Python's `datetime + timedelta` (either order), `timedelta + timedelta`; else undefined. */
export function datetimeAdd(left: unknown, right: unknown): unknown {
  if (left instanceof PyDate && right instanceof PyTimedelta) return shifted(left, right.ms);
  if (left instanceof PyTimedelta && right instanceof PyDate) return shifted(right, left.ms);
  if (left instanceof PyTimedelta && right instanceof PyTimedelta)
    return new PyTimedelta(left.ms + right.ms);
  return undefined;
}

function shifted(value: PyDate, ms: number): PyDate {
  const d = new Date(value.valueOf() + ms);
  if (value instanceof PyDateTime) return PyDateTime.at(d, value.tz);
  // A date moves by whole days.
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  return new PyDate(() => day);
}

/**
 * `modules.datetime` for templates: `datetime.now()`/`utcnow()` and `date.today()` read
 * `clock` (the invocation's start, recorded by the caller: a compile whose templates read it is
 * not reused by a later invocation); `datetime(...)`, `date(...)`, `timedelta(...)` construct.
 */
export function datetimeModule(clock: () => Date): Record<string, unknown> {
  const datetime = callableWithMembers(
    (...args: unknown[]) => {
      const { positional } = splitArgs(args);
      const [y, m, d, h = 0, mi = 0, s = 0, us = 0] = positional.map((v, i) =>
        integer(["year", "month", "day", "hour", "minute", "second", "microsecond"][i]!, v),
      );
      if (y === undefined || m === undefined || d === undefined)
        throw new TypeError("datetime(year, month, day[, hour, minute, second, microsecond])");
      return PyDateTime.at(new Date(Date.UTC(y, m - 1, d, h, mi, s, Math.floor(us / 1000))), null);
    },
    {
      now: () => PyDateTime.at(clock(), null),
      utcnow: () => PyDateTime.at(clock(), null),
      fromisoformat: (text: unknown) => PyDateTime.at(parseIso(String(text)), null),
    },
  );
  const date = callableWithMembers(
    (y: unknown, m: unknown, d: unknown) => {
      const day = new Date(
        Date.UTC(integer("year", y), integer("month", m) - 1, integer("day", d)),
      );
      return new PyDate(() => day);
    },
    {
      today: () => PyDateTime.at(clock(), null).date(),
      fromisoformat: (text: unknown) => PyDateTime.at(parseIso(String(text)), null).date(),
    },
  );
  return { datetime, date, timedelta, timezone: { utc: new PyTimezone("UTC") } };
}

/** `modules.pytz`: `timezone(name)`, `utc`/`UTC` (for `astimezone` and `localize`). */
export function pytzModule(): Record<string, unknown> {
  const utc = new PyTimezone("UTC");
  return { timezone: (name: unknown) => new PyTimezone(zoneName(name)), utc, UTC: utc };
}

function parseIso(text: string): Date {
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(" ", "T")}Z`);
  if (Number.isNaN(d.getTime()))
    throw new Error(`fromisoformat: invalid isoformat string '${text}'`);
  return d;
}
