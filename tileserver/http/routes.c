/* routes.c — the route table: every HTTP endpoint of teselas on one screen.
 *
 * A pattern is a path of segments; a segment may hold one {capture} between a literal prefix and
 * suffix ("{y}.pbf" matches "12.pbf" and captures "12"). Captures fill req->params in order.
 * Routes are tried top to bottom, so a more specific pattern goes first. */
#include <string.h>
#include <strings.h>

#include "features/api_doc.h"
#include "http/handlers.h"
#include "http/usage.h"

typedef struct route {
  const char *pattern;
  http_handler handler;
  features_api_op doc;  /* what /api says of it (features/api_doc.h); doc.method: the method it
                           answers (NULL: GET and HEAD); doc.request_body: it takes a body (an
                           upload), which the server streams to a file */
} route;

/* ---- what the routes take and answer, for /api ---- */
#define PATH(n, d, ...) {FEATURES_API_PATH, n, d, {__VA_ARGS__}}
#define REF(n) {FEATURES_API_REF, n, NULL, {.type = NULL}}
#define FIELDS {FEATURES_API_FIELDS, NULL, NULL, {.type = NULL}}
#define ALL_FIELDS {FEATURES_API_ALL_FIELDS, NULL, NULL, {.type = NULL}}
/* op id, summary, description of the 200, its media types, parameters; then flags */
#define OP(id_, sum_, resp_, mimes_, ...) \
  {.op_id = id_, .summary = sum_, .response = resp_, .mimes = mimes_, __VA_ARGS__}
#define END {FEATURES_API_END, NULL, NULL, {.type = NULL}}
#define INT .type = "integer", .has_minimum = true, .minimum = 0
#define STR .type = "string"

static const char *const JSON[] = {"application/json", NULL};
static const char *const JSON_HTML[] = {"application/json", "text/html", NULL};
static const char *const GEOJSON_HTML[] = {"application/geo+json", "text/html", NULL};
static const char *const ITEMS_MIME[] = {"application/geo+json", "text/csv", "text/html", NULL};
static const char *const MVT[] = {"application/vnd.mapbox-vector-tile", NULL};
static const char *const OPENAPI[] = {"application/vnd.oai.openapi+json;version=3.0", NULL};
static const char *const HTML[] = {"text/html", NULL};
static const char *const TEXT[] = {"text/plain", NULL};
static const char *const SVG[] = {"image/svg+xml", NULL};
static const char *const PNG[] = {"image/png", NULL};
static const char *const OCTETS[] = {"application/octet-stream", NULL};
static const char *const PROTOBUF[] = {"application/x-protobuf", NULL};
static const char *const PMTILES[] = {"application/vnd.pmtiles", NULL};
static const char *const MBTILES[] = {"application/vnd.sqlite3", NULL};
static const char *const QUERYABLES[] = {"application/schema+json", "text/html", NULL};
static const char *const DCAT[] = {"application/ld+json", "text/turtle", NULL};
static const char *const DICTIONARY[] = {"application/json", "text/csv", "text/html", NULL};
static const char *const USAGE_MIME[] = {"text/html", "text/csv", "application/json", NULL};
static const features_api_param USAGE[] = {
    {FEATURES_API_QUERY, "by", "Periodo: day, week o month (day si se omite; UTC)", {STR}},
    {FEATURES_API_QUERY, "since", "Desde esta fecha, AAAA-MM-DD (UTC)", {STR}},
    {FEATURES_API_QUERY, "f", "Formato: html, csv o json (si no, según Accept)", {STR}}, END};

static const features_api_param F[] = {REF("f"), END};
static const char *const REPORT_MIME[] = {"application/json", "text/csv", "text/html", NULL};
static const features_api_param REPORT[] = {
    {FEATURES_API_QUERY, "f", "Formato: json, csv o html (si no, según Accept)", {STR}},
    {FEATURES_API_QUERY, "grace_days", "Días de gracia tras la fecha de entrega, para toda "
     "frecuencia (0 a 365; si no, 7 días, 1 si es semanal, 0 si es diaria)",
     {INT, .has_maximum = true, .maximum = 365}},
    END};
static const features_api_param CATALOG_PAGE[] = {
    {FEATURES_API_QUERY, "page", "Página del catálogo (desde 1)", {INT}},
    {FEATURES_API_QUERY, "page_size", "Conjuntos de datos por página (1 a 1000; 100)", {INT}}, END};
