// Helpers every in-browser view shares; explorer/components.py puts this file before each view's own script.
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));

function sci(v, digits) {  // a number from its log10, as explorer/charts/style.py fmt_log10 writes it: 1.23e-45
  let e = Math.floor(v), m = Math.pow(10, v - e);
  if (Number(m.toFixed(digits)) >= 10) { m /= 10; e += 1; }
  return `${m.toFixed(digits)}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}
