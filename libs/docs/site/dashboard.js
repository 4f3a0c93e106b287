// The seed's dashboard: five views over the marts' rows (window.SLUICE_DASHBOARD, queried on the
// chosen target when the site was generated), one date range applied to all of them. Money is
// summed in integer cents from the marts' DECIMAL text, so totals are exact.
(function () {
  "use strict";
  const data = window.SLUICE_DASHBOARD;
  const $ = (id) => document.getElementById(id);
  const esc = (s) =>
    String(s ?? "").replace(
      /[&<>"']/g,
      (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c],
    );
  const view = (id) => document.querySelector(`#${id} .view`);
  const cents = (v) => (v === null || v === undefined ? 0 : Math.round(Number(v) * 100));
  const money = (c) => (c / 100).toFixed(2);
  const num = (v) => (v === null || v === undefined ? 0 : Number(v));
  const day = (v) => String(v).slice(0, 10);
  const hour = (v) =>
    new Date(
      String(v)
        .replace(" ", "T")
        .replace(/(\.\d+)?$/, "Z"),
    );

  $("meta").textContent = data ? `target ${data.target} · queried ${data.generatedAt}` : "";
  if (!data || data.error) {
    $("notice").textContent =
      data?.error ?? "no dashboard data: run sluice docs generate after a build";
    return;
  }
  const marts = data.marts;
  const dateOf = {
    sales_by_country: (r) => day(r.order_date),
    hourly_sales_by_category: (r) => day(r.order_date),
    customer_lifetime_value: (r) => day(r.order_date),
    funnel: (r) => day(r.event_date),
    channel_performance: (r) => day(r.event_date),
  };
  const dates = Object.entries(marts).flatMap(([m, rows]) => rows.map(dateOf[m]));
  const first = dates.reduce((a, b) => (b < a ? b : a), dates[0] ?? "");
  const last = dates.reduce((a, b) => (b > a ? b : a), dates[0] ?? "");
  for (const input of [$("from"), $("to")]) Object.assign(input, { min: first, max: last });
  $("from").value = first;
  $("to").value = last;

  /** Rows of a mart in the chosen range, grouped by `key`, with `sum` of the listed columns. */
  function rollup(mart, key, money_, counts) {
    const from = $("from").value || first;
    const to = $("to").value || last;
    const groups = new Map();
    for (const r of marts[mart] ?? []) {
      const d = dateOf[mart](r);
      if (d < from || d > to) continue;
      const k = key(r);
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { key: k, row: r, rows: 0 }));
      g.rows++;
      for (const c of money_) g[c] = (g[c] ?? 0) + cents(r[c]);
      for (const c of counts) g[c] = (g[c] ?? 0) + num(r[c]);
    }
    return [...groups.values()];
  }

  // ISO 3166-1 alpha-3 → numeric (world-atlas ids), from i18n-iso-countries' codes.
  const numericOf = new Map(window.SLUICE_ISO.map(([, a3, n]) => [a3, n]));
  const world = window.topojson.feature(
    window.SLUICE_WORLD,
    window.SLUICE_WORLD.objects.countries,
  ).features;

  function heatmap() {
    const rows = rollup(
      "sales_by_country",
      (r) => r.country_iso3 ?? r.country,
      ["revenue"],
      ["orders"],
    );
    const byNumeric = new Map(rows.map((g) => [numericOf.get(g.key), g]));
    const shown = world.filter((f) => byNumeric.has(f.id));
    const missing = rows.filter((g) => !world.some((f) => f.id === numericOf.get(g.key)));
    const chart = Plot.plot({
      projection: "equal-earth",
      width: 640,
      color: { type: "sqrt", scheme: "blues", legend: true, label: "Revenue (USD)" },
      marks: [
        Plot.geo(world, { fill: "#eee", stroke: "#fff", strokeWidth: 0.5 }),
        Plot.geo(shown, {
          fill: (f) => byNumeric.get(f.id).revenue / 100,
          stroke: "#fff",
          strokeWidth: 0.5,
          title: (f) => {
            const g = byNumeric.get(f.id);
            return `${g.row.country} (${g.key}): revenue ${money(g.revenue)}, ${g.orders} orders`;
          },
        }),
      ],
    });
    const el = view("global_sales_heatmap");
    el.replaceChildren(chart);
    // The data mark's paths, in the order of `shown`: tagged for tests and readers.
    const paths = chart.querySelectorAll('g[aria-label="geo"]:last-of-type path');
    paths.forEach((p, i) => {
      const g = byNumeric.get(shown[i].id);
      p.setAttribute("data-iso3", g.key);
      p.setAttribute("data-revenue", money(g.revenue));
    });
    if (missing.length)
      el.insertAdjacentHTML(
        "beforeend",
        `<p class="muted" data-testid="not-on-map">Not on the map (too small at 1:110m): ${missing.map((g) => `${esc(g.row.country)} ${money(g.revenue)}`).join(", ")}</p>`,
      );
    return rows;
  }

  function hourly() {
    const rows = rollup(
      "hourly_sales_by_category",
      (r) => `${r.order_hour}|${r.category}`,
      ["revenue"],
      ["orders"],
    ).map((g) => ({
      hour: hour(g.row.order_hour),
      category: g.row.category,
      revenue: g.revenue / 100,
    }));
    rows.sort((a, b) => a.hour - b.hour);
    view("hourly_sales_trend").replaceChildren(
      Plot.plot({
        width: 640,
        x: { type: "utc", label: "Hour (UTC)" },
        y: { grid: true, label: "Revenue (USD)" },
        color: { legend: true },
        marks: [
          Plot.lineY(rows, { x: "hour", y: "revenue", stroke: "category" }),
          Plot.dot(rows, {
            x: "hour",
            y: "revenue",
            fill: "category",
            r: 1.5,
            title: (d) => `${d.category} ${d.hour.toISOString()}: ${d.revenue.toFixed(2)}`,
          }),
        ],
      }),
    );
  }

  let clvSort = { key: "order_value", desc: true };
  function clv() {
    const rows = rollup(
      "customer_lifetime_value",
      (r) => String(r.customer_id),
      ["order_value"],
      ["orders", "units"],
    );
    const { key, desc } = clvSort;
    rows.sort(
      (a, b) =>
        (key === "key" ? Number(a.key) - Number(b.key) : a[key] - b[key]) * (desc ? -1 : 1) ||
        Number(a.key) - Number(b.key),
    );
    const head = [
      ["key", "Customer"],
      ["country", "Country"],
      ["orders", "Orders"],
      ["units", "Units"],
      ["order_value", "Value (USD)"],
    ];
    view("customer_lifetime_value_table").innerHTML = `<table data-testid="clv"><tr>${head
      .map(([k, t]) => `<th data-sort="${k}">${t}${k === key ? (desc ? " ▼" : " ▲") : ""}</th>`)
      .join("")}</tr>${rows
      .slice(0, 25)
      .map(
        (g) =>
          `<tr data-customer="${esc(g.key)}"><td>${esc(g.key)}</td><td>${esc(g.row.country)}</td><td>${g.orders}</td><td>${g.units}</td><td>${money(g.order_value)}</td></tr>`,
      )
      .join("")}</table><p class="muted">${rows.length} customers in range</p>`;
    for (const th of view("customer_lifetime_value_table").querySelectorAll("th[data-sort]"))
      th.addEventListener("click", () => {
        clvSort = {
          key: th.dataset.sort,
          desc: clvSort.key === th.dataset.sort ? !clvSort.desc : true,
        };
        clv();
      });
  }

  function funnel() {
    const rows = rollup("funnel", (r) => num(r.stage_order), [], ["events", "sessions"]).sort(
      (a, b) => a.key - b.key,
    );
    const stages = rows.map((g, i) => ({
      stage: g.row.stage,
      order: g.key,
      sessions: g.sessions,
      events: g.events,
      conversion: i === 0 || rows[i - 1].sessions === 0 ? null : g.sessions / rows[i - 1].sessions,
    }));
    const el = view("ecommerce_funnel");
    el.replaceChildren(
      Plot.plot({
        width: 640,
        marginLeft: 120,
        x: { grid: true, label: "Sessions" },
        y: { domain: stages.map((s) => s.stage), label: null },
        marks: [
          Plot.barX(stages, {
            x: "sessions",
            y: "stage",
            fill: "#2e6fbd",
            title: (s) => `${s.stage}: ${s.sessions} sessions`,
          }),
          Plot.text(stages, {
            x: "sessions",
            y: "stage",
            text: (s) =>
              s.conversion === null
                ? `${s.sessions}`
                : `${s.sessions} (${(s.conversion * 100).toFixed(1)}%)`,
            dx: 4,
            textAnchor: "start",
          }),
        ],
      }),
    );
    el.insertAdjacentHTML(
      "beforeend",
      `<table data-testid="funnel"><tr><th>Stage</th><th>Sessions</th><th>Events</th><th>Conversion from previous</th></tr>${stages
        .map(
          (s) =>
            `<tr data-stage="${esc(s.stage)}" data-sessions="${s.sessions}"><td>${esc(s.stage)}</td><td>${s.sessions}</td><td>${s.events}</td><td>${s.conversion === null ? "" : (s.conversion * 100).toFixed(1) + "%"}</td></tr>`,
        )
        .join("")}</table>`,
    );
    return stages;
  }

  function channels() {
    const rows = rollup(
      "channel_performance",
      (r) => r.channel,
      ["revenue"],
      ["sessions", "converted_sessions", "orders"],
    ).sort((a, b) => b.revenue - a.revenue);
    const el = view("marketing_channel_performance");
    el.replaceChildren(
      Plot.plot({
        width: 640,
        y: { grid: true, label: "Revenue (USD)" },
        marks: [
          Plot.barY(rows, {
            x: "key",
            y: (g) => g.revenue / 100,
            fill: "#13795b",
            title: (g) => `${g.key}: revenue ${money(g.revenue)}, ${g.orders} orders`,
            sort: { x: "-y" },
          }),
        ],
      }),
    );
    el.insertAdjacentHTML(
      "beforeend",
      `<table data-testid="channels"><tr><th>Channel</th><th>Sessions</th><th>Orders</th><th>Revenue (USD)</th><th>Conversion</th></tr>${rows
        .map(
          (g) =>
            `<tr data-channel="${esc(g.key)}"><td>${esc(g.key)}</td><td>${g.sessions}</td><td>${g.orders}</td><td>${money(g.revenue)}</td><td>${g.sessions ? ((g.converted_sessions / g.sessions) * 100).toFixed(1) + "%" : ""}</td></tr>`,
        )
        .join("")}</table>`,
    );
    return rows;
  }

  function render() {
    const countries = heatmap();
    hourly();
    clv();
    funnel();
    const byChannel = channels();
    const revenue = countries.reduce((s, g) => s + g.revenue, 0);
    const orders = byChannel.reduce((s, g) => s + g.orders, 0);
    const sessions = byChannel.reduce((s, g) => s + g.sessions, 0);
    $("kpi-revenue").textContent = `Revenue ${money(revenue)}`;
    $("kpi-revenue").dataset.value = money(revenue);
    $("kpi-orders").textContent = `Orders ${orders}`;
    $("kpi-orders").dataset.value = String(orders);
    $("kpi-sessions").textContent = `Sessions ${sessions}`;
    $("kpi-sessions").dataset.value = String(sessions);
  }

  $("from").addEventListener("change", render);
  $("to").addEventListener("change", render);
  $("all").addEventListener("click", () => {
    $("from").value = first;
    $("to").value = last;
    render();
  });
  render();
  window.SLUICE_DASHBOARD_READY = true;
})();
