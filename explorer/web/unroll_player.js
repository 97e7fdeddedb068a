// The Unroll page's step player (see explorer/unroll_player.py): every step's numbers arrive once in `data`;
// Step, Back, the slider and Play redraw the diagram, the equation and the bars here, with no script rerun.
const COLORS = {x: '#56B4E9', h: '#E69F00', z: '#009E73', W_hx: '#0072B2', W_hh: '#E69F00', W_zh: '#009E73'};
const ROW_Y = {z: 95, h: 205, x: 315};
const BOX_W = 44, BOX_H = 34, COL_W = 64, LEFT = 92, HEIGHT = 392;
const MAX_COLUMNS = 24, LABELLED = 12, FADED = 0.25;
const F_NAME = {tanh: 'tanh', sigmoid: 'σ', relu: 'relu', identity: 'id'};
const SUP = {'-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹'};
const live = (window.__rnnUnrollLive = window.__rnnUnrollLive || {});  // per key: the step shown, across reruns

const short = (s, n) => (String(s).length <= n ? String(s) : String(s).slice(0, n - 1) + '…');

function number(v) {  // as explorer/latex.py writes it: 3 decimals, or a power of ten when very small or large
  if (v === null) return 'NaN';
  if (Math.abs(v) >= 1e308) return v > 0 ? '∞' : '−∞';
  if (v !== 0 && !(Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4)) {
    const [m, e] = v.toExponential(2).split('e');
    return `${m.replace('-', '−')}×10${String(Number(e)).split('').map((c) => SUP[c]).join('')}`;
  }
  return v.toFixed(3).replace('-', '−');
}

function g4(v) {  // Python's f"{v:.4g}" (explorer/charts/style.py fmt): the probabilities as hover boxes print them
  if (v === 0) return '0';
  const e = Math.floor(Math.log10(Math.abs(v)));
  if (e < -4 || e >= 4) {
    const [m, x] = v.toExponential(3).split('e');
    return `${m.includes('.') ? m.replace(/\.?0+$/, '') : m}e${Number(x) < 0 ? '-' : '+'}${String(Math.abs(Number(x))).padStart(2, '0')}`;
  }
  return String(Number(v.toPrecision(4)));
}

function windowOf(n, step) {
  if (n <= MAX_COLUMNS) return [0, n];
  const start = Math.min(Math.max(0, step - Math.floor(MAX_COLUMNS / 2)), n - MAX_COLUMNS);
  return [start, start + MAX_COLUMNS];
}

function sub(name, t) {
  return `${name}<tspan baseline-shift="sub" font-size="70%">${t}</tspan>`;
}

function arrow(x0, y0, x1, y1, weight, opacity, label) {
  let out = `<line x1="${x0}" y1="${y0}" x2="${x1}" y2="${y1}" stroke="${COLORS[weight]}" stroke-width="2"
    opacity="${opacity}" marker-end="url(#rp-head-${weight})"/>`;
  if (label) {
    const horizontal = y0 === y1;
    const x = (x0 + x1) / 2 + (horizontal ? 0 : 5), y = (y0 + y1) / 2 + (horizontal ? -7 : 4);
    out += `<text x="${x}" y="${y}" font-size="11" fill="${COLORS[weight]}" style="fill:${COLORS[weight]}"
      text-anchor="${horizontal ? 'middle' : 'start'}" opacity="${opacity}">${sub('W', weight.slice(2))}</text>`;
  }
  return out;
}

function box(cx, row, opacity, width, dash) {
  const y = ROW_Y[row];
  return `<rect x="${cx - BOX_W / 2}" y="${y - BOX_H / 2}" width="${BOX_W}" height="${BOX_H}" rx="3"
    fill="${COLORS[row]}" fill-opacity="${0.35 * opacity + 0.05}" stroke="${COLORS[row]}" stroke-width="${width}"
    stroke-opacity="${Math.max(opacity, 0.3)}" ${dash ? 'stroke-dasharray="3 3"' : ''}/>`;
}

