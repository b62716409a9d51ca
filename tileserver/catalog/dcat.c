/* dcat.c — the catalogue as a DCAT-AP 3.0.0 graph (SEMIC, 2023): a dcat:Catalog, one dcat:Dataset
 * per layer with its distributions (GeoJSON, CSV and GeoPackage downloads, the map page) and
 * dcat:DataService entries (the OGC API - Features landing page, each layer's TileJSON, the map
 * page). Every node that DCAT-AP's shapes constrain by class (sh:class) is typed here, because a
 * SHACL engine sees only the data graph: an untyped licence IRI is a violation of
 * dct:LicenseDocument even when the IRI is right.
 *
 * IRIs: the catalogue is <base/#catalog>, a dataset <base/collections/{id}#dataset>, its
 * distributions <...#dist-{kind}>; each without its fragment is a page the server answers, so a
 * harvester that dereferences them finds the layer. Paging (Hydra, as ckanext-dcat reads it):
 * a hydra:PagedCollection node with totalItems, itemsPerPage, firstPage/lastPage/nextPage/
 * previousPage (and hydra:next, the newer Hydra term) when there is more than one page. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "catalog/catalog_int.h"
#include "features/features.h"
#include "privacy/policy.h"

#define IANA "https://www.iana.org/assignments/media-types/"
#define EU_LANG_SPA "http://publications.europa.eu/resource/authority/language/SPA"
#define TILEJSON_SPEC "https://github.com/mapbox/tilejson-spec/tree/master/3.0.0"

typedef struct dcat_ctx {
  rdf_graph g;
  const catalog_site *s;
  store_reader *r;
  const char *ext;  /* "jsonld" or "ttl": the catalogue's own links keep the syntax */
  err *e;
  err_code rc;      /* first store error */
} dcat_ctx;

static rdf_term es(const char *text) { return rdf_lit_lang(text, "es"); }

/* A typed node, added once per subject run: o a cls (for the shapes' sh:class). */
static rdf_term typed(dcat_ctx *x, rdf_term o, const char *cls) {
  rdf_type(&x->g, o, cls);
  return o;
}

/* An agent IRI for a publisher name: <base/#org-slug>, the same slug as CKAN's organizations. */
static rdf_term agent(dcat_ctx *x, const char *name) {
  char slug[96];
  catalog_org_slug(name, slug, sizeof slug);
  rdf_term a = rdf_iri_fmt(&x->g, "%s/#org-%s", x->s->base_url, slug);
  typed(x, a, NS_FOAF "Agent");
  rdf_add(&x->g, a, NS_FOAF "name", es(name));
  return a;
}

static void add_standard(dcat_ctx *x, rdf_term subj, rdf_term std, const char *title) {
  rdf_add(&x->g, subj, NS_DCT "conformsTo", std);
  typed(x, std, NS_DCT "Standard");
  if (title) rdf_add(&x->g, std, NS_DCT "title", es(title));
}

/* A URL to dereference (access, download, endpoint URL or description): DCAT-AP's shapes give
 * each sh:class rdfs:Resource. */
static void add_resource(dcat_ctx *x, rdf_term svc, const char *prop, rdf_term url) {
  rdf_add(&x->g, svc, prop, url);
  typed(x, url, NS_RDFS "Resource");
}

static void add_media(dcat_ctx *x, rdf_term subj, const char *mime) {
  rdf_term m = rdf_iri_fmt(&x->g, IANA "%s", mime);
  rdf_add(&x->g, subj, NS_DCAT "mediaType", m);
  typed(x, m, NS_DCT "MediaType");
}

static void add_license(dcat_ctx *x, rdf_term subj, const layer_info *l) {
  const char *url = l->license[0] ? features_license_url(l->license) : NULL;
  if (!url) return;
  rdf_term lic = rdf_iri(url);
  rdf_add(&x->g, subj, NS_DCT "license", lic);
  typed(x, lic, NS_DCT "LicenseDocument");
  rdf_add(&x->g, lic, NS_RDFS "label", rdf_lit(l->license));
}

