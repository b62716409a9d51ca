// test_web_text.mjs — the words and numbers the pages write, from the pages' own modules
// (web/src/common.js, run by node without a browser): codes, ids, years and coordinates are
// written as the data has them (a card wrote INEGI's CVEGEO 11016 as "11,016", a year as
// "2,013", a latitude 21.1219719 as "21.12", the water bodies' IDBD 177543 as "177,543"); measures get the locale's thousands separators;
// the status line says "1 elemento … es menor", not "1 elementos … son menores", and, when every
// feature of a layer in view is smaller than a pixel, "acerque el mapa", not "aleje".
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { drawnStatus, formatValue } from '../../web/src/common.js';
import { makeT } from '../../web/src/i18n.js';

const cfg = (lang) => ({ lang, t: makeT(lang), byId: new Map([['loc', { id: 'loc', title: 'Localidades' }]]) });

test('codes, ids, years and coordinates are written as they are; measures with separators', () => {
  const es = cfg('es');
  const cases = [
    [{ name: 'cvegeo', type: 'integer' }, 11016, '11016'],
    [{ name: 'CVEGEO', type: 'integer' }, 11016, '11016'],
    [{ name: 'gid', type: 'integer' }, 19592, '19592'],
    [{ name: 'BoroCode', type: 'integer' }, 5, '5'],
    [{ name: 'FC', type: 'integer' }, 6292, '6292'],
    [{ name: 'IDBD', type: 'real' }, 177543, '177543'],  // INEGI's water bodies: an id stored as a real
    [{ name: 'cod_post', type: 'integer' }, 37000, '37000'],
    [{ name: 'zipcode', type: 'integer' }, 10001, '10001'],
    [{ name: 'year', type: 'integer' }, 2013, '2013'],
    [{ name: 'anio', type: 'integer' }, 2024, '2024'],
    [{ name: 'x', type: 'integer', label: 'Clave del municipio' }, 11020, '11020'],
    [{ name: 'latitud', type: 'real' }, 21.1219719, '21.1219719'],
    [{ name: 'longitud', type: 'real' }, -101.6831997, '-101.6831997'],
    [{ name: 'pob', type: 'integer' }, 1579803, '1,579,803'],
    [{ name: 'superficie_m2', type: 'real' }, 12345.678, '12,345.68'],
    [null, 2153, '2,153'],
  ];
  for (const [field, v, want] of cases) {
    assert.equal(formatValue(field, v, es), want, `${field ? field.name : 'a count'} ${v}`);
  }
});

test('an empty text is written empty; only a value the source did not give reads "sin dato"', () => {
  const es = cfg('es');
  assert.equal(formatValue({ name: 'description', type: 'text' }, '', es), '');
  assert.equal(formatValue({ name: 'description', type: 'text' }, null, es), 'sin dato');
  assert.equal(formatValue({ name: 'pob', type: 'integer' }, null, es), 'sin dato');
});

test('the status line agrees in number with one small feature', () => {
  const one = drawnStatus(cfg('es'), [{ id: 'loc', n: 160, small: 1, below: 0 }]);
  assert.match(one, /1 elemento de Localidades es menor que un píxel a este zoom y no se dibuja/);
  const many = drawnStatus(cfg('es'), [{ id: 'loc', n: 150, small: 11, below: 0 }]);
  assert.match(many, /11 elementos de Localidades son menores que un píxel/);
  const en = drawnStatus(cfg('en'), [{ id: 'loc', n: 160, small: 1, below: 0 }]);
  assert.match(en, /1 feature of Localidades is smaller than a pixel/);
});

test('a layer drawn nowhere because all its features are under a pixel says zoom in, not out', () => {
  const all = drawnStatus(cfg('es'), [{ id: 'loc', n: 0, small: 362, below: 0 }]);
  assert.equal(all, 'Mapa listo. 362 elementos de Localidades son menores que un píxel a este zoom y no se dibujan: acerque el mapa para verlos.');
  assert.doesNotMatch(all, /Aleje|no tienen elementos/);
  const en = drawnStatus(cfg('en'), [{ id: 'loc', n: 0, small: 1, below: 0 }]);
  assert.equal(en, 'Map ready. 1 feature of Localidades is smaller than a pixel at this zoom and is not drawn: zoom in to see it.');
  // beside a layer that is really empty here, each gets its own words
  const es = cfg('es');
  es.byId.set('pozos', { id: 'pozos', title: 'Pozos' });
  const both = drawnStatus(es, [{ id: 'loc', n: 0, small: 5, below: 0 }, { id: 'pozos', n: 0, small: 0, below: 0 }]);
  assert.match(both, /no tienen elementos en esta vista \(Pozos\)\. Aleje o mueva el mapa\. 5 elementos de Localidades son menores que un píxel/);
});