function diagram(d, step) {
  const n = d.tokens.length;
  const [start, stop] = windowOf(n, step);
  const cols = stop - start, label = cols <= LABELLED;
  const cx = (c) => LEFT + c * COL_W;
  const width = LEFT + cols * COL_W + (stop < n ? 40 : 10);
  let s = `<defs>${['W_hx', 'W_hh', 'W_zh'].map((w) => `<marker id="rp-head-${w}" viewBox="0 0 10 10" refX="9" refY="5"
    markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="${COLORS[w]}"/></marker>`).join('')}</defs>`;
  s += `<rect x="${cx(step - start) - 29}" y="14" width="58" height="${HEIGHT - 44}" fill="#F0E442" fill-opacity="0.22"/>`;
  for (const [row, name] of [['x', 'input x<tspan baseline-shift="sub" font-size="70%">t</tspan>'],
    ['h', 'hidden h<tspan baseline-shift="sub" font-size="70%">t</tspan>'], ['z', 'output z<tspan baseline-shift="sub" font-size="70%">t</tspan>']]) {
    s += `<text x="4" y="${ROW_Y[row] + 4}" font-size="12" opacity="0.8">${name}</text>`;
  }
  if (start === 0) {
    s += box(cx(-1) + 14, 'h', 0, 1.5, true) + `<text x="${cx(-1) + 14}" y="${ROW_Y.h + 4}" font-size="12"
      text-anchor="middle">${sub('h', 'init')}<title>the initial state, before any word is read (zeros by default)</title></text>`;
  } else {
    s += `<text x="${cx(-1) + 14}" y="${ROW_Y.h + 6}" font-size="18" text-anchor="middle" opacity="0.6">…</text>
      <text x="${cx(-1) + 14}" y="${ROW_Y.h + 30}" font-size="10" text-anchor="middle" opacity="0.6">${start} earlier</text>`;
  }
  for (let c = 0; c < cols; c++) {
    const t = start + c, x = cx(c), active = t <= step, op = active ? 1 : FADED;
    const tok = esc(d.tokens[t]);
    s += `<g class="rp-col" data-t="${t}"><title>step ${t}: x${t} is the vector of “${tok}”; h${t} = f(W_hx x${t} + W_hh h${t ? t - 1 : 'init'} + b_h), the memory after reading it; z${t} scores the word after it</title>`;
    s += `<rect x="${x - COL_W / 2}" y="14" width="${COL_W}" height="${HEIGHT - 14}" fill="transparent"/>`;
    for (const row of ['x', 'h', 'z']) {
      s += box(x, row, op, t === step ? 3 : 1.5);
      s += `<text x="${x}" y="${ROW_Y[row] + 4}" font-size="13" text-anchor="middle" opacity="${op}">${sub(row, t)}</text>`;
    }
    s += arrow(x, ROW_Y.x - BOX_H / 2, x, ROW_Y.h + BOX_H / 2 + 2, 'W_hx', op, label);
    s += arrow(x, ROW_Y.h - BOX_H / 2, x, ROW_Y.z + BOX_H / 2 + 2, 'W_zh', op, label);
    s += arrow(x - COL_W + BOX_W / 2 + (c === 0 && start === 0 ? 14 : 0), ROW_Y.h, x - BOX_W / 2 - 2, ROW_Y.h, 'W_hh', op, label);
    if (active) {
      const p = esc(short(d.top_words[t][0], 10));
      s += cols > LABELLED
        ? `<text font-size="11" font-style="italic" transform="translate(${x - 4},${ROW_Y.z - BOX_H / 2 - 6}) rotate(-30)">${p}</text>`
        : `<text x="${x}" y="${ROW_Y.z - BOX_H / 2 - 8}" font-size="12" font-style="italic" text-anchor="middle">${p}</text>`;
    }
    s += `<text font-size="11" transform="translate(${x + 4},${ROW_Y.x + BOX_H / 2 + 14}) rotate(${cols > LABELLED ? 30 : 0})"
      text-anchor="${cols > LABELLED ? 'start' : 'middle'}" opacity="${active ? 1 : 0.6}">${esc(short(d.tokens[t], 10))}</text></g>`;
  }
  if (stop < n) {
    const x = cx(cols - 1) + COL_W / 2 + 6;
    s += arrow(cx(cols - 1) + BOX_W / 2, ROW_Y.h, x, ROW_Y.h, 'W_hh', FADED, false)
      + `<text x="${x + 16}" y="${ROW_Y.h + 6}" font-size="18" text-anchor="middle" opacity="0.6">…</text>
      <text x="${x + 16}" y="${ROW_Y.h + 30}" font-size="10" text-anchor="middle" opacity="0.6">${n - stop} more</text>`;
  }
  return {svg: s, width};
}

