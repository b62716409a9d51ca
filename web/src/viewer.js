// viewer.js — the full-page map (/maps/{style}): layer list with toggles and the legend read from
// the style, popups with the fields' human labels, search by name, the view in the URL hash, and
// the panels: data table (the accessible alternative to the map), charts, and "Insertar este mapa".
// Every control is a native button, checkbox, select or link, so it works with the keyboard alone.
// Layers of tile archives (serve --archive) are listed, switched, kept in the address and given
// click cards from their tiles' properties; the table, charts and search say they cannot hold them.
import {
  collapseAttribution, copyText, drawnStatus, drawnSummary, el, featureCard, formatHash, hasWebGL,
  isLabelPoint, layerOfSource, loadStyle, openingView, parseHash, parseQuery, readConfig,
  unionBounds,
} from './common.js';
import {
  archiveSources, layerLegend, legendCaption, legendItem, styleLayersByLayer, swatch,
} from './legend.js';
import { maplibreLocale } from './i18n.js';
import { createCharts } from './charts.js';
import { createEmbedPanel } from './embedpanel.js';
import { createSearch } from './search.js';
import { createTable } from './table.js';

const cfg = readConfig();
const t = cfg.t;
const app = document.getElementById('app');
const status = document.getElementById('status');
const fromHash = parseHash(location.hash);
const fromQuery = parseQuery(location.search, cfg);
const visible = new Set((fromHash.layers || fromQuery.layers || cfg.layers.map((l) => l.id))
  .filter((id) => cfg.byId.has(id)));
// the layers the address names, archives' included (they are known once the style is read)
const asked = fromHash.layers || null;

let map = null;
let mlgl = null;
let style = null;
let groups = new Map();
let archiveLayers = [];
let popup = null;

function say(text) {
  status.textContent = text;
}

function visibleIds() {
  return cfg.layers.map((l) => l.id).filter((id) => visible.has(id));
}

function visibleArchives() {
  return archiveLayers.filter((a) => visible.has(a.id));
}

function bbox() {
  if (!map) return unionBounds(visibleIds().map((id) => cfg.byId.get(id)));
  const b = map.getBounds();
  const r = (x) => Math.round(x * 1e6) / 1e6;
  return [r(Math.max(-180, b.getWest())), r(Math.max(-85, b.getSouth())),
    r(Math.min(180, b.getEast())), r(Math.min(85, b.getNorth()))];
}

// Only the catalog layers the style draws are listed, switched and queried: a style of one layer
// (/maps/{layer}) lists that layer, and its dimmed context boundary is drawn but not listed. A
// style drawing archives alone lists their layers and none of the catalog's.
function keepDrawnLayers() {
  const drawn = cfg.layers.filter((l) => (groups.get(l.id) || []).length > 0);
  if (!drawn.length && !archiveLayers.length) return;
  cfg.layers = drawn;
  cfg.byId = new Map(drawn.map((l) => [l.id, l]));
  for (const id of [...visible]) if (!cfg.byId.has(id)) visible.delete(id);
  const askedArchive = asked && archiveLayers.some((a) => asked.includes(a.id));
  if (!visible.size && !askedArchive) for (const l of drawn) visible.add(l.id);
}

