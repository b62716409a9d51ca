// common.js — what the viewer and the embed page share: the page configuration written by the
// server, a DOM helper that never parses HTML (every catalog or feature text goes in as text),
// the map style (the server's, or one built from TileJSON when the style is not available), the
// legend read from the style, and values formatted for people.
import { makeT } from './i18n.js';

export function readConfig() {
  const cfg = JSON.parse(document.getElementById('teselas-config').textContent);
  cfg.t = makeT(cfg.lang);
  cfg.byId = new Map(cfg.layers.map((l) => [l.id, l]));
  return cfg;
}

// el('p', {class: 'x', onclick: fn}, 'text', child) — text children become text nodes.
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

export function hasWebGL() {
  try {
    const c = document.createElement('canvas');
    return !!(c.getContext('webgl2') || c.getContext('webgl'));
  } catch {
    return false;
  }
}

// ---- the style -------------------------------------------------------------------------------

const PALETTE = {
  'limite-municipal': '#4a4a4a', colonias: '#8a5a9e', parques: '#2e7d32',
  'rios-canales': '#1565c0', 'cuerpos-agua': '#1e88e5', incidentes: '#c62828',
};
const FALLBACK_COLORS = ['#6a1b9a', '#00838f', '#ef6c00', '#5d4037', '#283593', '#ad1457'];

function colorOf(layer, i) {
  return PALETTE[layer.id] || FALLBACK_COLORS[i % FALLBACK_COLORS.length];
}

// A style drawn from the catalog alone: one vector source (TileJSON of every layer), and per layer
// a fill+outline, a line or a circle by geometry type; clusters (point_count) as larger circles.
export function autoStyle(cfg) {
  const layers = [{ id: 'background', type: 'background', paint: { 'background-color': '#f4f3ef' } }];
  const order = { Polygon: 0, MultiPolygon: 0, LineString: 1, MultiLineString: 1 };
  const sorted = cfg.layers
    .map((l, i) => [l, i])
    .sort((a, b) => (order[a[0].geometry] ?? 2) - (order[b[0].geometry] ?? 2));
  for (const [l, i] of sorted) {
    const c = colorOf(l, i);
    const base = { source: 'teselas', 'source-layer': l.id, metadata: { 'teselas:layer': l.id } };
    if (/Polygon/.test(l.geometry)) {
      const outline = l.id === 'limite-municipal';
      if (!outline) {
        layers.push({ ...base, id: `${l.id}-fill`, type: 'fill',
          paint: { 'fill-color': c, 'fill-opacity': l.id === 'colonias' ? 0.12 : 0.45 } });
      }
      layers.push({ ...base, id: `${l.id}-line`, type: 'line',
        paint: { 'line-color': c, 'line-width': outline ? 2.5 : 0.8 } });
    } else if (/LineString/.test(l.geometry)) {
      layers.push({ ...base, id: `${l.id}-line`, type: 'line',
        paint: { 'line-color': c, 'line-width': 2 } });
    } else {
      layers.push({ ...base, id: `${l.id}-clusters`, type: 'circle', filter: ['has', 'point_count'],
        paint: { 'circle-color': c, 'circle-opacity': 0.55, 'circle-stroke-color': '#fff',
          'circle-stroke-width': 1,
          'circle-radius': ['step', ['get', 'point_count'], 6, 10, 9, 50, 13, 200, 18] } });
      layers.push({ ...base, id: `${l.id}-points`, type: 'circle', filter: ['!', ['has', 'point_count']],
        paint: { 'circle-color': c, 'circle-radius': 4, 'circle-stroke-color': '#fff',
          'circle-stroke-width': 1 } });
    }
  }
  return {
    version: 8,
    name: 'teselas (automático)',
    sources: { teselas: { type: 'vector', url: new URL(cfg.tilejson, location.href).href } },
    layers,
  };
}

// The server's style, or the automatic one when the style endpoint is missing or says no.
export async function loadStyle(cfg) {
  if (cfg.endpoints.style) {
    try {
      const r = await fetch(cfg.endpoints.style);
      if (r.ok) return { style: await r.json(), auto: false };
    } catch { /* fall through */ }
  }
  return { style: autoStyle(cfg), auto: true };
}

// Style layer ids of each catalog layer, by their source-layer.
export function styleLayersByLayer(style, cfg) {
  const out = new Map(cfg.layers.map((l) => [l.id, []]));
  for (const sl of style.layers || []) {
    const id = sl['source-layer'];
    if (id && out.has(id)) out.get(id).push(sl.id);
  }
  return out;
}

// ---- the legend, read from the style ---------------------------------------------------------

