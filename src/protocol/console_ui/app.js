// stsd console. Every value shown comes from requests, so the DOM is built
// only with createElement and text nodes (never HTML parsed from data), and
// the page runs under a Content-Security-Policy without inline script.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const MAX_ROWS = 500;
const state = {
  token: sessionStorage.getItem("stsd-admin-token") || "",
  rows: [],            // request summaries, oldest first
  selected: "",        // request id shown in the detail pane
  lastSeq: 0,
  streamAbort: null,
  metrics: [],         // [{t, total, buckets}]
};

// ---- DOM helpers -----------------------------------------------------------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) append(node, child);
  return node;
}

function append(node, child) {
  if (child === null || child === undefined) return;
  if (Array.isArray(child)) { for (const c of child) append(node, c); return; }
  node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
}

function svg(tag, attrs) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, String(value));
  }
  return node;
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
function byId(id) { return document.getElementById(id); }

function kv(pairs) {
  const dl = el("dl", { class: "kv" });
  for (const [k, v] of pairs) {
    if (v === undefined || v === null || v === "") continue;
    dl.appendChild(el("dt", { text: k }));
    dl.appendChild(el("dd", { text: typeof v === "string" ? v : JSON.stringify(v) }));
  }
  return dl;
}

// ---- Admin token and requests ----------------------------------------------

function headers(extra) {
  const h = Object.assign({}, extra || {});
  if (state.token) h["Authorization"] = "Bearer " + state.token;
  return h;
}

function needToken(message) {
  byId("token-bar").hidden = false;
  byId("token-error").textContent = message || "";
}

async function api(path, options) {
  const opts = Object.assign({}, options || {});
  opts.headers = headers(opts.headers);
  const response = await fetch(path, opts);
  if (response.status === 401) {
    needToken(state.token ? "That token was refused." : "");
    throw new Error("admin token required");
  }
  const text = await response.text();
  let body = text;
  try { body = JSON.parse(text); } catch (e) { /* not JSON */ }
  return { status: response.status, body, response };
}

byId("token-save").addEventListener("click", () => {
  state.token = byId("token-input").value;
  sessionStorage.setItem("stsd-admin-token", state.token);
  byId("token-bar").hidden = true;
  start();
});

// ---- Tabs ------------------------------------------------------------------

for (const button of document.querySelectorAll("#tabs button")) {
  button.addEventListener("click", () => showTab(button.dataset.tab));
}

function showTab(name) {
  for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("active", b.dataset.tab === name);
  for (const s of document.querySelectorAll("section.tab")) s.hidden = s.id !== "tab-" + name;
  if (name === "identities") loadIdentities();
  if (name === "health") pollMetrics();
}

// ---- Live requests (Server-Sent Events over fetch, so the token can be sent) --

function setStreamState(text, cls) {
  const s = byId("stream-state");
  s.textContent = text;
  s.className = "state " + (cls || "");
}

async function openStream() {
  if (state.streamAbort) state.streamAbort.abort();
  const abort = new AbortController();
  state.streamAbort = abort;
  const path = "/_stsd/console/events" + (state.lastSeq ? "?after=" + state.lastSeq : "");
  let response;
  try {
    response = await fetch(path, { headers: headers({ Accept: "text/event-stream" }), signal: abort.signal });
  } catch (e) {
    setStreamState("disconnected", "down");
    setTimeout(openStream, 2000);
    return;
  }
  if (response.status === 401) { setStreamState("token needed", "down"); needToken(""); return; }
  if (response.status !== 200) {
    setStreamState("unavailable (" + response.status + ")", "down");
    setTimeout(openStream, 5000);
    return;
  }
  setStreamState("live", "live");
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        handleEvent(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  } catch (e) { /* aborted or dropped */ }
  if (state.streamAbort === abort) {
    setStreamState("reconnecting", "down");
    setTimeout(openStream, 2000);
  }
}

let skippedTotal = 0;

function handleEvent(block) {
  let event = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event: ")) event = line.slice(7);
    else if (line.startsWith("data: ")) data.push(line.slice(6));
  }
  if (data.length === 0) return;
  let payload;
  try { payload = JSON.parse(data.join("\n")); } catch (e) { return; }
  if (event === "request") addRequest(payload);
  else if (event === "skipped") {
    skippedTotal += payload.count;
    byId("skipped").textContent = skippedTotal + " requests went by faster than shown (the list keeps the newest)";
  }
}