static const char *datetime_type(const char *v) {
  return strlen(v) == 10 ? NS_XSD "date" : NS_XSD "dateTime";
}

/* dct:issued is the first version's publication (since the layer's last removal), dct:modified
 * the current version's, both from the history (store/catalog.c); a database older than the
 * history falls back on the catalog's updated_at for both. */
static const char *version_date(const layer_info *l) {
  return l->delivered_at && l->delivered_at[0] ? l->delivered_at : l->updated_at;
}

static void add_dates(dcat_ctx *x, rdf_term subj, const layer_info *l) {
  const char *issued = l->issued_at && l->issued_at[0] ? l->issued_at : NULL;
  if (issued) rdf_add(&x->g, subj, NS_DCT "issued", rdf_lit_typed(issued, NS_XSD "dateTime"));
  const char *modified = version_date(l);
  if (modified[0])
    rdf_add(&x->g, subj, NS_DCT "modified", rdf_lit_typed(modified, NS_XSD "dateTime"));
}

/* dcat:byteSize and spdx:checksum of a whole download, once the server has computed them for the
 * current version (http/digests.c); until then, nothing rather than a guess. */
static void add_digest(dcat_ctx *x, rdf_term dist, const layer_info *l, const char *format) {
  store_digest dg = {.layer = l->id, .version = l->version, .format = format};
  bool found = false;
  err e = {0};
  if (store_digest_get(x->r, &dg, &found, &e) != ERR_OK || !found) return;
  char size[24];
  snprintf(size, sizeof size, "%llu", (unsigned long long)dg.bytes);
  rdf_add(&x->g, dist, NS_DCAT "byteSize",
          rdf_lit_typed(arena_strdup(x->g.a, size), NS_XSD "nonNegativeInteger"));
  rdf_term sum = rdf_bnode(&x->g);
  rdf_add(&x->g, dist, NS_SPDX "checksum", sum);
  typed(x, sum, NS_SPDX "Checksum");
  rdf_term algo = rdf_iri(NS_SPDX "checksumAlgorithm_sha256");
  rdf_add(&x->g, sum, NS_SPDX "algorithm", algo);
  typed(x, algo, NS_SPDX "ChecksumAlgorithm");
  rdf_add(&x->g, sum, NS_SPDX "checksumValue",
          rdf_lit_typed(arena_strdup(x->g.a, dg.sha256), NS_XSD "hexBinary"));
}

/* A download or a page of layer l: the distribution node and its access URL. */
static void add_distribution(dcat_ctx *x, rdf_term ds, const layer_info *l, const char *kind,
                             const char *title, const char *path, const char *mime,
                             bool download) {
  rdf_term d = rdf_iri_fmt(&x->g, "%s/collections/%s#dist-%s", x->s->base_url, l->id, kind);
  rdf_add(&x->g, ds, NS_DCAT "distribution", d);
  typed(x, d, NS_DCAT "Distribution");
  rdf_add(&x->g, d, NS_DCT "title", es(title));
  rdf_term url = rdf_iri_fmt(&x->g, "%s%s", x->s->base_url, path);
  add_resource(x, d, NS_DCAT "accessURL", url);
  if (download) add_resource(x, d, NS_DCAT "downloadURL", url);
  add_media(x, d, mime);
  if (download) add_digest(x, d, l, kind);
  add_license(x, d, l);
  if (version_date(l)[0])
    rdf_add(&x->g, d, NS_DCT "modified", rdf_lit_typed(version_date(l), NS_XSD "dateTime"));
}

