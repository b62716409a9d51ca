// embed.js — the page meant for iframes on other sites (/embed/{style}?layers=a,b&center=lon,lat&
// zoom=z&controls=0|1&lang=es|en): the map alone, with an optional legend and zoom buttons, cards
// on click, and a link to the full map (which has the data table). Without WebGL (old phones,
// locked-down browsers) it shows the same style as PNG tiles drawn by the server, with Leaflet.
import {
  attributionOf, collapseAttribution, drawnFromZoom, drawnStatus, drawnSummary, el, featureCard, hasWebGL,
  isLabelPoint, layerOfSource, loadStyle, openingView, parseQuery, readConfig, unionBounds,
} from './common.js';
import { maplibreLocale } from './i18n.js';
import { layerLegend, legendCaption, legendItem, styleLayersByLayer } from './legend.js';

const cfg = readConfig();
const t = cfg.t;
const q = parseQuery(location.search, cfg);
// The layers shown: those asked for in ?layers= that the style draws, else every layer it draws
// (set once the style is read; a context boundary is drawn but is not one of them).
let ids = [];
let titles = '';
const app = document.getElementById('app');
const status = document.getElementById('status');

const mapBox = el('div', { id: 'map', class: 'map', role: 'region', 'aria-label': t('mapTitle') });
const fullUrl = () => {
  const view = window.teselas?.view?.();
  const hash = view ? `#map=${view.zoom.toFixed(2)}/${view.lat.toFixed(5)}/${view.lon.toFixed(5)}&capas=${ids.join(',')}` : '';
  return `/maps/${encodeURIComponent(cfg.style)}${cfg.lang === 'en' ? '?lang=en' : ''}${hash}`;
};
const full = el('a', { class: 'full-link', href: fullUrl(), target: '_blank', rel: 'noopener' },
  t('openFull'), el('span', { class: 'sr-only' }, ` ${t('newTab')}`));
full.addEventListener('focus', () => { full.href = fullUrl(); });
full.addEventListener('mouseenter', () => { full.href = fullUrl(); });
app.append(mapBox, full);

function chooseLayers(groups) {
  const drawn = cfg.layers.map((l) => l.id).filter((id) => (groups.get(id) || []).length > 0);
  const all = drawn.length ? drawn : cfg.layers.map((l) => l.id);
  const asked = (q.layers || []).filter((id) => all.includes(id));
  ids = asked.length ? asked : all;
  titles = ids.map((id) => cfg.byId.get(id).title).join(', ');
  mapBox.setAttribute('aria-label', t('iframeTitle', { layers: titles }));
}

// One list per layer, its title as the list's name; each entry says its colour in words.
function legendBox(style) {
  const box = el('div', { id: 'legend-box', class: 'legend-box', hidden: true });
  for (const id of ids) {
    const l = cfg.byId.get(id);
    const lg = layerLegend(style, l, t, cfg.lang);
    if (lg.entries.length === 1) {
      const e = lg.entries[0];
      box.append(el('ul', { class: 'legend' }, legendItem({ ...e, label: l.title })));
      continue;
    }
    const head = el('p', { class: 'group', id: `legend-title-${id}` }, l.title);
    const caption = legendCaption(lg, l, t);
    box.append(head, caption ? el('p', { class: 'legend-caption' }, caption) : null,
      el('ul', { class: 'legend', 'aria-labelledby': `legend-title-${id}` },
        ...lg.entries.map((e) => legendItem(e, { class: 'sub' }))));
  }
  const btn = el('button', { type: 'button', class: 'legend-button', 'aria-expanded': 'false',
    'aria-controls': 'legend-box' }, t('legend'));
  btn.addEventListener('click', () => {
    box.hidden = !box.hidden;
    btn.setAttribute('aria-expanded', String(!box.hidden));
  });
  return el('div', { class: 'legend-wrap' }, btn, box);
}

function initialView() {
  if (q.center) return { center: q.center, zoom: q.zoom ?? 12 };
  return { bounds: unionBounds(ids.map((id) => cfg.byId.get(id))) };
}

