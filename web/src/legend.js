// legend.js — what each colour of the map means, for the viewer and the embed page.
//
// Automatic styles say it themselves: a style layer that draws a catalog layer's data carries
// metadata "teselas:legend" ({layer, title, kind: single|categories|classes|clusters, field,
// items: [{label, color, value, edge_color}]}), and the dimmed boundary drawn for orientation carries
// "teselas:context" (drawn, never listed as a data layer). Hand-made styles (the demo's `leon`)
// have no such metadata: their legend is read from the paint properties (a `match` on a field
// gives one entry per value).
//
// Every entry carries the colour's name in words ("verde azulado", "dark red"), written next to
// the swatch: a legend that is colour alone says nothing to a screen reader or to a reader who
// does not tell red from green.
import { el, layerOfSource } from './common.js';

// ---- colour names ------------------------------------------------------------------------------

const NAMES = {
  es: { red: 'rojo', orange: 'naranja', brown: 'café', yellow: 'amarillo', olive: 'verde olivo',
    green: 'verde', teal: 'verde azulado', cyan: 'turquesa', blue: 'azul', purple: 'morado',
    pink: 'rosa', grey: 'gris', black: 'negro', white: 'blanco', light: '{c} claro', dark: '{c} oscuro' },
  en: { red: 'red', orange: 'orange', brown: 'brown', yellow: 'yellow', olive: 'olive green',
    green: 'green', teal: 'teal', cyan: 'turquoise', blue: 'blue', purple: 'purple', pink: 'pink',
    grey: 'grey', black: 'black', white: 'white', light: 'light {c}', dark: 'dark {c}' },
};

function parseColor(c) {
  const s = String(c || '').trim();
  let m = /^#([0-9a-f])([0-9a-f])([0-9a-f])(?:[0-9a-f])?$/i.exec(s);
  if (m) return m.slice(1, 4).map((h) => parseInt(h + h, 16));
  m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})(?:[0-9a-f]{2})?$/i.exec(s);
  if (m) return m.slice(1, 4).map((h) => parseInt(h, 16));
  m = /^rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)/i.exec(s);
  if (m) return m.slice(1, 4).map(Number);
  return null;
}

// The hue family and lightness of a colour, by its HSL coordinates. The bands were set by naming
// the swatches of ColorBrewer's and Okabe-Ito's palettes (those the automatic styles use) as a
// person would: #e69f00 "naranja", #009e73 "verde azulado", #56b4e9 "azul claro", #fee08b
// "amarillo claro", #7f0000 "rojo oscuro".
export function colorName(color, lang) {
  const n = NAMES[lang] || NAMES.es;
  const rgb = parseColor(color);
  if (!rgb) return '';
  const [r, g, b] = rgb.map((v) => v / 255);
  const max = Math.max(r, g, b), min = Math.min(r, g, b);
  const l = (max + min) / 2;
  const d = max - min;
  const s = d === 0 ? 0 : d / (1 - Math.abs(2 * l - 1));
  let h = 0;
  if (d) {
    if (max === r) h = 60 * (((g - b) / d) % 6);
    else if (max === g) h = 60 * ((b - r) / d + 2);
    else h = 60 * ((r - g) / d + 4);
    if (h < 0) h += 360;
  }
  let base;
  if (s < 0.15 || d < 0.08) {
    if (l < 0.15) return n.black;
    if (l > 0.92) return n.white;
    base = 'grey';
  } else if (h < 15 || h >= 340) base = l > 0.75 ? 'pink' : 'red';
  else if (h < 42) base = l < 0.4 ? 'brown' : 'orange';
  else if (h < 68) base = l < 0.3 ? 'olive' : 'yellow';
  else if (h < 150) base = 'green';
  else if (h < 175) base = 'teal';
  else if (h < 195) base = 'cyan';
  else if (h < 242) base = 'blue';
  else if (h < 290) base = 'purple';
  else base = 'pink';
  const word = n[base];
  if (l >= 0.62 && base !== 'pink') return n.light.replace('{c}', word);
  if (l <= 0.28 && base !== 'brown' && base !== 'olive') return n.dark.replace('{c}', word);
  return word;
}

