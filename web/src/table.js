// table.js — the data table: the features of one layer in the current view, the accessible
// alternative to the map. Sortable by any column (buttons in the headers, aria-sort), a "Ver"
// button per row that shows the feature on the map, and the same query as a CSV download.
// Rows come from the features API (bbox of the view); without it, from the features the map drew.
import { el, featureName, formatValue } from './common.js';

const LIMIT = 200;

export function createTable(ctx, sec) {
  const { cfg, t } = ctx;
  const select = el('select', { id: 'table-layer' });
  const caption = el('caption', {});
  const thead = el('thead', {});
  const tbody = el('tbody', {});
  const table = el('table', { class: 'data', id: 'data-table' }, caption, thead, tbody);
  const note = el('p', { class: 'note', role: 'status', 'aria-live': 'polite' });
  const csv = el('a', { class: 'button', id: 'table-csv', hidden: true }, t('csv'));
  sec.append(
    el('h2', { id: 'table-title', tabindex: '-1' }, t('tableTitle')),
    el('p', { class: 'row' }, el('label', { for: 'table-layer' }, t('tableLayer')), select),
    note, el('div', { class: 'table-wrap', tabindex: '0', role: 'region',
      'aria-labelledby': 'table-title' }, table), el('p', {}, csv));

  let rows = [];
  let sort = { field: null, dir: 1 };
  let seq = 0;
  let layerId = null;

  function fillSelect() {
    const ids = ctx.visibleIds();
    const keep = ids.includes(select.value) ? select.value : ids[0];
    select.replaceChildren(...ids.map((id) => el('option', { value: id }, cfg.byId.get(id).title)));
    if (keep) select.value = keep;
    return keep || null;
  }
  select.addEventListener('change', () => refresh());

  function columns(layer) {
    // a field no record has a value in is left out (the CSV download keeps its column)
    return layer.fields.filter((f) => !f.empty).map((f) => ({ key: f.name, label: f.label || f.name, field: f }));
  }

  function render(layer, total) {
    const cols = columns(layer);
    const headRow = el('tr', {}, ctx.map() ? el('th', { scope: 'col' }, el('span', { class: 'sr-only' }, t('show'))) : null);
    for (const c of cols) {
      const th = el('th', { scope: 'col', 'aria-sort': sort.field === c.key ? (sort.dir > 0 ? 'ascending' : 'descending') : 'none' });
      th.append(el('button', { type: 'button', class: 'sort', 'data-field': c.key,
        'aria-label': t('sortBy', { label: c.label }),
        onclick: () => { sort = { field: c.key, dir: sort.field === c.key ? -sort.dir : 1 }; render(layer, total); } },
      c.label, el('span', { class: 'arrow', 'aria-hidden': 'true' },
        sort.field === c.key ? (sort.dir > 0 ? ' ▲' : ' ▼') : '')));
      headRow.append(th);
    }
    thead.replaceChildren(headRow);
    const sorted = rows.slice();
    if (sort.field) {
      const k = sort.field;
      sorted.sort((a, b) => {
        const x = a.properties[k], y = b.properties[k];
        if (x === y) return 0;
        if (x === null || x === undefined) return 1;
        if (y === null || y === undefined) return -1;
        return (typeof x === 'number' && typeof y === 'number' ? x - y
          : String(x).localeCompare(String(y), cfg.lang)) * sort.dir;
      });
    }
    tbody.replaceChildren(...sorted.map((f) => {
      const name = featureName(layer, f.properties, cfg);
      const tr = el('tr', { 'data-id': f.id });
      const btn = el('button', { type: 'button', class: 'show', 'aria-label': t('showOnMap', { name }) }, t('show'));
      btn.addEventListener('click', () => ctx.showFeature(layer.id, f, btn));
      // without a map (no WebGL) there is nothing to show a row on
      if (ctx.map()) tr.append(el('td', {}, btn));
      for (const c of cols) tr.append(el('td', {}, formatValue(c.field, f.properties[c.key], cfg)));
      return tr;
    }));
    caption.textContent = total === null ? t('tableCaptionFirst', { layer: layer.title, shown: rows.length })
      : rows.length < total ? t('tableCaption', { layer: layer.title, shown: rows.length, total })
        : t('tableCaptionAll', { layer: layer.title, total });
  }

  async function fromApi(layer, bbox, my) {
    const url = `/collections/${encodeURIComponent(layer.id)}/items?bbox=${bbox.join(',')}&limit=${LIMIT}`;
    const r = await fetch(url, { headers: { Accept: 'application/geo+json' } });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    const doc = await r.json();
    if (my !== seq) return null;
    // numberMatched is left out above 1,000 matches: with a next page the total is unknown (null),
    // never the page's length (a view of 2,153 crimes read "200 elementos")
    const more = (doc.links || []).some((l) => l.rel === 'next');
    const features = doc.features || [];
    return { features, total: doc.numberMatched ?? (more ? null : features.length) };
  }

  function fromMap(layer) {
    const map = ctx.map();
    if (!map) return { features: [], total: 0 };
    const seen = new Map();
    for (const f of map.queryRenderedFeatures({ layers: (window.teselas?.groups.get(layer.id) || []) })) {
      if (f.properties.point_count) continue;
      if (!seen.has(f.id)) seen.set(f.id, { id: f.id, properties: f.properties, geometry: f.geometry });
    }
    const features = [...seen.values()].slice(0, LIMIT);
    return { features, total: seen.size };
  }

  async function refresh() {
    if (!ctx.isOpen('table')) return;
    const id = fillSelect();
    const my = ++seq;
    if (!id) {
      rows = [];
      thead.replaceChildren(); tbody.replaceChildren(); caption.textContent = '';
      note.textContent = t('tableNoLayer');
      csv.hidden = true;
      return;
    }
    if (id !== layerId) sort = { field: null, dir: 1 };
    layerId = id;
    const layer = cfg.byId.get(id);
    const bbox = ctx.bbox();
    note.textContent = t('tableLoading');
    table.dataset.state = 'loading';
    try {
      const got = cfg.endpoints.items ? await fromApi(layer, bbox, my) : fromMap(layer);
      if (!got) return;
      rows = got.features;
      render(layer, got.total);
      note.textContent = rows.length === 0 ? t('tableEmpty')
        : got.total === null || rows.length < got.total ? t('tableMore', { n: rows.length }) : '';
      table.dataset.state = 'ready';
    } catch {
      if (my === seq) note.textContent = t('tableError');
    }
    csv.hidden = !cfg.endpoints.items;
    csv.href = `/collections/${encodeURIComponent(id)}/items?bbox=${bbox.join(',')}&limit=10000&f=csv`;
    csv.setAttribute('download', `${id}.csv`);
  }

  return { refresh };
}
