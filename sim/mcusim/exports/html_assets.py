"""Inline CSS and JavaScript of the HTML report (no network: everything lives in the page).

The script draws every chart as SVG from the JSON embedded in the page, then marks
<body data-rendered="1"> so a headless browser test knows it ran to the end."""

CSS = r"""
:root { --fg:#1d2330; --muted:#6b7280; --line:#e5e7eb; --bg:#fff; --accent:#2563eb; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
       background: var(--bg); margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
.sub { color: var(--muted); margin-bottom: 16px; }
.bad { color: #b91c1c; font-weight: 600; } .good { color: #15803d; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 150px; }
.card .k { color: var(--muted); font-size: 12px; } .card .v { font-size: 20px; font-weight: 600; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left; }
th { cursor: pointer; user-select: none; color: var(--muted); font-weight: 600; }
td.n, th.n { text-align: right; }
svg text { font: 12px system-ui, sans-serif; fill: var(--fg); }
svg .muted { fill: var(--muted); }
pre { background: #f8fafc; border: 1px solid var(--line); padding: 8px; overflow-x: auto; }
.legend span { display: inline-block; margin: 2px 10px 2px 0; }
.sw { display: inline-block; width: 10px; height: 10px; margin-right: 4px; border-radius: 2px; }
#tip { position: fixed; pointer-events: none; background: #111827; color: #fff; padding: 4px 8px;
       border-radius: 4px; font-size: 12px; display: none; white-space: pre; }
"""