// ---- reading the style -------------------------------------------------------------------------

export function isContextLayer(sl) {
  return !!(sl && sl.metadata && sl.metadata['teselas:context']);
}

function legendMeta(sl) {
  const m = sl && sl.metadata && sl.metadata['teselas:legend'];
  return m && typeof m === 'object' && typeof m.layer === 'string' ? m : null;
}

// The style's sources that are archives of serve --archive, as a Map of source key → archive
// name: an archive's own style says `teselas:archive`, a style with an archive as its basemap
// `teselas:archives`.
export function archiveSources(style) {
  const meta = (style && style.metadata) || {};
  const out = new Map(Object.entries(meta['teselas:archives'] || {}));
  const own = meta['teselas:archive'];
  if (typeof own === 'string') out.set(own, own);
  return out;
}

// Style layer ids of each catalog layer (by source-layer), context layers left out: they are
// drawn for orientation and are not switched on or off, queried, or listed. An archive's layers
// are not the catalog's, even under the same name.
export function styleLayersByLayer(style, cfg) {
  const out = new Map(cfg.layers.map((l) => [l.id, []]));
  const archives = archiveSources(style);
  for (const sl of style.layers || []) {
    const id = layerOfSource(sl['source-layer']);
    if (id && out.has(id) && !isContextLayer(sl) && !archives.has(sl.source)) out.get(id).push(sl.id);
  }
  return out;
}

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
const SWATCH = { fill: 'fill', 'fill-extrusion': 'fill', line: 'line', circle: 'circle', symbol: 'fill' };

function isClusterLayer(sl) {
  return JSON.stringify(sl.filter || '').includes('point_count') &&
    !JSON.stringify(sl.filter || '').includes('"!"');
}

// A fill so pale or transparent that a swatch of it says nothing (a land mask, a faint area).
function faintFill(sl) {
  const op = sl.paint && sl.paint['fill-opacity'];
  if (typeof op === 'number' && op < 0.3) return true;
  const rgb = parseColor(literalColor(sl.paint && sl.paint['fill-color']));
  if (!rgb) return false;
  const [r, g, b] = rgb.map((v) => v / 255);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.92;
}

function fmtNumber(v, lang) {
  const n = Number(v);
  if (!Number.isFinite(n)) return String(v);
  return n.toLocaleString(lang === 'en' ? 'en-US' : 'es-MX', { maximumFractionDigits: 2 });
}

// The label of one item of the metadata: the server's, else its value or class limits.
function itemLabel(meta, item, t, lang) {
  // the colour of values not listed and of features without one, in the page's language
  const REST = { other: 'other', missing: 'restMissing', both: 'restBoth' };
  if (REST[item.rest]) return t(REST[item.rest]);
  if (item.label !== undefined && item.label !== null && item.label !== '') return String(item.label);
  if (Array.isArray(item.value) && item.value.length === 2) {
    return t('classRange', { lo: fmtNumber(item.value[0], lang), hi: fmtNumber(item.value[1], lang) });
  }
  if (item.value === null || item.value === undefined) return meta.kind === 'categories' ? t('other') : meta.title;
  return String(item.value);
}

// The legend of one catalog layer from the metadata of the style layers that draw it, or null
// when the style has none (hand-made styles).
function fromMetadata(style, layer, t, lang) {
  const metas = (style.layers || []).map((sl) => [sl, legendMeta(sl)])
    .filter(([sl, m]) => m && m.layer === layer.id && !isContextLayer(sl));
  if (!metas.length) return null;
  const out = { kind: 'single', field: null, entries: [] };
  const seen = new Set();
  for (const [sl, m] of metas) {
    if (m.kind === 'categories' || m.kind === 'classes') {
      out.kind = m.kind;
      out.field = m.field || null;
    }
    const swatchKind = m.kind === 'clusters' ? 'cluster' : SWATCH[sl.type] || 'fill';
    const items = Array.isArray(m.items) && m.items.length ? m.items
      : [{ label: m.title || layer.title, color: literalColor(sl.paint && sl.paint[PAINT_COLOR[sl.type]]) }];
    for (const item of items) {
      const label = m.kind === 'clusters' && !item.label ? t('clusters') : itemLabel(m, item, t, lang);
      const key = `${label}|${swatchKind}`;
      if (!item.color || seen.has(key)) continue;
      seen.add(key);
      // the style's own name of its colour when it gives one in the page's language (Spanish)
      const named = lang !== 'en' && typeof item.color_name === 'string' && item.color_name;
      out.entries.push({ label, color: item.color, kind: swatchKind, value: item.value,
        colorName: named || colorName(item.color, lang),
        edge: typeof item.edge_color === 'string' ? item.edge_color : null });
    }
  }
  return out;
}

