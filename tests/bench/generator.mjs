// Budgets (issue #5):
//   - local sink: >= 250,000 events/s on one core, and >= 10x a naive faker-per-field generator of
//     the same event shape, measured in the same run;
//   - firehose sink against the local endpoint: >= 50,000 records/s;
//   - kinesis sink against the local endpoint (issue #18): >= 50,000 records/s;
//   - RSS under 200 MB while generating 10 million events.
//
// Run `npx nx run generator:build` first: this imports the built dist under plain node.
//
// "One core": every measurement runs in its own child process. Throughput is events per second
// of CPU time of that whole process (process.cpuUsage: user + system, all threads, so the gzip
// work on libuv's pool counts too), which is what one core sustains if it does everything. The
// child is also pinned to CPU 0 with `taskset` when available and UV_THREADPOOL_SIZE=1, so the
// wall-clock figure printed next to it is a one-core wall figure (noisier: other helpers share
// the machine). Each throughput is the median of BENCH_RUNS runs (default 3).
//
// The Firehose figure is wall clock (records accepted by the endpoint / elapsed): the endpoint
// runs in a second child process, as Firehose would be another machine.
//
// Env: BENCH_EVENTS (events per local run, default 1,000,000), BENCH_NAIVE_EVENTS (default
// 100,000), BENCH_FIREHOSE_EVENTS (default 500,000), BENCH_MEMORY_EVENTS (default 10,000,000),
// BENCH_RUNS (default 3), BENCH_GZIP_LEVEL (the level for the local-sink figure; default: the
// generator's default, what `sluice generate` uses),
// BENCH_MEMORY_NODE_FLAGS (node flags for the memory child, e.g. "--max-old-space-size=128" to
// measure with the heap cap a deployment would set; default none: V8 then grows its heap lazily,
// to ~4x the live size, before it collects),
// BENCH_ONLY (comma-separated sections: local, firehose, kinesis, memory), BENCH_CONCURRENCY (PutRecordBatch
// calls in flight; default 8, the CLI's `--concurrency` default in apps/generator/src/options.ts).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

const self = fileURLToPath(import.meta.url);
const START = "2026-11-27T00:00:00Z";
const HOURS = 24;
const num = (name, dflt) => Number(process.env[name] ?? dflt);

// ---------------------------------------------------------------- children

function tmpLake() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-genbench-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function measured(fn) {
  return async (...args) => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const result = await fn(...args);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return { ...result, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
  };
}

function send(result) {
  process.stdout.write(JSON.stringify(result) + "\n");
}

async function childLocal({ events, gzip, gzipLevel }) {
  const { generate } = await import("@sluice/generator");
  const lake = tmpLake();
  try {
    // Warm up the JIT on a small run so a short measured run is not mostly compilation.
    await generate({
      events: 20_000,
      start: START,
      hours: 1,
      seed: 7,
      sink: "local",
      lakeDir: lake.dir,
      gzip,
      gzipLevel,
    });
    const run = measured(() =>
      generate({
        events,
        start: START,
        hours: HOURS,
        seed: 42,
        sink: "local",
        lakeDir: lake.dir,
        gzip,
        gzipLevel,
      }),
    );
    const r = await run();
    send({
      events: r.events,
      rawBytes: r.output.rawBytes,
      storedBytes: r.output.storedBytes,
      wallMs: r.wallMs,
      cpuMs: r.cpuMs,
    });
  } finally {
    lake.cleanup();
  }
}

/**
 * The naive baseline: the same event shape (sessions of the same funnel, same fields and key
 * order), every field drawn with a faker call, JSON.stringify per event, the same local sink.
 */