static void add_distributions(dcat_ctx *x, rdf_term ds, const layer_info *l) {
  char path[160];
  static const struct {
    const char *kind, *title, *mime;
  } D[] = {{"geojson", "Descarga completa (GeoJSON)", "application/geo+json"},
           {"csv", "Descarga completa (CSV)", "text/csv"},
           {"gpkg", "Descarga completa (GeoPackage)", "application/geopackage+sqlite3"}};
  for (size_t i = 0; i < sizeof D / sizeof *D; i++) {
    snprintf(path, sizeof path, "/collections/%s/download.%s", l->id, D[i].kind);
    add_distribution(x, ds, l, D[i].kind, D[i].title, path, D[i].mime, true);
  }
  /* the page a portal shows in an <iframe> */
  snprintf(path, sizeof path, "/embed/%s", l->id);
  add_distribution(x, ds, l, "map", "Mapa interactivo", path, "text/html", false);
}

/* dct:spatial: the layer's box as dcat:bbox (a gsp:wktLiteral, at most one), and as a
 * locn:Geometry node holding it in both GeoSPARQL forms (gsp:asWKT, gsp:asGeoJSON): DCAT-AP 3's
 * shapes want locn:geometry to be a node (sh:BlankNodeOrIRI, sh:class locn:Geometry), at most
 * one, so the two literals hang off that node rather than off the location. */
static void add_spatial(dcat_ctx *x, rdf_term ds, const layer_info *l) {
  const double *b = l->bounds;
  if (l->feature_count <= 0 || !isfinite(b[0]) || !isfinite(b[1]) || !isfinite(b[2]) ||
      !isfinite(b[3]))
    return;
  char ring[320], wkt[400], gj[400];
  snprintf(ring, sizeof ring, "%.7g %.7g, %.7g %.7g, %.7g %.7g, %.7g %.7g, %.7g %.7g", b[0], b[1],
           b[2], b[1], b[2], b[3], b[0], b[3], b[0], b[1]);
  snprintf(wkt, sizeof wkt, "POLYGON((%s))", ring);
  snprintf(gj, sizeof gj,
           "{\"type\":\"Polygon\",\"coordinates\":[[[%.7g,%.7g],[%.7g,%.7g],[%.7g,%.7g],"
           "[%.7g,%.7g],[%.7g,%.7g]]]}",
           b[0], b[1], b[2], b[1], b[2], b[3], b[0], b[3], b[0], b[1]);
  rdf_term loc = rdf_bnode(&x->g);
  rdf_add(&x->g, ds, NS_DCT "spatial", loc);
  typed(x, loc, NS_DCT "Location");
  const char *w = arena_strdup(x->g.a, wkt), *j = arena_strdup(x->g.a, gj);
  rdf_add(&x->g, loc, NS_DCAT "bbox", rdf_lit_typed(w, NS_GSP "wktLiteral"));
  rdf_term shape = rdf_bnode(&x->g);
  rdf_add(&x->g, loc, NS_LOCN "geometry", shape);
  typed(x, shape, NS_LOCN "Geometry");
  rdf_add(&x->g, shape, NS_GSP "asWKT", rdf_lit_typed(w, NS_GSP "wktLiteral"));
  rdf_add(&x->g, shape, NS_GSP "asGeoJSON", rdf_lit_typed(j, NS_GSP "geoJSONLiteral"));
}

/* dct:temporal from the extent of the layer's date field (store_layer_time_extent). A layer whose
 * table cannot be read (damaged, see `teselas check`) is listed without it, as the collections
 * do: the catalogue keeps answering for the other layers. */
static void add_temporal(dcat_ctx *x, rdf_term ds, const layer_info *l) {
  if (!l->date_field[0] || x->rc != ERR_OK) return;
  char lo[40], hi[40];
  if (store_layer_time_extent(x->r, l, l->date_field, lo, hi, NULL) != ERR_OK) return;
  if (!lo[0] || !hi[0]) return;
  for (char *p = lo; *p; p++) if (*p == ' ') *p = 'T';
  for (char *p = hi; *p; p++) if (*p == ' ') *p = 'T';
  rdf_term t = rdf_bnode(&x->g);
  rdf_add(&x->g, ds, NS_DCT "temporal", t);
  typed(x, t, NS_DCT "PeriodOfTime");
  rdf_add(&x->g, t, NS_DCAT "startDate",
          rdf_lit_typed(arena_strdup(x->g.a, lo), datetime_type(lo)));
  rdf_add(&x->g, t, NS_DCAT "endDate", rdf_lit_typed(arena_strdup(x->g.a, hi), datetime_type(hi)));
}