static const features_api_param DICT_F[] = {
    {FEATURES_API_QUERY, "f", "Formato: json, csv o html", {STR}}, END};
static const features_api_param CKAN[] = {
    PATH("action", "package_list, package_show, package_search u organization_list", STR),
    {FEATURES_API_QUERY, "id", "package_show: id de la capa", {STR}},
    {FEATURES_API_QUERY, "q", "package_search: palabras buscadas", {STR}},
    {FEATURES_API_QUERY, "rows", "package_search: resultados por página (0 a 1000; 10)", {INT}},
    {FEATURES_API_QUERY, "start", "package_search: primer resultado (desde 0)", {INT}}, END};
/* What a vector tile accepts besides PROP=VALUE: FEATURES_USE_TILE in features/params.c. */
#define TILE_FILTERS REF("datetime"), REF("filter"), REF("filter-lang"), REF("filter-crs"), REF("v")
#define IDS PATH("ids", "Una capa, o varias separadas por comas (una capa del MVT cada una)", STR)
static const features_api_param TILE[] = {
    IDS, PATH("z", "zoom", INT), PATH("x", "columna", INT), PATH("y", "fila", INT), TILE_FILTERS,
    ALL_FIELDS, END};
static const features_api_param TILEJSON[] = {IDS, TILE_FILTERS, ALL_FIELDS, END};
static const features_api_param OGC_TILE[] = {
    PATH("z", "zoom (tileMatrix)", INT), PATH("y", "fila (tileRow)", INT),
    PATH("x", "columna (tileCol)", INT), TILE_FILTERS, FIELDS, END};
static const features_api_param ITEMS[] = {
    REF("bbox"), REF("bbox-crs"), REF("limit"), REF("offset"), REF("after"), REF("datetime"),
    REF("properties"), REF("sortby"), REF("filter"), REF("filter-lang"), REF("filter-crs"),
    REF("crs"), REF("near"), REF("bom"), REF("f-items"), FIELDS, END};
static const features_api_param ITEM[] = {PATH("featureId", "id del elemento", STR), REF("f"),
                                          END};
static const features_api_param AGGREGATE[] = {
    REF("bbox"), REF("bbox-crs"), REF("datetime"), REF("filter"), REF("filter-lang"),
    REF("filter-crs"), FIELDS,
    {FEATURES_API_QUERY, "by", "Agrupar por un campo o por mes (month)", {STR}}, END};
static const features_api_param DOWNLOAD[] = {
    REF("bbox"), REF("bbox-crs"), REF("datetime"), REF("properties"), REF("filter"),
    REF("filter-lang"), REF("filter-crs"), REF("crs"), FIELDS, END};
static const features_api_variant DOWNLOADS[] = {{"geojson", "application/geo+json"},
                                                 {"csv", "text/csv"},
                                                 {"gpkg", "application/geopackage+sqlite3"},
                                                 {NULL, NULL}};
static const features_api_param LAYER_VERSIONS[] = {PATH("id", "id de la capa", STR), END};
static const features_api_param LAYER_DIFF[] = {
    PATH("id", "id de la capa", STR),
    {FEATURES_API_QUERY, "from", "Versión de partida", {INT}},
    {FEATURES_API_QUERY, "to", "Versión de llegada (posterior a from)", {INT}},
    {FEATURES_API_QUERY, "offset", "Cambios que se saltan", {INT}},
    {FEATURES_API_QUERY, "limit", "Cambios listados (1 a 1000; 100 si se omite)", {INT}}, END};
static const features_api_param UPLOAD[] = {
    PATH("id", "id de la capa", STR),
    {FEATURES_API_QUERY, "filename", "Nombre del archivo con su extensión (.csv, .geojson, .zip, "
     ".kml, .kmz, .gpkg, .gpx...), si el cuerpo no es multipart/form-data con filename", {STR}},
    {FEATURES_API_QUERY, "dry_run", "true: el informe de calidad sin publicar nada", {STR}},
    {FEATURES_API_QUERY, "OPCIÓN", "Las opciones de teselas import por su nombre sin guiones: "
     "source-srs, lat, lon, wkt, encoding, fields, rename, types, id-field, date-field, privacy, "
     "drop, keep-field, title, license, publisher, frequency, keywords, ...", {STR}}, END};