async function childNaive({ events, gzip, gzipLevel }) {
  const { faker } = await import("@faker-js/faker");
  const { createLocalSink } = await import("@sluice/generator");
  faker.seed(42);
  const startMs = Date.parse(START);
  const endMs = startMs + HOURS * 3_600_000;
  const types = ["product_view", "add_to_cart", "checkout_started", "order_paid"];
  const channels = [
    "organic_search",
    "paid_search",
    "social",
    "email",
    "direct",
    "referral",
    "affiliate",
  ];
  const devices = ["desktop", "mobile", "tablet"];
  const methods = ["card", "paypal", "apple_pay", "gift_card"];
  const naiveEvent = () => {
    const event_type = faker.helpers.arrayElement(types);
    const e = {
      event_id: faker.string.uuid(),
      event_type,
      event_timestamp: faker.date.between({ from: startMs, to: endMs }).toISOString(),
      session_id: faker.string.uuid(),
      customer: {
        customer_id: faker.number.int({ min: 1001, max: 100_000 }),
        country: faker.location.country(),
        city: faker.location.city(),
        email: faker.internet.email().toLowerCase(),
        signup_date: faker.date.past({ years: 3, refDate: startMs }).toISOString().slice(0, 10),
      },
      session: {
        channel: faker.helpers.arrayElement(channels),
        device: faker.helpers.arrayElement(devices),
        utm_campaign: faker.helpers.maybe(() => faker.lorem.slug(2), { probability: 0.5 }),
      },
    };
    if (event_type === "product_view" || event_type === "add_to_cart") {
      e.product = {
        product_id: faker.number.int({ min: 101, max: 160 }),
        product_name: faker.commerce.productName(),
        category: faker.commerce.department(),
        price: Number(faker.commerce.price({ min: 5, max: 300 })),
      };
      if (event_type === "add_to_cart") e.quantity = faker.number.int({ min: 1, max: 3 });
    } else {
      const items = Array.from({ length: faker.number.int({ min: 1, max: 3 }) }, () => ({
        product_id: faker.number.int({ min: 101, max: 160 }),
        product_name: faker.commerce.productName(),
        category: faker.commerce.department(),
        quantity: faker.number.int({ min: 1, max: 3 }),
        unit_price: Number(faker.commerce.price({ min: 5, max: 300 })),
      }));
      const total = items.reduce((s, i) => s + i.quantity * i.unit_price, 0);
      e.order = {
        order_id: faker.string.uuid(),
        currency: "USD",
        order_total: Math.round(total * 100) / 100,
        items,
      };
      if (event_type === "order_paid") e.payment = { method: faker.helpers.arrayElement(methods) };
    }
    return e;
  };
  const lake = tmpLake();
  try {
    const run = measured(async () => {
      const sink = createLocalSink(lake.dir, {
        stream: "sluice-events",
        gzip,
        gzipLevel,
        seed: 42,
      });
      let arrivalMs = startMs;
      const step = (endMs - startMs) / events;
      for (let done = 0; done < events;) {
        const records = [];
        for (let i = 0; i < 1000 && done < events; i++, done++) {
          arrivalMs += step;
          records.push({
            data: JSON.stringify(naiveEvent()) + "\n",
            arrivalMs: Math.floor(arrivalMs),
          });
        }
        await sink.write(records);
      }
      const out = await sink.close();
      return { events, rawBytes: out.rawBytes, storedBytes: out.storedBytes };
    });
    send(await run());
  } finally {
    lake.cleanup();
  }
}

async function childEndpoint({ gzip }) {
  const { startFirehoseLocal } = await import("@sluice/generator");
  const lake = tmpLake();
  const fh = await startFirehoseLocal({ lakeDir: lake.dir, port: 0, gzip });
  const cpu0 = process.cpuUsage();
  send({ url: fh.url });
  // The parent closes stdin when the generator is done: flush, report, exit.
  process.stdin.resume();
  process.stdin.on("end", async () => {
    await fh.close();
    const cpu = process.cpuUsage(cpu0);
    send({
      stats: fh.stats,
      records: fh.output.records,
      objects: fh.output.objects,
      linesOnDisk: linesOnDisk(lake.dir),
      cpuMs: (cpu.user + cpu.system) / 1000,
    });
    lake.cleanup();
    process.exit(0);
  });
}

/** Newline-terminated lines in every object under `dir`, counted from the bytes on disk. */
function linesOnDisk(dir) {
  let lines = 0;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || e.name.startsWith(".")) continue;
    const bytes = readFileSync(path.join(e.parentPath ?? e.path, e.name));
    const raw = e.name.endsWith(".gz") ? gunzipSync(bytes) : bytes;
    for (let i = raw.indexOf(10); i >= 0; i = raw.indexOf(10, i + 1)) lines++;
  }
  return lines;
}