/* A privacy policy in plain Spanish (privacy/policy_text.c) as the dataset's provenance. */
static void add_privacy(dcat_ctx *x, rdf_term ds, const layer_info *l) {
  privacy_policy p;
  err pe = {0};
  if (privacy_policy_from_json(l->privacy, &p, &pe) != ERR_OK) return;
  if (p.mode == PRIVACY_MODE_NONE && !p.exact_decided) return;
  buf text;
  buf_init(&text, 4096);
  privacy_policy_describe(&p, PRIVACY_LANG_ES, &text);
  if (!text.failed && text.len) {
    rdf_term st = rdf_bnode(&x->g);
    rdf_add(&x->g, ds, NS_DCT "provenance", st);
    typed(x, st, NS_DCT "ProvenanceStatement");
    rdf_add(&x->g, st, NS_RDFS "label", es(arena_strdup(x->g.a, buf_cstr(&text))));
  }
  buf_free(&text);
}

static void add_keywords(dcat_ctx *x, rdf_term ds, const char *keywords) {
  for (const char *p = keywords; *p;) {
    p += strspn(p, " ,;");
    size_t n = strcspn(p, ",;");
    size_t m = n;
    while (m && p[m - 1] == ' ') m--;
    if (m) rdf_add(&x->g, ds, NS_DCAT "keyword", es(arena_strndup(x->g.a, p, m)));
    p += n;
  }
}

static rdf_term dataset_iri(dcat_ctx *x, const layer_info *l) {
  return rdf_iri_fmt(&x->g, "%s/collections/%s#dataset", x->s->base_url, l->id);
}

static void add_dataset(dcat_ctx *x, const layer_info *l) {
  rdf_graph *g = &x->g;
  const char *b = x->s->base_url;
  rdf_term ds = typed(x, dataset_iri(x, l), NS_DCAT "Dataset");
  rdf_add(g, ds, NS_DCT "identifier", rdf_lit(l->id));
  rdf_add(g, ds, NS_DCT "title", es(l->title[0] ? l->title : l->id));
  rdf_add(g, ds, NS_DCT "description",
          es(l->description[0] ? l->description : l->title[0] ? l->title : l->id));
  add_keywords(x, ds, l->keywords);
  add_dates(x, ds, l);
  char version[24];
  snprintf(version, sizeof version, "%lld", (long long)l->version);
  rdf_add(g, ds, NS_DCAT "version", rdf_lit(arena_strdup(g->a, version)));
  rdf_term lang = rdf_iri(EU_LANG_SPA);
  rdf_add(g, ds, NS_DCT "language", lang);
  typed(x, lang, NS_DCT "LinguisticSystem");
  const char *freq = l->frequency[0] ? catalog_frequency_iri(l->frequency) : NULL;
  if (freq) {
    rdf_add(g, ds, NS_DCT "accrualPeriodicity", rdf_iri(freq));
    typed(x, rdf_iri(freq), NS_DCT "Frequency");
  }
  rdf_term page = rdf_iri_fmt(g, "%s/collections/%s?f=html", b, l->id);
  rdf_add(g, ds, NS_DCAT "landingPage", page);
  typed(x, page, NS_FOAF "Document");
  add_standard(x, ds, rdf_iri_fmt(g, "%s/collections/%s/dictionary", b, l->id),
               "Diccionario de datos");
  if (l->publisher[0]) rdf_add(g, ds, NS_DCT "publisher", agent(x, l->publisher));
  add_spatial(x, ds, l);
  add_temporal(x, ds, l);
  add_privacy(x, ds, l);
  add_distributions(x, ds, l);
}

