// review.js — the map on a reviewer's page (/admin/revision/{n}): exactly what approval would
// publish, drawn from the review's preview tiles (the generalised points or aggregated cells the
// store keeps, never the source's points), with MapLibre as the public viewer draws it. The page
// says the same in text beside the map; this script only adds the picture.
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
function style() {
  const src = cfg.layer;
  return {
    version: 8,
    sources: {
      preview: {
        type: 'vector', tiles: [location.origin + cfg.tiles],
        minzoom: 0, maxzoom: Math.max(0, Math.min(cfg.maxzoom ?? 14, 22)), bounds: cfg.bounds,
      },
    },
    layers: [
      { id: 'fondo', type: 'background', paint: { 'background-color': '#f4f3ef' } },
      { id: 'celdas', type: 'fill', source: 'preview', 'source-layer': src,
        filter: ['==', ['geometry-type'], 'Polygon'],
        paint: { 'fill-color': INK, 'fill-opacity': 0.35, 'fill-outline-color': INK } },
      { id: 'lineas', type: 'line', source: 'preview', 'source-layer': src,
        filter: ['==', ['geometry-type'], 'LineString'], paint: { 'line-color': INK, 'line-width': 2 } },
      { id: 'puntos', type: 'circle', source: 'preview', 'source-layer': src,
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
  const [w, s, e, n] = cfg.bounds;
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