static const features_api_param ROLLBACK[] = {
    PATH("id", "id de la capa", STR),
    {FEATURES_API_QUERY, "to", "Versión cuyos datos se publican de nuevo", {INT}}, END};
static const features_api_param LAYER_ID[] = {PATH("id", "id de la capa", STR), END};
static const features_api_param JOB[] = {PATH("n", "número de la tarea", INT), END};
static const char *const AUDIT_MIME[] = {"text/html", "text/csv", NULL};
static const features_api_param AUDIT[] = {
    {FEATURES_API_QUERY, "f", "Formato: html o csv", {STR}},
    {FEATURES_API_QUERY, "after", "Líneas con número mayor que este", {INT}},
    {FEATURES_API_QUERY, "limit", "Líneas (1 a 10000; 1000)", {INT}}, END};
static const features_api_param REVIEWS[] = {
    {FEATURES_API_QUERY, "state", "pending (si se omite), approved, rejected o all", {STR}}, END};
static const features_api_param REVIEW[] = {PATH("n", "número de la revisión", INT), END};
static const features_api_param REVIEW_TILE[] = {
    PATH("n", "número de la revisión", INT), PATH("z", "zoom", INT), PATH("x", "columna", INT),
    PATH("y", "fila", INT), TILE_FILTERS, END};
static const features_api_param REVIEW_ITEMS[] = {
    PATH("n", "número de la revisión", INT), REF("bbox"), REF("limit"), REF("offset"),
    REF("after"), REF("datetime"), REF("properties"), REF("sortby"), REF("filter"),
    REF("f-items"), END};
/* Request bodies (requestBody in /api). An upload is the file itself, or a page's form with it. */
#define BINARY "{\"type\":\"string\",\"format\":\"binary\"}"
#define UPLOAD_FORM \
  "{\"type\":\"object\",\"required\":[\"archivo\"],\"properties\":{\"archivo\":" BINARY "," \
  "\"csrf\":{\"type\":\"string\"},\"dry_run\":{\"type\":\"string\",\"enum\":[\"true\"," \
  "\"false\"]},\"privacy\":{\"type\":\"string\"},\"drop\":{\"type\":\"string\"}," \
  "\"keep-field\":{\"type\":\"string\"},\"privacy_mode\":{\"type\":\"string\",\"enum\":" \
  "[\"keep\",\"generalize\",\"aggregate\",\"none\"]},\"privacy_grid\":{\"type\":\"string\"}," \
  "\"privacy_k\":{\"type\":\"string\"},\"privacy_month\":{\"type\":\"string\"}," \
  "\"privacy_by\":{\"type\":\"string\"},\"privacy_reason\":{\"type\":\"string\"}}}"
static const features_api_body UPLOAD_BODY[] = {
    {"application/octet-stream", BINARY}, {"text/csv", BINARY}, {"application/geo+json", BINARY},
    {"application/zip", BINARY}, {"multipart/form-data", UPLOAD_FORM}, {NULL, NULL}};
static const features_api_body PAGE_UPLOAD_BODY[] = {{"multipart/form-data", UPLOAD_FORM},
                                                     {NULL, NULL}};
static const char UPLOAD_BODY_DOC[] =
    "El archivo tal cual (nombre en ?filename=), o multipart/form-data: la primera parte con "
    "archivo es el archivo; los demás campos son opciones de importación (drop y keep-field, "
    "nombres separados por comas), la política de privacidad elegida en la página (privacy_mode: "
    "generalize o aggregate con privacy_grid en metros, privacy_k, privacy_month, privacy_by; "
    "none con privacy_reason) y, con sesión, csrf";
static const features_api_body REASON_BODY[] = {
    {"application/json", "{\"type\":\"object\",\"required\":[\"reason\"],\"properties\":"
     "{\"reason\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":1000}}}"},
    {NULL, NULL}};
#define FORM(props_) \
  (const features_api_body[]){{"application/x-www-form-urlencoded", \
                               "{\"type\":\"object\",\"properties\":{" props_ "}}"}, {NULL, NULL}}