function matches(row) {
  const p = byId("filter-principal").value.toLowerCase();
  const a = byId("filter-action").value.toLowerCase();
  const o = byId("filter-outcome").value;
  const principal = (row.principal + " " + row.subject).toLowerCase();
  return (!p || principal.includes(p)) && (!a || row.action.toLowerCase().includes(a)) && (!o || row.outcome === o);
}

function rowFor(r) {
  const principal = r.subject ? r.principal + " (sub: " + r.subject + ")" : r.principal;
  const tr = el("tr", { class: r.outcome, "data-request-id": r.request_id },
    el("td", { text: r.time.slice(11, 23) }),
    el("td", { class: "action", text: r.action }),
    el("td", { class: "principal", text: principal || "-" }),
    el("td", { class: "status", text: String(r.status) }),
    el("td", { class: "code", text: r.error_code || "" }),
    el("td", { text: (r.latency_us / 1000).toFixed(2) + " ms" }),
    el("td", { class: "request-id", text: r.request_id }));
  tr.title = "User-Agent: " + r.user_agent;
  if (r.request_id === state.selected) tr.classList.add("selected");
  tr.addEventListener("click", () => showDetail(r.request_id));
  return tr;
}

function addRequest(r) {
  state.lastSeq = Math.max(state.lastSeq, r.seq);
  state.rows.push(r);
  if (state.rows.length > MAX_ROWS) state.rows.shift();
  if (!matches(r)) return;
  const body = byId("requests-body");
  body.insertBefore(rowFor(r), body.firstChild);
  while (body.childNodes.length > MAX_ROWS) body.removeChild(body.lastChild);
}

function renderRows() {
  const body = byId("requests-body");
  clear(body);
  for (let i = state.rows.length - 1; i >= 0; --i) if (matches(state.rows[i])) body.appendChild(rowFor(state.rows[i]));
}

for (const id of ["filter-principal", "filter-action", "filter-outcome"]) {
  byId(id).addEventListener("input", renderRows);
  byId(id).addEventListener("change", renderRows);
}
byId("clear-list").addEventListener("click", () => { state.rows = []; renderRows(); });

// ---- The decision behind an answer -----------------------------------------

async function showDetail(id) {
  state.selected = id;
  for (const tr of document.querySelectorAll("#requests-body tr"))
    tr.classList.toggle("selected", tr.dataset.requestId === id);
  const pane = byId("detail");
  clear(pane);
  pane.appendChild(el("p", { class: "muted", text: "loading " + id }));
  let got;
  try { got = await api("/_stsd/requests/" + encodeURIComponent(id)); } catch (e) { return; }
  clear(pane);
  if (got.status !== 200) { pane.appendChild(el("p", { class: "error", text: got.body.error || "not found" })); return; }
  renderTrace(pane, got.body);
}

function renderTrace(pane, t) {
  pane.appendChild(el("h2", { text: t.action + " — " + t.status + (t.error_code ? " " + t.error_code : "") }));
  pane.appendChild(kv([["request id", t.request_id], ["time", t.time], ["service", t.service],
    ["principal", t.principal], ["subject", t.subject], ["error", t.error_message],
    ["latency", (t.latency_us / 1000).toFixed(3) + " ms"], ["user agent", t.user_agent], ["from", t.remote_address]]));
  const d = t.decision;
  const failed = t.outcome !== "allowed";
  pane.appendChild(el("div", { id: "decision-summary", class: "summary " + (failed ? "deny" : "allow") },
    el("strong", { text: d.deciding_rule + (d.refinement ? " / " + d.refinement : "") }), el("br"), d.summary));
  for (const n of d.notes) pane.appendChild(el("p", {}, el("span", { class: "badge", text: n.rule }), " ", n.detail));
  if (d.suggestion) {
    pane.appendChild(el("h3", { text: "Smallest statement that would have allowed it — add to " + d.suggestion.where }));
    const pre = el("pre", { id: "suggestion", text: d.suggestion.text });
    const copy = el("button", { type: "button", text: "Copy" });
    copy.addEventListener("click", () => navigator.clipboard && navigator.clipboard.writeText(d.suggestion.text));
    pane.appendChild(pre);
    pane.appendChild(copy);
  }
  for (const c of d.checks) pane.appendChild(renderCheck(c));
}

