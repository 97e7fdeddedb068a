// The text coloured by reach (see explorer/reach_strip.py). Every row of reach arrives once in `data`; hovering a
// word recolours the sentence from its row here, with no script rerun; a click reports the word as the target.
const VIRIDIS = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'];
const SPECIAL = {zero: '#999999', overflow: '#D55E00', nan: '#CC79A7'};
const SUP = {'-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹'};
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
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

export default function (component) {
  const {data: d, parentElement: root, setTriggerValue} = component;
  const el = (sel) => root.querySelector(sel);
  const n = d.tokens.length;
  const unit = d.chars ? 'character' : 'word';  // what a token is, in the words on screen
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
  };
  el('.rs-note').innerHTML = (d.hover ? `Hover a ${unit} to see how far back its own prediction reaches; click it to make it the target. `
    : `Click a ${unit} to make it the target. `)
    + 'Orange: the target' + (d.cue !== null ? '; underlined: the cue' : '') + `. ${unit[0].toUpperCase() + unit.slice(1)}s after the one shown have no path to its prediction. `
    + `Colours run from ${pow10(d.ticks[0])} or less (purple) to ${pow10(d.ticks[d.ticks.length - 1])} or more (yellow) on the same scale for every text and model, `
    + `so a network that keeps ×0.99 per step stays bright over the whole text while a vanishing one fades to purple within a few words.`
    + ` <span class="rs-chip" style="background:${SPECIAL.zero}"></span>exactly 0 <span class="rs-chip" style="background:${SPECIAL.overflow}"></span>overflow`
    + ` <span class="rs-chip" style="background:${SPECIAL.nan}"></span>NaN`;

  const text = el('.rs-text');
  let shown = d.target;
  text.onmouseover = (e) => {
    const s = e.target.closest('.rs-t');
    if (!s || !d.hover) return;
    const t = Number(s.getAttribute('data-t'));
    if (t !== shown && d.rows[String(t)]) { shown = t; paint(t, true); }
  };
  text.onmouseleave = () => { if (shown !== d.target) { shown = d.target; paint(d.target, false); } };
  text.onclick = (e) => {
    const s = e.target.closest('.rs-t');
    if (s && Number(s.getAttribute('data-t')) > 0) setTriggerValue('pick', Number(s.getAttribute('data-t')));
  };
  paint(d.target, false);
}
