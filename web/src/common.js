// common.js — what the viewer and the embed page share: the page configuration written by the
// server, a DOM helper that never parses HTML (every catalog or feature text goes in as text),
// the map style (the server's, or one built from TileJSON when the style is not available), what
// the map really draws (for the status line), and values formatted for people.
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

// ---- what the map really draws -----------------------------------------------------------------

// A label point of a polygon or line layer ("municipios:labels"): its name, none of its fields.
export function isLabelPoint(f) {
  return typeof f.sourceLayer === 'string' && f.sourceLayer.endsWith(':labels');
}

// The catalog layer a source-layer belongs to: itself, or the layer whose label points it holds
// ("municipios:labels", one point per feature so a polygon is named once, not once per tile).
export function layerOfSource(sourceLayer) {
  return typeof sourceLayer === 'string' ? sourceLayer.replace(/:labels$/, '') : sourceLayer;
}

// Per catalog layer in `ids`: how many of its features the map draws in the current view (a
// cluster counts the cases it holds). A layer switched on whose tiles hold nothing here gets 0, so
// the status line can say so instead of counting it as shown. With cfg, a layer whose whole
// extent is in view, below the zoom from which its tiles keep every feature (`small_below`, the
// server's rule: polygons and lines below their maxzoom, never an aggregate's cells), also gets
// `small`: its features the tiles of this zoom leave out as smaller than a pixel (the layer's
// count less those drawn), so the line does not seem to lose them (León's 962 colonias are 932
// at the city's zoom), and says "zoom in" when every one is that small, not "nothing here".
export function drawnSummary(map, ids, groups, cfg) {
  const b = map.getBounds();
  const inView = (l) => l && l.bounds && l.bounds[0] >= b.getWest() && l.bounds[1] >= b.getSouth() &&
    l.bounds[2] <= b.getEast() && l.bounds[3] <= b.getNorth();
  return ids.map((id) => {
    const layers = (groups.get(id) || []).filter((sl) => map.getLayer(sl));
    // a cluster is drawn by a circle and by the symbol writing its count, and has no id to tell
    // it is the same: symbols are counted only for a layer drawn by symbols alone
    const shapes = layers.filter((sl) => map.getLayer(sl).type !== 'symbol');
    const counted = shapes.length ? shapes : layers;
    let n = 0;
    const seen = new Set();
    if (counted.length) {
      map.queryRenderedFeatures({ layers: counted }).forEach((f, i) => {
        const key = f.id !== undefined ? `${layerOfSource(f.sourceLayer)}/${f.id}` : `#${i}`;
        if (seen.has(key)) return;
        seen.add(key);
        n += Number(f.properties && f.properties.point_count) || 1;
      });
    }
    // a layer drawn only from some zoom on (its style's, or its tiles' first zoom) says so,
    // rather than "nothing here: zoom out"
    const l = cfg && cfg.byId.get(id);
    const from = Math.max(layers.length ? Math.min(...layers.map((sl) => map.getLayer(sl).minzoom || 0)) : 0,
      Number(l && l.minzoom) || 0);
    const below = n === 0 && map.getZoom() < from ? Math.ceil(from) : 0;
    const small = l && !below && map.getZoom() < (Number(l.small_below) || 0) && inView(l)
      && n < l.count ? l.count - n : 0;
    return { id, n, small, below };
  });
}