async function vectorMap(style, groups) {
  const mlgl = await import('./maplibre-gl.mjs');
  for (const [id, sls] of groups) {
    if (ids.includes(id)) continue;
    for (const sl of style.layers) if (sls.includes(sl.id)) sl.layout = { ...(sl.layout || {}), visibility: 'none' };
  }
  const v = initialView();
  const map = new mlgl.Map({
    container: mapBox, style, locale: maplibreLocale(t), maxZoom: 19,
    ...(v.bounds ? openingView(v.bounds, style, groups, ids, mapBox, 10, cfg) : v),
    attributionControl: { compact: true, customAttribution: attributionOf(cfg, ids) },
  });
  if (q.controls) map.addControl(new mlgl.NavigationControl({ showCompass: false }), 'top-right');
  const layers = () => ids.flatMap((id) => groups.get(id) || []).filter((sl) => map.getLayer(sl));
  // points first (small targets), a polygon's label point (its name only) last
  const rank = (f) => (isLabelPoint(f) ? 2 : f.geometry.type.includes('Point') ? 0 : 1);
  map.on('click', (e) => {
    const p = e.point;
    const hit = map.queryRenderedFeatures([[p.x - 5, p.y - 5], [p.x + 5, p.y + 5]], { layers: layers() })
      .filter((f) => cfg.byId.has(layerOfSource(f.sourceLayer)))
      .sort((a, b) => rank(a) - rank(b));
    if (!hit.length) return;
    new mlgl.Popup({ maxWidth: '280px', focusAfterOpen: true }).setLngLat(e.lngLat)
      .setDOMContent(featureCard(cfg, cfg.byId.get(layerOfSource(hit[0].sourceLayer)), hit[0].properties, 2)).addTo(map);
  });
  map.once('idle', () => {
    collapseAttribution(mapBox);
    status.textContent = drawnStatus(cfg, drawnSummary(map, ids, groups, cfg));
    document.documentElement.dataset.map = 'idle';
    map.on('moveend', () => map.once('idle', () => {
      const text = drawnStatus(cfg, drawnSummary(map, ids, groups, cfg));
      if (status.textContent !== text) status.textContent = text;
    }));
  });
  window.teselas = {
    map, cfg, mode: 'vector', groups,
    view: () => ({ zoom: map.getZoom(), lat: map.getCenter().lat, lon: map.getCenter().lng }),
  };
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    document.head.append(el('script', { src, onload: resolve, onerror: reject }));
  });
}

// Leaflet's 256-px PNG tiles at zoom z draw the style's zoom z - 1 (MapLibre's zooms are of 512-px
// tiles) and it keeps to whole zooms: the vector map's opening rule, one zoom more, rounded up
// where rounding down would open below the zoom the style starts drawing the layers at.
function rasterOpen(L, map, v, style, groups) {
  if (!v.bounds) {
    map.setView([v.center[1], v.center[0]], Math.round(v.zoom));
    return;
  }
  const o = openingView(v.bounds, style, groups, ids, mapBox, 10, cfg);
  if (!o.bounds) {
    map.setView([o.center[1], o.center[0]], Math.ceil(o.zoom + 1));
    return;
  }
  const b = L.latLngBounds([o.bounds[1], o.bounds[0]], [o.bounds[3], o.bounds[2]]);
  const from = drawnFromZoom(style, groups, ids, cfg);
  if (!from || map.getBoundsZoom(b, false, L.point(20, 20)) - 1 >= from) map.fitBounds(b, { padding: [10, 10] });
  else map.setView(b.getCenter(), Math.ceil(from + 1));
}

async function rasterMap(style, groups) {
  if (!cfg.endpoints.png) {
    mapBox.classList.add('nomap');
    mapBox.append(el('p', { class: 'nomap-text' }, t('fallbackNone')));
    status.textContent = t('fallbackNone');
    document.documentElement.dataset.map = 'none';
    return;
  }
  document.head.append(el('link', { rel: 'stylesheet', href: `${cfg.assets}leaflet.css` }));
  await loadScript(`${cfg.assets}leaflet.js`);
  const L = window.L;
  const map = L.map(mapBox, { zoomControl: false, attributionControl: true, keyboard: true });
  if (q.controls) {
    L.control.zoom({ position: 'topright', zoomInTitle: t('zoomIn'), zoomOutTitle: t('zoomOut') }).addTo(map);
  }
  map.attributionControl.setPrefix('Leaflet');
  rasterOpen(L, map, initialView(), style, groups);
  const url = `${cfg.endpoints.png.replace(/\.png$/, '{r}.png')}?layers=${ids.join(',')}`;
  const tiles = L.tileLayer(url, { tileSize: 256, maxZoom: 19, attribution: attributionOf(cfg, ids) });
  tiles.once('load', () => {
    status.textContent = `${t('fallbackNote')} ${t('ready', { layers: titles })}`;
    document.documentElement.dataset.map = 'raster';
  });
  tiles.addTo(map);
  window.teselas = {
    leaflet: map, cfg, mode: 'raster',
    view: () => ({ zoom: map.getZoom(), lat: map.getCenter().lat, lon: map.getCenter().lng }),
  };
}

async function start() {
  const { style } = await loadStyle(cfg);
  const groups = styleLayersByLayer(style, cfg);
  chooseLayers(groups);
  if (q.controls) app.append(legendBox(style));
  if (hasWebGL()) {
    try {
      await vectorMap(style, groups);
      return;
    } catch (err) {
      console.warn('teselas: WebGL map failed, using PNG tiles:', err);
      mapBox.replaceChildren();
    }
  }
  await rasterMap(style, groups);
}

start();