#define FSTR(name_) "\"" name_ "\":{\"type\":\"string\"}"
#define WRITE(id_, sum_, resp_, params_, method_, status_, ...) \
  OP(id_, sum_, resp_, JSON, params_, .method = method_, .status = status_, .authorized = true, \
     __VA_ARGS__)
static const features_api_param TILE_CHANGES[] = {
    PATH("ids", "id de la capa", STR),
    {FEATURES_API_QUERY, "from", "Versión de partida", {INT}},
    {FEATURES_API_QUERY, "to", "Versión de llegada (posterior a from)", {INT}},
    {FEATURES_API_QUERY, "zoom", "Zooms: MIN-MAX o uno solo (si se omite, de 0 al zoom máximo de "
     "la capa)", {STR}},
    {FEATURES_API_QUERY, "offset", "URL que se saltan", {INT}},
    {FEATURES_API_QUERY, "limit", "URL listadas (1 a 1000; 100 si se omite)", {INT}}, END};
static const char TILE_CHANGES_DOC[] =
    "Las URL de las teselas cuyo contenido cambió de from a to (comparadas byte a byte), y las de "
    "las teselas PNG de los estilos que dibujan la capa, para purgar una CDN: conteos completos, "
    "una página de URL y el enlace next. 413 si el cambio alcanza más de 4000 teselas en esos "
    "zooms";
static const features_api_param ARCHIVE[] = {
    PATH("name", "Nombre del archivo dado con serve --archive nombre=ARCHIVO", STR), END};
static const features_api_param ARCHIVE_TILE[] = {
    PATH("name", "Nombre del archivo PNG dado con serve --archive nombre=ARCHIVO", STR),
    PATH("z", "zoom", INT), PATH("x", "columna", INT), PATH("y", "fila", INT), REF("v"), END};
static const char ARCHIVE_DOC[] =
    "El archivo PMTiles v3 tal cual. Range: bytes=a-b, a- o -n responde 206 con Content-Range; "
    "varios rangos, un Range ilegible o un If-Range distinto del ETag responden el archivo entero "
    "(200); un rango fuera del archivo, 416 con Content-Range: bytes */TAMAÑO";
static const char ITEMS_DOC[] =
    "Elementos. numberMatched se omite cuando pasa de 1000 (contar cada coincidencia en cada "
    "página costaría más que la página); el enlace next es exacto siempre. Con bbox y sin sortby, "
    "near ni after, el orden es el del índice espacial";

/* Every endpoint. Routes are tried top to bottom, so of two patterns that match the same path the
 * more specific goes first (static before {z}); /api lists them in this order, those under
 * /collections/{id} once per collection, after the others. A summary of NULL is the collection's
 * title. */