// The status line (role=status, read by screen readers) from drawnSummary().
export function drawnStatus(cfg, summary) {
  const t = cfg.t;
  if (!summary.length) return t('statusNoLayers');
  const count = (n) => (n === 1 ? t('oneFeature') : t('nFeatures', { n: formatValue(null, n, cfg) }));
  const title = (id) => cfg.byId.get(id)?.title || id;
  const and = (names) => new Intl.ListFormat(cfg.lang === 'en' ? 'en' : 'es', { type: 'conjunction' }).format(names);
  const drawn = summary.filter((s) => s.n > 0);
  // nothing drawn of a layer whose features here are all smaller than a pixel: "zoom in" (its
  // small note below), not "nothing in this view: zoom out"
  const empty = summary.filter((s) => s.n === 0 && !s.below && !s.small);
  const later = summary.filter((s) => s.n === 0 && s.below);
  const tiny = summary.filter((s) => s.small > 0);
  // A map of many layers (the catalog's "all layers") says each thing once, not once a layer:
  // a status of a sentence per layer filled four lines above the map and was read out whole.
  const zoomIn = later.length > 1
    ? t('statusZoomInMany', { list: and(later.map((s) => t('fromZoom', { layer: title(s.id), zoom: s.below }))) })
    : later.map((s) => t('statusZoomIn', { layer: title(s.id), zoom: s.below })).join(' ');
  const nSmall = tiny.reduce((a, s) => a + s.small, 0);
  const small = tiny.length > 1
    ? t('statusSmall', { n: formatValue(null, nSmall, cfg), layer: and(tiny.map((s) => title(s.id))) })
    : tiny.map((s) => (s.small === 1
      ? t('statusSmallOne', { layer: title(s.id) })
      : t('statusSmall', { n: formatValue(null, s.small, cfg), layer: title(s.id) }))).join(' ');
  if (!drawn.length && !empty.length) return [t('statusReady'), zoomIn, small].filter(Boolean).join(' ');
  if (!drawn.length) return [t('statusNothing', { list: empty.map((s) => title(s.id)).join(', ') }), zoomIn, small].filter(Boolean).join(' ');
  const MANY = 3; // more drawn layers than this: their number and the features, not each one
  let text = drawn.length > MANY
    ? t('statusDrawnMany', { n: formatValue(null, drawn.length, cfg), features: count(drawn.reduce((a, s) => a + s.n, 0)) })
    : t('statusDrawn', { list: drawn.map((s) => `${title(s.id)} (${count(s.n)})`).join('; ') });
  if (empty.length) text += ` ${t('statusEmpty', { list: empty.map((s) => title(s.id)).join(', ') })}`;
  if (zoomIn) text += ` ${zoomIn}`;
  if (small) text += ` ${small}`;
  return text;
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

// Codes, ids and years are read digit by digit: "11016" (a CVEGEO), "37000" (a ZIP), "2013" (a
// year) must not become "11,016". Only measures get thousands separators.
const CODE_NAME = /^(id|fid|gid|ogc_fid|objectid|fc|cp|zip|zipcode|postcode|postal|folio|codigo|código|code|year|anio|año|ano|ejercicio)$|^(cve|clave|cod|id|folio|zip|cp_|year|anio|año)|(_id|_cve|_clave|_cod|code|_cp|_zip|year|_anio|_año)$/i;
const CODE_LABEL = /^(clave|código|codigo|folio|id|año|year|code|zip|c\.?p\.?)\b/i;
export function codeLike(field) {
  return !!field && (CODE_NAME.test(field.name || '') || CODE_LABEL.test(field.label || ''));
}

// Coordinates keep their decimals: two (the measures' rounding) move a point by a kilometre.
const COORD_NAME = /^(lat|lon|lng|long|latitud|longitud|latitude|longitude|x|y|coord_x|coord_y|este|norte|easting|northing)$/i;

export function formatValue(field, v, cfg) {
  const t = cfg.t;
  // null is a value the source did not give ("sin dato"); an empty text is one it gave empty
  if (v === null || v === undefined) return t('noValue');
  if (v === '') return '';
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
    if (Number.isFinite(n) && codeLike(field)) return String(v);
    if (Number.isFinite(n) && field && COORD_NAME.test(field.name || '')) {
      return n.toLocaleString(locale, { maximumFractionDigits: 7, useGrouping: false });
    }
    if (Number.isFinite(n)) return n.toLocaleString(locale, { maximumFractionDigits: 2 });
  }
  return String(v);
}

// The field that names a feature: the server's label field when it says one, else "nombre", then
// the usual names of third-party files (INEGI's NOMGEO and nom_loc, "name", "titulo"), then a text
// field whose name or label says so.
const NAME_FIELDS = ['nombre', 'name', 'nomgeo', 'nom_loc', 'nom_mun', 'nom_col', 'colonia', 'titulo', 'title'];
export function nameField(layer) {
  const text = layer.fields.filter((f) => f.type === 'text');
  // the server's choice (a name field with names in it: KML's empty Name is passed over)
  const chosen = layer.label_field && text.find((x) => x.name === layer.label_field);
  if (chosen) return chosen;
  for (const n of NAME_FIELDS) {
    const f = text.find((x) => x.name.toLowerCase() === n);
    if (f) return f;
  }
  return text.find((f) => /nombre|name/i.test(f.label)) ||
    text.find((f) => /^nom_|_nom$|nombre|name/i.test(f.name)) || null;
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
    if (!(f.name in props) || f.empty) continue; // no record has it: nothing to say
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

// The lowest zoom at which the style draws any of the layers ids: for each, the first zoom of its
// style layers or of its tiles (cfg's minzoom), whichever is later; 0 when one is drawn at every
// zoom or none is drawn.
export function drawnFromZoom(style, groups, ids, cfg) {
  let from = Infinity;
  for (const id of ids) {
    const sls = groups.get(id) || [];
    let own = Infinity;
    for (const sl of style.layers) if (sls.includes(sl.id)) own = Math.min(own, Number(sl.minzoom) || 0);
    const tiles = Number(cfg && cfg.byId.get(id)?.minzoom) || 0;
    if (own < Infinity) from = Math.min(from, Math.max(own, tiles));
  }
  return from < Infinity ? from : 0;
}

// The view a map opens on to show the layers ids within bounds: fitted to them, unless the style
// draws none of them at that zoom (the demo style draws colonias only from zoom 11, and a whole
// city's layer fits at about 10): then centred on them at the zoom the style starts drawing.
// box: the map's element; cfg: the page's (layers' tile zooms); zooms are MapLibre's (512-px tiles).
export function openingView(bounds, style, groups, ids, box, padding, cfg) {
  const fitted = { bounds, fitBoundsOptions: { padding } };
  const from = drawnFromZoom(style, groups, ids, cfg);
  if (!from || !bounds.every(Number.isFinite)) return fitted;
  const x = (lon) => (lon + 180) / 360;
  const y = (lat) => (1 - Math.asinh(Math.tan((lat * Math.PI) / 180)) / Math.PI) / 2;
  const dx = Math.max(x(bounds[2]) - x(bounds[0]), 1e-12), dy = Math.max(y(bounds[1]) - y(bounds[3]), 1e-12);
  const w = Math.max(box.clientWidth - 2 * padding, 1), h = Math.max(box.clientHeight - 2 * padding, 1);
  if (Math.log2(Math.min(w / (dx * 512), h / (dy * 512))) >= from) return fitted;
  return { center: [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2], zoom: from };
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