// The legend of a hand-made style, read from its paint properties. Fills speak for their layer;
// its outlines are listed only when no fill does.
function fromPaint(style, layer, t, lang) {
  const out = { kind: 'single', field: null, entries: [] };
  const seen = new Set();
  const push = (label, color, kind) => {
    const key = `${label}|${kind}`;
    if (!color || seen.has(key)) return;
    seen.add(key);
    out.entries.push({ label, color, kind, colorName: colorName(color, lang) });
  };
  const own = (style.layers || []).filter((sl) => sl['source-layer'] === layer.id && !isContextLayer(sl)
    && (layer.source ? sl.source === layer.source : !archiveSources(style).has(sl.source))
    && PAINT_COLOR[sl.type] && sl.paint && sl.paint[PAINT_COLOR[sl.type]] !== undefined
    && !(sl.type === 'fill' && faintFill(sl)));
  const hasFill = own.some((sl) => sl.type === 'fill');
  for (const sl of own) {
    if (sl.type === 'line' && hasFill) continue;
    const v = sl.paint[PAINT_COLOR[sl.type]];
    const kind = SWATCH[sl.type];
    if (sl.type === 'circle' && isClusterLayer(sl)) {
      push(t('clusters'), literalColor(v), 'cluster');
    } else if (Array.isArray(v) && v[0] === 'match' && Array.isArray(v[1]) && v[1][0] === 'get') {
      out.kind = 'categories';
      out.field = v[1][1];
      for (let i = 2; i + 1 < v.length; i += 2) {
        const labels = Array.isArray(v[i]) ? v[i] : [v[i]];
        push(labels.join(', '), literalColor(v[i + 1]), kind);
      }
      push(t('other'), literalColor(v[v.length - 1]), kind);
    } else {
      push(layer.title, literalColor(v), kind);
    }
  }
  return out;
}

// {kind, field, entries: [{label, color, colorName, kind}]} for one catalog layer.
export function layerLegend(style, layer, t, lang) {
  return fromMetadata(style, layer, t, lang) || fromPaint(style, layer, t, lang);
}

export function legendEntries(style, layer, t, lang) {
  return layerLegend(style, layer, t, lang).entries;
}

// An entry drawn with an edge of another colour (a circle's stroke, a line's casing: the
// automatic styles' `edge_color`) shows it around its swatch, as the map does.
export function swatch(entry) {
  const s = el('span', { class: `swatch ${entry.kind}${entry.edge ? ' edged' : ''}`, 'aria-hidden': 'true' });
  s.style.setProperty('--c', entry.color);
  if (entry.edge) s.style.setProperty('--e', entry.edge);
  return s;
}

// One entry as a list item: swatch (hidden from screen readers), label, colour name in words.
export function legendItem(entry, attrs) {
  return el('li', attrs || {}, swatch(entry), el('span', { class: 'legend-label' }, entry.label),
    entry.colorName ? el('span', { class: 'color-name' }, `(${entry.colorName})`) : null);
}

// What the colours follow, for the legend's heading: "Color según Ámbito", "Clases de Casos".
export function legendCaption(legend, layer, t) {
  if (!legend.field || (legend.kind !== 'categories' && legend.kind !== 'classes')) return null;
  const f = layer.fields.find((x) => x.name === legend.field);
  const label = f ? f.label || f.name : legend.field;
  return t(legend.kind === 'classes' ? 'legendClasses' : 'legendCategories', { field: label });
}