// The layers of the archives the style draws (serve --archive): one entry per source-layer (a
// PNG archive is one), titled from the archive's TileJSON, with the fields it lists. They are
// listed, switched, kept in the address and given a legend and click cards like the catalog's,
// but an archive has no features API: the table, charts and search say so (archiveNotes), and
// they are not in cfg.layers.
async function findArchiveLayers() {
  const out = [];
  for (const [key, name] of archiveSources(style)) {
    const src = style.sources && style.sources[key];
    if (!src) continue;
    let tj = {};
    try {
      const r = await fetch(src.url);
      if (r.ok) tj = await r.json();
    } catch { /* titled by name */ }
    const described = new Map((tj.vector_layers || []).map((v) => [v.id, v.description]));
    const fieldsOf = new Map((tj.vector_layers || []).map((v) => [v.id, Object.entries(v.fields || {})
      .map(([fname, type]) => ({ name: fname, label: fname, type: type === 'Number' ? 'real' : 'text' }))]));
    const names = [...new Set(style.layers.filter((sl) => sl.source === key)
      .map((sl) => sl['source-layer'] || ''))];
    for (const sl of names) {
      const id = `archive:${key}/${sl}`;
      out.push({ id, source: key, archive: name, legendId: sl, fields: fieldsOf.get(sl) || [],
        title: sl ? described.get(sl) || sl : tj.name || name });
      groups.set(id, style.layers.filter((x) => x.source === key && (x['source-layer'] || '') === sl)
        .map((x) => x.id));
    }
  }
  return out;
}

// The status line: the catalog's layers drawn (drawnStatus), or, on a map of archives alone,
// the archive layers switched on (an archive has no counts to give).
function viewStatus() {
  const on = visibleArchives();
  if (visibleIds().length || !on.length) return drawnStatus(cfg, drawnSummary(map, visibleIds(), groups, cfg));
  return t('statusArchives', { list: on.map((a) => `${a.title} (${t('archiveTag', { name: a.archive })})`).join('; ') });
}

// ---- the panel ----------------------------------------------------------------------------------

const panel = el('aside', { id: 'panel', class: 'panel', 'aria-label': t('panelLabel') });
const mapBox = el('div', { id: 'map', class: 'map', role: 'region', 'aria-label': t('mapLabel') });
const layerList = el('ul', { class: 'layer-list' });
const fieldset = el('fieldset', { class: 'layers' },
  el('legend', {}, el('h2', {}, t('layers'))),
  el('p', { class: 'help' }, t('layersHelp')), layerList);

const allSample = cfg.layers.length > 0 && cfg.layers.every((l) => l.sample);
if (allSample) fieldset.insertBefore(el('p', { class: 'sample' }, t('allSample')), layerList);

function buildLayerList() {
  layerList.replaceChildren();
  for (const l of [...cfg.layers, ...archiveLayers]) {
    const id = `toggle-${l.id}`;
    const box = el('input', { type: 'checkbox', id, checked: visible.has(l.id), 'data-layer': l.id,
      onchange: (ev) => setVisible(l.id, ev.target.checked) });
    const lg = !style ? { entries: [] } : l.archive
      ? layerLegend(style, { id: l.legendId, title: l.title, source: l.source }, t, cfg.lang)
      : layerLegend(style, l, t, cfg.lang);
    // an archive's style draws each layer as fill, line and circle: one swatch says its colour
    const entries = l.archive ? lg.entries.slice(0, 1) : lg.entries;
    const caption = legendCaption(lg, l, t);
    const legend = el('ul', { class: 'legend', id: `legend-${l.id}`, 'aria-label': t('legendOf', { title: l.title }) });
    for (const e of entries) legend.append(legendItem(e));
    const first = entries.find((e) => e.kind !== 'cluster');
    const single = entries.length === 1 && first;
    layerList.append(el('li', { class: 'layer', 'data-legend': lg.kind },
      el('label', { for: id }, box, first ? swatch(first) : null, el('span', {}, l.title),
        single ? el('span', { class: 'color-name' }, `(${first.colorName})`) : null,
        l.sample && !allSample ? el('span', { class: 'tag' }, t('sample')) : null,
        l.archive ? el('span', { class: 'tag' }, t('archiveTag', { name: l.archive })) : null),
      entries.length > 1 && caption ? el('p', { class: 'legend-caption' }, caption) : null,
      entries.length > 1 ? legend : null,
      l.privacy ? el('p', { class: 'privacy' }, l.privacy) : null));
  }
}

