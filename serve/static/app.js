// tick's page: four views over the JSON API (see the README's "tick serve"
// section). Everything here is a call a script could make too.
"use strict";

const info = JSON.parse(document.getElementById("info").textContent);
const $ = (id) => document.getElementById(id);
const tick = { session: null, state: null, busy: 0 };
window.tick = tick; // for tests and the curious: the page's state

async function api(method, path, body) {
  tick.busy++;
  try {
    const r = await fetch(path, {
      method,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const j = await r.json();
    if (!r.ok) throw new Error(j.error || r.statusText);
    return j;
  } finally {
    tick.busy--;
  }
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

// ---- URL state: the page can be shared as a link.
const params = new URLSearchParams(location.search);
function saveURL() {
  const p = new URLSearchParams();
  p.set("view", tick.view);
  if ($("text").value) p.set("text", $("text").value);
  p.set("encoding", $("encoding").value);
  if (tick.view === "generate") {
    p.set("model", $("gen-model").value);
    if ($("prompt").value) p.set("prompt", $("prompt").value);
    p.set("temperature", $("temperature").value);
    p.set("top_k", $("top-k").value);
    p.set("top_p", $("top-p").value);
    p.set("seed", $("seed").value);
  }
  history.replaceState(null, "", "?" + p.toString());
}

function show(view) {
  tick.view = view;
  for (const s of document.querySelectorAll(".view")) s.hidden = s.id !== "view-" + view;
  for (const b of document.querySelectorAll(".tab")) b.classList.toggle("active", b.dataset.view === view);
  saveURL();
  if (view === "training") startTraining();
}
for (const b of document.querySelectorAll(".tab")) b.onclick = () => show(b.dataset.view);

// ---- Tokens
function tokenSpans(tokens, onclick) {
  const d = el("div", "tokens");
  tokens.forEach((t) => {
    const s = el("span", "tok", t.visible);
    s.dataset.id = t.id;
    s.title = `id ${t.id}, ${t.bytes} bytes`;
    if (onclick) s.onclick = () => onclick(t, s);
    d.append(s);
  });
  return d;
}

let tokenizeSeq = 0;
async function tokenize() {
  const seq = ++tokenizeSeq;
  const first = $("encoding").value;
  const names = [first, ...info.encodings.filter((e) => e !== first)];
  saveURL();
  let res;
  try {
    res = await api("POST", "/api/tokenize", { text: $("text").value, encodings: names });
  } catch (e) {
    $("token-results").replaceChildren(el("p", "error", e.message));
    return;
  }
  if (seq !== tokenizeSeq) return; // a newer text is on its way
  const panels = res.results.map((r) => {
    const p = el("div", "panel");
    p.dataset.encoding = r.encoding;
    p.append(el("h3", "", r.encoding));
    if (r.error) {
      p.append(el("p", "error", r.error));
      return p;
    }
    const c = el("p", "counts");
    c.append(el("span", "count", String(r.count)),
      ` tokens · ${r.bytes} bytes · ${r.chars} characters · ${r.bytes_per_token.toFixed(2)} bytes/token`);
    p.append(c, tokenSpans(r.tokens, r.merges ? (t, s) => mergeTree(r.encoding, t.id, s) : null),
      el("p", "ids", r.tokens.map((t) => t.id).join(" ")));
    return p;
  });
  $("token-results").replaceChildren(...panels);
}

async function mergeTree(encoding, id, span) {
  for (const s of document.querySelectorAll(".tok.selected")) s.classList.remove("selected");
  span.classList.add("selected");
  try {
    const n = await api("POST", "/api/merges", { encoding, id });
    const box = el("div", "tree");
    box.append(el("h3", "", `how ${encoding} made token ${id}`), treeNode(n));
    $("merge-tree").replaceChildren(box);
  } catch (e) {
    $("merge-tree").replaceChildren(el("p", "error", e.message));
  }
}

function treeNode(n) {
  const li = el("div", "node");
  li.append(el("span", "tok", n.visible), el("span", "id", " " + n.id));
  if (n.parts) {
    const kids = el("div", "parts");
    n.parts.forEach((p) => kids.append(treeNode(p)));
    li.append(kids);
  }
  return li;
}

let tokenTimer;
$("text").addEventListener("input", () => { clearTimeout(tokenTimer); tokenTimer = setTimeout(tokenize, 150); });
$("encoding").onchange = tokenize;

// ---- Generation
function sampling() {
  return { temperature: +$("temperature").value, top_k: +$("top-k").value, top_p: +$("top-p").value };
}

function renderState(st) {
  tick.state = st;
  tick.session = st.session;
  $("gen-error").textContent = "";
  $("context").replaceChildren(...st.context.map((t, i) => {
    const s = el("span", "tok" + (i >= st.context.length - st.steps ? " generated" : ""), t.visible);
    s.dataset.id = t.id;
    return s;
  }));
  const n = st.next;
  $("entropy").textContent = `step ${n.step} · entropy ${n.entropy_bits.toFixed(3)} bits · sampler's choice: ${st.next.chosen.text === undefined ? "" : visible(n.chosen)} (${n.chosen.reason})`;
  const max = Math.max(...n.candidates.map((c) => c.prob), 1e-12);
  $("bars").replaceChildren(...n.candidates.map((c) => {
    const row = el("div", "cand " + (c.kept ? "kept" : "cut"));
    row.dataset.id = c.id;
    row.dataset.prob = c.prob;
    row.dataset.final = c.final_prob;
    row.dataset.reason = c.reason;
    if (c.id === n.chosen.id) row.classList.add("chosen");
    const bar = el("span", "bar");
    bar.style.width = (100 * c.prob / max).toFixed(1) + "%";
    const track = el("span", "track");
    track.append(bar);
    row.append(el("span", "label", visibleText(c.text)), track,
      el("span", "num", (100 * c.prob).toFixed(2) + "%"),
      el("span", "reason", c.kept ? `kept → ${(100 * c.final_prob).toFixed(2)}%` : c.reason));
    row.title = `id ${c.id}: click to take this token`;
    row.onclick = () => act("/api/generate/step", { id: c.id });
    return row;
  }));
  for (const id of ["step", "run", "back"]) $(id).disabled = false;
  $("back").disabled = st.steps === 0;
}

// visibleText mirrors tokenizer.Visible for the few characters a bar label
// needs; the server's own Visible spells the context.
function visibleText(s) {
  return s.replace(/ /g, "·").replace(/\t/g, "→").replace(/\n/g, "↵").replace(/\r/g, "␍");
}
function visible(c) { return visibleText(c.text); }

async function act(path, extra) {
  if (!tick.session) return;
  try {
    renderState(await api("POST", path, { session: tick.session, ...extra }));
  } catch (e) {
    $("gen-error").textContent = e.message;
  }
}

async function start() {
  saveURL();
  try {
    renderState(await api("POST", "/api/generate/start", {
      model: $("gen-model").value, prompt: $("prompt").value, seed: +$("seed").value, ...sampling(),
    }));
  } catch (e) {
    $("gen-error").textContent = e.message;
  }
}
$("start").onclick = start;
$("step").onclick = () => act("/api/generate/step", {});
$("run").onclick = () => act("/api/generate/run", { n: 20 });
$("back").onclick = () => act("/api/generate/back", {});
for (const id of ["temperature", "top-k", "top-p"]) {
  $(id).addEventListener("input", () => { $(id + "-value").textContent = $(id).value; });
  $(id).addEventListener("change", () => { saveURL(); act("/api/generate/sampling", sampling()); });
}

// ---- Attention
async function attention() {
  const text = $("att-text").value;
  const body = { model: $("att-model").value };
  if (text) body.text = text;
  else if (tick.state && tick.state.model === body.model) body.ids = tick.state.context.map((t) => t.id);
  else body.text = $("prompt").value || $("text").value;
  let a;
  try {
    a = await api("POST", "/api/attention", body);
  } catch (e) {
    $("att-error").textContent = e.message;
    return;
  }
  $("att-error").textContent = a.dropped ? `showing the last ${a.tokens.length} tokens (${a.dropped} dropped)` : "";
  tick.attention = a;
  const T = a.tokens.length;
  const cells = [];
  const grid = el("div", "grid");
  a.layers.forEach((layer, l) => layer.forEach((rows, h) => {
    const fig = el("figure", "head");
    const cv = el("canvas");
    const px = Math.max(4, Math.floor(160 / T));
    cv.width = cv.height = px * T;
    fig.append(cv, el("figcaption", "", `layer ${l} head ${h}: ${a.heads[l][h]}`));
    grid.append(fig);
    cells.push({ cv, rows, px });
  }));
  const draw = (focus) => {
    for (const { cv, rows, px } of cells) {
      const g = cv.getContext("2d");
      g.clearRect(0, 0, cv.width, cv.height);
      rows.forEach((row, i) => row.forEach((w, j) => {
        const dim = focus >= 0 && i !== focus ? 0.25 : 1;
        g.fillStyle = `rgba(30, 70, 160, ${(w * dim).toFixed(3)})`;
        g.fillRect(j * px, i * px, px, px);
      }));
    }
  };
  $("att-grid").replaceChildren(grid);
  const toks = tokenSpans(a.tokens.map((v, i) => ({ id: a.ids[i], visible: v, bytes: 0 })));
  [...toks.children].forEach((s, i) => {
    s.onmouseenter = () => { draw(i); s.classList.add("selected"); };
    s.onmouseleave = () => { draw(-1); s.classList.remove("selected"); };
  });
  $("att-tokens").replaceChildren(toks);
  draw(-1);
}
$("att-go").onclick = attention;

// ---- Training
let trainTimer, trainSince = 0, trainRun = "", trainData = [];
async function poll() {
  const run = $("run-name").value;
  if (!run) { $("train-progress").textContent = "no run: start with tick serve --run DIR"; return; }
  if (run !== trainRun) { trainRun = run; trainSince = 0; trainData = []; }
  try {
    const m = await api("GET", `/api/runs/${encodeURIComponent(run)}/metrics?since=${trainSince}`);
    trainData.push(...m.metrics);
    trainSince = m.total;
    const last = trainData.filter((x) => x.kind === "step").at(-1);
    $("train-progress").textContent = m.steps
      ? `checkpoint at step ${m.step} of ${m.steps}` + (last ? ` · step ${last.step}: loss ${last.loss.toFixed(4)} · ${Math.round(last.tokens_per_s)} tokens/s` : "")
      : (last ? `step ${last.step}: loss ${last.loss.toFixed(4)}` : "waiting for the first step");
    $("train-sample").textContent = m.sample ? `sample at step ${m.sample.step}:\n${m.sample.text}` : "";
    drawLoss();
  } catch (e) {
    $("train-progress").textContent = e.message;
  }
}

function drawLoss() {
  const cv = $("loss"), g = cv.getContext("2d");
  g.clearRect(0, 0, cv.width, cv.height);
  const steps = trainData.filter((x) => x.kind === "step");
  const evals = trainData.filter((x) => x.kind === "eval");
  const all = steps.map((x) => x.loss).concat(evals.map((x) => x.val_loss), evals.map((x) => x.train_loss)).filter((v) => v > 0);
  if (!all.length) return;
  const lo = Math.min(...all), hi = Math.max(...all), n = Math.max(...trainData.map((x) => x.step), 1);
  const X = (s) => 40 + (cv.width - 50) * s / n, Y = (v) => 10 + (cv.height - 40) * (hi - v) / Math.max(hi - lo, 1e-9);
  g.strokeStyle = "#999"; g.strokeRect(40, 10, cv.width - 50, cv.height - 40);
  g.fillStyle = "#333"; g.font = "12px sans-serif";
  g.fillText(hi.toFixed(2), 2, 16); g.fillText(lo.toFixed(2), 2, cv.height - 30); g.fillText(`step ${n}`, cv.width - 60, cv.height - 12);
  const line = (pts, color) => {
    g.strokeStyle = color; g.beginPath();
    pts.forEach(([s, v], i) => (i ? g.lineTo(X(s), Y(v)) : g.moveTo(X(s), Y(v))));
    g.stroke();
  };
  line(steps.map((x) => [x.step, x.loss]), "#1e46a0");
  line(evals.map((x) => [x.step, x.val_loss]), "#c0392b");
  g.fillStyle = "#1e46a0"; g.fillText("training loss", 50, cv.height - 12);
  g.fillStyle = "#c0392b"; g.fillText("validation loss", 150, cv.height - 12);
}

function startTraining() {
  if (!trainTimer) { poll(); trainTimer = setInterval(poll, 2000); }
}

// ---- Start from the URL.
if (params.get("text") !== null) $("text").value = params.get("text");
for (const [p, id] of [["model", "gen-model"], ["prompt", "prompt"], ["temperature", "temperature"], ["top_k", "top-k"], ["top_p", "top-p"], ["seed", "seed"]]) {
  if (params.get(p) !== null) { $(id).value = params.get(p); if ($(id + "-value")) $(id + "-value").textContent = $(id).value; }
}
show(params.get("view") || "tokens");
if ($("text").value) tokenize();
if (params.get("view") === "generate" && info.models.length) start();
