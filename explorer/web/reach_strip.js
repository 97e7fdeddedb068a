// The text coloured by reach (see explorer/reach_strip.py). Every row of reach arrives once in `data`; hovering a
// word recolours the sentence from its row here, with no script rerun; a click reports the word as the target.
const VIRIDIS = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'];
const SPECIAL = {zero: '#999999', overflow: '#D55E00', nan: '#CC79A7'};
const SUP = {'-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹'};
const pow10 = (e) => (e === 0 ? '1' : e === 1 ? '10' : `10${String(e).split('').map((c) => SUP[c]).join('')}`);

function hex(c) { return [1, 3, 5].map((i) => parseInt(c.slice(i, i + 3 - 1), 16)); }
function viridis(share) {  // linear between the ten stops
  const x = Math.min(Math.max(share, 0), 1) * (VIRIDIS.length - 1), i = Math.min(Math.floor(x), VIRIDIS.length - 2);
  const a = hex(VIRIDIS[i]), b = hex(VIRIDIS[i + 1]), f = x - i;
  const rgb = a.map((v, j) => Math.round(v + (b[j] - v) * f));
  return {bg: `rgb(${rgb.join(',')})`, fg: rgb[0] * 0.3 + rgb[1] * 0.59 + rgb[2] * 0.11 > 140 ? '#111' : '#fff'};
}
function colour(d, v) {
  if (v === null) return {bg: SPECIAL.nan, fg: '#111', text: 'NaN'};
  if (v <= d.zero) return {bg: SPECIAL.zero, fg: '#111', text: 'exactly 0'};
  if (v >= d.overflow) return {bg: SPECIAL.overflow, fg: '#fff', text: 'overflow (inf)'};
  const e = Math.floor(v), m = Math.pow(10, v - e);
  return {...viridis((v - d.lo) / (d.hi - d.lo)), text: `${m.toFixed(2)}×${pow10(e)}`};
}

// The target's gradient against distance (data.curve, Elman only): every target's curve arrived with the strip,
// so a hovered or clicked word's curve is drawn here at once. Axes, ticks and the bound were made in Python.
const LINE = {q: ['#0072B2', ''], row: ['#56B4E9', '7 3 2 3'], bound: ['#D55E00', '7 4'], radius: ['#999999', '2 3']};
const MARK = {zero: 'M-4,-3L4,-3L0,4Z', overflow: 'M-4,3L4,3L0,-4Z', nan: 'M-4,-4L4,4M4,-4L-4,4'};
const niceStep = (span, most) => {
  const raw = Math.max(span, 1e-12) / most, base = Math.pow(10, Math.floor(Math.log10(raw)));
  return [1, 2, 5, 10].map((m) => m * base).find((v) => v >= raw);
};
const valueText = (d, v, digits) => (v === null ? 'NaN' : v <= d.zero ? '0 (exactly)'
  : v >= d.overflow ? 'inf (overflow)' : sci(v, digits));