/* The per-layer services: its vector tiles (TileJSON) and its map page. */
static void add_layer_services(dcat_ctx *x, rdf_term cat, const layer_info *l) {
  rdf_graph *g = &x->g;
  const char *b = x->s->base_url;
  rdf_term ds = dataset_iri(x, l);
  rdf_term tiles = rdf_iri_fmt(g, "%s/tiles/%s.json#service", b, l->id);
  if (cat.value) rdf_add(g, cat, NS_DCAT "service", tiles);
  typed(x, tiles, NS_DCAT "DataService");
  rdf_add(g, tiles, NS_DCT "title", es("Teselas vectoriales (TileJSON)"));
  rdf_term tj = rdf_iri_fmt(g, "%s/tiles/%s.json", b, l->id);
  add_resource(x, tiles, NS_DCAT "endpointURL", tj);
  add_resource(x, tiles, NS_DCAT "endpointDescription", tj);
  add_standard(x, tiles, rdf_iri(TILEJSON_SPEC), "TileJSON 3.0.0");
  rdf_add(g, tiles, NS_DCAT "servesDataset", ds);
  rdf_term map = rdf_iri_fmt(g, "%s/maps/%s#service", b, l->id);
  if (cat.value) rdf_add(g, cat, NS_DCAT "service", map);
  typed(x, map, NS_DCAT "DataService");
  rdf_add(g, map, NS_DCT "title", es("Mapa interactivo"));
  add_resource(x, map, NS_DCAT "endpointURL", rdf_iri_fmt(g, "%s/maps/%s", b, l->id));
  rdf_add(g, map, NS_DCAT "servesDataset", ds);
}

/* The OGC API - Features service (the landing page) serving the datasets [from, to). */
static void add_ogc_service(dcat_ctx *x, rdf_term cat, const catalog *c, size_t from, size_t to) {
  rdf_graph *g = &x->g;
  const char *b = x->s->base_url;
  rdf_term svc = rdf_iri_fmt(g, "%s/#ogcapi", b);
  if (cat.value) rdf_add(g, cat, NS_DCAT "service", svc);
  typed(x, svc, NS_DCAT "DataService");
  rdf_add(g, svc, NS_DCT "title", es("OGC API - Features"));
  add_resource(x, svc, NS_DCAT "endpointURL", rdf_iri_fmt(g, "%s/", b));
  add_resource(x, svc, NS_DCAT "endpointDescription", rdf_iri_fmt(g, "%s/api", b));
  const char *const *classes;
  size_t n = features_conformance_classes(&classes);
  for (size_t i = 0; i < n; i++) add_standard(x, svc, rdf_iri(classes[i]), NULL);
  for (size_t i = from; i < to; i++)
    rdf_add(g, svc, NS_DCAT "servesDataset", dataset_iri(x, &c->layers[i]));
}

static rdf_term page_iri(dcat_ctx *x, int64_t page, int64_t size) {
  if (size == CATALOG_PAGE_SIZE)
    return rdf_iri_fmt(&x->g, "%s/catalog.%s?page=%lld", x->s->base_url, x->ext, (long long)page);
  return rdf_iri_fmt(&x->g, "%s/catalog.%s?page=%lld&page_size=%lld", x->s->base_url, x->ext,
                     (long long)page, (long long)size);
}

