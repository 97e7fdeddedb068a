// The map of every pair of states (see explorer/pair_map.py): cells painted on a canvas, one pixel per cell
// scaled up unsmoothed, so a new text costs a few milliseconds; axes, colour bar and hover box are drawn here.
const rgb = (s) => (s.startsWith('#') ? [1, 3, 5].map((i) => parseInt(s.slice(i, i + 2), 16)) : s.match(/\d+/g).map(Number));


function painter(d) {  // value (coded log10) -> [r, g, b] and its words
  const stops = d.colors.map(rgb);
  const special = Object.fromEntries(Object.entries(d.special).map(([k, s]) => [k, rgb(s.color)]));
  const kind = (v) => (v === null ? 'nan' : v <= d.zero ? 'zero' : v >= d.overflow ? 'overflow' : 'ok');
  const colour = (v) => {
    const k = kind(v);
    if (k !== 'ok') return special[k];
    const x = Math.min(Math.max((v - d.lo) / (d.hi - d.lo), 0), 1) * (stops.length - 1);
    const i = Math.min(Math.floor(x), stops.length - 2), f = x - i;
    return stops[i].map((a, j) => Math.round(a + (stops[i + 1][j] - a) * f));
  };
  const words = (v) => ({nan: 'NaN', zero: '0 (exactly)', overflow: 'inf (overflow)', ok: null}[kind(v)] ?? sci(v, 3));
  return {colour, words};
}