function drawCurve(root, d, t, hovered) {
  const c = d.curve, box = root.querySelector('.rs-curve');
  const key = String(t), ax = c.axes[key];
  if (!ax) { box.innerHTML = ''; return; }
  box.drawnAt = box.clientWidth;  // 0 before the first layout: the observer below redraws once it has one
  const W = Math.max(box.drawnAt || 700, 320), H = c.height, F = c.font;
  const M = {l: 4.6 * F + 12, r: 16, t: 8, b: 3.4 * F};
  const pad = Math.max(0.5, 0.02 * t), [x0, x1] = [t + pad, 1 - pad];  // earlier tokens to the left
  const X = (k) => M.l + ((x0 - k) / (x0 - x1)) * (W - M.l - M.r);
  const [y0, y1] = ax.range, Y = (v) => M.t + ((y1 - v) / (y1 - y0)) * (H - M.t - M.b);
  const place = (v) => (v === null || v >= d.overflow ? ax.ceiling ?? ax.range[1] : v <= d.zero ? ax.floor ?? ax.range[0] : v);
  const kind = (v) => (v === null ? 'nan' : v <= d.zero ? 'zero' : v >= d.overflow ? 'overflow' : 'ok');
  const series = [['q', c.q[key]], ['row', d.rows[key]]].map(([name, vals]) => ({name,
    pts: (vals || []).map((v, s) => ({k: t - s, v, s}))}));
  const b = c.bounds[key];
  const theory = [];
  if (b && c.step !== null) theory.push(['bound', c.step]);
  if (b && c.radius !== null) theory.push(['radius', c.radius]);
  const clip = `rs-clip-${Math.random().toString(36).slice(2)}`;  // unique: several strips may share a page
  let svg = `<svg width="${W}" height="${H}" font-size="${F}" data-rnn-curve="${t}"><defs><clipPath id="${clip}">
    <rect x="${M.l}" y="${M.t}" width="${W - M.l - M.r}" height="${H - M.t - M.b}"/></clipPath></defs>`;
  for (const [v, label] of [...ax.ticks, ...(ax.floor !== null ? [[ax.floor, '0']] : []),
    ...(ax.ceiling !== null ? [[ax.ceiling, 'inf / NaN']] : [])]) {
    svg += `<line class="rs-grid" x1="${M.l}" x2="${W - M.r}" y1="${Y(v)}" y2="${Y(v)}"/>
      <text x="${M.l - 6}" y="${Y(v)}" text-anchor="end" dominant-baseline="middle">${esc(label)}</text>`;
  }
  const step = Math.max(1, Math.round(niceStep(t, 8)));
  for (let k = 0; k <= x0; k += step) {
    if (k < x1) continue;
    svg += `<line class="rs-grid" x1="${X(k)}" x2="${X(k)}" y1="${M.t}" y2="${H - M.b}"/>
      <text x="${X(k)}" y="${H - M.b + F + 4}" text-anchor="middle">${k}</text>`;
  }
  svg += `<text x="${(M.l + W - M.r) / 2}" y="${H - 6}" text-anchor="middle">${esc(c.x_title)}</text>
    <text transform="translate(${F},${(M.t + H - M.b) / 2}) rotate(-90)" text-anchor="middle">${esc(c.y_title)}</text>
    <g clip-path="url(#${clip})">`;
  for (const [name, rate] of theory) {
    const pts = [];
    for (let k = b[0]; k <= t; k++) pts.push(`${X(k)},${Y(b[1] + (k - b[0]) * rate)}`);
    svg += `<polyline fill="none" stroke="${LINE[name][0]}" stroke-width="2" stroke-dasharray="${LINE[name][1]}"
      points="${pts.join(' ')}"/>`;
  }
  for (const {name, pts} of series) {
    const [colour, dash] = LINE[name];
    const ok = pts.filter((p) => kind(p.v) === 'ok');
    svg += `<polyline fill="none" stroke="${colour}" stroke-width="2" stroke-dasharray="${dash}"
      points="${ok.map((p) => `${X(p.k)},${Y(p.v)}`).join(' ')}"/>`;
    svg += ok.map((p) => `<circle cx="${X(p.k)}" cy="${Y(p.v)}" r="2.6" fill="${colour}"/>`).join('');
    svg += pts.filter((p) => kind(p.v) !== 'ok').map((p) => `<path transform="translate(${X(p.k)},${Y(place(p.v))})"
      d="${MARK[kind(p.v)]}" fill="${colour}" stroke="${colour}" stroke-width="1.5"/>`).join('');
  }
  svg += `</g><line class="rs-guide" y1="${M.t}" y2="${H - M.b}" visibility="hidden"/>
    <rect class="rs-hit" x="${M.l}" y="${M.t}" width="${W - M.l - M.r}" height="${H - M.t - M.b}" fill="transparent"/></svg>`;
  const legend = [['q', c.names.q], ['row', c.names.row], ...theory.map(([n]) => [n, c.names[n]])].map(([n, label]) =>
    `<span class="rs-key"><svg width="30" height="10"><line x1="0" x2="30" y1="5" y2="5" stroke="${LINE[n][0]}"
      stroke-width="2" stroke-dasharray="${LINE[n][1]}"/></svg><span>${label}</span></span>`).join('');
  box.innerHTML = `<div class="rs-curve-title" style="font-size:${F * 1.15}px">${esc(c.title)} “${esc(d.tokens[t])}”`
    + `${hovered && t !== d.target ? ' (hovered)' : ''}</div><div class="rs-curve-sub" style="font-size:${F * 0.9}px">`
    + `${esc(c.subtitle)}</div>${svg}<div class="rs-legend" style="font-size:${F}px">${legend}</div>`
    + '<div class="rs-tip" hidden></div>';
  const plot = box.querySelector('svg'), guide = box.querySelector('.rs-guide'), tip = box.querySelector('.rs-tip');
  box.querySelector('.rs-hit').onmousemove = (e) => {
    const r = plot.getBoundingClientRect(), px = e.clientX - r.left, outer = box.getBoundingClientRect();
    const k = Math.min(t, Math.max(1, Math.round(x0 - ((px - M.l) / (W - M.l - M.r)) * (x0 - x1)))), s = t - k;
    guide.setAttribute('x1', X(k)); guide.setAttribute('x2', X(k)); guide.setAttribute('visibility', 'visible');
    const lines = series.map(({name, pts}) => `${c.names[name]} = ${valueText(d, pts[s].v, name === 'q' ? 2 : 1)}`);
    for (const [name, rate] of theory) if (k >= b[0]) lines.push(`theory (${name}): ${sci(b[1] + (k - b[0]) * rate, 2)}`);
    tip.innerHTML = `“${esc(d.tokens[s])}” (position ${s})<br>k = ${k} tokens back<br>${lines.join('<br>')}`;
    tip.hidden = false;
    tip.style.left = `${Math.min(px + 14, W - 260)}px`; tip.style.top = `${e.clientY - outer.top + 10}px`;
  };
  box.querySelector('.rs-hit').onmouseleave = () => { tip.hidden = true; guide.setAttribute('visibility', 'hidden'); };
}

