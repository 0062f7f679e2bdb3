// The report's interactive parts. Every chart is already on the page as static SVG; this script
// redraws the gallery's curves live from ACTLAB_KERNELS (each activation's own traced formula,
// emitted by actlab.kernels.javascript, evaluated with ActlabMath), and wires the overlay, the
// filter, the learning animation, the comparison's selection, sorting and the claims filter.
"use strict";
(function () {
  const DATA = JSON.parse(document.getElementById("actlab-data").textContent);
  const M = ActlabMath;
  const K = ACTLAB_KERNELS;
  const NS = "http://www.w3.org/2000/svg";
  const PALETTE = 6;
  const POINTS = 401;
  const tooltip = document.getElementById("tooltip");

  // ------------------------------------------------------------------ numbers and scales
  function fmt(v) {
    if (v === null || v === undefined || !Number.isFinite(v)) return "—";
    const a = Math.abs(v);
    let s;
    if (a !== 0 && (a < 1e-3 || a >= 1e5)) s = v.toExponential(2).replace(/\.?0+e/, "e").replace("e+", "e");
    else s = String(+v.toPrecision(4));
    return s.replace(/-/g, "−");
  }

  function ticks(lo, hi, count, integer) {
    const raw = Math.max((hi - lo) / Math.max(1, count), integer ? 1 : 0);
    if (!(raw > 0) || !Number.isFinite(raw)) return [lo];
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const steps = integer ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10];
    const step = steps.map((m) => m * mag).find((s) => s >= raw) || raw;
    const out = [];
    for (let k = Math.ceil(lo / step); k * step <= hi + step * 1e-9; k++) {
      const t = k * step;
      out.push(Math.abs(t) < step * 1e-9 ? 0 : +t.toPrecision(12));
    }
    return out;
  }

  function logTicks(lo, hi) {
    const out = [];
    for (let e = Math.ceil(Math.log10(lo)); e <= Math.floor(Math.log10(hi)); e++) out.push(Math.pow(10, e));
    return out.length ? out : [lo, hi];
  }

  function extent(arrays, log) {
    let lo = Infinity, hi = -Infinity;
    for (const a of arrays) for (const v of a) {
      if (v === null || !Number.isFinite(v) || (log && v <= 0)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo === Infinity) return log ? [0.1, 10] : [0, 1];
    if (log) return [lo / 1.5, hi * 1.5];
    if (hi - lo < 1e-12) return [lo - 1, hi + 1];
    const pad = 0.06 * (hi - lo);
    return [lo - pad, hi + pad];
  }

  function linspace(lo, hi, n) {
    const out = new Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + ((hi - lo) * i) / (n - 1);
    return out;
  }

  function svgEl(name, attrs, parent) {
    const node = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (parent) parent.appendChild(node);
    return node;
  }

  function showTip(text, event) {
    tooltip.textContent = text;
    tooltip.hidden = false;
    const w = tooltip.offsetWidth;
    const left = event.clientX + 14 + w > window.innerWidth ? event.clientX - w - 14 : event.clientX + 14;
    tooltip.style.left = Math.max(0, left) + "px";
    tooltip.style.top = event.clientY + 12 + "px";
  }
  function hideTip() { tooltip.hidden = true; }

  // ------------------------------------------------------------------ the chart
  // The same drawing as actlab/viz/report/svg.py: axes, grid, series with classes.
  // spec: {width, height, x: {domain, label, integer}, y: {domain, label, log},
  //        series: [{key, label, cls, dash, x, y}], message, title}
  let clipCount = 0;
  function chart(container, spec) {
    container.replaceChildren();
    const W = spec.width, H = spec.height;
    const m = {l: 52, r: 12, t: 10, b: 40};
    const svg = svgEl("svg", {viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": spec.title || "chart"}, container);
    const log = !!spec.y.log;
    const [x0, x1] = spec.x.domain, [y0, y1] = spec.y.domain;
    const ly = (v) => (log ? Math.log10(v) : v);
    const sx = (v) => m.l + ((v - x0) / (x1 - x0)) * (W - m.l - m.r);
    const sy = (v) => H - m.b - ((ly(v) - ly(y0)) / (ly(y1) - ly(y0))) * (H - m.t - m.b);
    const clipId = "live-clip-" + clipCount++;
    svgEl("rect", {x: m.l, y: m.t, width: W - m.l - m.r, height: H - m.t - m.b},
          svgEl("clipPath", {id: clipId}, svgEl("defs", {}, svg)));
    for (const t of log ? logTicks(y0, y1) : ticks(y0, y1, 5)) {
      svgEl("line", {x1: m.l, x2: W - m.r, y1: sy(t), y2: sy(t), class: t === 0 ? "zero" : "grid"}, svg);
      svgEl("text", {x: m.l - 6, y: sy(t) + 4, "text-anchor": "end"}, svg).textContent = fmt(t);
    }
    for (const t of ticks(x0, x1, 6, spec.x.integer)) {
      svgEl("line", {x1: sx(t), x2: sx(t), y1: m.t, y2: H - m.b, class: t === 0 ? "zero" : "grid"}, svg);
      svgEl("text", {x: sx(t), y: H - m.b + 15, "text-anchor": "middle"}, svg).textContent = fmt(t);
    }
    svgEl("line", {x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b, class: "axis"}, svg);
    svgEl("line", {x1: m.l, x2: m.l, y1: m.t, y2: H - m.b, class: "axis"}, svg);
    if (spec.x.label) {
      svgEl("text", {x: (m.l + W - m.r) / 2, y: H - 4, "text-anchor": "middle", class: "label"}, svg).textContent = spec.x.label;
    }
    const plot = svgEl("g", {"clip-path": `url(#${clipId})`}, svg);
    const series = spec.series || [];
    for (const s of series) {
      svgEl("path", {d: linePath(s.x, s.y, sx, sy, log), class: `series ${s.cls}${s.dash ? " dashed" : ""}`,
                     "data-series": s.key}, plot);
    }
    if (spec.message) {
      const note = document.createElement("div");
      note.className = "plot-error";
      note.textContent = spec.message;
      container.appendChild(note);
    }
    if (series.length) hover(svg, series, sx, sy, spec, m, W, H);
    return {svg, sx, sy, m, W, H};
  }

  function linePath(xs, ys, sx, sy, log) {
    let d = "", pen = false;
    for (let i = 0; i < ys.length; i++) {
      const v = ys[i];
      if (v === null || !Number.isFinite(v) || (log && v <= 0)) { pen = false; continue; }
      d += (pen ? "L" : "M") + sx(xs[i]).toFixed(1) + " " + sy(v).toFixed(1);
      pen = true;
    }
    return d || "M0 0";
  }

  function hover(svg, series, sx, sy, spec, m, W, H) {
    const [x0, x1] = spec.x.domain;
    const line = svgEl("line", {y1: m.t, y2: H - m.b, class: "hover-line", visibility: "hidden"}, svg);
    const area = svgEl("rect", {x: m.l, y: m.t, width: W - m.l - m.r, height: H - m.t - m.b, fill: "transparent"}, svg);
    area.addEventListener("mousemove", (event) => {
      const box = svg.getBoundingClientRect();
      const px = ((event.clientX - box.left) / box.width) * W;
      const xv = x0 + ((px - m.l) / (W - m.l - m.r)) * (x1 - x0);
      const lines = [`x = ${fmt(xv)}`];
      for (const s of series) lines.push(`${s.label}: ${fmt(s.y[nearest(s.x, xv)])}`);
      line.setAttribute("x1", px); line.setAttribute("x2", px);
      line.setAttribute("visibility", "visible");
      showTip(lines.join("\n"), event);
    });
    area.addEventListener("mouseleave", () => { line.setAttribute("visibility", "hidden"); hideTip(); });
  }

  function nearest(xs, v) {
    let lo = 0, hi = xs.length - 1;
    while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (xs[mid] < v) lo = mid; else hi = mid; }
    return Math.abs(xs[lo] - v) <= Math.abs(xs[hi] - v) ? lo : hi;
  }

  // [xs, ys] with a gap (null, between the two samples) wherever the curve jumps: a step ten
  // times larger than the steps beside it and above 1/1000 of the range, as sampling.py does.
  function breakJumps(xs, ys) {
    const n = ys.length;
    let lo = Infinity, hi = -Infinity;
    for (const v of ys) if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    const step = [];
    for (let i = 0; i < n - 1; i++) {
      const s = ys[i] === null || ys[i + 1] === null ? 0 : Math.abs(ys[i + 1] - ys[i]);
      step.push(s);
    }
    const floor = 1e-3 * (hi - lo);
    const gx = [], gy = [];
    for (let i = 0; i < n; i++) {
      gx.push(xs[i]); gy.push(ys[i]);
      if (i < n - 1) {
        const beside = Math.max(i > 0 ? step[i - 1] : 0, i < n - 2 ? step[i + 1] : 0);
        if (step[i] > 10 * beside && step[i] > floor) { gx.push((xs[i] + xs[i + 1]) / 2); gy.push(null); }
      }
    }
    return [gx, gy];
  }

  // ------------------------------------------------------------------ live curves
  const COMPARE = {gt: (a, b) => a > b, ge: (a, b) => a >= b, lt: (a, b) => a < b, le: (a, b) => a <= b,
                   eq: (a, b) => a === b, ne: (a, b) => a !== b};
  const entries = new Map(DATA.gallery.map((e) => [e.name, e]));

  function choiceIndex(entry, params) {
    let index = 0;
    for (const c of entry.choices) index = index * c.values.length + c.values.indexOf(params[c.name]);
    return index;
  }

  // The traced f and f′ that hold at these parameter values (their guards all hold).
  function pattern(entry, params) {
    const p = entry.sliders.map((s) => params[s.name]);
    for (const pat of entry.variants[choiceIndex(entry, params)] || []) {
      if (pat.guards.every(([i, op, v, holds]) => COMPARE[op](p[i], v) === holds)) return {pat, p};
    }
    return null;
  }

  const validity = new Map();
  function allowed(entry, params) {
    if (!entry.valid) return true;
    if (!validity.has(entry.name)) {
      validity.set(entry.name, Uint8Array.from(atob(entry.valid), (ch) => ch.charCodeAt(0)));
    }
    const bits = validity.get(entry.name);
    let index = 0;
    for (const s of entry.sliders) {
      index = index * s.count + Math.round((params[s.name] - s.min) / s.step);
    }
    return ((bits[index >> 3] >> (7 - (index & 7))) & 1) === 1;
  }

  // f and f′ of a live entry at the numbers xs (null where a value is not finite).
  function evaluate(name, params, xs) {
    const entry = entries.get(name);
    if (!entry || entry.mode !== "live") throw new Error(`${name} has no live curves`);
    const full = {...defaults(entry), ...params};
    const found = pattern(entry, full);
    if (!found) return null;
    const f = K[found.pat.f], df = K[found.pat.df];
    return {y: xs.map((x) => f(x, found.p)), dy: xs.map((x) => df(x, found.p))};
  }

  function defaults(entry) {
    const out = {};
    for (const s of entry.sliders) out[s.name] = s.default;
    for (const c of entry.choices) out[c.name] = c.default;
    return out;
  }

  // ------------------------------------------------------------------ the gallery's cards
  const cards = new Map();

  function sampledCurve(card) {
    let index = 0;
    card.entry.controls.forEach((c, k) => { index = index * c.values.length + card.state[k]; });
    const c = card.entry.curves[index];
    return {x: c.x || card.entry.x, y: c.y, dy: c.dy, error: c.error};
  }

  // The curves of a card over an x range: {x, y, dx, dy} (f′ on its own x, which differs
  // where gaps break a jump), or {error}.
  function curveOf(card, domain) {
    const e = card.entry;
    if (e.mode === "sampled") {
      const c = sampledCurve(card);
      if (c.error) return c;
      const keep = c.x.map((x) => x >= domain[0] && x <= domain[1]);
      const pick = (a) => (a ? a.filter((_, i) => keep[i]) : null);
      return {x: pick(c.x), y: pick(c.y), dx: pick(c.x), dy: pick(c.dy)};
    }
    if (!allowed(e, card.params)) {
      return {error: `${e.name} does not accept ` +
        e.sliders.map((s) => `${s.name} = ${fmt(card.params[s.name])}`).join(" with ") + "."};
    }
    const xs = linspace(domain[0], domain[1], POINTS);
    const v = evaluate(e.name, card.params, xs);
    if (!v) return {error: "no traced formula holds at these values"};
    const clean = (a) => a.map((t) => (Number.isFinite(t) ? t : null));
    const [x, y] = e.smoothness === "discontinuous" ? breakJumps(xs, clean(v.y)) : [xs, clean(v.y)];
    const [dx, dy] = e.smoothness === "discontinuous" || e.smoothness === "C0"
      ? breakJumps(xs, clean(v.dy)) : [xs, clean(v.dy)];
    return {x, y, dx, dy};
  }

  function drawCard(card) {
    const c = curveOf(card, card.domain);
    const vector = card.entry.mode === "sampled" && card.entry.controls.some((k) => k.slice);
    const series = [];
    if (!c.error) {
      series.push({key: "f", label: vector ? "f₁" : "f", cls: "f", x: c.x, y: c.y});
      if (c.dy) series.push({key: "df", label: vector ? "∂f₁/∂x" : "f′", cls: "df", dash: true, x: c.dx, y: c.dy});
    }
    const ys = series.map((s) => s.y);
    card.geometry = chart(card.plot, {width: 420, height: 262, x: {domain: card.domain, label: "x"},
                                      y: {domain: extent(ys, false)}, series, message: c.error,
                                      title: `${card.entry.name} and its derivative`});
    card.range.textContent = `x from ${fmt(card.domain[0])} to ${fmt(card.domain[1])}`;
    if (overlaid.includes(card.entry.name)) drawOverlay();
  }

  function setupCard(entry) {
    const plot = document.querySelector(`[data-plot="${CSS.escape(entry.name)}"]`);
    const controls = document.querySelector(`[data-controls="${CSS.escape(entry.name)}"]`);
    if (!plot) return;
    const home = entry.mode === "live" ? entry.x : [entry.x[0], entry.x[entry.x.length - 1]];
    const card = {entry, plot, domain: home.slice(), home, range: document.createElement("span")};
    if (entry.mode === "live") {
      card.params = defaults(entry);
      for (const s of entry.sliders) {
        const input = document.createElement("input");
        Object.assign(input, {type: "range", min: s.min, max: s.min + (s.count - 1) * s.step, step: s.step,
                              value: s.default});
        addControl(controls, s.name, s.doc, input, fmt(s.default), (value) => {
          card.params[s.name] = Number(value);
          return fmt(card.params[s.name]);
        }, card, entry.name);
      }
      for (const c of entry.choices) {
        const input = document.createElement("select");
        c.values.forEach((v) => input.add(new Option(String(v), String(v))));
        input.value = String(c.default);
        addControl(controls, c.name, c.doc, input, "", (value) => {
          card.params[c.name] = c.values.find((v) => String(v) === value);
          return "";
        }, card, entry.name);
      }
    } else {
      card.state = entry.controls.map((c) => c.default_index);
      entry.controls.forEach((c, k) => {
        let input;
        if (c.numeric) {
          input = document.createElement("input");
          Object.assign(input, {type: "range", min: 0, max: c.values.length - 1, step: 1, value: c.default_index});
        } else {
          input = document.createElement("select");
          c.values.forEach((v, i) => input.add(new Option(String(v), i)));
          input.value = c.default_index;
        }
        addControl(controls, c.name, c.doc, input, fmt(c.values[c.default_index]), (value) => {
          card.state[k] = Number(value);
          const v = c.values[card.state[k]];
          return typeof v === "number" ? fmt(v) : String(v);
        }, card, entry.name);
      });
    }
    controls.appendChild(zoomControls(card, () => drawCard(card)));
    panAndZoom(plot, card, () => drawCard(card));
    cards.set(entry.name, card);
    drawCard(card);
  }

  function addControl(box, name, doc, input, shown, onInput, card, owner) {
    const label = document.createElement("label");
    label.textContent = name;
    label.title = doc;
    const out = document.createElement("output");
    out.textContent = shown;
    input.dataset.param = name;
    input.setAttribute("aria-label", `${owner} ${name}`);
    input.addEventListener("input", () => { out.textContent = onInput(input.value); drawCard(card); });
    box.append(label, input, out);
  }

  // − and + halve and double the x range about its centre; "reset" goes back to the start.
  function zoomControls(view, redraw) {
    const row = document.createElement("div");
    row.className = "zoom";
    const make = (text, title, action) => {
      const b = document.createElement("button");
      b.type = "button"; b.textContent = text; b.title = title;
      b.dataset.zoom = text;
      b.addEventListener("click", () => { action(); redraw(); });
      row.appendChild(b);
    };
    make("−", "zoom out", () => zoomBy(view, 2));
    make("+", "zoom in", () => zoomBy(view, 0.5));
    make("reset", "back to the starting x range", () => { view.domain = view.home.slice(); });
    row.appendChild(view.range);
    return row;
  }

  function zoomBy(view, factor, at) {
    const [a, b] = view.domain;
    const c = at === undefined ? (a + b) / 2 : at;
    let lo = c - (c - a) * factor, hi = c + (b - c) * factor;
    if (hi - lo < 1e-6) return;
    [lo, hi] = clampDomain(view, lo, hi);
    view.domain = [lo, hi];
  }

  // Sampled curves exist only where they were sampled: their view stays inside.
  function clampDomain(view, lo, hi) {
    if (!view.entry || view.entry.mode !== "sampled") return [lo, hi];
    const [a, b] = view.home;
    const width = Math.min(hi - lo, b - a);
    lo = Math.max(a, Math.min(lo, b - width));
    return [lo, lo + width];
  }

  // Drag to pan; Ctrl + wheel to zoom about the pointer (a plain wheel scrolls the page).
  function panAndZoom(plot, view, redraw) {
    let start = null;
    // The plotting area's share of the drawn width, from the chart as last drawn.
    const area = () => {
      const g = view.geometry || {W: 420, m: {l: 52, r: 12}};
      return {left: g.m.l / g.W, width: (g.W - g.m.l - g.m.r) / g.W};
    };
    const toData = (event) => {
      const box = plot.getBoundingClientRect(), a = area();
      const frac = (event.clientX - box.left - a.left * box.width) / (a.width * box.width);
      return view.domain[0] + frac * (view.domain[1] - view.domain[0]);
    };
    plot.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      start = {x: event.clientX, domain: view.domain.slice(), width: plot.getBoundingClientRect().width};
      plot.setPointerCapture(event.pointerId);
    });
    plot.addEventListener("pointermove", (event) => {
      if (!start) return;
      const span = start.domain[1] - start.domain[0];
      const shift = -((event.clientX - start.x) / (area().width * start.width)) * span;
      const [lo, hi] = clampDomain(view, start.domain[0] + shift, start.domain[1] + shift);
      view.domain = [lo, hi];
      redraw();
    });
    const end = () => { start = null; };
    plot.addEventListener("pointerup", end);
    plot.addEventListener("pointercancel", end);
    plot.addEventListener("wheel", (event) => {
      if (!event.ctrlKey) return;
      event.preventDefault();
      zoomBy(view, event.deltaY > 0 ? 1.25 : 0.8, toData(event));
      redraw();
    }, {passive: false});
  }

  // ------------------------------------------------------------------ the overlay
  const overlaid = [];  // names in the order they were added: the order of their colours
  const overlayPlot = document.getElementById("overlay-plot");
  const overlayLegend = document.getElementById("overlay-legend");
  const overlayDerivative = document.getElementById("overlay-derivative");
  const overlayView = {domain: [-5, 5], home: [-5, 5], range: document.createElement("span")};

  function drawOverlay() {
    const series = [];
    overlaid.forEach((name, i) => {
      const card = cards.get(name);
      if (!card) return;
      const c = curveOf(card, overlayView.domain);
      if (c.error) return;
      const cls = `c${i % PALETTE}`;
      series.push({key: name, label: name, cls, x: c.x, y: c.y});
      if (overlayDerivative.checked && c.dy) series.push({key: name + "′", label: name + "′", cls, dash: true, x: c.dx, y: c.dy});
    });
    overlayLegend.replaceChildren();
    if (!series.length) {
      overlayPlot.replaceChildren();
      overlayPlot.textContent = "Nothing overlaid: tick “overlay” on the cards below.";
      return;
    }
    overlayView.geometry = chart(overlayPlot, {width: 1000, height: 330, x: {domain: overlayView.domain, label: "x"},
                                               y: {domain: extent(series.map((s) => s.y), false)}, series,
                                               title: "overlaid activations"});
    const legend = document.createElement("div");
    legend.className = "legend";
    for (const s of series) {
      const item = document.createElement("span");
      const swatch = document.createElement("i");
      swatch.className = `swatch ${s.cls}${s.dash ? " dashed" : ""}`;
      item.append(swatch, s.label);
      legend.appendChild(item);
    }
    overlayLegend.append(legend);
    overlayView.range.textContent = `x from ${fmt(overlayView.domain[0])} to ${fmt(overlayView.domain[1])}`;
  }

  function setOverlay(name, on) {
    const i = overlaid.indexOf(name);
    if (on && i < 0) overlaid.push(name);
    if (!on && i >= 0) overlaid.splice(i, 1);
    const box = document.querySelector(`[data-overlay="${CSS.escape(name)}"]`);
    if (box) { box.checked = on; box.closest(".card").classList.toggle("overlaid", on); }
  }

  // ------------------------------------------------------------------ the filter
  function filterCards(query) {
    const q = query.trim().toLowerCase();
    let shown = 0;
    const all = document.querySelectorAll("article.card");
    all.forEach((card) => {
      const text = [card.dataset.activation, card.dataset.family, card.dataset.aliases || ""].join(" ").toLowerCase();
      card.hidden = q !== "" && !text.includes(q);
      if (!card.hidden) shown++;
    });
    document.querySelectorAll(".family-group").forEach((group) => {
      group.hidden = !group.querySelector("article.card:not([hidden])");
    });
    document.getElementById("filter-count").textContent =
      q === "" ? "" : `${shown} of ${all.length} activations match “${query.trim()}”.`;
  }

  // ------------------------------------------------------------------ watch it learn
  function setupLearning() {
    document.querySelectorAll(".plane").forEach((block) => {
      const plane = block.dataset.plane;
      const frames = DATA.learn[plane] || {};
      const scrub = block.querySelector("[data-scrub]");
      const play = block.querySelector("[data-play]");
      const label = block.querySelector("[data-epoch]");
      const loss = block.querySelector("[data-loss] svg");
      const last = Number(scrub.max);
      const images = [...block.querySelectorAll("image[data-frames]")];
      let timer = null;
      const show = (k) => {
        scrub.value = k;
        label.textContent = k === 0 ? `before training (epoch 0 of ${last})` : `epoch ${k} of ${last}`;
        for (const img of images) {
          const name = img.dataset.frames.split("/")[1];
          if (frames[name] && frames[name][k]) img.setAttribute("href", frames[name][k]);
        }
        const marker = loss && loss.querySelector("line.marker");
        if (marker) {
          const [l, w, x0, x1] = loss.dataset.xscale.split(" ").map(Number);
          const x = l + ((Math.max(x0, k) - x0) / (x1 - x0)) * w;
          marker.setAttribute("x1", x.toFixed(1)); marker.setAttribute("x2", x.toFixed(1));
        }
      };
      const stop = () => { clearInterval(timer); timer = null; play.textContent = "▶ play"; };
      scrub.addEventListener("input", () => { stop(); show(Number(scrub.value)); });
      play.addEventListener("click", () => {
        if (timer) { stop(); return; }
        let k = Number(scrub.value) >= last ? 0 : Number(scrub.value);
        show(k);
        play.textContent = "❚❚ pause";
        timer = setInterval(() => {
          k += 1;
          show(k);
          if (k >= last) stop();
        }, 160);
      });
    });
  }

  // ------------------------------------------------------------------ the comparison's selection
  function setupSelection() {
    const root = document.getElementById("comparison");
    const chips = [...root.querySelectorAll(".chip[data-pick]")];
    if (!chips.length) return;
    const chosen = DATA.selection.slice();
    const apply = () => {
      const cls = (name) => (chosen.includes(name) ? `c${chosen.indexOf(name)}` : "other");
      root.querySelectorAll("path[data-series], g.row[data-series]").forEach((node) => {
        const c = cls(node.dataset.series);
        node.classList.remove("other", ...[...Array(PALETTE).keys()].map((k) => `c${k}`));
        node.classList.add(c);
        if (node.tagName === "path" && c !== "other") node.parentNode.appendChild(node);  // selected on top
      });
      root.querySelectorAll("path[data-band]").forEach((node) => {
        node.classList.remove("other", ...[...Array(PALETTE).keys()].map((k) => `c${k}`));
        node.classList.add(cls(node.dataset.band));
      });
      for (const chip of chips) {
        const on = chosen.includes(chip.dataset.pick);
        chip.setAttribute("aria-pressed", String(on));
        chip.querySelector(".swatch").className = `swatch ${cls(chip.dataset.pick)}`;
      }
    };
    for (const chip of chips) {
      chip.addEventListener("click", () => {
        const name = chip.dataset.pick;
        const i = chosen.indexOf(name);
        if (i >= 0) chosen.splice(i, 1);
        else { if (chosen.length >= PALETTE) chosen.splice(1, 1); chosen.push(name); }
        apply();
      });
    }
    apply();
  }

  // ------------------------------------------------------------------ sortable tables
  function sortable(table) {
    const heads = [...table.tHead.rows[0].cells];
    heads.forEach((th, col) => th.addEventListener("click", () => {
      const dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
      heads.forEach((h) => h.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
      const key = (row) => {
        const cell = row.cells[col];
        const raw = cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim();
        const num = Number(raw);
        return raw !== "" && Number.isFinite(num) ? num : raw;
      };
      const rows = [...table.tBodies[0].rows];
      rows.sort((a, b) => {
        const ka = key(a), kb = key(b);
        if (ka === "" || kb === "") return ka === kb ? 0 : ka === "" ? 1 : -1;
        if (typeof ka === "number" && typeof kb === "number") return dir * (ka - kb);
        return dir * String(ka).localeCompare(String(kb));
      });
      table.tBodies[0].append(...rows);
    }));
  }

  // ------------------------------------------------------------------ start
  DATA.gallery.forEach(setupCard);
  for (const name of DATA.overlay) setOverlay(name, true);
  document.querySelectorAll("[data-overlay]").forEach((box) => {
    box.addEventListener("change", () => { setOverlay(box.dataset.overlay, box.checked); drawOverlay(); });
  });
  overlayDerivative.addEventListener("change", drawOverlay);
  document.getElementById("overlay-clear").addEventListener("click", () => {
    [...overlaid].forEach((name) => setOverlay(name, false));
    drawOverlay();
  });
  overlayPlot.parentNode.insertBefore(zoomControls(overlayView, drawOverlay), overlayLegend);
  panAndZoom(overlayPlot, overlayView, drawOverlay);
  drawOverlay();
  document.getElementById("gallery-filter").addEventListener("input", (e) => filterCards(e.target.value));
  document.querySelectorAll("#claims [data-filter]").forEach((button) => {
    button.addEventListener("click", () => {
      const on = button.getAttribute("aria-pressed") !== "true";
      document.querySelectorAll("#claims [data-filter]").forEach((b) => b.setAttribute("aria-pressed", "false"));
      button.setAttribute("aria-pressed", String(on));
      document.querySelectorAll("#claims .claim").forEach((claim) => {
        claim.hidden = on && claim.dataset.verdict !== button.dataset.filter;
      });
    });
  });
  document.querySelectorAll("table.sortable").forEach(sortable);
  setupLearning();
  setupSelection();
  // For tests and for readers with a console: the page's own evaluation of any live curve, and
  // what each card shows (its parameters and x range).
  const state = (name) => {
    const card = cards.get(name);
    return card && {params: {...(card.params || {})}, domain: card.domain.slice()};
  };
  window.actlab = Object.freeze({evaluate, state, math: M,
                                 live: [...entries.values()].filter((e) => e.mode === "live").map((e) => e.name)});
  document.body.dataset.ready = "true";
})();