function draw(root, d) {
  const box = root.querySelector('.pm-plot');
  const n = d.rows.length, F = d.font, W = Math.max(box.clientWidth || 700, 360), H = d.height;
  box.drawnAt = box.clientWidth;
  const M = {l: 7.5 * F + 10, r: 8.5 * F + 30, t: 8, b: 6 * F};
  const side = Math.max(Math.min(W - M.l - M.r, H - M.t - M.b), 120);  // square cells: diagonal bands at 45°
  const pw = side, ph = side, cw = pw / n, ch = ph / n;
  M.r = W - M.l - pw;
  const HH = M.t + ph + M.b;  // as tall as the square needs
  box.style.height = `${HH}px`;
  const {colour, words} = painter(d);

  // The cells: one pixel each, then scaled up without smoothing (crisp squares at any size).
  const cells = document.createElement('canvas');
  cells.width = n; cells.height = n;
  const cx = cells.getContext('2d'), img = cx.createImageData(n, n);
  d.rows.forEach((row, t) => row.forEach((v, j) => {
    const [r, g, b] = colour(v), at = 4 * (t * n + d.first[t] + j);
    img.data[at] = r; img.data[at + 1] = g; img.data[at + 2] = b; img.data[at + 3] = 255;
  }));
  cx.putImageData(img, 0, 0);
  const canvas = box.querySelector('canvas'), ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(pw * ratio); canvas.height = Math.round(ph * ratio);
  Object.assign(canvas.style, {left: `${M.l}px`, top: `${M.t}px`, width: `${pw}px`, height: `${ph}px`});
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingEnabled = false;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(cells, 0, 0, canvas.width, canvas.height);

  // Axes, tick labels and the colour bar, in one SVG over the canvas.
  const small = 0.85 * F;
  let svg = `<svg width="${W}" height="${HH}" font-size="${small}">`;
  const room = Math.max(1, Math.floor(ph / (1.25 * small)));  // labels that fit side by side without touching
  const every = Math.ceil(d.ticks.length / room);
  for (const [p, label] of d.ticks.filter((_, i) => i % every === 0)) {
    const x = M.l + (p + 0.5) * cw, y = M.t + (p + 0.5) * ch;
    svg += `<text x="${M.l - 5}" y="${y}" text-anchor="end" dominant-baseline="middle">${label}</text>
      <text transform="translate(${x},${M.t + ph + 5}) rotate(-60)" text-anchor="end" dominant-baseline="middle">${label}</text>`;
  }
  svg += `<text x="${M.l + pw / 2}" y="${HH - 4}" text-anchor="middle" font-size="${F}">${esc(d.x_title)}</text>
    <text transform="translate(${F},${M.t + ph / 2}) rotate(-90)" text-anchor="middle" font-size="${F}">${esc(d.y_title)}</text>
    <rect class="pm-cursor" width="${cw}" height="${ch}" visibility="hidden"/>`;
  // Colour bar: the scale in the middle; an exact-zero band below it, overflow and NaN bands above.
  const bx = M.l + pw + 2 * F, bw = F, band = 1.6 * F;
  const below = ['zero'].filter((k) => d.special[k]), above = ['overflow', 'nan'].filter((k) => d.special[k]);
  const top = M.t + 1.8 * F + above.length * band, bottom = M.t + ph - below.length * band;
  const Yb = (v) => bottom - ((v - d.lo) / (d.hi - d.lo)) * (bottom - top);
  const grad = `pm-grad-${Math.random().toString(36).slice(2)}`;  // unique: a page may hold several maps
  svg += `<defs><linearGradient id="${grad}" x1="0" x2="0" y1="1" y2="0">${d.colors.map((c, i) =>
    `<stop offset="${i / (d.colors.length - 1)}" stop-color="${c}"/>`).join('')}</linearGradient></defs>
    <rect x="${bx}" y="${top}" width="${bw}" height="${bottom - top}" fill="url(#${grad})"/>`;
  for (const [v, label] of d.bar) {
    svg += `<line x1="${bx + bw}" x2="${bx + bw + 4}" y1="${Yb(v)}" y2="${Yb(v)}" stroke="currentColor"/>
      <text x="${bx + bw + 7}" y="${Yb(v)}" dominant-baseline="middle">${esc(label)}</text>`;
  }
  const chip = (k, y) => `<rect x="${bx}" y="${y + 2}" width="${bw}" height="${band - 4}" fill="${d.special[k].color}"/>
    <text x="${bx + bw + 7}" y="${y + band / 2}" dominant-baseline="middle">${esc(d.special[k].label)}</text>`;
  above.forEach((k, i) => { svg += chip(k, top - (i + 1) * band); });  // as explorer/charts/bands.py: NaN on top
  below.forEach((k, i) => { svg += chip(k, bottom + i * band); });
  svg += '</svg>';
  box.querySelector('.pm-axes').innerHTML = svg;
  Object.assign(box.querySelector('.pm-bar-title').style, {left: `${bx}px`, top: `${M.t}px`});

  const cursor = box.querySelector('.pm-cursor'), tip = box.querySelector('.pm-tip');
  canvas.onmousemove = (e) => {
    const r = canvas.getBoundingClientRect();
    const t = Math.floor(((e.clientY - r.top) / r.height) * n), s = Math.floor(((e.clientX - r.left) / r.width) * n);
    const j = s - d.first[t], row = d.rows[t];
    if (!row || j < 0 || j >= row.length) { tip.hidden = true; cursor.setAttribute('visibility', 'hidden'); return; }
    cursor.setAttribute('x', M.l + s * cw); cursor.setAttribute('y', M.t + t * ch);
    cursor.setAttribute('visibility', 'visible');
    tip.innerHTML = `t = ${esc(d.where[t])}<br>s = ${esc(d.where[s])}<br>${d.quantity} = ${words(row[j])}`;
    tip.hidden = false;
    const x = M.l + (s + 1) * cw + 12, y = M.t + (t + 1) * ch + 8;
    tip.style.left = `${Math.max(0, Math.min(x, W - tip.offsetWidth - 4))}px`;
    tip.style.top = `${Math.min(y, HH - tip.offsetHeight - 4)}px`;
  };
  canvas.onmouseleave = () => { tip.hidden = true; cursor.setAttribute('visibility', 'hidden'); };
}

export default function (component) {
  const {parentElement: root} = component;
  const d = component.data;
  const el = (sel) => root.querySelector(sel);
  el('.pm-title').style.fontSize = `${d.font * 1.15}px`;
  el('.pm-title').textContent = d.title;
  el('.pm-sub').style.fontSize = `${d.font * 0.9}px`;
  el('.pm-sub').innerHTML = d.subtitle;  // made in Python, with <sub> markup and no user text
  el('.pm-root').style.fontSize = `${d.font}px`;
  el('.pm-bar-title').innerHTML = d.bar_title;  // made in Python, with <sub> markup and no user text
  draw(root, d);
  if (root.__pmResized) root.__pmResized.disconnect();  // a rerun calls this again on the same element
  const box = el('.pm-plot');
  const resized = (root.__pmResized = new ResizeObserver(() => {
    if (box.clientWidth && box.clientWidth !== box.drawnAt) draw(root, d);
  }));
  resized.observe(box);
  return () => resized.disconnect();
}