function vector(values, name, hidden) {
  const cells = values.map(number).join('<br>') + (hidden > values.length ? '<br>⋮' : '');
  return `<span class="rp-vec"><span class="rp-cells">${cells}</span><span class="rp-name">${name}</span></span>`;
}

function stepView(d, step) {
  let s = `<p><b>Step ${step}: reading “${esc(d.tokens[step])}”</b></p>`;
  if (d.terms) {
    const T = d.terms, prev = step > 0 ? step - 1 : 'init';
    s += `<div class="rp-eq">${vector(T['u_t'][step], `u<sub>${step}</sub>`, d.hidden)}<span class="rp-op">=</span>
      ${vector(T['W_hx x_t'][step], `W<sub>hx</sub>x<sub>${step}</sub>`, d.hidden)}<span class="rp-op">+</span>
      ${vector(T['W_hh h_prev'][step], `W<sub>hh</sub>h<sub>${prev}</sub>`, d.hidden)}<span class="rp-op">+</span>
      ${vector(T['b_h'][step], 'b<sub>h</sub>', d.hidden)}</div>
      <div class="rp-eq">h<sub>${step}</sub> = ${F_NAME[d.activation] || d.activation}(u<sub>${step}</sub>) =
      ${vector(T['h_t'][step], `h<sub>${step}</sub>`, d.hidden)}</div>
      <div class="rp-note">The first ${Math.min(6, d.hidden)} of the ${d.hidden} hidden units. W<sub>hx</sub> x<sub>t</sub> brings in the new ${d.unit},
      W<sub>hh</sub> h<sub>t−1</sub> brings in everything read so far: that second term is the network's memory.</div>`;
  }
  if (!d.known[step]) {
    s += `<div class="rp-note">“${esc(d.tokens[step])}” is not in the vocabulary: its input x<sub>t</sub> is a fixed random vector made
      from the ${d.unit} itself, and as a prediction target it counts as &lt;unk&gt;.</div>`;
  }
  return s;
}

function historyText(tokens, step) {  // as explorer/charts/unroll.py's _history_text: cut at the start
  const words = tokens.slice(Math.max(0, step - 4), step + 1).map(String);
  if (step > 4) words.unshift('…');
  const kept = [];
  while (words.length && [words[words.length - 1], ...kept].join(' ').length <= 48) kept.unshift(words.pop());
  if (!kept.length && words.length) return '…' + words[words.length - 1].slice(-47);
  return (words.length ? '… ' : '') + kept.join(' ');
}

function nextView(d, step) {
  const words = d.top_words[step], probs = d.top_probs[step], hit = d.next[step], typed = d.next_typed[step];
  const finite = probs.filter((p) => p !== null);
  const top = finite.length ? Math.max(...finite) : 1;
  const scale = Math.min(1, top * 1.25) || 1;
  let s = `<p><b>P(next ${d.unit} | ${esc(historyText(d.tokens, step))})</b></p><div class="rp-bars">`;
  words.forEach((w, i) => {
    const p = probs[i];
    s += `<span class="rp-word" title="${esc(w)}">${esc(short(w, 16))}</span><span class="rp-bar-row">
      <span class="rp-bar${w === hit ? ' rp-hit' : ''}" style="width:${p === null ? 0 : (80 * p) / scale}%"></span>
      <span class="rp-p">${p === null ? 'NaN (the network overflowed)' : g4(p)}</span></span>`;
  });
  s += '</div>';
  if (hit !== null) {
    const read = typed === hit ? '' : hit === '<unk>' ? ', which the network reads as &lt;unk&gt;' : `, read as “${esc(hit)}”`;
    s += `<div class="rp-note"><span class="rp-bar rp-hit" style="display:inline-block;width:1.5em;height:0.7em"></span>
      “${esc(typed)}”: the ${d.unit} that actually follows${read}${words.includes(hit) ? '' : ` (not among these ${words.length})`}</div>`;
  }
  // Said from this step's own numbers: how far the favourite stands above an even spread over the vocabulary.
  const even = 1 / d.vocab_size, times = top / even;
  const spread = !finite.length ? ''
    : times < 3 ? ` Spread almost evenly: the likeliest ${d.unit} gets ${g4(top)}, near the even share 1/${d.vocab_size} = ${g4(even)}${d.trained ? '' : ': that is what “untrained” looks like'}.`
      : ` The likeliest ${d.unit} gets ${g4(top)}, ${Math.round(times)} times the even share 1/${d.vocab_size}.`;
  const unk = words.includes('<unk>') ? ` &lt;unk&gt; stands for every ${d.unit} outside the vocabulary, so it collects all their probability.` : '';
  s += `<div class="rp-note">softmax(z<sub>t</sub>): the probability of each ${d.unit} coming next.${spread}${unk}</div>`;
  return s;
}