function literalColor(v) {
  if (typeof v === 'string') return v;
  if (!Array.isArray(v)) return null;
  const op = v[0];
  if (op === 'interpolate' || op === 'interpolate-hcl' || op === 'interpolate-lab') return literalColor(v[4]);
  if (op === 'step') return literalColor(v[2]);
  if (op === 'case') return literalColor(v[v.length - 1]);
  if (op === 'match') return literalColor(v[v.length - 1]);
  if (op === 'literal') return literalColor(v[1]);
  if (op === 'coalesce') return literalColor(v[v.length - 1]);
  return null;
}

const PAINT_COLOR = { fill: 'fill-color', line: 'line-color', circle: 'circle-color',
  'fill-extrusion': 'fill-extrusion-color' };

function isClusterLayer(sl) {
  return JSON.stringify(sl.filter || '').includes('point_count') &&
    !JSON.stringify(sl.filter || '').includes('"!"');
}

// A fill so pale or transparent that a swatch of it says nothing (a land mask, a faint area).
function faintFill(sl) {
  const op = sl.paint && sl.paint['fill-opacity'];
  if (typeof op === 'number' && op < 0.3) return true;
  const c = literalColor(sl.paint && sl.paint['fill-color']);
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(c || '');
  if (!m) return false;
  const [r, g, b] = m.slice(1).map((h) => parseInt(h, 16) / 255);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.92;
}

// [{label, color, kind}] for one catalog layer: a match on a property gives one entry per value.
// Fills speak for their layer; its outlines are listed only when no fill does.
export function legendEntries(style, layer, t) {
  const entries = [];
  const seen = new Set();
  const push = (label, color, kind) => {
    const key = `${label}|${kind}`;
    if (!color || seen.has(key)) return;
    seen.add(key);
    entries.push({ label, color, kind });
  };
  const own = (style.layers || []).filter((sl) => sl['source-layer'] === layer.id && PAINT_COLOR[sl.type]
    && sl.paint && sl.paint[PAINT_COLOR[sl.type]] !== undefined && !(sl.type === 'fill' && faintFill(sl)));
  const hasFill = own.some((sl) => sl.type === 'fill');
  for (const sl of own) {
    if (sl.type === 'line' && hasFill) continue;
    const v = sl.paint[PAINT_COLOR[sl.type]];
    const kind = sl.type === 'circle' ? 'circle' : sl.type === 'line' ? 'line' : 'fill';
    if (sl.type === 'circle' && isClusterLayer(sl)) {
      push(t('clusters'), literalColor(v), 'cluster');
    } else if (Array.isArray(v) && v[0] === 'match' && Array.isArray(v[1]) && v[1][0] === 'get') {
      for (let i = 2; i + 1 < v.length; i += 2) {
        const labels = Array.isArray(v[i]) ? v[i] : [v[i]];
        push(labels.join(', '), literalColor(v[i + 1]), kind);
      }
      push(t('other'), literalColor(v[v.length - 1]), kind);
    } else {
      push(layer.title, literalColor(v), kind);
    }
  }
  return entries;
}

export function swatch(entry) {
  const s = el('span', { class: `swatch ${entry.kind}`, 'aria-hidden': 'true' });
  s.style.setProperty('--c', entry.color);
  return s;
}

// ---- values for people ------------------------------------------------------------------------

const MONTHS = {
  es: ['ene', 'feb', 'mar', 'abr', 'may', 'jun', 'jul', 'ago', 'sep', 'oct', 'nov', 'dic'],
  en: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
};

export function formatMonth(key, lang) {
  const m = /^(\d{4})-(\d{2})/.exec(String(key));
  if (!m) return String(key);
  return `${(MONTHS[lang] || MONTHS.es)[Number(m[2]) - 1]} ${m[1]}`;
}

export function formatValue(field, v, cfg) {
  const t = cfg.t;
  if (v === null || v === undefined || v === '') return t('noValue');
  const locale = cfg.lang === 'en' ? 'en-US' : 'es-MX';
  const type = field ? field.type : typeof v;
  if (type === 'boolean' || typeof v === 'boolean') {
    const b = v === true || v === 'true' || v === 1 || v === '1';
    return b ? t('yes') : t('no');
  }
  if (type === 'date' || type === 'datetime') {
    const d = new Date(String(v).length === 10 ? `${v}T12:00:00` : v);
    if (!Number.isNaN(d.getTime())) {
      const opts = { year: 'numeric', month: 'long', day: 'numeric' };
      if (type === 'datetime') Object.assign(opts, { hour: '2-digit', minute: '2-digit' });
      return d.toLocaleDateString(locale, opts);
    }
  }
  if (typeof v === 'number' || type === 'integer' || type === 'real') {
    const n = Number(v);
    if (Number.isFinite(n)) return n.toLocaleString(locale, { maximumFractionDigits: 2 });
  }
  return String(v);
}