static const route ROUTES[] = {
    {"/", h_landing, OP("getLandingPage", "Página de inicio", NULL, JSON_HTML, F, .no_404 = true)},
    {"/conformance", h_conformance,
     OP("getConformanceDeclaration", "Clases de conformidad", "Conformidad", JSON_HTML, F,
      .no_404 = true)},
    {"/api", h_api, OP("getAPIDefinition", "Esta definición", "OpenAPI 3.0", OPENAPI, .no_404 = true)},
    {"/collections", h_collections, OP("getCollections", "Colecciones", NULL, JSON_HTML, F,
                                     .no_404 = true)},
    {"/catalog.jsonld", h_catalog_jsonld,
     OP("getCatalogJsonLd", "Catálogo DCAT-AP 3.0 (JSON-LD), paginado con Hydra", NULL, DCAT,
      CATALOG_PAGE, .no_404 = true)},
    {"/catalog.ttl", h_catalog_ttl,
     OP("getCatalogTurtle", "Catálogo DCAT-AP 3.0 (Turtle), paginado con Hydra", NULL, DCAT,
      CATALOG_PAGE, .no_404 = true)},
    {"/api/3/action/{action}", h_ckan_action,
     OP("ckanAction", "API de lectura de CKAN", "{help, success, result}", JSON, CKAN)},
    {"/health", h_health, OP("getHealth", "Estado del servicio", NULL, JSON)},
    {"/metrics", h_metrics, OP("getMetrics", "Métricas (Prometheus)", NULL, TEXT)},
    {"/api/layers/{id}/versions", h_layer_versions,
     OP("getLayerVersions", "Historial de versiones de una capa", "El historial", JSON,
      LAYER_VERSIONS)},
    {"/api/layers/{id}/diff", h_layer_diff,
     OP("getLayerDiff", "Cambios entre dos versiones: conteos, campos, zona y una página de "
        "elementos", "Los cambios", JSON, LAYER_DIFF)},
    {"/api/layers/{id}/versions", h_upload,
     WRITE("postLayerVersion", "Sube un archivo como nueva versión de la capa (Authorization: "
           "Bearer); se importa en una tarea", "Tarea aceptada; Location: /api/jobs/{n}", UPLOAD,
           "post", "202", .request_body = true, .body = UPLOAD_BODY, .body_doc = UPLOAD_BODY_DOC)},
    {"/api/layers/{id}/rollback", h_rollback,
     WRITE("rollbackLayer", "Publica de nuevo los datos de una versión anterior",
           "La nueva versión", ROLLBACK, "post", NULL)},
    {"/api/layers/{id}", h_remove,
     WRITE("removeLayer", "Retira la capa: todas sus versiones (solo administradores)",
           "La capa retirada", LAYER_ID, "delete", NULL)},
    {"/api/jobs/{n}", h_job,
     WRITE("getJob", "Progreso de una tarea de importación y, al terminar, su informe de calidad",
           "La tarea", JOB, NULL, NULL)},
    {"/api/reviews", h_reviews,
     WRITE("getReviews", "Versiones pendientes de revisión (revisores y administradores)",
           "La lista", REVIEWS, NULL, NULL)},
    {"/api/reviews/{n}", h_review,
     WRITE("getReview", "Una revisión: informe de calidad, decisión de privacidad (campos "
           "omitidos o conservados y por qué, política, hallazgos del detector)", "La revisión",
           REVIEW, NULL, NULL)},
    {"/api/reviews/{n}/approve", h_review_approve,
     WRITE("approveReview", "Aprueba y publica la versión; cuerpo JSON {\"reason\": \"...\"}",
           "La decisión", REVIEW, "post", NULL, .request_body = true, .body = REASON_BODY,
           .body_doc = "La razón de la decisión")},
    {"/api/reviews/{n}/reject", h_review_reject,
     WRITE("rejectReview", "Rechaza y descarta la versión; cuerpo JSON {\"reason\": \"...\"}",
           "La decisión", REVIEW, "post", NULL, .request_body = true, .body = REASON_BODY,
           .body_doc = "La razón de la decisión")},
    {"/api/reviews/{n}/preview/tiles/{z}/{x}/{y}.mvt", h_review_preview_tile,
     OP("previewReviewTile", "La tesela vectorial que se publicaría al aprobar", NULL, MVT,
        REVIEW_TILE, .authorized = true)},
    {"/api/reviews/{n}/preview/items", h_review_preview_items,
     OP("previewReviewItems", "Los elementos que se publicarían al aprobar (como "
        "/collections/{id}/items)", NULL, ITEMS_MIME, REVIEW_ITEMS, .authorized = true)},
    {"/admin/auditoria", h_audit_log,
     OP("getAuditLog", "Registro de auditoría (administradores)", "El registro", AUDIT_MIME, AUDIT,
        .authorized = true)},
    {"/admin", h_admin_home, OP("getAdmin", "Tus capas (con sesión; si no, a /admin/entrar)",
                                "La página", HTML, NULL)},
    {"/admin/entrar", h_admin_signin_page, OP("getSignIn", "Entrar: usuario y contraseña",
                                               "La página", HTML, NULL)},
    {"/admin/entrar", h_admin_signin,
     OP("signIn", "Entrar (formulario: usuario, contraseña): cookie de sesión y 303 a /admin; "
        "401 si no, 429 tras demasiados intentos fallidos", "303", HTML, NULL, .method = "post",
        .status = "303", .body = FORM(FSTR("usuario") "," FSTR("contraseña")),
        .body_doc = "El formulario de entrada")},
    {"/admin/salir", h_admin_signout,
     OP("signOut", "Salir (formulario con csrf): termina la sesión", "303", HTML, NULL,
        .method = "post", .status = "303", .authorized = true, .body = FORM(FSTR("csrf")),
        .body_doc = "El token CSRF de la sesión")},
    {"/admin/capas/{id}", h_admin_layer,
     OP("getAdminLayer", "Una capa: estado, subir una versión, historial", "La página", HTML,
        LAYER_ID, .authorized = true)},
    {"/admin/capas/{id}/versiones", h_admin_upload,
     OP("postAdminLayerVersion", "Sube un archivo desde la página (multipart/form-data con "
        "csrf): 303 a la página de la subida", "303", HTML, LAYER_ID, .method = "post",
        .status = "303", .authorized = true, .request_body = true, .body = PAGE_UPLOAD_BODY,
        .body_doc = UPLOAD_BODY_DOC)},
    {"/admin/capas/{id}/rollback", h_admin_rollback,
     OP("postAdminRollback", "Vuelve a publicar una versión desde la página (formulario: to, "
        "csrf)", "303", HTML, LAYER_ID, .method = "post", .status = "303", .authorized = true,
        .body = FORM(FSTR("to") "," FSTR("csrf")), .body_doc = "La versión y el token CSRF")},
    {"/admin/trabajos/{n}", h_admin_job,
     OP("getAdminJob", "Una subida: progreso y, al terminar, el informe de calidad en palabras",
        "La página", HTML, JOB, .authorized = true)},
    {"/admin/revision", h_admin_reviews,
     OP("getAdminReviews", "Versiones pendientes de revisión (revisores y administradores)",
        "La página", HTML, NULL, .authorized = true)},
    {"/admin/revision/{n}", h_admin_review,
     OP("getAdminReview", "Una revisión: informe, política, campos, hallazgos y el mapa de lo "
        "que se publicaría; formulario para aprobar o rechazar", "La página", HTML, REVIEW,
        .authorized = true)},
    {"/admin/revision/{n}/decision", h_admin_review_decide,
     OP("postAdminReviewDecision", "Aprueba o rechaza desde la página (formulario: decision = "
        "approve o reject, reason, csrf): 303 a la revisión", "303", HTML, REVIEW,
        .method = "post", .status = "303", .authorized = true,
        .body = FORM("\"decision\":{\"type\":\"string\",\"enum\":[\"approve\",\"reject\"]}," FSTR("reason")
                     "," FSTR("csrf")), .body_doc = "La decisión, su razón y el token CSRF")},
    {"/api/report", h_report,
     OP("getDeliveryReport", "Entregas por dependencia: última y próxima entrega, días de "
        "atraso, calidad y su tendencia", "El informe", REPORT_MIME, REPORT)},
    {"/admin/uso", h_usage,
     OP("getUsage", "Uso de cada capa por periodo: páginas, teselas, imágenes, consultas y "
        "descargas (sin registro de peticiones, IP ni consultas)", "El uso", USAGE_MIME, USAGE)},
    {"/maps/{style}", h_map_page, OP("getMap", "Mapa interactivo", NULL, HTML)},
    {"/embed/{style}", h_embed_page, OP("getEmbed", "Mapa para insertar con <iframe>", NULL, HTML)},
    {"/assets/{build}/{name}", h_asset, OP("getAsset", "Archivos de las páginas", NULL, OCTETS)},
    {"/favicon.ico", h_favicon, OP("getFavicon", "El icono del sitio (SVG), para los navegadores "
                                   "que lo piden ahí", NULL, SVG)},
    {"/styles", h_styles, OP("getStyles", "Estilos de mapa", NULL, JSON)},
    {"/styles/{style}/style.json", h_style_json, OP("getStyle", "Estilo MapLibre", NULL, JSON)},
    {"/styles/{style}/static/{view}/{size}.png", h_style_static,
     OP("getStaticMap", "Imagen estática: view = lon,lat,zoom; size = WxH", NULL, PNG)},
    {"/styles/{style}/{z}/{x}/{y}.png", h_style_tile,
     OP("getRasterTile", "Tesela PNG (y@2x para pantallas densas)", NULL, PNG)},
    {"/fonts/{fontstack}/{range}.pbf", h_fonts, OP("getGlyphs", "Glifos de las fuentes", NULL,
                                                 PROTOBUF)},
    {"/tiles/{ids}/{z}/{x}/{y}.pbf", h_tile,
     OP("getTile", "Tesela vectorial (MVT) de una o varias capas, filtrada como sus elementos", "MVT",
      MVT, TILE, .empty_204 = true)},
    {"/tiles/{ids}/{z}/{x}/{y}.mvt", h_tile,
     OP("getTileMvt", "Tesela vectorial (MVT), otro nombre", "MVT", MVT, TILE, .empty_204 = true)},
    {"/tiles/{ids}.json", h_tilejson,
     OP("getTileJSON", "TileJSON 3.0.0; sus URL de teselas llevan el filtro", "TileJSON 3.0.0", JSON,
      TILEJSON)},
    {"/tiles/{name}/{z}/{x}/{y}.png", h_archive_png,
     OP("getArchivePng", "Tesela PNG de un archivo servido con --archive, tal cual", "PNG", PNG,
      ARCHIVE_TILE)},
    {"/tiles/{ids}/changes", h_tile_changes,
     OP("getTileChanges", "Teselas que cambió una actualización (lista para purgar una CDN)",
      TILE_CHANGES_DOC, JSON, TILE_CHANGES)},
    {"/archives/{name}.pmtiles", h_archive_file,
     OP("getArchive", "Archivo de teselas servido con --archive (lecturas por rangos)", ARCHIVE_DOC,
      PMTILES, ARCHIVE)},
    {"/archives/{name}.mbtiles", h_archive_file,
     OP("getArchiveMbtiles", "Archivo MBTiles servido con --archive, para usarlo sin conexión "
        "(lecturas por rangos como .pmtiles)", "El archivo", MBTILES, ARCHIVE)},
    {"/collections/{id}", h_collection, OP("describeCollection", NULL, "La colección", JSON_HTML, F)},
    {"/collections/{id}/items", h_items, OP("getFeatures", NULL, ITEMS_DOC, ITEMS_MIME, ITEMS)},
    {"/collections/{id}/items/{featureId}", h_item,
     OP("getFeature", NULL, "Un elemento", GEOJSON_HTML, ITEM)},
    {"/collections/{id}/queryables", h_queryables,
     OP("getQueryables", "Propiedades consultables", "JSON Schema", QUERYABLES, F)},
    {"/collections/{id}/aggregate", h_aggregate,
     OP("aggregate", "Conteos por grupo", "Conteos", JSON, AGGREGATE)},
    {"/collections/{id}/dictionary", h_dictionary,
     OP("getDictionary", "Diccionario de datos", "El diccionario", DICTIONARY, DICT_F)},
    {"/collections/{id}/quality", h_quality,
     OP("getQuality", "Informe de calidad de la última importación", "El informe", JSON_HTML, F)},
    {"/collections/{id}/download.{fmt}", h_download,
     OP("download", "Descarga completa", "El archivo", NULL, DOWNLOAD, DOWNLOADS)},
    {"/collections/{id}/tiles", h_ogc_tilesets,
     OP("getTileSets", "Conjuntos de teselas", "Teselas", JSON)},
    {"/collections/{id}/tiles/WebMercatorQuad", h_ogc_tileset,
     OP("getTileSet", "Teselas WebMercatorQuad", "TileSet", JSON)},
    {"/collections/{id}/tiles/WebMercatorQuad/{z}/{y}/{x}", h_ogc_tile,
     OP("getTile", "Una tesela vectorial", "MVT", MVT, OGC_TILE, .empty_204 = true)},
};
#undef PATH
#undef REF
#undef FIELDS
#undef ALL_FIELDS
#undef END
#undef INT
#undef STR
#undef OP
#undef TILE_FILTERS
#undef IDS
#undef WRITE
#undef BINARY
#undef UPLOAD_FORM
#undef FORM
#undef FSTR

