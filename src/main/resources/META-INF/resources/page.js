// ionclock status page: no build step, no outside resources. Reads /api/v1/status every second, and the last
// hour from /api/v1/history once; keeps at most HISTORY_POINTS_MAX points in the page.
'use strict';
const POLL_MILLIS = 1000;
const HISTORY_POINTS_MAX = 3600; // one hour at one point a second
const PLOT_WIDTH = 1000, PLOT_HEIGHT = 300, PLOT_MARGIN_LEFT = 70, PLOT_MARGIN_BOTTOM = 20;
const SVG_NS = 'http://www.w3.org/2000/svg';
// The top of the scale, 10 s: a bound past it (unknown before the first synchronisation) is drawn at the top.
const PLOT_DECADES_MAX = 10;
const history = []; // {epochMillis, offsetNanos, lastOffsetNanos, boundNanos, status}

const SYMBOLS = { SELECTED: '*', CANDIDATE: '+', OUTLIER: '-', EXCLUDED: '-', FALSETICKER: 'x', ISOLATED: 'x',
  NO_MAJORITY: '~' };
function symbol(verdict) { return SYMBOLS[verdict] || '?'; }

// A bound or an age: negative (-1) means none.
function duration(nanos) {
  if (nanos === null || nanos === undefined || nanos < 0) return '-';
  const a = Math.abs(nanos), sign = nanos < 0 ? '-' : '';
  if (a < 10000) return sign + a + ' ns';
  if (a < 10000000) return sign + (a / 1000).toFixed(1) + ' µs';
  if (a < 10000000000) return sign + (a / 1e6).toFixed(1) + ' ms';
  return sign + (a / 1e9).toFixed(1) + ' s';
}
function signed(nanos) { return (nanos > 0 ? '+' : nanos < 0 ? '-' : '') + duration(Math.abs(nanos)); }

function setText(id, text, cls) {
  const el = document.getElementById(id);
  el.textContent = text;
  if (cls !== undefined) el.className = el.className.replace(/\b(SYNCHRONIZED|HOLDOVER|FREE_RUNNING|UNSYNCHRONIZED)\b/g, '').trim() + ' ' + cls;
}

function fillTable(id, rows) {
  const body = document.querySelector('#' + id + ' tbody');
  body.replaceChildren();
  for (const row of rows) {
    const tr = document.createElement('tr');
    for (const cell of row) {
      const td = document.createElement('td');
      td.textContent = cell;
      tr.appendChild(td);
    }
    body.appendChild(tr);
  }
}

function addPoint(p) {
  const last = history[history.length - 1];
  if (last && p.epochMillis <= last.epochMillis) return;
  history.push(p);
  while (history.length > HISTORY_POINTS_MAX) history.shift();
}

function render(s) {
  const t = s.time, c = s.clock;
  setText('profile', 'profile ' + s.profile);
  setText('status', t.status, t.status);
  setText('bound', duration(t.boundNanos));
  setText('source', t.source);
  setText('time', t.time);
  setText('timescale', t.timescale);
  const leap = s.leap || {};
  setText('leap', leap.announced || t.leap);
  setText('leap-detail', 'policy ' + (leap.policy || '?') + (leap.list ? ', list ' + leap.list.state
    + (leap.list.expired ? ' (expired)' : '') : '') + (leap.pendingEpochSeconds ? ', at '
    + new Date(leap.pendingEpochSeconds * 1000).toISOString() : ''));
  setText('offset', signed(c.offsetNanos) + ' (last ' + signed(c.lastOffsetNanos) + ')');
  setText('frequency', (c.frequencyPpb / 1000).toFixed(3) + ' ppm ± ' + (c.frequencyErrorPpb / 1000).toFixed(3));
  const ntpByName = {};
  for (const n of (s.ntp ? s.ntp.servers : [])) ntpByName['NTP:' + n.name] = n;
  fillTable('sources', s.sources.map(src => {
    const l = src.lastSample, n = ntpByName[src.name];
    const bound = n ? n.boundNanos : (l ? l.refBoundNanos + l.measurementErrorNanos : -1);
    return [symbol(src.state), src.name, src.state, l ? signed(l.offsetNanos) : '-', duration(bound),
      l ? duration(l.ageNanos) + ' ago' : '-', String(src.accepted)];
  }));
  const sync = s.sync;
  document.getElementById('clocklink-section').hidden = !sync;
  if (sync) {
    setText('clocklink', sync.role + ' ' + sync.nodeId + ' · leader ' + (sync.leader ? 'this node'
      : (sync.leaderName || 'none')) + ' · term ' + sync.term + ' · ' + sync.clients + ' clients');
    fillTable('peers', sync.peers.map(p => [symbol(p.verdict), p.name || p.label, p.role, p.state, p.verdict,
      signed(p.offsetNanos), duration(p.boundNanos), p.reputation.toFixed(2)]));
  }
  document.getElementById('ntp-section').hidden = !s.ntp && !s.ntpServer;
  fillTable('ntp', (s.ntp ? s.ntp.servers : []).map(n => [symbol(n.selection), n.name, n.selection,
    String(n.server.stratum), n.reach, signed(n.offsetNanos), duration(n.boundNanos)]));
  setText('ntp-server', s.ntpServer ? 'NTP server: ' + s.ntpServer.clients + ' clients, ' + s.ntpServer.requests
    + ' requests' : '');
  addPoint({ epochMillis: t.epochNanos / 1e6, offsetNanos: c.offsetNanos, lastOffsetNanos: c.lastOffsetNanos,
    boundNanos: t.boundNanos, status: t.status });
  plot();
  setText('updated', 'Updated ' + t.time + '.');
}