export default function (component) {
  const {data: d, parentElement: root} = component;
  const key = component.key || 'unroll';
  const el = (sel) => root.querySelector(sel);
  const n = d.tokens.length;
  const fingerprint = JSON.stringify([d.tokens, d.top_probs, d.terms && d.terms['h_t'], d.trained]);
  // The browser's own step wins over a rerun's copy of the old one, unless the app sent a new step (a link, a
  // Lecture mode step) or new data.
  const kept = live[key] && live[key].fingerprint === fingerprint && live[key].sent === d.step;
  const memory = kept ? live[key] : {fingerprint, sent: d.step, step: d.step, rate: d.rate};
  live[key] = memory;
  let step = Math.min(Math.max(memory.step, 0), n - 1), timer = null, urlTimer = null;

  const slider = el('.rp-slider'), rate = el('.rp-rate select'), play = el('[data-act="play"]');
  root.querySelectorAll('.rp-unit').forEach((e) => { e.textContent = d.unit; });  // what one column reads
  slider.max = String(n - 1);
  slider.hidden = n < 2;
  rate.innerHTML = d.rates.map((r) => `<option value="${r}">${r} / s</option>`).join('');
  rate.value = String(memory.rate);

  const writeUrl = () => {  // the link holds the step; throttled (browsers limit history writes to ~100 per 10 s)
    urlTimer = null;
    const url = new URL(window.location.href);
    if (url.searchParams.get('step') === String(step)) return;
    url.searchParams.set('step', String(step));
    try {
      window.history.replaceState(window.history.state, '', url);
    } catch (err) {  // a downloaded copy opened from disk (origin "null") may not rewrite its address
    }
  };
  const show = (t) => {
    step = Math.min(Math.max(t, 0), n - 1);
    memory.step = step;
    const {svg, width} = diagram(d, step);
    const pic = el('.rp-diagram');
    pic.setAttribute('viewBox', `0 0 ${width} ${HEIGHT}`);
    pic.style.maxHeight = `${HEIGHT * 1.15}px`;
    pic.innerHTML = svg;
    el('.rp-title').textContent = `The RNN unrolled over ${n} tokens: step ${step} reads “${d.tokens[step]}”`;
    el('.rp-step').innerHTML = stepView(d, step);
    el('.rp-next').innerHTML = nextView(d, step);
    el('.rp-where').textContent = `step ${step} of ${n - 1}`;
    slider.value = String(step);
    el('[data-act="back"]').disabled = step === 0;
    el('[data-act="step"]').disabled = step === n - 1;
    root.querySelector('.rp-root').setAttribute('data-rnn-step', String(step));
    if (urlTimer === null) urlTimer = setTimeout(writeUrl, 120);
  };
  const stop = () => {
    if (timer !== null) clearInterval(timer);
    timer = null;
    play.textContent = '▶ Play';
  };
  const start = () => {
    stop();
    if (step >= n - 1) show(0);  // Play at the end starts over
    play.textContent = '⏸ Pause';
    timer = setInterval(() => {
      show(step + 1);
      if (step >= n - 1) stop();
    }, 1000 / Number(rate.value));
  };
  root.querySelector('.rp-controls').onclick = (e) => {
    const act = e.target.closest('[data-act]')?.getAttribute('data-act');
    if (act === 'play') return timer === null ? start() : stop();
    if (!act) return;
    stop();
    show(act === 'reset' ? 0 : act === 'back' ? step - 1 : step + 1);
  };
  slider.oninput = () => { stop(); show(Number(slider.value)); };
  rate.onchange = () => { memory.rate = Number(rate.value); if (timer !== null) start(); };
  el('.rp-diagram').onclick = (e) => {
    const col = e.target.closest('.rp-col');
    if (col) { stop(); show(Number(col.getAttribute('data-t'))); }
  };
  show(step);
  const reassert = setTimeout(writeUrl, 400);  // after a rerun the app rewrites the link from its own copy
  return () => { stop(); clearTimeout(reassert); if (urlTimer !== null) { clearTimeout(urlTimer); writeUrl(); } };
}