/** The firehose or kinesis sink against the local endpoint (`sink`). */
async function childFirehose({ events, url, concurrency, sink = "firehose" }) {
  const { generate } = await import("@sluice/generator");
  const opts = {
    start: START,
    hours: HOURS,
    seed: 42,
    sink,
    endpointUrl: url,
    stream: "sluice-events",
    concurrency,
  };
  const warm = await generate({ ...opts, events: 10_000, hours: 1 });
  const run = measured(() => generate({ ...opts, events }));
  const r = await run();
  send({
    events: r.events,
    warmupSent: warm.output[sink].sent,
    firehose: r.output[sink],
    wallMs: r.wallMs,
    cpuMs: r.cpuMs,
  });
}

async function childMemory({ events, gzip }) {
  const { generate } = await import("@sluice/generator");
  const lake = tmpLake();
  let peakRss = 0;
  const samples = [];
  const sample = () => {
    const rss = process.memoryUsage.rss();
    if (rss > peakRss) peakRss = rss;
  };
  const timer = setInterval(sample, 20);
  try {
    const t0 = performance.now();
    await generate({
      events,
      start: START,
      hours: HOURS,
      seed: 42,
      sink: "local",
      lakeDir: lake.dir,
      gzip,
      onProgress: (p) => {
        sample();
        // RSS at each tenth of the run, to see whether it is flat or growing.
        if (samples.length < Math.floor((p.events / p.total) * 10))
          samples.push(Math.round(process.memoryUsage.rss() / 2 ** 20));
      },
    });
    clearInterval(timer);
    sample();
    let hwm;
    try {
      hwm = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1]) * 1024;
    } catch {
      hwm = undefined;
    }
    send({ events, peakRss, hwm, samples, wallMs: performance.now() - t0 });
  } finally {
    clearInterval(timer);
    lake.cleanup();
  }
}

// ---------------------------------------------------------------- orchestration

const haveTaskset = spawnSync("taskset", ["-c", "0", "true"]).status === 0;