function el(name, attrs) {
  const e = document.createElementNS(SVG_NS, name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  return e;
}

// A symmetric log scale (1 ns to the largest value): a bound of 90 µs at start and of 2 µs later both show.
function symlog(n) { return Math.sign(n) * Math.log10(1 + Math.abs(n)); }

function plot() {
  const svg = document.getElementById('plot');
  svg.replaceChildren();
  const pts = history;
  svg.setAttribute('data-points', String(pts.length));
  if (pts.length === 0) return;
  const t0 = pts[0].epochMillis, t1 = Math.max(pts[pts.length - 1].epochMillis, t0 + 1);
  let decades = 1;
  for (const p of pts) decades = Math.max(decades, Math.ceil(symlog(Math.max(p.boundNanos, Math.abs(p.lastOffsetNanos)))));
  const w = PLOT_WIDTH - PLOT_MARGIN_LEFT, h = PLOT_HEIGHT - PLOT_MARGIN_BOTTOM;
  const x = m => PLOT_MARGIN_LEFT + (m - t0) / (t1 - t0) * w;
  decades = Math.min(decades, PLOT_DECADES_MAX);
  const y = n => h / 2 - Math.max(-decades, Math.min(decades, symlog(n))) / decades * (h / 2 - 4);
  const line = (f) => pts.map(p => x(p.epochMillis).toFixed(1) + ',' + y(f(p)).toFixed(1)).join(' ');
  for (let d = 0; d <= decades; d++) {
    for (const sign of d === 0 ? [0] : [1, -1]) {
      const v = sign * Math.pow(10, d);
      const yy = y(v);
      svg.appendChild(el('line', { x1: PLOT_MARGIN_LEFT, x2: PLOT_WIDTH, y1: yy, y2: yy, stroke: d === 0 ? '#999' : '#eee' }));
      if (d % 2 === 0 || decades <= 5) {
        const label = el('text', { x: 4, y: Math.min(Math.max(yy + 4, 12), h), 'font-size': 12, fill: '#555' });
        label.textContent = v === 0 ? '0' : signed(v);
        svg.appendChild(label);
      }
    }
  }
  svg.appendChild(el('polyline', { id: 'bound-upper', points: line(p => p.boundNanos), fill: 'none', stroke: '#39f' }));
  svg.appendChild(el('polyline', { id: 'bound-lower', points: line(p => -p.boundNanos), fill: 'none', stroke: '#39f' }));
  svg.appendChild(el('polyline', { id: 'offset-line', points: line(p => p.lastOffsetNanos), fill: 'none', stroke: '#c33',
    'stroke-width': 1.5 }));
  const span = el('text', { x: PLOT_MARGIN_LEFT, y: PLOT_HEIGHT - 4, 'font-size': 12, fill: '#555' });
  span.textContent = new Date(t0).toISOString().substring(11, 19) + ' – ' + new Date(t1).toISOString().substring(11, 19)
    + ' UTC (log scale)';
  svg.appendChild(span);
  setText('plot-info', pts.length + ' points (at most ' + HISTORY_POINTS_MAX + ')');
}

async function loadHistory() {
  try {
    const r = await fetch('api/v1/history', { cache: 'no-store' });
    if (!r.ok) return;
    const h = await r.json();
    for (let i = 0; i < h.epochNanos.length; i++) {
      addPoint({ epochMillis: h.epochNanos[i] / 1e6, offsetNanos: h.offsetNanos[i],
        lastOffsetNanos: h.lastOffsetNanos[i], boundNanos: h.boundNanos[i], status: h.status[i] });
    }
  } catch (e) { /* the page works without history: it collects its own */ }
}

async function poll() {
  const error = document.getElementById('error');
  try {
    const r = await fetch('api/v1/status', { cache: 'no-store' });
    if (!r.ok) throw new Error('HTTP ' + r.status);
    render(await r.json());
    error.hidden = true;
  } catch (e) {
    error.textContent = 'No answer from the appliance: ' + e.message;
    error.hidden = false;
  }
}

(async () => {
  await loadHistory();
  await poll();
  setInterval(poll, POLL_MILLIS);
})();
