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

type Kwargs = Record<string, unknown>;
/** nunjucks passes keyword arguments as a last object marked `__keywords`. */
function splitArgs(args: unknown[]): { positional: unknown[]; kwargs: Kwargs } {
  const last = args.at(-1);
  if (typeof last === "object" && last !== null && (last as Kwargs).__keywords === true) {
    const { __keywords: _, ...kwargs } = last as Kwargs;
    return { positional: args.slice(0, -1), kwargs };
  }
  return { positional: args, kwargs: {} };
}

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
 * Python's `datetime`, UTC-aware (`tz` "UTC": str ends `+00:00`) or naive. Its time is read from
 * `at` when first used, not when made: `run_started_at` is in every template's context, and only
 * a template that reads it depends on the invocation's clock (see dbt-context.ts).
 */
export class PyDateTime extends PyDate {
  constructor(
    at: () => Date,
    readonly tz: "UTC" | null,
  ) {
    super(at);
  }
  /** A datetime at a fixed instant. */
  static at(d: Date, tz: "UTC" | null): PyDateTime {
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
  get tzinfo(): string | null {
    return this.tz;
  }
  date(): PyDate {
    const d = this.d;
    const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
    return new PyDate(() => day);
  }
  /** Seconds since the epoch (a naive datetime is taken as UTC). */
  timestamp(): number {
    return this.d.getTime() / 1000;
  }
  override isoformat(sep: unknown = "T"): string {
    const fraction = this.microsecond === 0 ? "" : `.${pad(this.microsecond, 6)}`;
    const time = `${pad(this.hour)}:${pad(this.minute)}:${pad(this.second)}${fraction}`;
    return `${super.isoformat()}${String(sep)}${time}${this.tz ? "+00:00" : ""}`;
  }
  override strftime(format: unknown): string {
    return strftime(this.d, String(format), this.tz);
  }
  /** Python's `replace(hour=0, ...)`: the same datetime with the named fields changed. */
  replace(...args: unknown[]): PyDateTime {
    const { kwargs } = splitArgs(args);
    const field = (name: string, now: number) =>
      kwargs[name] === undefined ? now : integer(name, kwargs[name]);
    const d = new Date(
      Date.UTC(
        field("year", this.year),
        field("month", this.month) - 1,
        field("day", this.day),
        field("hour", this.hour),
        field("minute", this.minute),
        field("second", this.second),
        Math.floor(field("microsecond", this.microsecond) / 1000),
      ),
    );
    return PyDateTime.at(d, this.tz);
  }
  override toString(): string {
    return this.isoformat(" ");
  }
}

/** Python's strftime over a UTC time; an unknown directive is an error, never passed through. */
function strftime(d: Date, format: string, tz: "UTC" | null): string {
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
    z: () => (tz ? "+0000" : ""),
    Z: () => tz ?? "",
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
  return { datetime, date, timedelta };
}

function parseIso(text: string): Date {
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(" ", "T")}Z`);
  if (Number.isNaN(d.getTime()))
    throw new Error(`fromisoformat: invalid isoformat string '${text}'`);
  return d;
}