function renderCheck(c) {
  const box = el("div", { class: "check" });
  box.appendChild(el("h3", {}, c.action + " ", el("span", { class: "badge " + c.rule, text: c.rule }),
    c.role ? " on " + c.role : ""));
  if (c.trust_names_caller !== undefined)
    box.appendChild(el("p", { class: "muted", text: c.trust_names_caller
      ? "The trust policy names the caller itself: its identity policies need not allow."
      : "The trust policy does not name the caller itself: its identity policies must allow too." }));
  if (c.context) {
    const details = el("details", {}, el("summary", { text: "request context (" + Object.keys(c.context).length + " keys)" }));
    details.appendChild(kv(Object.entries(c.context).map(([k, v]) => [k, v.join(", ")])));
    box.appendChild(details);
  }
  if (c.policies.length === 0) box.appendChild(el("p", { class: "muted", text: "no policy" }));
  for (const p of c.policies) {
    const div = el("div", { class: "policy" },
      el("span", { class: "badge", text: p.source }), " ", p.label, " → ",
      el("span", { class: "badge " + p.decision, text: p.decision }));
    for (const s of p.statements) {
      const name = "statement " + s.index + (s.sid ? " (" + s.sid + ")" : "");
      const line = el("div", { class: "statement" },
        el("span", { class: s.applies ? "yes" : "no", text: s.applies ? "✓ applies" : "✗ does not apply" }),
        " " + name + " " + s.effect + ": action " + (s.action_matches ? "✓" : "✗") +
        ", principal " + (s.principal_matches ? "✓" : "✗") + ", resource " + (s.resource_matches ? "✓" : "✗"));
      if (s.conditions.length) {
        const table = el("table", {}, el("thead", {}, el("tr", {},
          el("th", { text: "condition" }), el("th", { text: "key" }), el("th", { text: "expected" }),
          el("th", { text: "actual" }), el("th", { text: "holds" }))));
        const tbody = el("tbody");
        for (const k of s.conditions)
          tbody.appendChild(el("tr", {}, el("td", { text: k.operator }), el("td", { text: k.key }),
            el("td", { text: k.expected.join(", ") }),
            el("td", { text: k.present ? k.actual.join(", ") : "(absent)" }),
            el("td", { class: k.holds ? "yes" : "no", text: k.holds ? "✓" : "✗" })));
        table.appendChild(tbody);
        line.appendChild(table);
      }
      div.appendChild(line);
    }
    box.appendChild(div);
  }
  return box;
}

// ---- Identities and the trust graph -----------------------------------------

async function loadIdentities() {
  let got;
  try { got = await api("/_stsd/console/identities"); } catch (e) { return; }
  if (got.status !== 200) return;
  const ids = got.body;
  drawGraph(ids.trust_edges);
  const box = byId("identities");
  clear(box);
  const list = el("div", { class: "identity-list" });
  list.appendChild(el("p", { class: "muted", text: "region " + ids.region + ", role_mode " + ids.role_mode }));
  const section = (title, items, fmt) => {
    list.appendChild(el("h3", { text: title + " (" + items.length + ")" }));
    const ul = el("ul");
    for (const item of items) ul.appendChild(el("li", {}, fmt(item)));
    list.appendChild(ul);
  };
  section("Accounts", ids.accounts, (a) => a.id + (a.alias ? " (" + a.alias + ")" : ""));
  section("Users", ids.users, (u) => [u.arn, kv([["access keys", u.access_keys.join(", ")],
    ["groups", u.groups.join(", ")], ["MFA", u.mfa_devices.join(", ")],
    ["policies", u.inline_policies.map((p) => p.name).concat(u.attached_policies).join(", ")]])]);
  section("Groups", ids.groups, (g) => [g.arn, kv([["policies",
    g.inline_policies.map((p) => p.name).concat(g.attached_policies).join(", ")]])]);
  section("Roles", ids.roles, (r) => {
    const d = el("details", {}, el("summary", { text: r.arn }));
    d.appendChild(kv([["max session", r.max_session_duration + " s"],
      ["policies", r.inline_policies.map((p) => p.name).concat(r.attached_policies).join(", ")],
      ["boundary", r.permissions_boundary]]));
    d.appendChild(el("pre", { text: r.trust_policy ? pretty(r.trust_policy) : "(no trust policy: trusts its own account)" }));
    return d;
  });
  section("Managed policies", ids.managed_policies, (p) => {
    const d = el("details", {}, el("summary", { text: p.arn }));
    d.appendChild(el("pre", { text: pretty(p.document) }));
    return d;
  });
  section("Identity providers", ids.providers, (p) => p.type + " " + p.arn + (p.builtin ? " (built-in)" : ""));
  box.appendChild(list);
}

function pretty(text) {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return text; }
}