function setVisible(id, on) {
  if (on) visible.add(id); else visible.delete(id);
  if (map) {
    for (const sl of groups.get(id) || []) {
      if (map.getLayer(sl)) map.setLayoutProperty(sl, 'visibility', on ? 'visible' : 'none');
    }
  }
  reportAfterIdle();
  viewChanged();
}

const sections = {};
function sectionToggle(key, label, build) {
  const sec = el('section', { id: `${key}-panel`, class: 'tool-panel', hidden: true,
    'aria-labelledby': `${key}-title` });
  const btn = el('button', { type: 'button', class: 'tool', id: `${key}-button`,
    'aria-expanded': 'false', 'aria-controls': `${key}-panel` }, label);
  btn.addEventListener('click', () => {
    const open = sec.hidden;
    sec.hidden = !open;
    btn.setAttribute('aria-expanded', String(open));
    if (open) {
      sections[key].refresh();
      sec.querySelector('h2')?.focus();
    }
  });
  sections[key] = build(sec);
  return { btn, sec };
}

const ctx = {
  cfg, t, bbox, visibleIds,
  map: () => map,
  isOpen: (key) => !document.getElementById(`${key}-panel`).hidden,
  legendOf: (l) => (style ? layerLegend(style, l, t, cfg.lang) : null),
  showFeature,
};

const linkBtn = el('button', { type: 'button', class: 'tool', id: 'link-button' }, t('linkButton'));
linkBtn.addEventListener('click', async () => {
  const ok = await copyText(location.href);
  say(ok ? t('linkCopied') : t('copyFailed'));
});

const table = sectionToggle('table', t('tableButton'), (sec) => createTable(ctx, sec));
const charts = sectionToggle('charts', t('chartsButton'), (sec) => createCharts(ctx, sec));
const embed = sectionToggle('embed', t('embedButton'), (sec) => createEmbedPanel(ctx, sec));
const search = createSearch(ctx);

// One note each in the table, charts and search, naming the archive layers switched on, which
// have no items API to list, count or search.
const archiveNotes = [table.sec, charts.sec, search.element].map((box) => {
  const note = el('p', { class: 'note archive-note', hidden: true });
  const h = box.querySelector('h2');
  if (h) h.after(note); else box.append(note);
  return note;
});
function updateArchiveNotes() {
  const on = visibleArchives();
  const text = on.length ? t('archiveNoApi', { list: on.map((a) => `${a.title} (${t('archiveTag', { name: a.archive })})`).join('; ') }) : '';
  for (const n of archiveNotes) {
    n.textContent = text;
    n.hidden = !on.length;
  }
}

panel.append(fieldset, search.element,
  el('div', { class: 'tools' }, table.btn, charts.btn, embed.btn, linkBtn),
  table.sec, charts.sec, embed.sec,
  el('p', { class: 'back' }, el('a', { href: cfg.lang === 'en' ? '/?lang=en' : '/' }, t('catalog'))));
app.append(panel, mapBox);
buildLayerList();

// ---- the view in the URL, and everything that follows the view ---------------------------------

let pending = 0;
function viewChanged() {
  clearTimeout(pending);
  pending = setTimeout(() => {
    updateArchiveNotes();
    if (map) {
      const hash = formatHash(map, [...visibleIds(), ...visibleArchives().map((a) => a.id)]);
      history.replaceState(null, '', location.pathname + location.search + hash);
      const sw = document.getElementById('lang-switch');
      if (sw) sw.href = `${location.pathname}?lang=${cfg.lang === 'en' ? 'es' : 'en'}${hash}`;
    }
    for (const s of Object.values(sections)) s.refresh();
  }, 250);
}

// ---- the status line: what is really drawn ----------------------------------------------------

// After each move or switch, once the map is idle (every tile of the view loaded and drawn), the
// status line says which layers have features in the view and which have none. It is a polite
// live region, so it is rewritten only when its text changes.
let reportDue = false;
function reportAfterIdle() {
  reportDue = true;
  if (map && map.loaded()) map.triggerRepaint();
}

