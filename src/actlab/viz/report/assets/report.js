// The report's interactive parts: charts drawn as SVG from the data the page embeds.
// Every value plotted was computed by actlab in Python; nothing here evaluates a formula.
"use strict";
(function () {
  const DATA = JSON.parse(document.getElementById("actlab-data").textContent);
  const NS = "http://www.w3.org/2000/svg";
  const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
                   "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"];
  // Past the ten distinct colours, hues spread by the golden angle stay apart from each other.
  const colour = (i) => (i < PALETTE.length ? PALETTE[i] : `hsl(${(i * 137.5) % 360} 60% 42%)`);
  const F_COLOR = "#1f5fa8", DF_COLOR = "#d1495b";
  const tooltip = document.getElementById("tooltip");

  // ---------------------------------------------------------------- formatting and scales
  function fmt(v) {
    if (v === null || v === undefined || !Number.isFinite(v)) return "—";
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2).replace(/\.?0+e/, "e");
    return String(+v.toPrecision(4));
  }

  function niceTicks(lo, hi, count, integer) {
    const raw = Math.max((hi - lo) / Math.max(1, count), integer ? 1 : 0);
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const steps = integer ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10];
    const step = steps.map((m) => m * mag).find((s) => s >= raw) || raw;
    const ticks = [];
    for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
      ticks.push(Math.abs(t) < step * 1e-9 ? 0 : +t.toPrecision(12));
    }
    return ticks;
  }

  function logTicks(lo, hi) {
    const ticks = [];
    for (let e = Math.ceil(Math.log10(lo)); e <= Math.floor(Math.log10(hi)); e++) ticks.push(Math.pow(10, e));
    return ticks.length ? ticks : [lo, hi];
  }

  function extent(arrays, logScale) {
    let lo = Infinity, hi = -Infinity;
    for (const a of arrays) for (const v of a) {
      if (v === null || !Number.isFinite(v) || (logScale && v <= 0)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo === Infinity) return logScale ? [0.1, 10] : [0, 1];
    if (logScale) return [lo / 1.5, hi * 1.5];
    if (hi - lo < 1e-12) return [lo - 1, hi + 1];
    const pad = 0.06 * (hi - lo);
    return [lo - pad, hi + pad];
  }

  function el(name, attrs, parent) {
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
    tooltip.style.left = left + "px";
    tooltip.style.top = event.clientY + 12 + "px";
  }
  function hideTip() { tooltip.hidden = true; }

  // ---------------------------------------------------------------- the chart
  // spec: {width, height, x: {domain, label, categories}, y: {domain, label, log},
  //        series: [{key, label, color, dash, x, y, lo, hi}], points: [{label, value, err, color}],
  //        message, messageClass}
  function chart(container, spec) {
    container.replaceChildren();
    const W = spec.width || 480, H = spec.height || 300;
    const m = {l: 52, r: 12, t: 10, b: spec.x.categories ? 70 : 40};
    const svg = el("svg", {viewBox: `0 0 ${W} ${H}`, role: "img",
                           "aria-label": spec.title || spec.y.label || "chart"}, container);
    const log = !!spec.y.log;
    const [x0, x1] = spec.x.domain, [y0, y1] = spec.y.domain;
    const ly = (v) => (log ? Math.log10(v) : v);
    const sx = (v) => m.l + ((v - x0) / (x1 - x0)) * (W - m.l - m.r);
    const sy = (v) => H - m.b - ((ly(v) - ly(y0)) / (ly(y1) - ly(y0))) * (H - m.t - m.b);
    const clipId = "clip-" + Math.random().toString(36).slice(2);
    el("rect", {x: m.l, y: m.t, width: W - m.l - m.r, height: H - m.t - m.b},
       el("clipPath", {id: clipId}, el("defs", {}, svg)));

    // axes, grid and tick labels
    const yt = log ? logTicks(y0, y1) : niceTicks(y0, y1, 5);
    for (const t of yt) {
      el("line", {x1: m.l, x2: W - m.r, y1: sy(t), y2: sy(t), class: t === 0 ? "zero" : "grid"}, svg);
      el("text", {x: m.l - 6, y: sy(t) + 4, "text-anchor": "end"}, svg).textContent = fmt(t);
    }
    if (spec.x.categories) {
      spec.x.categories.forEach((c, i) => {
        const t = el("text", {x: sx(i), y: H - m.b + 12, "text-anchor": "end",
                              transform: `rotate(-40 ${sx(i)} ${H - m.b + 12})`}, svg);
        t.textContent = c;
      });
    } else {
      for (const t of niceTicks(x0, x1, 6, spec.x.integer)) {
        el("line", {x1: sx(t), x2: sx(t), y1: m.t, y2: H - m.b, class: t === 0 ? "zero" : "grid"}, svg);
        el("text", {x: sx(t), y: H - m.b + 15, "text-anchor": "middle"}, svg).textContent = fmt(t);
      }
    }
    el("line", {x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b, class: "axis"}, svg);
    el("line", {x1: m.l, x2: m.l, y1: m.t, y2: H - m.b, class: "axis"}, svg);
    if (spec.x.label) el("text", {x: (m.l + W - m.r) / 2, y: H - 4, "text-anchor": "middle"}, svg).textContent = spec.x.label;
    if (spec.y.label) {
      el("text", {x: 12, y: (m.t + H - m.b) / 2, "text-anchor": "middle",
                  transform: `rotate(-90 12 ${(m.t + H - m.b) / 2})`}, svg).textContent = spec.y.label;
    }

    const plot = el("g", {"clip-path": `url(#${clipId})`}, svg);
    const series = spec.series || [];
    for (const s of series) {
      if (s.lo && s.hi) plot.appendChild(bandPath(s, sx, sy, log));
      el("path", {d: linePath(s.x, s.y, sx, sy, log), class: "series", stroke: s.color,
                  "stroke-dasharray": s.dash ? "6 4" : "none", "data-series": s.key || s.label}, plot);
    }
    // Means as dots with ±std whiskers: no bar baseline to mislead when the axis does not start at 0.
    for (const [i, b] of (spec.points || []).entries()) {
      if (Number.isFinite(b.err) && b.err > 0) {
        const top = sy(b.value + b.err), bottom = sy(b.value - b.err);
        el("line", {x1: sx(i), x2: sx(i), y1: top, y2: bottom, stroke: b.color, "stroke-width": 2}, plot);
        for (const yy of [top, bottom]) {
          el("line", {x1: sx(i) - 7, x2: sx(i) + 7, y1: yy, y2: yy, stroke: b.color, "stroke-width": 2}, plot);
        }
      }
      const dot = el("circle", {cx: sx(i), cy: sy(b.value), r: 6, fill: b.color, "data-point": b.label}, plot);
      dot.addEventListener("mousemove", (e) => showTip(`${b.label}\n${fmt(b.value)} ± ${fmt(b.err)}`, e));
      dot.addEventListener("mouseleave", hideTip);
    }
    if (spec.message) {
      const note = document.createElement("div");
      note.className = spec.messageClass || "plot-error";
      note.textContent = spec.message;
      container.appendChild(note);
    }
    if (series.length) hover(svg, series, sx, sy, spec, m, W, H);
    return svg;
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

  function bandPath(s, sx, sy, log) {
    const ok = (i) => [s.lo[i], s.hi[i]].every((v) => v !== null && Number.isFinite(v) && (!log || v > 0));
    const idx = s.x.map((_, i) => i).filter(ok);
    const top = idx.map((i) => `${sx(s.x[i]).toFixed(1)} ${sy(s.hi[i]).toFixed(1)}`);
    const bottom = idx.reverse().map((i) => `${sx(s.x[i]).toFixed(1)} ${sy(s.lo[i]).toFixed(1)}`);
    return el("path", {d: idx.length ? "M" + top.concat(bottom).join("L") + "Z" : "M0 0",
                       class: "band", fill: s.color});
  }

  // A crosshair that reads every series at the x under the pointer.
  function hover(svg, series, sx, sy, spec, m, W, H) {
    const [x0, x1] = spec.x.domain;
    const line = el("line", {y1: m.t, y2: H - m.b, class: "hover-line", visibility: "hidden"}, svg);
    const dots = series.map((s) => el("circle", {r: 3.5, fill: s.color, visibility: "hidden"}, svg));
    const area = el("rect", {x: m.l, y: m.t, width: W - m.l - m.r, height: H - m.t - m.b,
                             fill: "transparent"}, svg);
    area.addEventListener("mousemove", (event) => {
      const box = svg.getBoundingClientRect();
      const px = ((event.clientX - box.left) / box.width) * W;
      const xv = x0 + ((px - m.l) / (W - m.l - m.r)) * (x1 - x0);
      const at = series[0].x[nearest(series[0].x, xv)];
      const lines = [`${spec.x.label || "x"} = ${fmt(spec.x.integer ? at : xv)}`];
      series.forEach((s, k) => {
        const i = nearest(s.x, xv);
        const v = s.y[i];
        const shown = v !== null && Number.isFinite(v) && (!spec.y.log || v > 0);
        dots[k].setAttribute("visibility", shown ? "visible" : "hidden");
        if (shown) { dots[k].setAttribute("cx", sx(s.x[i])); dots[k].setAttribute("cy", sy(v)); }
        const spread = s.lo && s.hi && s.lo[i] !== null ? ` ± ${fmt((s.hi[i] - s.lo[i]) / 2)}` : "";
        lines.push(`${s.label}: ${fmt(v)}${spread}`);
      });
      const lx = spec.x.integer ? sx(at) : px;
      line.setAttribute("x1", lx); line.setAttribute("x2", lx);
      line.setAttribute("visibility", "visible");
      showTip(lines.join("\n"), event);
    });
    area.addEventListener("mouseleave", () => {
      line.setAttribute("visibility", "hidden");
      dots.forEach((d) => d.setAttribute("visibility", "hidden"));
      hideTip();
    });
  }

  function nearest(xs, v) {
    let lo = 0, hi = xs.length - 1;
    while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (xs[mid] < v) lo = mid; else hi = mid; }
    return Math.abs(xs[lo] - v) <= Math.abs(xs[hi] - v) ? lo : hi;
  }

  // ---------------------------------------------------------------- the gallery
  const cards = new Map();

  function curveOf(card) {
    let index = 0;
    card.entry.controls.forEach((c, k) => { index = index * c.values.length + card.state[k]; });
    const c = card.entry.curves[index];
    return {x: c.x || card.entry.x, y: c.y, dy: c.dy, error: c.error};
  }

  function valueText(v) { return typeof v === "number" ? fmt(v) : String(v); }

  function setupCard(entry) {
    const plot = document.querySelector(`[data-plot="${CSS.escape(entry.name)}"]`);
    const controls = document.querySelector(`[data-controls="${CSS.escape(entry.name)}"]`);
    if (!plot) return;
    const all = [];
    for (const c of entry.curves) if (!c.error) { all.push(c.y); if (c.dy) all.push(c.dy); }
    const card = {entry, plot, state: entry.controls.map((c) => c.default_index),
                  yDomain: extent(all, false),
                  vector: entry.controls.some((c) => c.slice)};
    for (const [k, c] of entry.controls.entries()) {
      const label = document.createElement("label");
      label.textContent = c.name;
      label.title = c.doc;
      let input;
      const out = document.createElement("output");
      if (c.numeric) {
        input = document.createElement("input");
        Object.assign(input, {type: "range", min: 0, max: c.values.length - 1, step: 1,
                              value: c.default_index});
      } else {
        input = document.createElement("select");
        c.values.forEach((v, i) => input.add(new Option(String(v), i)));
        input.value = c.default_index;
      }
      input.dataset.param = c.name;
      input.setAttribute("aria-label", `${entry.name} ${c.name}`);
      out.textContent = valueText(c.values[c.default_index]);
      input.addEventListener("input", () => {
        card.state[k] = Number(input.value);
        out.textContent = valueText(c.values[card.state[k]]);
        drawCard(card);
        if (overlaid.has(entry.name)) drawOverlay();
      });
      controls.append(label, input, out);
    }
    cards.set(entry.name, card);
    drawCard(card);
  }

  function drawCard(card) {
    const c = curveOf(card);
    const series = c.error ? [] : [{key: "f", label: card.vector ? "f₁" : "f", color: F_COLOR, x: c.x, y: c.y}];
    if (!c.error && c.dy) {
      series.push({key: "df", label: card.vector ? "∂f₁/∂x" : "f′", color: DF_COLOR, dash: true, x: c.x, y: c.dy});
    }
    const xs = card.entry.x;
    chart(card.plot, {width: 420, height: 262, x: {domain: [xs[0], xs[xs.length - 1]], label: "x"},
                      y: {domain: card.yDomain}, series, message: c.error,
                      title: `${card.entry.name} and its derivative`});
  }

  // ---------------------------------------------------------------- the overlay
  const overlaid = new Set();
  const overlayPlot = document.getElementById("overlay-plot");
  const overlayDerivative = document.getElementById("overlay-derivative");

  function drawOverlay() {
    const series = [];
    [...overlaid].forEach((name, i) => {
      const card = cards.get(name);
      const c = curveOf(card);
      if (c.error) return;
      const color = colour(i);
      series.push({key: name, label: name, color, x: c.x, y: c.y});
      if (overlayDerivative.checked && c.dy) {
        series.push({key: name + "′", label: name + "′", color, dash: true, x: c.x, y: c.dy});
      }
    });
    overlayPlot.classList.toggle("empty", series.length === 0);
    if (!series.length) {
      overlayPlot.replaceChildren();
      overlayPlot.textContent = "Nothing overlaid yet: tick “overlay” on the cards below.";
      return;
    }
    // The x range every overlaid curve covers, so that none stops short inside the plot.
    const lo = Math.max(...series.map((s) => s.x[0])), hi = Math.min(...series.map((s) => s.x[s.x.length - 1]));
    chart(overlayPlot, {width: 1000, height: 330, x: {domain: [lo, hi], label: "x"},
                        y: {domain: extent(series.map((s) => clipTo(s, lo, hi)), false)}, series});
    legend(overlayPlot, series.map((s) => ({label: s.label, color: s.color})));
  }

  // The legend sits just above its chart; clicking an entry hides or shows that series.
  // A fraction's axis starts at 0 and shows at least up to 0.1, so that "none dead" reads as such.
  function fractionDomain(arrays) {
    const [, hi] = extent(arrays, false);
    return [0, Math.min(1, Math.max(0.1, hi))];
  }

  function clipTo(s, lo, hi) { return s.y.filter((_, i) => s.x[i] >= lo && s.x[i] <= hi); }

  // The comparison's three best activations by test accuracy and its worst: the first view of
  // a long comparison, which the reader widens from the legends.
  function featured(c) {
    const acc = (r) => (r.metrics.test_accuracy && Number.isFinite(r.metrics.test_accuracy.mean)
      ? r.metrics.test_accuracy.mean : -Infinity);
    const ranked = [...c.rows].sort((a, b) => acc(b) - acc(a)).map((r) => r.activation);
    return ranked.length > 4 ? [...ranked.slice(0, 3), ranked[ranked.length - 1]] : ranked;
  }

  function legend(container, items, onToggle, hidden) {
    let box = container.previousElementSibling;
    if (!box || !box.classList.contains("legend")) {
      box = document.createElement("div");
      box.className = "legend";
      container.before(box);
    }
    box.replaceChildren();
    for (const item of items) {
      const span = document.createElement("span");
      const swatch = document.createElement("i");
      swatch.style.background = item.color;
      span.append(swatch, item.label);
      if (onToggle) {
        span.classList.toggle("off", hidden.has(item.label));
        span.title = "click to show or hide";
        span.addEventListener("click", () => onToggle(item.label));
      }
      box.appendChild(span);
    }
    if (onToggle && items.length > 4) {
      for (const [label, names] of [["all", items.map((i) => i.label)], ["none", []]]) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = label;
        button.addEventListener("click", () => onToggle(null, names));
        box.appendChild(button);
      }
    }
  }

  document.querySelectorAll("[data-overlay]").forEach((box) => {
    box.addEventListener("change", () => {
      const name = box.dataset.overlay;
      if (box.checked) overlaid.add(name); else overlaid.delete(name);
      box.closest(".card").classList.toggle("overlaid", box.checked);
      drawOverlay();
    });
  });
  overlayDerivative.addEventListener("change", drawOverlay);
  document.getElementById("overlay-clear").addEventListener("click", () => {
    overlaid.clear();
    document.querySelectorAll("[data-overlay]").forEach((b) => {
      b.checked = false;
      b.closest(".card").classList.remove("overlaid");
    });
    drawOverlay();
  });
  document.getElementById("gallery-filter").addEventListener("input", (event) => {
    const q = event.target.value.trim().toLowerCase();
    document.querySelectorAll(".card").forEach((card) => {
      const text = (card.dataset.activation + " " + card.dataset.family).toLowerCase();
      card.hidden = q !== "" && !text.includes(q);
    });
  });

  // ---------------------------------------------------------------- sortable tables
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
        if (ka === "" || kb === "") return ka === kb ? 0 : ka === "" ? 1 : -1;  // blanks last
        if (typeof ka === "number" && typeof kb === "number") return dir * (ka - kb);
        return dir * String(ka).localeCompare(String(kb));
      });
      table.tBodies[0].append(...rows);
    }));
  }

  // ---------------------------------------------------------------- the comparison
  function drawComparison(c) {
    const names = c.rows.map((r) => r.activation);
    const color = Object.fromEntries(names.map((n, i) => [n, colour(i)]));
    const first = new Set(featured(c));
    const hidden = new Set(names.filter((n) => !first.has(n)));
    const box = (key) => document.querySelector(`[data-chart="${key}"]`);
    // toggle(name) flips one; toggle(null, shownNames) shows exactly those.
    const toggle = (name, only) => {
      if (only) { hidden.clear(); names.filter((n) => !only.includes(n)).forEach((n) => hidden.add(n)); }
      else if (hidden.has(name)) hidden.delete(name); else hidden.add(name);
      draw();
    };
    const shown = () => names.filter((n) => !hidden.has(n));
    const items = () => names.map((n) => ({label: n, color: color[n]}));

    function lines(key, source, meanKey, stdKey, xKey, xLabel, yLabel, log, fraction) {
      const series = shown().filter((n) => source[n]).map((n) => {
        const d = source[n];
        const y = d[meanKey];
        const x = xKey ? d[xKey] : y.map((_, i) => i + 1);
        const s = {key: n, label: n, color: color[n], x, y};
        if (stdKey && d[stdKey]) {
          s.lo = y.map((v, i) => (v === null || d[stdKey][i] === null ? null : v - d[stdKey][i]));
          s.hi = y.map((v, i) => (v === null || d[stdKey][i] === null ? null : v + d[stdKey][i]));
        }
        return s;
      });
      const xsAll = series.flatMap((s) => s.x);
      const ys = series.flatMap((s) => [s.y, s.lo || [], s.hi || []]);
      chart(box(key), {width: 520, height: 300, series,
                       x: {domain: xsAll.length ? [Math.min(...xsAll), Math.max(...xsAll, Math.min(...xsAll) + 1)] : [0, 1],
                           label: xLabel, integer: true},
                       y: {domain: fraction ? fractionDomain(ys) : extent(ys, log), label: yLabel, log},
                       message: series.length ? null : "no data", messageClass: "plot-note"});
      legend(box(key), items(), toggle, hidden);
    }

    function draw() {
      const rows = c.rows.filter((r) => r.metrics.test_accuracy && Number.isFinite(r.metrics.test_accuracy.mean));
      const points = rows.map((r) => ({label: r.activation, value: r.metrics.test_accuracy.mean,
                                       err: r.metrics.test_accuracy.std, color: color[r.activation]}));
      const spread = (p, sign) => p.value + sign * (Number.isFinite(p.err) ? p.err : 0);
      chart(box("accuracy"), {width: 520, height: 300, points,
                              x: {domain: [-0.6, Math.max(points.length - 0.4, 0.4)],
                                  categories: points.map((p) => p.label)},
                              y: {domain: extent([points.map((p) => spread(p, 1)), points.map((p) => spread(p, -1))], false),
                                  label: "test accuracy"},
                              message: points.length ? null : "no accuracy measured", messageClass: "plot-note"});
      lines("train_loss", c.curves, "train_loss_mean", "train_loss_std", "epoch", "epoch", "train loss", false);
      lines("val_accuracy", c.curves, "val_accuracy_mean", "val_accuracy_std", "epoch", "epoch", "validation accuracy", false);
      lines("dead_fraction", c.per_layer, "dead_fraction", null, null, "layer", "dead fraction", false, true);
      lines("grad_norm", c.per_layer, "grad_norm", null, null, "layer", "gradient norm", true);
    }
    draw();
  }

  // ---------------------------------------------------------------- claims filter
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

  // ---------------------------------------------------------------- start
  DATA.gallery.forEach(setupCard);
  // Start with the comparison's featured activations overlaid, so the first view compares.
  for (const name of DATA.comparison ? featured(DATA.comparison) : []) {
    const box = document.querySelector(`[data-overlay="${CSS.escape(name)}"]`);
    if (box) { box.checked = true; overlaid.add(name); box.closest(".card").classList.add("overlaid"); }
  }
  drawOverlay();
  document.querySelectorAll("table.sortable").forEach(sortable);
  document.querySelectorAll("table.results-table, table.props-table").forEach((t) => {
    const wrap = document.createElement("div");
    wrap.className = "table-wrap";
    t.replaceWith(wrap);
    wrap.appendChild(t);
  });
  if (DATA.comparison) drawComparison(DATA.comparison);
  document.body.dataset.ready = "true";
})();