function drawGraph(edges) {
  const box = byId("graph");
  clear(box);
  const sources = [...new Set(edges.map((e) => e.from))].sort();
  const roles = [...new Set(edges.map((e) => e.to))].sort();
  if (!edges.length) { box.appendChild(el("p", { class: "muted", text: "No declared role (role_mode auto: any role may be assumed)." })); return; }
  const rowH = 34, width = 1000, boxW = 400, pad = 10;
  const height = Math.max(sources.length, roles.length) * rowH + 2 * pad;
  const root = svg("svg", { width, height, viewBox: "0 0 " + width + " " + height, role: "img" });
  const defs = svg("defs");
  const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto" });
  marker.appendChild(svg("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow" }));
  defs.appendChild(marker);
  root.appendChild(defs);
  const y = (i) => pad + i * rowH + rowH / 2;
  for (const e of edges) {
    const y1 = y(sources.indexOf(e.from)), y2 = y(roles.indexOf(e.to));
    const path = svg("path", { d: `M${pad + boxW},${y1} C${width / 2},${y1} ${width / 2},${y2} ${width - pad - boxW},${y2}`,
      class: "edge" + (e.conditional ? " conditional" : ""), "marker-end": "url(#arrow)" });
    path.appendChild(svg("title", { text: e.from + " → " + e.to + ": " + e.actions.join(", ") + (e.conditional ? " (with conditions)" : "") }));
    root.appendChild(path);
    root.appendChild(svg("text", { x: width / 2 - 80, y: (y1 + y2) / 2 - 4,
      text: e.actions.join(", ") + (e.conditional ? " (if conditions hold)" : "") }));
  }
  const node = (label, x, yy, cls) => {
    const g = svg("g", { class: "node " + cls });
    g.appendChild(svg("rect", { x, y: yy - 12, width: boxW, height: 24, rx: 4 }));
    const t = svg("text", { x: x + 6, y: yy + 4, text: label.length > 62 ? "…" + label.slice(-61) : label });
    t.appendChild(svg("title", { text: label }));
    g.appendChild(t);
    root.appendChild(g);
  };
  sources.forEach((s, i) => node(s, pad, y(i), "principal"));
  roles.forEach((r, i) => node(r, width - pad - boxW, y(i), "role"));
  box.appendChild(root);
}

// ---- Sessions --------------------------------------------------------------

byId("inspect-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const out = byId("inspect-result");
  clear(out);
  let got;
  try {
    got = await api("/_stsd/credentials/inspect", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ access_key_id: byId("inspect-key").value.trim(), session_token: byId("inspect-token").value.trim() }) });
  } catch (e) { return; }
  if (got.status !== 200) { out.appendChild(el("p", { class: "error", text: got.body.error || String(got.status) })); return; }
  out.appendChild(kv(flatten(got.body)));
});

function flatten(obj, prefix, out) {
  out = out || [];
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? prefix + "." + k : k;
    if (v && typeof v === "object" && !Array.isArray(v)) flatten(v, key, out);
    else out.push([key, Array.isArray(v) ? JSON.stringify(v) : v === null ? "null" : String(v)]);
  }
  return out;
}

// ---- Try it ----------------------------------------------------------------

async function exchange(params, out) {
  const body = new URLSearchParams(Object.assign({ Version: "2011-06-15" }, params));
  const response = await fetch("/", { method: "POST", body, headers: { Accept: "application/json" } });
  const text = await response.text();
  const id = response.headers.get("x-amzn-RequestId") || "";
  out.appendChild(el("h3", { text: params.Action + ": HTTP " + response.status }));
  const link = el("button", { type: "button", text: "Show the decision (" + id + ")" });
  link.addEventListener("click", () => { showTab("live"); showDetail(id); });
  out.appendChild(link);
  out.appendChild(el("pre", { text: pretty(text) }));
}

byId("oidc-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const out = byId("oidc-result");
  clear(out);
  const request = { sub: byId("oidc-sub").value };
  if (byId("oidc-aud").value) request.aud = byId("oidc-aud").value;
  let got;
  try {
    got = await api("/_stsd/oidc/token", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(request) });
  } catch (e) { return; }
  if (got.status !== 200) { out.appendChild(el("p", { class: "error", text: got.body.error || String(got.status) })); return; }
  out.appendChild(kv([["issuer", got.body.issuer], ["token", got.body.token.slice(0, 60) + "…"]]));
  await exchange({ Action: "AssumeRoleWithWebIdentity", RoleArn: byId("oidc-role").value,
    RoleSessionName: byId("oidc-session").value, WebIdentityToken: got.body.token }, out);
});

