// review.js — the map of what a version would publish, with MapLibre as the public viewer draws
// it: on a reviewer's page (/admin/revision/{n}) from the review's preview tiles, and on a dry
// run's job page (/admin/trabajos/{n}) from the GeoJSON the dry run kept. Either holds only the
// generalised points or aggregated cells, never the source's points. The page says the same in
// text beside the map; this script only adds the picture.
import { hasWebGL } from './common.js';

const box = document.getElementById('review-map');
const cfg = JSON.parse(document.getElementById('review-config').textContent);
const INK = '#8a1c4a';

function note(text) {
  const p = document.createElement('p');
  p.className = 'nomap-text';
  p.textContent = text;
  box.replaceChildren(p);
  box.style.height = 'auto';
}

// One style layer per geometry kind: the preview may hold points (generalised) or cells
// (aggregated), and the page draws whichever arrives.
function source() {
  if (cfg.geojson) return { type: 'geojson', data: cfg.geojson };
  return {
    type: 'vector', tiles: [location.origin + cfg.tiles],
    minzoom: 0, maxzoom: Math.max(0, Math.min(cfg.maxzoom ?? 14, 22)), bounds: cfg.bounds,
  };
}

// [w, s, e, n] of a GeoJSON FeatureCollection's coordinates.
function geojsonBounds(fc) {
  const b = [180, 90, -180, -90];
  const walk = (c) => {
    if (typeof c[0] === 'number') {
      b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]);
      b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]);
    } else c.forEach(walk);
  };
  fc.features.forEach((f) => f.geometry && walk(f.geometry.coordinates));
  return b;
}

function style() {
  const src = cfg.geojson ? {} : { 'source-layer': cfg.layer };
  return {
    version: 8,
    sources: { preview: source() },
    layers: [
      { id: 'fondo', type: 'background', paint: { 'background-color': '#f4f3ef' } },
      { id: 'celdas', type: 'fill', source: 'preview', ...src,
        filter: ['==', ['geometry-type'], 'Polygon'],
        paint: { 'fill-color': INK, 'fill-opacity': 0.35, 'fill-outline-color': INK } },
      { id: 'lineas', type: 'line', source: 'preview', ...src,
        filter: ['==', ['geometry-type'], 'LineString'], paint: { 'line-color': INK, 'line-width': 2 } },
      { id: 'puntos', type: 'circle', source: 'preview', ...src,
        filter: ['==', ['geometry-type'], 'Point'],
        paint: { 'circle-color': INK, 'circle-radius': 4, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 } },
    ],
  };
}

async function start() {
  if (!hasWebGL()) {
    note('Este navegador no puede dibujar el mapa; el texto de arriba dice lo que mostraría.');
    return;
  }
  const mlgl = await import('./maplibre-gl.mjs');
  const [w, s, e, n] = cfg.geojson ? geojsonBounds(cfg.geojson) : cfg.bounds;
  const map = new mlgl.Map({
    container: box, style: style(), bounds: [[w, s], [e, n]], fitBoundsOptions: { padding: 20 },
    maxZoom: 19, attributionControl: false,
  });
  map.addControl(new mlgl.NavigationControl({ showCompass: false }), 'top-right');
  map.once('idle', () => {
    const drawn = map.queryRenderedFeatures({ layers: ['celdas', 'lineas', 'puntos'] }).length;
    box.dataset.drawn = String(drawn);
    document.documentElement.dataset.map = 'idle';
  });
  window.teselasReview = { map };
}

start().catch((err) => {
  note('No se pudo dibujar el mapa; el texto de arriba dice lo que mostraría.');
  console.warn('teselas: review map not started:', err);
});
