// hwlog dashboard: live tail over WebSocket, filters, history search, request view, volume.
"use strict";
const $ = (id) => document.getElementById(id);
const MAX_ROWS = 500;
const LEVELS = ["TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];
const COLORS = { TRACE: "#bbb", DEBUG: "#999", INFO: "#1f6feb", WARNING: "#e3a008", ERROR: "#d0342c", CRITICAL: "#7a0b06" };
let paused = false, lastSeq = 0, ws = null, received = 0, dropped = 0;
// An API token from the page's address (?token=…), kept for this tab.
const TOKEN = new URLSearchParams(location.search).get("token") || sessionStorage.getItem("hwlog-token") || "";
if (TOKEN) sessionStorage.setItem("hwlog-token", TOKEN);
const api = (url, opts = {}) =>
  fetch(url, TOKEN ? { ...opts, headers: { ...(opts.headers || {}), authorization: `Bearer ${TOKEN}` } } : opts);

function filters() {
  const p = new URLSearchParams();
  if ($("level").value) p.set("min_level", $("level").value);
  if ($("component").value) p.set("component", $("component").value);
  if ($("text").value) p.set("q", $("text").value);
  if ($("corr").value) p.set("correlation_id", $("corr").value);
  return p;
}

function cell(text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

function row(r) {
  const tr = document.createElement("tr");
  tr.className = r.level;
  tr.appendChild(cell(r.timestamp.replace("T", " ").slice(0, 23)));
  tr.appendChild(cell(r.level, "lvl"));
  tr.appendChild(cell(r.component));
  const c = document.createElement("td");
  if (r.correlation_id) {
    const a = document.createElement("a");
    a.className = "corr";
    a.textContent = r.correlation_id;
    a.onclick = () => showRequest(r.correlation_id);
    c.appendChild(a);
  }
  tr.appendChild(c);
  tr.appendChild(cell(r.message, "msg"));
  return tr;
}

function addLive(r) {
  const rows = $("rows");
  rows.insertBefore(row(r), rows.firstChild);
  while (rows.childNodes.length > MAX_ROWS) rows.removeChild(rows.lastChild);
}

function status() {
  $("status").textContent = (ws && ws.readyState === 1 ? "live" : "disconnected") +
    (paused ? " (paused)" : "") + ` · ${received} received` + (dropped ? ` · ${dropped} dropped` : "");
}

function connect() {
  if (ws) { ws.onclose = null; ws.close(); }
  const p = filters();
  if (lastSeq) p.set("after", String(lastSeq));
  if (TOKEN) p.set("token", TOKEN);
  ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/stream?${p}`);
  ws.onopen = status;
  ws.onmessage = (ev) => {
    const m = JSON.parse(ev.data);
    if (m.dropped !== undefined) { dropped += m.dropped; status(); return; }
    lastSeq = Math.max(lastSeq, m.seq || 0);
    received++;
    if (!paused) addLive(m);
    status();
  };
  ws.onclose = () => { status(); setTimeout(connect, 1000); };
}

function refilter() {
  $("rows").textContent = "";
  $("tail-title").textContent = "Live tail";
  lastSeq = 0;
  connect();
}

async function search() {
  const p = filters();
  const q = new URLSearchParams();
  for (const [k, v] of p) q.set(k === "min_level" ? "min_level" : k, v);
  q.set("limit", "200");
  const res = await api(`/api/v1/logs?${q}`);
  const body = await res.json();
  paused = true;
  $("pause").textContent = "Resume";
  $("rows").textContent = "";
  $("tail-title").textContent = `History (${body.records.length} newest matches)`;
  for (const r of body.records.reverse()) addLive(r);
  status();
}

async function showRequest(id) {
  const res = await api(`/api/v1/correlation/${encodeURIComponent(id)}`);
  const body = await res.json();
  $("request-id").textContent = id;
  const rows = $("request-rows");
  rows.textContent = "";
  for (const r of body.records) rows.appendChild(row(r));
  $("request").hidden = false;
}

async function volume() {
  try {
    const res = await api("/api/v1/stats/volume?since=-1h&bucket=60");
    const v = await res.json();
    const svg = $("volume");
    svg.textContent = "";
    const n = 60, w = 600 / n;
    let max = 1;
    for (const b of v.buckets) max = Math.max(max, Object.values(b.counts).reduce((a, x) => a + x, 0));
    for (const b of v.buckets) {
      const i = Math.floor((b.start - v.since) / (v.bucket_s * 1e9));
      let y = 140;
      for (const l of LEVELS) {
        const c = b.counts[l] || 0;
        if (!c) continue;
        const h = (c / max) * 135;
        y -= h;
        const r = document.createElementNS("http://www.w3.org/2000/svg", "rect");
        r.setAttribute("x", String(i * w)); r.setAttribute("y", String(y));
        r.setAttribute("width", String(w - 1)); r.setAttribute("height", String(h));
        r.setAttribute("fill", COLORS[l]);
        const t = document.createElementNS("http://www.w3.org/2000/svg", "title");
        t.textContent = `${l}: ${c}`;
        r.appendChild(t);
        svg.appendChild(r);
      }
    }
    const ol = $("components");
    ol.textContent = "";
    for (const c of v.components.slice(0, 12)) {
      const li = document.createElement("li");
      li.textContent = `${c.component} (${c.count})`;
      ol.appendChild(li);
    }
  } catch (e) { /* the next refresh retries */ }
}

function rowOf(cells, cls) {
  const tr = document.createElement("tr");
  if (cls) tr.className = cls;
  for (const c of cells) tr.appendChild(c instanceof Node ? wrap(c) : cell(String(c)));
  return tr;
}

function wrap(node) {
  const td = document.createElement("td");
  td.appendChild(node);
  return td;
}

async function analysis() {
  try {
    const a = await (await api("/api/v1/alerts?history=8")).json();
    const tb = $("alerts");
    tb.textContent = "";
    if (!a.active.length) tb.appendChild(rowOf(["no firing alert"]));
    for (const x of a.active) {
      const ack = document.createElement("button");
      ack.textContent = x.acknowledged_by ? `ack: ${x.acknowledged_by}` : "Ack";
      ack.disabled = !!x.acknowledged_by;
      ack.className = "ack";
      ack.onclick = async () => {
        await api(`/api/v1/alerts/${x.alert.id}/ack`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ by: "dashboard" }) });
        analysis();
      };
      tb.appendChild(rowOf([x.rule, x.alert.severity, `×${x.alert.count}`, x.alert.example, ack], `sev-${x.alert.severity}`));
    }
    $("alert-history").textContent = a.history.map((h) => `${h.at.slice(11, 19)} ${h.rule} #${h.alert_id} ${h.event}`).join(" · ");
    const e = await (await api("/api/v1/analysis/errors?hours=24")).json();
    const pt = $("patterns");
    pt.textContent = "";
    for (const p of e.patterns.slice(0, 8)) pt.appendChild(rowOf([p.count, `${(p.share * 100).toFixed(0)}%`, p.template]));
    const t = await (await api("/api/v1/analysis/trends?hours=1")).json();
    const tt = $("trends");
    tt.textContent = "";
    for (const x of t.slice(0, 8)) tt.appendChild(rowOf([x.component, `${x.avg_ms.toFixed(0)} ms`, `${x.slope_ms_per_hour >= 0 ? "+" : ""}${x.slope_ms_per_hour.toFixed(1)} ms/h`, x.label]));
    const an = await (await api("/api/v1/analysis/anomalies?hours=1&bucket=60")).json();
    const ul = $("anomalies");
    ul.textContent = "";
    for (const x of an.slice(0, 8)) {
      const li = document.createElement("li");
      li.textContent = `${x.severity}: ${x.description}`;
      ul.appendChild(li);
    }
  } catch (e) { /* the next refresh retries */ }
}

$("pause").onclick = () => { paused = !paused; $("pause").textContent = paused ? "Resume" : "Pause"; status(); };
$("clear").onclick = () => { $("rows").textContent = ""; };
$("search").onclick = search;
$("close-request").onclick = () => { $("request").hidden = true; };
for (const id of ["level", "component", "text", "corr"]) $(id).onchange = refilter;
connect();
volume();
analysis();
setInterval(volume, 10000);
setInterval(analysis, 10000);