/** Runs one measurement in a fresh node process (pinned to one CPU when possible) and returns its result. */
function child(modeName, args, { pin = true, nodeFlags = [] } = {}) {
  const argv = [...nodeFlags, self, modeName, JSON.stringify(args)];
  const [cmd, cmdArgs] =
    pin && haveTaskset
      ? ["taskset", ["-c", "0", process.execPath, ...argv]]
      : [process.execPath, argv];
  const r = spawnSync(cmd, cmdArgs, {
    encoding: "utf8",
    env: { ...process.env, UV_THREADPOOL_SIZE: "1" },
    maxBuffer: 64 * 2 ** 20,
  });
  if (r.status !== 0)
    throw new Error(`${modeName} child exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n) => Math.round(n).toLocaleString("en-US");

function throughput(modeName, args, runs) {
  const results = Array.from({ length: runs }, () => child(modeName, args));
  const cpuRates = results.map((r) => r.events / (r.cpuMs / 1000));
  const wallRates = results.map((r) => r.events / (r.wallMs / 1000));
  return {
    cpu: median(cpuRates),
    wall: median(wallRates),
    all: cpuRates,
    bytesPerEvent: results[0].rawBytes / results[0].events,
    ratio: results[0].rawBytes / results[0].storedBytes,
  };
}

// The AWS SDK warns about node 20 on every start.
const quiet = { ...process.env, NODE_NO_WARNINGS: "1" };

async function firehoseRun(events, concurrency, sink = "firehose") {
  const endpoint = spawn(process.execPath, [self, "endpoint", JSON.stringify({ gzip: true })], {
    stdio: ["pipe", "pipe", "inherit"],
    env: quiet,
  });
  const lines = [];
  let buffered = "";
  const waiters = [];
  endpoint.stdout.setEncoding("utf8");
  endpoint.stdout.on("data", (chunk) => {
    buffered += chunk;
    let i;
    while ((i = buffered.indexOf("\n")) >= 0) {
      lines.push(JSON.parse(buffered.slice(0, i)));
      buffered = buffered.slice(i + 1);
      waiters.shift()?.();
    }
  });
  const nextLine = async () => {
    if (lines.length === 0) await new Promise((r) => waiters.push(r));
    return lines.shift();
  };
  const { url } = await nextLine();
  let gen;
  try {
    gen = await new Promise((resolve, reject) => {
      const p = spawn(
        process.execPath,
        [self, "firehose", JSON.stringify({ events, url, concurrency, sink })],
        { stdio: ["ignore", "pipe", "inherit"], env: quiet },
      );
      let out = "";
      p.stdout.on("data", (c) => (out += c));
      p.on("exit", (code) =>
        code === 0
          ? resolve(JSON.parse(out.trim().split("\n").pop()))
          : reject(new Error(`firehose child exited ${code}`)),
      );
    });
  } finally {
    endpoint.stdin.end();
  }
  const server = await nextLine();
  return { ...gen, server };
}

async function main() {
  const runs = num("BENCH_RUNS", 3);
  const events = num("BENCH_EVENTS", 1_000_000);
  const naiveEvents = num("BENCH_NAIVE_EVENTS", 100_000);
  const firehoseEvents = num("BENCH_FIREHOSE_EVENTS", 500_000);
  const memoryEvents = num("BENCH_MEMORY_EVENTS", 10_000_000);
  const { defaultGzipLevel } = await import("@sluice/generator");
  const gzipLevel = num("BENCH_GZIP_LEVEL", defaultGzipLevel);
  console.log(
    `\n## generator (one core = CPU time of a child process${haveTaskset ? " pinned to CPU 0" : ""}, UV_THREADPOOL_SIZE=1; medians of ${runs})`,
  );
  const row = (k, v) => console.log(`${k.padEnd(52)} ${v}`);

  const only = (section) =>
    !process.env.BENCH_ONLY || process.env.BENCH_ONLY.split(",").includes(section);
  if (only("local")) localSection(row, runs, events, naiveEvents, gzipLevel);
  if (only("firehose")) await firehoseSection(row, runs, firehoseEvents);
  if (only("kinesis")) await firehoseSection(row, runs, firehoseEvents, "kinesis");
  if (only("memory")) memorySection(row, memoryEvents);
}

function localSection(row, runs, events, naiveEvents, gzipLevel) {
  const plain = throughput("local", { events, gzip: false }, runs);
  const gz = throughput("local", { events, gzip: true, gzipLevel }, runs);
  const naivePlain = throughput("naive", { events: naiveEvents, gzip: false }, runs);
  const naiveGz = throughput("naive", { events: naiveEvents, gzip: true, gzipLevel }, runs);
  row("event size (bytes, mean JSON line)", plain.bytesPerEvent.toFixed(0));
  row(
    `local sink, no gzip: events/s (CPU) [wall]`,
    `${fmt(plain.cpu)} [${fmt(plain.wall)}]  runs: ${plain.all.map(fmt).join(", ")}`,
  );
  row(
    `local sink, gzip level ${gzipLevel}: events/s (CPU) [wall]`,
    `${fmt(gz.cpu)} [${fmt(gz.wall)}]  runs: ${gz.all.map(fmt).join(", ")}  (compression ${gz.ratio.toFixed(1)}x)`,
  );
  row(
    `naive faker, no gzip: events/s (CPU)`,
    `${fmt(naivePlain.cpu)}  (${naivePlain.bytesPerEvent.toFixed(0)} B/event)`,
  );
  row(`naive faker, gzip level ${gzipLevel}: events/s (CPU)`, fmt(naiveGz.cpu));
  // The budget compares generators: with the same uncompressed sink. With gzip both also pay
  // zlib (~2.2 µs an event at level 1, the same for both), which bounds the ratio.
  row(
    "ratio generator / naive, no gzip (budget >= 10x)",
    `${(plain.cpu / naivePlain.cpu).toFixed(1)}x`,
  );
  row(
    `ratio generator / naive, gzip ${gzipLevel} (both pay zlib)`,
    `${(gz.cpu / naiveGz.cpu).toFixed(1)}x`,
  );
  row(
    "budget local sink >= 250,000 events/s (no gzip | gzip)",
    `${plain.cpu >= 250_000 ? "met" : "NOT met"} | ${gz.cpu >= 250_000 ? "met" : "NOT met"}`,
  );
}