// The target's panel (data.panel, Gradients with the Elman network): opening sentence, picker, verdict and the
// measured factor, every target's made in Python, so a pick is drawn here at once and the rerun only confirms it.
function setupPanel(root, d) {
  const p = d.panel, el = (sel) => root.querySelector(sel);
  el('.rs-pick-label').textContent = p.label;
  el('.rs-help').textContent = p.help;
  const select = el('.rs-select');
  select.setAttribute('aria-label', p.label);
  select.innerHTML = p.options.map(([v, label]) => `<option value="${v}">${esc(label)}</option>`).join('');
  el('.rs-metrics').innerHTML = [...p.metrics, [p.rate_label, '']].map(([label, value]) => `<div class="rs-metric">
    <div class="rs-metric-label">${esc(label)}</div><div class="rs-metric-value">${esc(value)}</div></div>`).join('');
}

function paintPanel(root, d) {
  const p = d.panel, f = p.facts[String(d.target)], el = (sel) => root.querySelector(sel);
  el('.rs-intro').innerHTML = f.intro + p.intro_tail;
  el('.rs-select').value = String(p.setting);
  const badge = el('.rs-badge');
  badge.className = `rs-badge ${f.verdict}`; badge.textContent = f.verdict;
  el('.rs-reason').textContent = f.reason;
  el('.rs-metrics .rs-metric:last-child .rs-metric-value').textContent = f.rate;
  el('.rs-cue-note').textContent = f.cue_note || '';
}

