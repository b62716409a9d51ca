// embed.js — the page meant for iframes on other sites (/embed/{style}?layers=a,b&center=lon,lat&
// zoom=z&controls=0|1&lang=es|en): the map alone, with an optional legend and zoom buttons, cards
// on click, and a link to the full map (which has the data table). Without WebGL (old phones,
// locked-down browsers) it shows the same style as PNG tiles drawn by the server, with Leaflet.
import {
  attributionOf, collapseAttribution, el, featureCard, hasWebGL, legendEntries, loadStyle, parseQuery, readConfig,
  styleLayersByLayer, swatch, unionBounds,
} from './common.js';
import { maplibreLocale } from './i18n.js';

const cfg = readConfig();
const t = cfg.t;
const q = parseQuery(location.search, cfg);
const ids = (q.layers && q.layers.length ? q.layers : cfg.layers.map((l) => l.id));
const titles = ids.map((id) => cfg.byId.get(id).title).join(', ');
const app = document.getElementById('app');
const status = document.getElementById('status');

const mapBox = el('div', { id: 'map', class: 'map', role: 'region', 'aria-label': t('iframeTitle', { layers: titles }) });
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

function legendBox(style) {
  const list = el('ul', { class: 'legend' });
  for (const id of ids) {
    const l = cfg.byId.get(id);
    const entries = legendEntries(style, l, t);
    if (entries.length === 1) {
      list.append(el('li', {}, swatch(entries[0]), l.title));
      continue;
    }
    list.append(el('li', { class: 'group' }, l.title));
    for (const e of entries) list.append(el('li', { class: 'sub' }, swatch(e), e.label));
  }
  const box = el('div', { id: 'legend-box', class: 'legend-box', hidden: true }, list);
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

async function vectorMap(style) {
  const mlgl = await import('./maplibre-gl.mjs');
  const groups = styleLayersByLayer(style, cfg);
  for (const sl of style.layers) {
    const id = sl['source-layer'];
    if (id && groups.has(id) && !ids.includes(id)) sl.layout = { ...(sl.layout || {}), visibility: 'none' };
  }
  const v = initialView();
  const map = new mlgl.Map({
    container: mapBox, style, locale: maplibreLocale(t), maxZoom: 19,
    ...(v.bounds ? { bounds: v.bounds, fitBoundsOptions: { padding: 10 } } : v),
    attributionControl: { compact: true, customAttribution: attributionOf(cfg, ids) },
  });
  if (q.controls) map.addControl(new mlgl.NavigationControl({ showCompass: false }), 'top-right');
  const layers = () => ids.flatMap((id) => groups.get(id) || []).filter((sl) => map.getLayer(sl));
  map.on('click', (e) => {
    const p = e.point;
    const hit = map.queryRenderedFeatures([[p.x - 5, p.y - 5], [p.x + 5, p.y + 5]], { layers: layers() })
      .filter((f) => cfg.byId.has(f.sourceLayer))
      .sort((a, b) => (a.geometry.type.includes('Point') ? 0 : 1) - (b.geometry.type.includes('Point') ? 0 : 1));
    if (!hit.length) return;
    new mlgl.Popup({ maxWidth: '280px', focusAfterOpen: true }).setLngLat(e.lngLat)
      .setDOMContent(featureCard(cfg, cfg.byId.get(hit[0].sourceLayer), hit[0].properties, 2)).addTo(map);
  });
  map.once('idle', () => {
    collapseAttribution(mapBox);
    status.textContent = t('ready', { layers: titles });
    document.documentElement.dataset.map = 'idle';
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

async function rasterMap() {
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
  const v = initialView();
  if (v.bounds) map.fitBounds([[v.bounds[1], v.bounds[0]], [v.bounds[3], v.bounds[2]]]);
  else map.setView([v.center[1], v.center[0]], Math.round(v.zoom));
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
  if (q.controls) app.append(legendBox(style));
  if (hasWebGL()) {
    try {
      await vectorMap(style);
      return;
    } catch (err) {
      console.warn('teselas: WebGL map failed, using PNG tiles:', err);
      mapBox.replaceChildren();
    }
  }
  await rasterMap();
}

start();
