// search.js — find a place by name in the visible layers. Asks the features API
// (filter=nombre LIKE '%text%', CQL2) when the server has it, and also looks through the features
// already loaded on the map without accents or case ("leon" finds "León"). Results are buttons:
// choosing one moves the map there and opens its card.
import { el, featureName, nameField } from './common.js';

const fold = (s) => String(s).normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

export function createSearch(ctx) {
  const { cfg, t } = ctx;
  const input = el('input', { type: 'search', id: 'search-text', autocomplete: 'off', required: true });
  const results = el('ul', { class: 'results', id: 'search-results' });
  const msg = el('p', { class: 'note', role: 'status', 'aria-live': 'polite', id: 'search-status' });
  const form = el('form', { role: 'search', class: 'search', 'aria-labelledby': 'search-title' },
    el('h2', { id: 'search-title' }, t('search')),
    el('label', { for: 'search-text' }, t('searchLabel')),
    el('span', { class: 'row' }, input, el('button', { type: 'submit', class: 'button' }, t('searchButton'))),
    msg, results);

  async function fromApi(layer, nf, text) {
    const q = `${nf.name} LIKE '%${text.replace(/'/g, "''")}%'`;
    const url = `/collections/${encodeURIComponent(layer.id)}/items?limit=5&filter=${encodeURIComponent(q)}&filter-lang=cql2-text`;
    try {
      const r = await fetch(url);
      if (!r.ok) return [];
      return ((await r.json()).features || []).map((f) => ({ layer, f }));
    } catch {
      return [];
    }
  }

  function fromMap(layer, nf, text) {
    const map = ctx.map();
    if (!map) return [];
    const want = fold(text);
    const out = new Map();
    const sl = map.getStyle().layers.find((l) => l['source-layer'] === layer.id);
    if (!sl) return [];
    for (const f of map.querySourceFeatures(sl.source, { sourceLayer: layer.id })) {
      const v = f.properties[nf.name];
      if (v && fold(v).includes(want) && !out.has(f.id)) {
        out.set(f.id, { layer, f: { id: f.id, properties: f.properties, geometry: f.geometry } });
      }
      if (out.size >= 5) break;
    }
    return [...out.values()];
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    msg.textContent = t('searchWorking');
    const found = [];
    const seen = new Set();
    for (const id of ctx.visibleIds()) {
      const layer = cfg.byId.get(id);
      const nf = nameField(layer);
      if (!nf) continue;
      const got = (cfg.endpoints.items ? await fromApi(layer, nf, text) : []).concat(fromMap(layer, nf, text));
      for (const r of got) {
        const k = `${id}/${r.f.id}`;
        if (!seen.has(k)) { seen.add(k); found.push(r); }
      }
    }
    results.replaceChildren(...found.slice(0, 10).map(({ layer, f }) => {
      const btn = el('button', { type: 'button', class: 'result' },
        featureName(layer, f.properties, cfg), el('span', { class: 'sub' }, ` — ${layer.title}`));
      btn.addEventListener('click', () => ctx.showFeature(layer.id, f, btn));
      return el('li', {}, btn);
    }));
    const n = Math.min(found.length, 10);
    msg.textContent = n === 0 ? t('searchNone') : n === 1 ? t('searchOne') : t('searchFound', { n });
  });

  return { element: form };
}