async function firehoseSection(row, runs, firehoseEvents, sink = "firehose") {
  const concurrency = num("BENCH_CONCURRENCY", 8);
  const budget = 50_000;

  const fhRates = [];
  const cpuPer100k = [];
  let last;
  for (let i = 0; i < runs; i++) {
    last = await firehoseRun(firehoseEvents, concurrency, sink);
    // Nothing lost: the lines in the objects on disk are every record the sink had accepted.
    const sent = last.firehose.sent + last.warmupSent;
    if (last.firehose.failed > 0 || last.server.linesOnDisk !== sent)
      throw new Error(`${sink} run lost records: ${JSON.stringify(last)}`);
    fhRates.push(last.firehose.sent / (last.wallMs / 1000));
    // Both processes' CPU (the endpoint's includes the warm-up's records), per 100k records.
    cpuPer100k.push(
      (last.cpuMs / last.firehose.sent + last.server.cpuMs / last.server.records) * 100,
    );
  }
  const rate = median(fhRates);
  row(
    `${sink} sink -> local endpoint, ${concurrency} in flight: records/s (wall)`,
    `${fmt(rate)}  runs: ${fhRates.map(fmt).join(", ")}  (${(rate / budget).toFixed(2)}x budget)`,
  );
  row(
    "  lines counted from the bytes on disk (last run)",
    `${fmt(last.server.linesOnDisk)} = ${fmt(last.firehose.sent + last.warmupSent)} accepted`,
  );
  row(
    "  CPU-seconds per 100k records, generator + endpoint",
    `${median(cpuPer100k).toFixed(2)}  runs: ${cpuPer100k.map((c) => c.toFixed(2)).join(", ")}`,
  );
  row(
    "  generator CPU / endpoint CPU per 1k records (ms)",
    `${((last.cpuMs / last.firehose.sent) * 1000).toFixed(1)} / ${((last.server.cpuMs / last.server.records) * 1000).toFixed(1)}`,
  );
  row(
    "  records/s both sides sustain on 2 idle cores (1 / max CPU per record)",
    fmt(
      1e6 /
        Math.max(last.cpuMs / last.firehose.sent, last.server.cpuMs / last.server.records) /
        1000,
    ),
  );
  const load = os.loadavg()[0];
  row(
    `budget ${sink} >= 50,000 records/s`,
    `${rate >= budget ? "met" : "NOT met"} (wall, on a shared machine: load average ${load.toFixed(1)} on ${os.availableParallelism()} CPUs)`,
  );
}

function memorySection(row, memoryEvents) {
  const nodeFlags = (process.env.BENCH_MEMORY_NODE_FLAGS ?? "").split(/\s+/).filter(Boolean);
  const mem = child("memory", { events: memoryEvents, gzip: true }, { pin: false, nodeFlags });
  row(
    `${fmt(mem.events)} events${nodeFlags.length ? ` (node ${nodeFlags.join(" ")})` : ""}: peak RSS MB (VmHWM MB)`,
    `${(mem.peakRss / 2 ** 20).toFixed(0)} (${mem.hwm ? (mem.hwm / 2 ** 20).toFixed(0) : "n/a"})  RSS by tenth: ${mem.samples.join(" ")}  in ${(mem.wallMs / 1000).toFixed(0)} s`,
  );
  row(
    "budget RSS < 200 MB",
    Math.max(mem.peakRss, mem.hwm ?? 0) < 200 * 2 ** 20 ? "met" : "NOT met",
  );
}

const mode = process.argv[2];
if (mode === "local") await childLocal(JSON.parse(process.argv[3]));
else if (mode === "naive") await childNaive(JSON.parse(process.argv[3]));
else if (mode === "endpoint") await childEndpoint(JSON.parse(process.argv[3]));
else if (mode === "firehose") await childFirehose(JSON.parse(process.argv[3]));
else if (mode === "memory") await childMemory(JSON.parse(process.argv[3]));
else await main();