// The field that names a feature ("nombre", or a label that says so, or the first text field).
export function nameField(layer) {
  return layer.fields.find((f) => f.name === 'nombre') ||
    layer.fields.find((f) => /nombre|name/i.test(f.label) && f.type === 'text') ||
    null;
}

export function featureName(layer, props, cfg) {
  const nf = nameField(layer);
  if (nf && props[nf.name]) return String(props[nf.name]);
  const first = layer.fields.find((f) => f.type === 'text' && props[f.name]);
  return first ? String(props[first.name]) : layer.title;
}

// The content of a popup for one feature: the layer's title, then every field with its label.
export function featureCard(cfg, layer, props, headingLevel) {
  const t = cfg.t;
  const box = el('div', { class: 'feature' });
  const cluster = props.cluster || props.point_count;
  const h = el(`h${headingLevel || 2}`, { class: 'feature-title' }, cluster
    ? t('clusterTitle', { n: formatValue(null, Number(props.point_count), cfg) })
    : featureName(layer, props, cfg));
  box.append(h, el('p', { class: 'feature-layer' }, layer.title));
  if (cluster) {
    box.append(el('p', {}, t('clusterText', { n: formatValue(null, Number(props.point_count), cfg) })));
    return box;
  }
  const dl = el('dl', { class: 'fields' });
  for (const f of layer.fields) {
    if (!(f.name in props)) continue;
    dl.append(el('div', {}, el('dt', {}, f.label || f.name), el('dd', {}, formatValue(f, props[f.name], cfg))));
  }
  box.append(dl);
  return box;
}

// ---- the view in the URL ----------------------------------------------------------------------

// "#map=12.50/21.1234/-101.6789&capas=a,b" (the hash is not sent to the server).
export function parseHash(hash) {
  const p = new URLSearchParams(String(hash || '').replace(/^#/, ''));
  const out = {};
  const m = /^(\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)$/.exec(p.get('map') || '');
  if (m) {
    out.zoom = Number(m[1]);
    out.center = [Number(m[3]), Number(m[2])];
  }
  if (p.has('capas')) out.layers = p.get('capas').split(',').filter(Boolean);
  return out;
}

export function formatHash(map, layers) {
  const c = map.getCenter();
  const z = map.getZoom();
  return `#map=${z.toFixed(2)}/${c.lat.toFixed(5)}/${c.lng.toFixed(5)}&capas=${layers.join(',')}`;
}

// Query parameters of the pages: layers=a,b, center=lon,lat, zoom=z.
export function parseQuery(search, cfg) {
  const p = new URLSearchParams(search);
  const out = {};
  if (p.has('layers')) out.layers = p.get('layers').split(',').filter((id) => cfg.byId.has(id));
  const c = (p.get('center') || '').split(',').map(Number);
  if (c.length === 2 && c.every(Number.isFinite) && Math.abs(c[0]) <= 180 && Math.abs(c[1]) <= 90) {
    out.center = c;
  }
  const z = Number(p.get('zoom'));
  if (p.has('zoom') && Number.isFinite(z) && z >= 0 && z <= 22) out.zoom = z;
  out.controls = p.get('controls') !== '0';
  return out;
}

export function unionBounds(layers) {
  const b = [180, 90, -180, -90];
  for (const l of layers) {
    if (!l.bounds || !(l.bounds[0] <= l.bounds[2])) continue;
    b[0] = Math.min(b[0], l.bounds[0]); b[1] = Math.min(b[1], l.bounds[1]);
    b[2] = Math.max(b[2], l.bounds[2]); b[3] = Math.max(b[3], l.bounds[3]);
  }
  return b[0] <= b[2] ? b : [-180, -85, 180, 85];
}

export async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (input) { input.focus(); input.select(); }
    try { return document.execCommand('copy'); } catch { return false; }
  }
}

export function attributionOf(cfg, ids) {
  const who = [];
  for (const id of ids) {
    const l = cfg.byId.get(id);
    if (!l) continue;
    const s = `${l.publisher || 'teselas'}${l.license ? ` (${l.license})` : ''}`;
    if (!who.includes(s)) who.push(s);
  }
  return who.join('; ');
}

// MapLibre opens the compact attribution at first; on a phone it would hide half the map. The
// (i) button still shows it, so the licences stay one tap away.
export function collapseAttribution(box) {
  const d = box.querySelector('.maplibregl-ctrl-attrib.maplibregl-compact');
  if (!d || box.clientWidth >= 640) return;
  d.classList.remove('maplibregl-compact-show');
  d.removeAttribute('open');
}