export default function (component) {
  const {parentElement: root, setTriggerValue} = component;
  const drawn = root.__rsDrawn;  // what this element shows now: a rerun that only confirms a pick changes nothing
  const incoming = component.data;
  const pending = root.__rsPending;  // the last pick, until a rerun brings it back
  const same = drawn && incoming.key && drawn.key === incoming.key;  // the same text, model and view (key "": unknown)
  const stale = same && pending && incoming.panel && incoming.panel.setting !== pending.setting
    && performance.now() - pending.at < 5000;  // an earlier pick's rerun, overtaken by a later pick
  if (pending && incoming.panel && incoming.panel.setting === pending.setting) root.__rsPending = undefined;
  if (stale || (same && drawn.target === incoming.target
      && (!incoming.panel || drawn.setting === incoming.panel.setting))) {
    if (root.__rsResized) root.__rsResized.observe(root.querySelector('.rs-curve'));  // in case it was cleaned up
    return root.__rsCleanup;
  }
  const d = {...incoming, ...(incoming.panel ? {panel: {...incoming.panel}} : {})};  // changed here on a pick
  const el = (sel) => root.querySelector(sel);
  const n = d.tokens.length;
  const unit = d.chars ? 'character' : 'word';  // what a token is, in the words on screen
  const remember = () => { root.__rsDrawn = {key: d.key, target: d.target, setting: d.panel && d.panel.setting}; };
  // Words stay whole on a line: characters of one word share a no-wrap span; spaces may break.
  let html = '', open = false;
  d.tokens.forEach((tok, t) => {
    const space = d.chars && tok === ' ';
    if (d.chars && (space || !open)) { html += open ? '</span>' : ''; open = false; }
    if (d.chars && !space && !open) { html += '<span class="rs-w">'; open = true; }
    html += `<span class="rs-t${space ? ' rs-sp' : ''}" data-t="${t}">${esc(tok)}</span>`;
    if (!d.chars) html += ' ';  // words never run together
  });
  el('.rs-text').innerHTML = html + (open ? '</span>' : '');
  const spans = [...root.querySelectorAll('.rs-t')];
  const bar = el('.rs-bar');
  bar.style.background = `linear-gradient(to right, ${VIRIDIS.join(',')})`;
  el('.rs-ticks').innerHTML = d.ticks.map((e) => `<span style="left:${(100 * (e - d.lo)) / (d.hi - d.lo)}%">${pow10(e)}</span>`).join('');
  el('.rs-scale-name').innerHTML = `${d.quantity}, fixed scale:`;
  el('.rs-panel').hidden = !d.panel;
  // On a projector the curve comes right under the picker, the verdict and the numbers after it (CSS order).
  el('.rs-root').classList.toggle('rs-present', Boolean(d.panel && d.panel.presenter));
  if (d.panel) setupPanel(root, d);

  const paint = (t, hovered) => {
    const row = d.rows[String(t)] || [];
    spans.forEach((s, i) => {
      s.classList.toggle('rs-target', i === d.target);
      s.classList.toggle('rs-hovered', hovered && i === t);
      s.classList.toggle('rs-cue', d.cue !== null && i === d.cue);
      if (i < row.length) {
        const c = colour(d, row[i]);
        s.style.backgroundColor = c.bg; s.style.color = c.fg; s.classList.remove('rs-none');
        s.title = `“${d.tokens[i]}” (position ${i}) → the prediction of “${d.tokens[t]}”: ${c.text}`;
      } else {
        s.style.backgroundColor = ''; s.style.color = ''; s.classList.toggle('rs-none', i !== t);
        s.title = i === t ? `“${d.tokens[i]}” (position ${i}): ${i === d.target ? 'the target' : 'hovered'}; click to make it the target`
          : `“${d.tokens[i]}” (position ${i}) comes after “${d.tokens[t]}”: no path leads back from it`;
      }
    });
    el('.rs-title').textContent = `How much each earlier ${unit} can still move the prediction of “${d.tokens[t]}”`
      + (hovered && t !== d.target ? ' (hovered; click to make it the target)' : '');
    root.querySelector('.rs-root').setAttribute('data-rnn-shown', String(t));
    if (d.curve) drawCurve(root, d, t, hovered);
  };
  el('.rs-note').innerHTML = (d.hover ? `Hover a ${unit} to see how far back its own prediction reaches${d.curve ? ', in these colours and in the curve below' : ''}; click it to make it the target. `
    : `Click a ${unit} to make it the target. `)
    + 'Orange: the target' + (d.cue !== null || (d.panel && Object.values(d.panel.facts).some((f) => f.cue !== null))
      ? '; underlined: the cue' : '') + `. ${unit[0].toUpperCase() + unit.slice(1)}s after the one shown have no path to its prediction. `
    + `Colours run from ${pow10(d.ticks[0])} or less (purple) to ${pow10(d.ticks[d.ticks.length - 1])} or more (yellow) on the same scale for every text and model, `
    + `so a network that keeps ×0.99 per step stays bright over the whole text while a vanishing one fades to purple within a few words.`
    + ` <span class="rs-chip" style="background:${SPECIAL.zero}"></span>exactly 0 <span class="rs-chip" style="background:${SPECIAL.overflow}"></span>overflow`
    + ` <span class="rs-chip" style="background:${SPECIAL.nan}"></span>NaN`;

  const text = el('.rs-text');
  let shown = d.target;
  // A new target, drawn now (strip, curve and panel) and then reported: setting is what the URL will hold.
  const pick = (setting) => {
    d.target = setting || d.panel.last; shown = d.target; d.panel.setting = setting;
    d.cue = d.panel.facts[String(d.target)].cue;
    paint(d.target, false); paintPanel(root, d); remember();
    root.__rsPending = {setting, at: performance.now()};
    setTriggerValue('pick', setting);
  };
  text.onmouseover = (e) => {
    const s = e.target.closest('.rs-t');
    if (!s || !d.hover) return;
    const t = Number(s.getAttribute('data-t'));
    if (t > 0 && t !== shown && d.rows[String(t)]) { shown = t; paint(t, true); }
  };
  text.onmouseleave = () => { if (shown !== d.target) { shown = d.target; paint(d.target, false); } };
  text.onclick = (e) => {
    const s = e.target.closest('.rs-t');
    const t = s ? Number(s.getAttribute('data-t')) : 0;
    if (t < 1) return;
    if (d.panel) { pick(t); return; }
    if (d.hover) { d.target = t; shown = t; paint(t, false); }  // drawn now; the rerun brings the numbers
    setTriggerValue('pick', t);
  };
  if (d.panel) {
    el('.rs-select').onchange = (e) => pick(Number(e.target.value));
    paintPanel(root, d);
  }
  paint(d.target, false);
  remember();
  if (root.__rsResized) root.__rsResized.disconnect();  // a rerun calls this again on the same element
  root.__rsResized = root.__rsCleanup = undefined;
  if (!d.curve) return undefined;
  const box = el('.rs-curve');
  const resized = (root.__rsResized = new ResizeObserver(() => {
    if (box.clientWidth && box.clientWidth !== box.drawnAt) drawCurve(root, d, shown, shown !== d.target);
  }));
  resized.observe(box);
  return (root.__rsCleanup = () => resized.disconnect());
}