JS = r"""
"use strict";
const D = JSON.parse(document.getElementById("mcusim-data").textContent);
const NS = "http://www.w3.org/2000/svg";
const PALETTE = ["#2563eb","#db2777","#16a34a","#ca8a04","#7c3aed","#dc2626","#0891b2",
                 "#ea580c","#4f46e5","#65a30d","#be185d","#0d9488"];
const fmt = n => Number(n).toLocaleString("en-US");
function bytes(n) {
  if (n < 1024) return n + " B";
  const u = ["KiB", "MiB", "GiB"]; let i = -1;
  do { n /= 1024; i++; } while (n >= 1024 && i < 2);
  return n.toFixed(1) + " " + u[i];
}
function el(tag, attrs, parent, text) {
  const e = tag.startsWith("svg:") ? document.createElementNS(NS, tag.slice(4))
                                   : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}
const tip = el("div", {id: "tip"}, document.body);
function hover(node, text) {
  el("svg:title", {}, node, text);           // native tooltip as a fallback
  node.addEventListener("mousemove", ev => {
    tip.textContent = text; tip.style.display = "block";
    tip.style.left = (ev.clientX + 12) + "px"; tip.style.top = (ev.clientY + 12) + "px";
  });
  node.addEventListener("mouseleave", () => { tip.style.display = "none"; });
}
function section(id, title) {
  const s = el("section", {id: id}, document.getElementById("main"));
  el("h2", {}, s, title);
  return s;
}

function header() {
  const h = document.getElementById("head");
  el("h1", {}, h, "mcusim: " + (D.title || "run"));
  const ok = D.stop.reason === "exit" && D.exit_code === 0;
  const sub = el("div", {class: "sub"}, h,
      `${D.board} · ${D.core} @ ${D.clock_mhz} MHz · `);
  el("span", {class: ok ? "good" : "bad"}, sub, `exit ${D.exit_code} (${D.stop.reason})`);
  if (D.stop.message) el("div", {class: "bad"}, h, D.stop.message);
  const cards = el("div", {class: "cards"}, h);
  for (const [k, v] of D.totals) {
    const c = el("div", {class: "card"}, cards);
    el("div", {class: "k"}, c, k); el("div", {class: "v"}, c, v);
  }
}

function layersChart() {
  if (!D.layers.length) return;
  const s = section("layers", "Cycles per layer");
  const total = D.layers.reduce((a, l) => a + l.cycles, 0) || 1;
  const max = Math.max(...D.layers.map(l => l.cycles), 1);
  const row = 22, left = 190, width = 1000, barW = width - left - 300;
  const svg = el("svg:svg", {width: width, height: D.layers.length * row + 10,
                             viewBox: `0 0 ${width} ${D.layers.length * row + 10}`}, s);
  D.layers.forEach((l, i) => {
    const y = i * row + 4, w = Math.max(1, barW * l.cycles / max);
    const g = el("svg:g", {class: "layer", "data-index": l.index, "data-op": l.op}, svg);
    el("svg:text", {x: 0, y: y + 14}, g, `${l.index} ${l.op}`);
    const r = el("svg:rect", {x: left, y: y, width: w, height: row - 6, rx: 2,
                              fill: PALETTE[0]}, g);
    el("svg:text", {x: left + w + 6, y: y + 14, class: "muted"}, g,
       `${fmt(l.cycles)} cycles · ${(100 * l.cycles / total).toFixed(1)}%` +
       (l.macs ? ` · ${l.macs_per_cycle.toFixed(2)} MAC/cycle` : ""));
    hover(r, `${l.name || l.op}\n${l.shapes}\nMACs ${fmt(l.macs)} · ` +
             `${l.macs_per_cycle.toFixed(2)} MAC/cycle\nkernel ${l.kernel || "-"}`);
  });
}

function arenaPlan() {
  if (!D.arena_plan.length && !Object.keys(D.arena).length) return;
  const s = section("arena", "Arena plan: tensor lifetimes (x: layers, y: offset)");
  const a = D.arena, parts = [];
  if (a.planned !== undefined) parts.push(`planned ${bytes(a.planned)}`);
  if (a.peak !== undefined) parts.push(`measured peak ${bytes(a.peak)}`);
  if (a.io_in_arena) parts.push(`model I/O inside the arena`);
  else if (a.io !== undefined) parts.push(`model I/O buffers (outside the arena) ${bytes(a.io)}`);
  // like for like: TFLM's arena holds the model's input and output tensors
  if (a.tflm !== undefined && a.planned !== undefined) {
    const io = a.io !== undefined, mine = a.planned + (a.io || 0);
    parts.push((io ? `vs TFLM (both with model I/O): arena + I/O ${bytes(mine)}`
                   : `vs TFLM: arena without I/O ${bytes(mine)}`) +
               ` vs TFLM ${bytes(a.tflm)} = ${(mine / a.tflm).toFixed(2)}x`);
  }
  el("p", {id: "arena-summary"}, s, parts.join(" · "));
  if (!D.arena_plan.length) return;
  const n = Math.max(D.n_layers, 1), extent = Math.max(...D.arena_plan.map(b => b.offset + b.size));
  const left = 80, top = 24, w = 880, h = 360;
  const svg = el("svg:svg", {width: left + w + 20, height: top + h + 30,
                             viewBox: `0 0 ${left + w + 20} ${top + h + 30}`, id: "arena-svg"}, s);
  const x = i => left + w * i / n, y = off => top + h * off / extent;
  for (let i = 0; i <= n; i++) {
    el("svg:line", {x1: x(i), x2: x(i), y1: top, y2: top + h, stroke: "#eef0f3"}, svg);
    if (i < n) el("svg:text", {x: x(i) + 2, y: top - 8, class: "muted"}, svg, String(i));
  }
  for (let k = 0; k <= 4; k++) {
    const off = Math.round(extent * k / 4);
    el("svg:text", {x: 0, y: y(off) + 4, class: "muted"}, svg, bytes(off));
  }
  D.arena_plan.forEach((b, i) => {
    const g = el("svg:g", {class: "tensor", "data-tensor": b.tensor, "data-name": b.name}, svg);
    const r = el("svg:rect", {x: x(b.first) + 1, y: y(b.offset), width: x(b.last + 1) - x(b.first) - 2,
                              height: Math.max(2, y(b.offset + b.size) - y(b.offset)),
                              fill: PALETTE[i % PALETTE.length], "fill-opacity": 0.8, rx: 2}, g);
    hover(r, `${b.label} (tensor ${b.tensor})\n${b.name}\n` +
             `${bytes(b.size)} at offset ${fmt(b.offset)}\n` +
             `layers ${b.first}-${b.last}`);
    const room = Math.floor((x(b.last + 1) - x(b.first) - 10) / 7);  // ~7 px per character
    if (y(b.offset + b.size) - y(b.offset) > 14 && room >= 3)
      el("svg:text", {x: x(b.first) + 5, y: y(b.offset) + 14, style: "fill:#fff"}, g,
         b.label.length > room ? b.label.slice(0, room - 1) + "…" : b.label);
  });
  el("svg:text", {x: left, y: top + h + 22, class: "muted"}, svg,
     `layer → (${n} layers); offset ↓ (${bytes(extent)})`);
}

function memory() {
  const s = section("memory", "Flash and RAM by section");
  const w = 880, left = 80;
  for (const m of D.memories) {
    el("h3", {}, s, `${m.name}: ${bytes(m.used)} of ${bytes(m.size)} ` +
                    `(${m.size ? (100 * m.used / m.size).toFixed(1) : "-"}%)`);
    const svg = el("svg:svg", {width: left + w, height: 34, class: "membar",
                               "data-memory": m.name}, s);
    el("svg:rect", {x: left, y: 4, width: w, height: 20, fill: "#f3f4f6", rx: 3}, svg);
    el("svg:text", {x: 0, y: 19}, svg, m.name);
    let at = 0;
    m.sections.forEach((sec, i) => {
      const sw = m.size ? w * sec.size / m.size : 0;
      const r = el("svg:rect", {x: left + at, y: 4, width: Math.max(sw, 0.5), height: 20,
                                fill: PALETTE[i % PALETTE.length], class: "section",
                                "data-section": sec.name}, svg);
      hover(r, `${sec.name}: ${bytes(sec.size)}` +
               (sec.address === null ? "" : ` at 0x${sec.address.toString(16)}`));
      at += sw;
    });
    const legend = el("div", {class: "legend"}, s);
    m.sections.forEach((sec, i) => {
      const item = el("span", {}, legend);
      el("span", {class: "sw", style: `background:${PALETTE[i % PALETTE.length]}`}, item);
      item.appendChild(document.createTextNode(`${sec.name} ${bytes(sec.size)}`));
    });
  }
  if (D.extra_memory.length) {
    const t = el("table", {id: "memory-extra"}, s);
    for (const [k, v] of D.extra_memory) {
      const tr = el("tr", {}, t); el("td", {}, tr, k); el("td", {class: "n"}, tr, v);
    }
  }
}

function functions() {
  if (!D.functions.length) return;
  const s = section("functions", "Top functions");
  const t = el("table", {id: "functions-table"}, s);
  const cols = [["function", "name", false], ["calls", "calls", true],
                ["self cycles", "self_cycles", true], ["self %", "self_pct", true],
                ["inclusive", "total_cycles", true], ["incl %", "total_pct", true]];
  const head = el("tr", {}, el("thead", {}, t));
  const body = el("tbody", {}, t);
  let rows = D.functions.slice(), key = "self_cycles", desc = true;
  function draw() {
    rows.sort((a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0) * (desc ? -1 : 1));
    body.replaceChildren();
    for (const f of rows) {
      const tr = el("tr", {}, body);
      for (const [, k, num] of cols)
        el("td", num ? {class: "n"} : {}, tr,
           k.endsWith("_pct") ? f[k].toFixed(1) + "%" : num ? fmt(f[k]) : f[k]);
    }
  }
  for (const [label, k, num] of cols) {
    const th = el("th", num ? {class: "n"} : {}, head, label);
    th.addEventListener("click", () => { desc = key === k ? !desc : num; key = k; draw(); });
  }
  draw();
}

function output() {
  if (!D.stdout) return;
  const s = section("output", "Firmware output");
  el("pre", {}, s, D.stdout);
}

header(); layersChart(); arenaPlan(); memory(); functions(); output();
document.body.dataset.rendered = "1";
"""