enum { N_ROUTES = sizeof ROUTES / sizeof *ROUTES };

/* What a request counts as in the usage per layer (http/usage.h), by handler: every route of a
 * handler counts alike (the .pbf and .mvt tiles, the OGC tile), and a handler not listed counts
 * as nothing. */
static const struct {
  http_handler handler;
  int usage;
} USAGE_OF[] = {{h_tile, USAGE_ROUTE_TILE},           {h_ogc_tile, USAGE_ROUTE_TILE},
                {h_style_tile, USAGE_ROUTE_IMAGE},    {h_style_static, USAGE_ROUTE_IMAGE},
                {h_items, USAGE_ROUTE_ITEMS},         {h_item, USAGE_ROUTE_ITEMS},
                {h_aggregate, USAGE_ROUTE_ITEMS},     {h_download, USAGE_ROUTE_DOWNLOAD},
                {h_map_page, USAGE_ROUTE_PAGE},       {h_embed_page, USAGE_ROUTE_PAGE}};

static int usage_of(http_handler h) {
  for (size_t i = 0; i < sizeof USAGE_OF / sizeof *USAGE_OF; i++)
    if (USAGE_OF[i].handler == h) return USAGE_OF[i].usage;
  return USAGE_ROUTE_NONE;
}

/* Matches one path segment [s, s+n) against one pattern segment [p, p+pn). */
static bool match_segment(const char *p, size_t pn, const char *s, size_t n, http_request *req) {
  const char *open = memchr(p, '{', pn);
  if (!open) return pn == n && memcmp(p, s, n) == 0;
  const char *close = memchr(open, '}', pn - (size_t)(open - p));
  if (!close) return false;
  size_t pre = (size_t)(open - p), suf = pn - (size_t)(close + 1 - p);
  if (n <= pre + suf) return false; /* captures are never empty */
  if (memcmp(s, p, pre) != 0 || memcmp(s + n - suf, close + 1, suf) != 0) return false;
  if (req->n_params >= HTTP_MAX_PARAMS) return false;
  req->params[req->n_params].s = s + pre;
  req->params[req->n_params].len = n - pre - suf;
  req->n_params++;
  return true;
}