function reportDrawn() {
  if (!map) return;
  const text = viewStatus();
  if (status.textContent !== text) say(text);
}

// ---- popups --------------------------------------------------------------------------------------

function openPopup(lngLat, content, opener) {
  if (popup) popup.remove();
  popup = new mlgl.Popup({ maxWidth: '320px', focusAfterOpen: true, className: 'teselas-popup' })
    .setLngLat(lngLat).setDOMContent(content).addTo(map);
  if (opener) popup.on('close', () => opener.isConnected && opener.focus());
}

function queryableLayers() {
  return [...visibleIds(), ...visibleArchives().map((a) => a.id)]
    .flatMap((id) => groups.get(id) || []).filter((sl) => map.getLayer(sl));
}

// The layer a rendered feature belongs to: an archive layer (its source is an archive's) or the
// catalog's (its source-layer, label points named with their layer), or undefined.
function layerOfFeature(f) {
  const a = archiveLayers.find((x) => x.source === f.source && x.legendId === (f.sourceLayer || ''));
  if (a) return a;
  if (archiveLayers.some((x) => x.source === f.source)) return undefined;
  return cfg.byId.get(layerOfSource(f.sourceLayer));
}

// An archive feature's card: its tile's properties, under the fields its TileJSON lists (or the
// properties' own names when it lists none), titled with the archive.
function archiveCardLayer(a, props) {
  const fields = a.fields.length ? a.fields
    : Object.keys(props).map((name) => ({ name, label: name, type: typeof props[name] === 'number' ? 'real' : 'text' }));
  return { id: a.id, title: `${a.title} (${t('archiveTag', { name: a.archive })})`, fields };
}

// What a click or a tap means: a point or a line within 5 px first (they are small targets),
// then the smallest area under or within 5 px of the pointer (a park before the municipality
// that contains it), then labels. A polygon's label point carries its name only: clicked first,
// a colonia's card said its name and nothing else.
function featuresAt(point) {
  const layers = queryableLayers();
  const box = map.queryRenderedFeatures([[point.x - 5, point.y - 5], [point.x + 5, point.y + 5]], { layers });
  const drawn = (f) => f.layer.type !== 'symbol';
  const isArea = (f) => f.geometry.type.includes('Polygon') && drawn(f);
  const size = (f) => {
    const b = geometryBounds(f.geometry);
    return (b[2] - b[0]) * (b[3] - b[1]);
  };
  const areas = box.filter(isArea).map((f) => [size(f), f]).sort((a, b) => a[0] - b[0]).map((x) => x[1]);
  const ordered = [
    ...box.filter((f) => f.geometry.type.includes('Point') && !isLabelPoint(f)),
    ...box.filter((f) => f.geometry.type.includes('Line') && drawn(f)),
    ...areas,
    ...box.filter((f) => !drawn(f)),
  ];
  const seen = new Set();
  return ordered.filter((f) => {
    const layer = layerOfFeature(f);
    const k = `${layer && layer.id}/${f.id ?? JSON.stringify(f.properties)}`;
    if (seen.has(k) || !layer) return false;
    seen.add(k);
    return true;
  });
}

function popupFor(features, lngLat, opener) {
  if (!features.length) return;
  const f = features[0];
  const of = layerOfFeature(f);
  const layer = of.archive ? archiveCardLayer(of, f.properties) : of;
  const card = featureCard(cfg, layer, f.properties, 2);
  if (f.properties.point_count) {
    card.append(el('button', { type: 'button', class: 'button',
      onclick: () => map.easeTo({ center: lngLat, zoom: Math.min(map.getZoom() + 2, 18) }) },
    t('zoomHere')));
  }
  if (features.length > 1) {
    card.append(el('p', { class: 'more' },
      features.length === 2 ? t('popupMoreOne') : t('popupMore', { n: features.length - 1 })));
  }
  openPopup(lngLat, card, opener);
}