static void add_paging(dcat_ctx *x, size_t n_layers, int64_t page, int64_t size) {
  rdf_graph *g = &x->g;
  int64_t last = n_layers ? ((int64_t)n_layers + size - 1) / size : 1;
  if (last <= 1) return;
  rdf_term p = typed(x, page_iri(x, page, size), NS_HYDRA "PagedCollection");
  char num[24];
  snprintf(num, sizeof num, "%zu", n_layers);
  rdf_add(g, p, NS_HYDRA "totalItems",
          rdf_lit_typed(arena_strdup(g->a, num), NS_XSD "nonNegativeInteger"));
  snprintf(num, sizeof num, "%lld", (long long)size);
  rdf_add(g, p, NS_HYDRA "itemsPerPage",
          rdf_lit_typed(arena_strdup(g->a, num), NS_XSD "nonNegativeInteger"));
  rdf_add(g, p, NS_HYDRA "firstPage", page_iri(x, 1, size));
  rdf_add(g, p, NS_HYDRA "lastPage", page_iri(x, last, size));
  if (page > 1) rdf_add(g, p, NS_HYDRA "previousPage", page_iri(x, page - 1, size));
  if (page < last) {
    rdf_add(g, p, NS_HYDRA "nextPage", page_iri(x, page + 1, size));
    rdf_add(g, p, NS_HYDRA "next", page_iri(x, page + 1, size));
  }
}

static const char *latest_update(const catalog *c) {
  const char *m = "";
  for (size_t i = 0; i < c->n_layers; i++)
    if (strcmp(c->layers[i].updated_at, m) > 0) m = c->layers[i].updated_at;
  return m;
}

static void add_catalog(dcat_ctx *x, const catalog *c, size_t from, size_t to) {
  rdf_graph *g = &x->g;
  rdf_term cat = typed(x, rdf_iri_fmt(g, "%s/#catalog", x->s->base_url), NS_DCAT "Catalog");
  rdf_add(g, cat, NS_DCT "title", es(x->s->title));
  rdf_add(g, cat, NS_DCT "description", es(x->s->description));
  rdf_term lang = rdf_iri(EU_LANG_SPA);
  rdf_add(g, cat, NS_DCT "language", lang);
  const char *m = latest_update(c);
  if (m[0]) rdf_add(g, cat, NS_DCT "modified", rdf_lit_typed(m, NS_XSD "dateTime"));
  rdf_term home = rdf_iri_fmt(g, "%s/", x->s->base_url);
  rdf_add(g, cat, NS_FOAF "homepage", home);
  for (size_t i = from; i < to; i++) rdf_add(g, cat, NS_DCAT "dataset", dataset_iri(x, &c->layers[i]));
  rdf_add(g, cat, NS_DCT "publisher", agent(x, x->s->title));
  typed(x, lang, NS_DCT "LinguisticSystem");
  typed(x, home, NS_FOAF "Document");
  add_ogc_service(x, cat, c, from, to);
  for (size_t i = from; i < to; i++) add_layer_services(x, cat, &c->layers[i]);
}

err_code catalog_dcat_write(const catalog_site *s, store_reader *r, const catalog *c,
                            const catalog_dcat_req *q, arena *a, buf *out, err *e) {
  dcat_ctx x = {.s = s, .r = r, .e = e, .ext = q->syntax == CATALOG_TURTLE ? "ttl" : "jsonld"};
  rdf_init(&x.g, a);
  if (q->only) {
    add_dataset(&x, q->only);
    add_layer_services(&x, (rdf_term){0}, q->only);
  } else {
    int64_t size = q->page_size, n = (int64_t)c->n_layers;
    if (q->page < 1 || size < 1 || (q->page > 1 && (q->page - 1) > (n - 1) / size))
      return err_set(e, ERR_NOT_FOUND, "the catalogue has no page %lld of %lld datasets",
                     (long long)q->page, (long long)size);
    size_t from = (size_t)((q->page - 1) * size);
    size_t to = from + (size_t)size < c->n_layers ? from + (size_t)size : c->n_layers;
    add_catalog(&x, c, from, to);
    for (size_t i = from; i < to && x.rc == ERR_OK; i++) add_dataset(&x, &c->layers[i]);
    add_paging(&x, c->n_layers, q->page, size);
  }
  if (x.rc != ERR_OK) return x.rc;
  return q->syntax == CATALOG_TURTLE ? rdf_write_turtle(&x.g, out, e)
                                     : rdf_write_jsonld(&x.g, out, e);
}