byId("saml-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const out = byId("saml-result");
  clear(out);
  const role = byId("saml-role").value;
  let got;
  try {
    got = await api("/_stsd/saml/response", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ role_arn: role, subject: byId("saml-subject").value, session_name: byId("saml-session").value }) });
  } catch (e) { return; }
  if (got.status !== 200) { out.appendChild(el("p", { class: "error", text: got.body.error || String(got.status) })); return; }
  await exchange({ Action: "AssumeRoleWithSAML", RoleArn: role, PrincipalArn: got.body.principal_arn,
    SAMLAssertion: got.body.saml_response }, out);
});

// ---- Health (from /_stsd/metrics) -------------------------------------------

let metricsTimer = null;

async function pollMetrics() {
  if (metricsTimer) return;
  const tick = async () => {
    try {
      const response = await fetch("/_stsd/metrics");
      parseMetrics(await response.text());
    } catch (e) { /* the next tick retries */ }
  };
  await tick();
  metricsTimer = setInterval(tick, 2000);
}

function parseMetrics(text) {
  let total = 0;
  const buckets = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("stsd_requests_total{")) total += Number(line.slice(line.lastIndexOf(" ") + 1));
    const m = /^stsd_request_duration_seconds_bucket\{le="([^"]+)"\} (\d+)/.exec(line);
    if (m) buckets.push({ le: m[1], count: Number(m[2]) });
  }
  state.metrics.push({ t: Date.now(), total, buckets });
  if (state.metrics.length > 61) state.metrics.shift();
  drawRate();
  drawLatency(buckets);
  byId("health-text").textContent = total + " requests since start";
}

function drawRate() {
  const box = byId("rate-chart");
  clear(box);
  const points = [];
  for (let i = 1; i < state.metrics.length; ++i) {
    const a = state.metrics[i - 1], b = state.metrics[i];
    points.push(Math.max(0, (b.total - a.total) / ((b.t - a.t) / 1000)));
  }
  const w = 600, h = 140, pad = 30;
  const root = svg("svg", { width: w, height: h, viewBox: `0 0 ${w} ${h}` });
  const max = Math.max(1, ...points);
  root.appendChild(svg("line", { x1: pad, y1: h - pad, x2: w, y2: h - pad, class: "axis" }));
  root.appendChild(svg("text", { x: 0, y: 12, text: max.toFixed(1) + "/s" }));
  root.appendChild(svg("text", { x: 0, y: h - pad, text: "0" }));
  if (points.length > 1) {
    const step = (w - pad) / 60;
    const d = points.map((p, i) => (i ? "L" : "M") + (pad + i * step).toFixed(1) + "," + (h - pad - (p / max) * (h - 2 * pad)).toFixed(1)).join(" ");
    root.appendChild(svg("path", { d, class: "line" }));
  }
  root.appendChild(svg("text", { x: pad, y: h - 8, text: "last 2 minutes, every 2 s; now " + (points.length ? points[points.length - 1].toFixed(1) : "0") + " req/s" }));
  box.appendChild(root);
}

function drawLatency(buckets) {
  const box = byId("latency-chart");
  clear(box);
  const w = 600, h = 160, pad = 30;
  const root = svg("svg", { width: w, height: h, viewBox: `0 0 ${w} ${h}` });
  const counts = buckets.map((b, i) => b.count - (i ? buckets[i - 1].count : 0));
  const max = Math.max(1, ...counts);
  const bw = (w - pad) / Math.max(1, counts.length);
  counts.forEach((c, i) => {
    const bh = (c / max) * (h - 2 * pad);
    const rect = svg("rect", { x: pad + i * bw + 2, y: h - pad - bh, width: bw - 4, height: bh, class: "bar" });
    rect.appendChild(svg("title", { text: "≤ " + buckets[i].le + " s: " + c }));
    root.appendChild(rect);
    const seconds = Number(buckets[i].le);
    const label = buckets[i].le === "+Inf" ? "more" : seconds >= 1 ? "≤" + seconds + "s" : "≤" + seconds * 1000 + "ms";
    root.appendChild(svg("text", { x: pad + i * bw + 2, y: h - 12, text: label }));
    root.appendChild(svg("text", { x: pad + i * bw + 2, y: h - pad - bh - 3, text: String(c) }));
  });
  box.appendChild(root);
}

// ---- Start -------------------------------------------------------------------

async function start() {
  try {
    const got = await api("/_stsd/console/info");
    if (got.status === 200) byId("token-bar").hidden = true;
  } catch (e) { setStreamState("token needed", "down"); return; }
  openStream();
}

start();