// From the table or the search: move to the feature, then open its card.
function showFeature(layerId, feature, opener) {
  const layer = cfg.byId.get(layerId);
  if (!map) return;
  const b = geometryBounds(feature.geometry);
  const center = [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
  const card = featureCard(cfg, layer, feature.properties || {}, 2);
  if (b[0] === b[2] && b[1] === b[3]) map.jumpTo({ center, zoom: Math.max(map.getZoom(), 16) });
  else map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 40, maxZoom: 17, animate: false });
  openPopup(center, card, opener);
}

function geometryBounds(g) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c) => {
    if (typeof c[0] === 'number') {
      b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]);
      b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]);
    } else c.forEach(walk);
  };
  if (g && g.coordinates) walk(g.coordinates);
  else if (g && g.geometries) g.geometries.forEach((x) => walk(x.coordinates));
  return b;
}

// ---- the map ---------------------------------------------------------------------------------------


async function start() {
  const loaded = await loadStyle(cfg);
  style = loaded.style;
  groups = styleLayersByLayer(style, cfg);
  archiveLayers = await findArchiveLayers();
  keepDrawnLayers();
  for (const a of archiveLayers) if (!asked || asked.includes(a.id)) visible.add(a.id);
  buildLayerList();
  updateArchiveNotes();
  if (!hasWebGL()) {
    say(`${t('noWebgl')} ${t('noWebglTable')}`);
    mapBox.classList.add('nomap');
    mapBox.append(el('p', { class: 'nomap-text' }, t('noWebgl')));
    document.getElementById('table-button').click();
    return;
  }
  mlgl = await import('./maplibre-gl.mjs');
  for (const [id, sls] of groups) {
    if (visible.has(id)) continue;
    for (const sl of style.layers) if (sls.includes(sl.id)) sl.layout = { ...(sl.layout || {}), visibility: 'none' };
  }
  const view = fromHash.center ? { center: fromHash.center, zoom: fromHash.zoom }
    : fromQuery.center ? { center: fromQuery.center, zoom: fromQuery.zoom ?? 12 }
      : !visibleIds().length && style.center ? { center: style.center, zoom: style.zoom ?? 2 }
        : openingView(unionBounds(visibleIds().map((id) => cfg.byId.get(id))), style, groups, visibleIds(), mapBox, 20,
          cfg);
  map = new mlgl.Map({
    container: mapBox, style, ...view, locale: maplibreLocale(t), maxZoom: 19,
    attributionControl: { compact: true }, // the TileJSON carries each layer's publisher and licence
  });
  map.addControl(new mlgl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new mlgl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  map.on('click', (e) => popupFor(featuresAt(e.point), e.lngLat, null));
  map.on('mousemove', (e) => {
    map.getCanvas().style.cursor = featuresAt(e.point).length ? 'pointer' : '';
  });
  // Enter on the focused map opens the card of what is at its centre.
  map.getCanvasContainer().addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    const c = map.getCenter();
    popupFor(featuresAt(map.project(c)), c, map.getCanvas());
  });
  map.on('moveend', () => {
    reportAfterIdle();
    viewChanged();
  });
  map.on('idle', () => {
    if (!reportDue) return;
    reportDue = false;
    reportDrawn();
  });
  map.once('idle', () => {
    const drawn = viewStatus();
    say((loaded.auto && cfg.endpoints.style ? `${t('styleFallback', { style: cfg.style })} ` : '') + drawn);
    reportDue = false;
    collapseAttribution(mapBox);
    document.documentElement.dataset.map = 'idle';
    viewChanged();
  });
  window.teselas = { map, cfg, visibleIds, groups, bbox, featuresAt, popupFor, style, archiveLayers };
}

start().catch((err) => {
  say(`${t('noWebgl')} ${t('noWebglTable')}`);
  console.warn('teselas: map not started:', err);
});
