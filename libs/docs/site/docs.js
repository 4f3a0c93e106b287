// The docs site: one page, hash routes (#/node/<id>, #/search/<text>, #/exposure/<name>),
// reading window.SLUICE_DOCS (assets/data.js), so it works from file:// with no server. The
// index holds what the first view, the tree and the graph read: ids, names, types and
// dependencies of sources, seeds and models. Loaded on demand, by <script> (file:// blocks
// fetch): tests and rules with every node's description and columns (assets/search.js) on the
// first search, a test's page or the tree's test list; a node's details (description, columns,
// last result, SQL, config, lineage, its tests) from its shard (assets/nodes/<k>.js) when its
// page opens; the lineage graph (assets/lineage-graph.js) when a column is traced. A
// 10,000-model site (20,000 tests) opens reading 339 KB instead of 4.25 MB.
(function () {
  "use strict";
  const data = window.SLUICE_DOCS;
  // Indexes built in one pass, appending in place: at 10,000 models a source read by every
  // staging model has 1,000 children, and copying its list on each append cost ~0.6 s of load.
  const byId = new Map();
  const position = new Map();
  const children = new Map();
  const append = (map, key, value) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  const counts = new Map(Object.entries(data.counts)); // nodes per type, tests included
  // Index entries are [id, dependsOn (positions, or ids), name if not the id without its type].
  const ids = data.nodes.map((e) => e[0]);
  const nodes = data.nodes.map(([id, deps, name], i) => {
    const type = id.slice(0, id.indexOf("."));
    const dependsOn = deps.map((d) => (typeof d === "number" ? ids[d] : d));
    const n = { id, type, name: name ?? id.slice(type.length + 1), dependsOn };
    byId.set(id, n);
    position.set(id, i);
    for (const d of dependsOn) append(children, d, id);
    return n;
  });
  for (const e of data.exposures) for (const d of e.dependsOn) append(children, d, e.id);

  // Scripts loaded on demand (<script> works from file://, fetch does not): each sets a global.
  const scripts = new Map();
  function loadGlobal(src, name) {
    if (window[name]) return Promise.resolve(window[name]);
    if (!scripts.has(src))
      scripts.set(
        src,
        new Promise((resolve, reject) => {
          const s = document.createElement("script");
          s.src = src;
          s.onload = () => resolve(window[name]);
          s.onerror = () => {
            scripts.delete(src);
            reject(new Error(`could not load ${src}`));
          };
          document.head.appendChild(s);
        }),
      );
    return scripts.get(src);
  }
  /** Tests and rules and what search reads of every node (assets/search.js, loaded once). */
  const loadSearch = () => loadGlobal("assets/search.js", "SLUICE_SEARCH");
  /** A test's or rule's entry of the search data: its name (id `test.<name>`) or [id, name]. */
  const testEntry = (e) =>
    typeof e === "string" ? { id: `test.${e}`, name: e } : { id: e[0], name: e[1] };
  /** A test or rule as the index would hold it (found in the search data), or undefined. */
  async function testNode(id) {
    const s = await loadSearch();
    const lists = [
      ["test", s.tests, 0],
      ["rule", s.rules, s.tests.length],
    ];
    for (const [type, list, offset] of lists) {
      const j = list.findIndex((e) => testEntry(e).id === id);
      if (j < 0) continue;
      const n = { ...testEntry(list[j]), type, dependsOn: [] };
      byId.set(id, n);
      position.set(id, data.nodes.length + offset + j);
      return n;
    }
    return undefined;
  }
  async function detailsOf(id) {
    const i = position.get(id);
    const k = Math.floor(i / data.shardSize);
    const shard = await loadGlobal(`assets/nodes/${k}.js`, `SLUICE_SHARD_${k}`);
    return shard[i % data.shardSize];
  }
  const lineageGraph = () => loadGlobal("assets/lineage-graph.js", "SLUICE_LINEAGE_GRAPH");
  const exposures = new Map(data.exposures.map((e) => [e.id, e]));

  const esc = (s) =>
    String(s ?? "").replace(
      /[&<>"']/g,
      (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c],
    );
  const $ = (id) => document.getElementById(id);
  const link = (id, text) => `<a href="#/node/${encodeURIComponent(id)}">${esc(text ?? id)}</a>`;
  const label = (id) =>
    exposures.has(id) ? exposures.get(id).label || exposures.get(id).name : id;
  const href = (id) =>
    exposures.has(id) ? `#/exposure/${encodeURIComponent(id)}` : `#/node/${encodeURIComponent(id)}`;

  // Search index: one lower-cased string of every node's id, description and columns (then the
  // exposures'), entries split by NUL; a word is found with indexOf over it, its entry by binary
  // search over where entries start. Built on the first search, from assets/search.js: no object
  // per entry (30,000 at 10,000 models), nodes and their columns decoded only for hits.
  let index;
  async function searchIndex() {
    if (index) return index;
    const s = await loadSearch();
    const parts = [];
    const add = (id, p) => {
      let text = id;
      const description = s.descriptions[p];
      if (description) text += "\n" + description;
      for (const c of s.columns[p] ?? []) text += "\n" + (typeof c === "string" ? c : c.join("\n"));
      parts.push(text);
    };
    nodes.forEach((n, p) => add(n.id, p));
    let p = nodes.length;
    for (const e of [...s.tests, ...s.rules]) add(testEntry(e).id, p++);
    for (const e of data.exposures)
      parts.push([e.id, e.label, e.description].filter(Boolean).join("\n"));
    const text = parts.join("\0").toLowerCase();
    const starts = [0];
    for (let i = text.indexOf("\0"); i >= 0; i = text.indexOf("\0", i + 1)) starts.push(i + 1);
    index = { s, text, starts, positions: p };
    return index;
  }

  /** The node (or exposure) of search entry `k`, with its description. */
  function subject({ s, positions }, k) {
    if (k < nodes.length) return { n: nodes[k], description: s.descriptions[k] };
    if (k < positions) {
      const j = k - nodes.length;
      const type = j < s.tests.length ? "test" : "rule";
      const e = type === "test" ? s.tests[j] : s.rules[j - s.tests.length];
      return { n: { ...testEntry(e), type }, description: s.descriptions[k] };
    }
    const e = data.exposures[k - positions];
    return { n: { id: e.id, name: e.name, type: "exposure" }, description: e.description };
  }

  /** The columns search data holds for position `p`, as `{ name, description }`. */
  const columnsAt = (p) =>
    (window.SLUICE_SEARCH.columns[p] ?? []).map((c) =>
      typeof c === "string" ? { name: c } : { name: c[0], description: c[1] },
    );

  async function search(q) {
    const words = q.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length === 0) return [];
    const idx = await searchIndex();
    const { text, starts } = idx;
    const hits = [];
    for (let at = text.indexOf(words[0]); at >= 0 && hits.length < 200;) {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= at) lo = mid;
        else hi = mid - 1;
      }
      const end = lo + 1 < starts.length ? starts[lo + 1] - 1 : text.length;
      const entry = text.slice(starts[lo], end);
      if (words.every((w) => entry.includes(w))) {
        const { n, description } = subject(idx, lo);
        const rank = words.every((w) => n.name.toLowerCase().includes(w)) ? 0 : 1;
        const columns = columnsAt(lo < idx.positions ? lo : -1).filter((c) =>
          words.every((w) => `${c.name}\n${c.description || ""}`.toLowerCase().includes(w)),
        );
        hits.push({ n, rank, columns, description });
      }
      at = text.indexOf(words[0], end + 1);
    }
    return hits.sort((a, b) => a.rank - b.rank || a.n.id.localeCompare(b.n.id));
  }

  function renderTree() {
    const groups = [
      ["Sources", "source"],
      ["Seeds", "seed"],
      ["Models", "model"],
      ["Tests", "test"],
      ["DQDL rules", "rule"],
    ];
    const html = groups.map(([title, type]) => {
      const n = counts.get(type) || 0;
      const open = n > 0 && n <= 300 && type !== "test" && type !== "rule";
      return `<details data-type="${type}" ${open ? "open" : ""}><summary>${title} (${n})</summary><div></div></details>`;
    });
    html.push(
      `<details open><summary>Exposures (${data.exposures.length})</summary><div>${data.exposures
        .map((e) => `<a href="${href(e.id)}">${esc(e.label || e.name)}</a>`)
        .join("")}</div></details>`,
    );
    $("tree").innerHTML = html.join("");
    // Lists fill when opened: a 10,000-model project draws only what is looked at.
    for (const d of $("tree").querySelectorAll("details[data-type]")) {
      const type = d.dataset.type;
      const fill = async () => {
        if (d.dataset.filled) return;
        d.dataset.filled = "1";
        const tested = type === "test" || type === "rule";
        const s = tested ? await loadSearch() : undefined;
        d.lastElementChild.innerHTML = tested
          ? (type === "test" ? s.tests : s.rules)
              .map((e) => {
                const t = testEntry(e);
                return link(t.id, t.name);
              })
              .join("")
          : nodes
              .filter((n) => n.type === type)
              .map((n) => link(n.id, n.type === "source" ? n.id.slice(7) : n.name))
              .join("");
      };
      const fillOrSay = () =>
        fill().catch((e) => {
          delete d.dataset.filled;
          d.lastElementChild.textContent = e.message;
          console.error(e);
        });
      if (d.open) fillOrSay();
      d.addEventListener("toggle", fillOrSay);
    }
  }

  function lastResult(r) {
    if (!r) return '<span class="muted">not run</span>';
    const parts = [`<b class="status-${esc(r.status)}">${esc(r.status)}</b>`, esc(r.message)];
    if (r.rows !== undefined) parts.push(`${r.rows.toLocaleString("en-US")} rows`);
    if (r.dq && r.dq.metric !== undefined) parts.push(`metric ${r.dq.metric}`);
    if (r.elapsed_ms !== undefined) parts.push(`${(r.elapsed_ms / 1000).toFixed(2)} s`);
    if (r.bytes_scanned !== undefined)
      parts.push(`${r.bytes_scanned.toLocaleString("en-US")} bytes scanned`);
    if (r.cost_usd !== undefined) parts.push(`$${r.cost_usd.toPrecision(2)}`);
    if (r.run_started_at) parts.push(`<span class="muted">run ${esc(r.run_started_at)}</span>`);
    return parts.join(" · ");
  }

  // Layered neighbourhood of a node: up to 2 levels each way, at most 12 nodes per layer.
  function graphSvg(id) {
    const layers = new Map([[0, [id]]]);
    const walk = (dir) => {
      let frontier = [id];
      const seen = new Set([id]);
      for (let depth = 1; depth <= 2 && frontier.length; depth++) {
        const next = [];
        for (const f of frontier) {
          const near =
            dir < 0
              ? (byId.get(f)?.dependsOn ?? exposures.get(f)?.dependsOn ?? [])
              : (children.get(f) ?? []);
          for (const x of near)
            if (!seen.has(x)) {
              seen.add(x);
              next.push(x);
            }
        }
        layers.set(dir * depth, next);
        frontier = next;
      }
    };
    walk(-1);
    walk(1);
    const keys = [...layers.keys()].filter((k) => layers.get(k).length).sort((a, b) => a - b);
    const W = 190,
      H = 26,
      GX = 60,
      GY = 10,
      MAX = 12;
    const pos = new Map();
    let height = 0;
    const boxes = [];
    keys.forEach((k, col) => {
      const ids = layers.get(k);
      const shown = ids.slice(0, MAX);
      shown.forEach((x, row) => {
        const p = { x: col * (W + GX) + 10, y: row * (H + GY) + 10 };
        pos.set(x, p);
        const name = label(x).replace(/^(model|seed|source|exposure)\./, "");
        boxes.push(
          `<a href="${href(x)}"><g class="node${x === id ? " current" : ""}" data-id="${esc(x)}"><rect x="${p.x}" y="${p.y}" width="${W}" height="${H}" rx="4"></rect><text x="${p.x + 6}" y="${p.y + 17}">${esc(name.length > 28 ? name.slice(0, 27) + "…" : name)}</text><title>${esc(x)}</title></g></a>`,
        );
      });
      if (ids.length > MAX)
        boxes.push(
          `<text x="${col * (W + GX) + 10}" y="${MAX * (H + GY) + 24}" class="muted">+${ids.length - MAX} more</text>`,
        );
      height = Math.max(height, Math.min(ids.length, MAX + 1) * (H + GY) + 20);
    });
    const edges = [];
    for (const [x, p] of pos) {
      const parents = byId.get(x)?.dependsOn ?? exposures.get(x)?.dependsOn ?? [];
      for (const d of parents) {
        const q = pos.get(d);
        if (!q) continue;
        const x1 = q.x + W,
          y1 = q.y + H / 2,
          x2 = p.x,
          y2 = p.y + H / 2;
        edges.push(
          `<path class="edge" d="M${x1},${y1} C${x1 + GX / 2},${y1} ${x2 - GX / 2},${y2} ${x2},${y2}"></path>`,
        );
      }
    }
    const width = keys.length * (W + GX) + 20;
    return `<div class="graph" data-testid="model-graph"><svg width="${width}" height="${height}">${edges.join("")}${boxes.join("")}</svg></div>`;
  }

  // Column lineage: libs/lineage's traceColumn (assets/lineage.js) over target/lineage.json.
  function columnLineage(graph, nodeId, column) {
    const traceColumn = (start, direction) =>
      window.SLUICE_LINEAGE.traceColumn(graph, start, direction);
    const own = graph.nodes[nodeId]?.columns.find((c) => c.column === column);
    const list = (steps) =>
      steps.length === 0
        ? '<p class="muted">none</p>'
        : `<ul>${steps
            .map(
              (s) =>
                `<li style="margin-left:${(s.depth - 1) * 16}px" data-column="${esc(s.column.node + "." + s.column.column)}">${link(s.column.node, s.column.node.replace(/^[a-z]+\./, ""))}.<b>${esc(s.column.column)}</b> <span class="t">${esc(s.transform)} via ${esc(s.via.column)}</span></li>`,
            )
            .join("")}</ul>`;
    const how = own
      ? `<p>${esc(column)}: <b>${esc(own.transform)}</b>${own.reason ? ` (${esc(own.reason)})` : ""}</p>`
      : "";
    return `<div class="lineage" data-testid="column-lineage"><h2>Column lineage: ${esc(column)}</h2>${how}<h3>Upstream</h3>${list(
      traceColumn({ node: nodeId, column }, "upstream"),
    )}<h3>Downstream</h3>${list(traceColumn({ node: nodeId, column }, "downstream"))}</div>`;
  }

  function nodePage(n, d, lineagePanel) {
    const id = n.id;
    const lin = d.lineage;
    const cols = d.columns.length
      ? `<table data-testid="columns"><tr><th>Column</th><th>Type</th><th>Description</th><th>Lineage</th></tr>${d.columns
          .map((c) => {
            const l = lin?.columns.find((x) => x.column === c.name.toLowerCase());
            const from = l
              ? `${esc(l.transform)}${l.from.length ? ` from ${l.from.map((f) => esc(f.node.replace(/^[a-z]+\./, "") + "." + f.column)).join(", ")}` : ""}`
              : "";
            const btn =
              lin || n.type === "source" || n.type === "seed"
                ? `<button class="col" data-col="${esc(c.name.toLowerCase())}">${esc(c.name)}</button>`
                : esc(c.name);
            return `<tr><td>${btn}</td><td>${esc(c.type ?? "")}</td><td>${esc(c.description ?? "")}</td><td>${from}</td></tr>`;
          })
          .join("")}</table>`
      : '<p class="muted">no columns known (build the target for catalog columns)</p>';
    const tests = d.tests
      .map(
        (t) =>
          `<tr><td>${link(t.id, t.name)}</td><td>${esc(t.ruleText ?? t.type)}</td><td>${lastResult(t.last)}</td></tr>`,
      )
      .join("");
    const config = Object.keys(d.config).length
      ? `<pre>${esc(JSON.stringify(d.config, null, 2))}</pre>`
      : '<p class="muted">defaults</p>';
    return `
      <h1><span class="kind">${esc(n.type)}</span>${esc(n.id)}</h1>
      <p>${esc(d.description ?? "")}</p>
      <p class="muted">${esc(d.path)}${d.relation ? ` · ${esc(d.relation)}` : ""} · ${esc(d.materialization)}${d.tags.length ? ` · tags ${esc(d.tags.join(", "))}` : ""}</p>
      ${d.attachedTo ? `<p>Tests ${link(d.attachedTo)}</p>` : ""}
      ${d.ruleText ? `<p>Rule <code>${esc(d.ruleText)}</code></p>` : ""}
      <h2>Last run</h2><p data-testid="last-result">${lastResult(d.last)}</p>
      <h2>Columns</h2>${cols}
      <div id="column-panel">${lineagePanel}</div>
      ${tests ? `<h2>Tests and rules</h2><table data-testid="tests"><tr><th>Test</th><th>What</th><th>Last result</th></tr>${tests}</table>` : ""}
      <h2>Lineage</h2>${graphSvg(id)}
      <h2>Config</h2>${config}
      ${d.sql ? `<h2>Compiled SQL (${esc(data.target)})</h2><pre>${esc(d.sql)}</pre>` : ""}`;
  }

  function exposurePage(id) {
    const e = exposures.get(id);
    if (!e) return `<h1>Not found</h1>`;
    return `<h1><span class="kind">exposure</span>${esc(e.label || e.name)}</h1>
      <p>${esc(e.description ?? "")}</p>
      <p class="muted">${esc(e.type)} · owner ${esc(e.owner.name ?? "")} ${esc(e.owner.email ?? "")}${e.url ? ` · <a href="${esc(e.url)}">${esc(e.url)}</a>` : ""}</p>
      <h2>Depends on</h2><ul>${e.dependsOn.map((d) => `<li>${link(d)}</li>`).join("")}</ul>
      <h2>Lineage</h2>${graphSvg(id)}`;
  }

  function home() {
    const count = (t) => counts.get(t) || 0;
    const s = data.stats;
    return `<h1>${esc(data.project)}</h1>
      <p>${count("source")} sources · ${count("seed")} seeds · ${count("model")} models · ${count("test")} tests · ${count("rule")} DQDL rules · ${data.exposures.length} exposures</p>
      <p>Column lineage: ${s.resolved} of ${s.columns} model columns resolved, ${s.unknown} unknown.</p>
      <p>${data.lastRun ? `Last run: ${esc(data.lastRun.command)} on ${esc(data.lastRun.target)} at ${esc(data.lastRun.started_at)}` : "No run yet."}</p>
      <h2>Exposures</h2><ul>${data.exposures.map((e) => `<li><a href="${href(e.id)}">${esc(e.label || e.name)}</a> <span class="muted">${esc(e.description ?? "")}</span></li>`).join("")}</ul>`;
  }

  async function searchPage(q) {
    const hits = await search(q);
    return `<h1>Search: ${esc(q)}</h1><ol class="results" data-testid="search-results">${hits
      .map(
        (h) =>
          `<li><a href="${href(h.n.id)}">${esc(h.n.id)}</a> <span class="muted">${esc(h.description ?? "")}</span>${h.columns
            .map(
              (c) =>
                `<div data-column="${esc(h.n.id + "." + c.name)}">column <a href="#/node/${encodeURIComponent(h.n.id)}/${encodeURIComponent(c.name)}">${esc(c.name)}</a>: ${esc(c.description ?? "")}</div>`,
            )
            .join("")}</li>`,
      )
      .join("")}</ol>${hits.length === 0 ? '<p class="muted">no match</p>' : ""}`;
  }

  /** A node page, once its details (and, for a column, the lineage graph) have loaded. */
  async function nodeRoute(id, column, current) {
    // Tests and rules are not in the index: their entries come with the search data.
    const n = byId.get(id) ?? (id.startsWith("test.") ? await testNode(id) : undefined);
    if (!n) return `<h1>Not found</h1><p>${esc(id)}</p>`;
    const [d, graph] = await Promise.all([detailsOf(id), column ? lineageGraph() : undefined]);
    if (d.dependsOn) n.dependsOn = d.dependsOn; // a test's: its graph reads them
    if (!current()) return undefined;
    return nodePage(n, d, column ? columnLineage(graph, id, column) : "");
  }

  let routes = 0;
  async function route() {
    const seq = ++routes;
    const current = () => seq === routes;
    const hash = decodeURIComponent(location.hash.slice(1));
    const [, kind, ...rest] = hash.split("/");
    let html;
    if (kind === "node") html = await nodeRoute(rest[0], rest[1], current);
    else if (kind === "exposure") html = exposurePage(rest[0]);
    else if (kind === "search") html = await searchPage(rest.join("/"));
    else html = home();
    if (html === undefined || !current()) return;
    $("main").innerHTML = html;
    // For tests and benchmarks: the route on show, set once its page is drawn.
    document.body.dataset.route = location.hash;
    window.dispatchEvent(new Event("sluice:rendered"));
    for (const b of document.querySelectorAll("button.col"))
      b.addEventListener("click", async () => {
        const graph = await lineageGraph();
        if (current()) $("column-panel").innerHTML = columnLineage(graph, rest[0], b.dataset.col);
      });
  }
  const show = () =>
    route().catch((e) => {
      $("main").innerHTML = `<h1>Could not show this page</h1><p>${esc(e.message)}</p>`;
      console.error(e);
    });

  $("meta").textContent = `${data.project} · target ${data.target} · generated ${data.generatedAt}`;
  let timer;
  // Focusing the box starts loading the search data, before the first keystroke needs it.
  // (A failure here shows on the search that needs the data: loadGlobal forgets it, to retry.)
  $("search").addEventListener("focus", () => loadSearch().catch(() => {}), { once: true });
  $("search").addEventListener("input", (e) => {
    clearTimeout(timer);
    const q = e.target.value.trim();
    timer = setTimeout(() => (location.hash = q ? `#/search/${encodeURIComponent(q)}` : "#/"), 120);
  });
  window.addEventListener("hashchange", show);
  renderTree();
  show().then(() => (window.SLUICE_DOCS_READY = true));
})();