static bool match(const char *pattern, const char *path, http_request *req) {
  req->n_params = 0;
  /* the literal part before the first capture must be the path's own: most routes of a request
   * are told apart here, in a few byte comparisons */
  for (size_t i = 0; pattern[i] && pattern[i] != '{'; i++)
    if (pattern[i] != path[i]) return false;
  const char *p = pattern, *s = path;
  for (;;) {
    if (*p != '/' || *s != '/') return false;
    p++, s++;
    size_t pn = strcspn(p, "/"), n = strcspn(s, "/");
    if (!match_segment(p, pn, s, n, req)) return false;
    p += pn, s += n;
    if (*p == '\0' && *s == '\0') return true;
    if (*p == '\0' || *s == '\0') {
      /* a trailing slash is the same resource: "/collections/" == "/collections" */
      return *p == '\0' && s[0] == '/' && s[1] == '\0' && pn + n > 0;
    }
  }
}

static bool method_ok(const route *r, const char *method) {
  if (!r->doc.method) return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
  return strcasecmp(r->doc.method, method) == 0;
}

static void h_method_refused(http_request *req, http_response *resp) {
  http_refuse(resp, HTTP_REFUSE_METHOD, "method %s is not allowed here", req->method);
}

http_handler http_route_find(http_request *req) {
  bool path_known = false;
  for (size_t i = 0; i < N_ROUTES; i++) {
    if (!match(ROUTES[i].pattern, req->path, req)) continue;
    if (method_ok(&ROUTES[i], req->method)) {
      req->usage = usage_of(ROUTES[i].handler);
      return ROUTES[i].handler;
    }
    path_known = true;
  }
  req->n_params = 0;
  /* a write anywhere no route takes one is a method refused, as before there were writes */
  bool read = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
  return path_known || !read ? h_method_refused : NULL;
}

bool http_route_allows(const char *method, const char *path) {
  http_request probe = {.method = method, .path = path};
  for (size_t i = 0; i < N_ROUTES; i++)
    if (method_ok(&ROUTES[i], method) && match(ROUTES[i].pattern, path, &probe)) return true;
  return false;
}

bool http_route_takes_body(const char *method, const char *path) {
  http_request probe = {.method = method, .path = path};
  for (size_t i = 0; i < N_ROUTES; i++)
    if (ROUTES[i].doc.request_body && method_ok(&ROUTES[i], method) && match(ROUTES[i].pattern, path, &probe))
      return true;
  return false;
}

const features_api_route *http_route_docs(arena *a, size_t *out_n) {
  features_api_route *r = arena_calloc(a, N_ROUTES, sizeof *r);
  for (size_t i = 0; r && i < N_ROUTES; i++) r[i] = (features_api_route){ROUTES[i].pattern, &ROUTES[i].doc};
  *out_n = r ? N_ROUTES : 0;
  return r;
}
