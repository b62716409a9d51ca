/* text.c — every text of the server-rendered pages, in plain Spanish and in English.
 * The scripts have their own table (web/src/i18n.js) for what they draw. Plain language: short
 * sentences, no jargon in the words a citizen reads first; the technical names (GeoJSON, OGC API,
 * TileJSON) appear only under "Para programadores". */
#include "www/www_int.h"

typedef struct text_pair {
  const char *es, *en;
} text_pair;

static const text_pair TEXTS[T_N_TEXTS] = {
    [T_SITE_TITLE] = {"Mapas y datos abiertos", "Maps and open data"},
    [T_SKIP] = {"Saltar al contenido principal", "Skip to main content"},
    [T_LANG_NAV] = {"Idioma", "Language"},
    [T_OTHER_LANG] = {"English", "Español"},
    [T_LEAD] = {"Aquí están los datos geográficos que publica el municipio: parques, agua, "
                "seguridad, colonias y más. Puede verlos en un mapa, descargarlos o usarlos en "
                "sus propios programas y sitios web.",
                "These are the geographic data the municipality publishes: parks, water, "
                "safety, neighbourhoods and more. You can see them on a map, download them, or "
                "use them in your own programs and websites."},
    [T_OPEN_MAP] = {"Abrir el mapa con todas las capas", "Open the map with every layer"},
    [T_LAYERS_H] = {"Capas de datos", "Data layers"},
    [T_SAMPLE] = {"Datos de muestra: no son datos oficiales.", "Sample data: not official data."},
    [T_PUBLISHER] = {"Publica", "Published by"},
    [T_LICENSE] = {"Licencia", "Licence"},
    [T_FREQUENCY] = {"Se actualiza", "Updated"},
    [T_UPDATED] = {"Última actualización", "Last update"},
    [T_COUNT] = {"Elementos", "Features"},
    [T_GEOMETRY] = {"Tipo", "Kind"},
    [T_QUALITY] = {"Calidad", "Quality"},
    [T_PRIVACY] = {"Privacidad", "Privacy"},
    [T_VIEW_MAP] = {"Ver en el mapa", "View on the map"},
    [T_DATA_USE] = {"Descargar y usar los datos", "Download and use the data"},
    [T_DOWNLOADS] = {"Descargar todos los datos", "Download all the data"},
    [T_DOWNLOAD_FIRST] = {"Descargar (primeros 10,000 elementos)",
                          "Download (first 10,000 features)"},
    [T_DEVELOPERS] = {"Para programadores", "For developers"},
    [T_OGC_ITEMS] = {"Elementos (OGC API - Features)", "Items (OGC API - Features)"},
    [T_OGC_COLLECTION] = {"Descripción de la colección", "Collection description"},
    [T_TILEJSON] = {"TileJSON (teselas vectoriales)", "TileJSON (vector tiles)"},
    [T_TILE_TEMPLATE] = {"Dirección de las teselas vectoriales, para QGIS u otro programa",
                         "Vector tile URL template, for QGIS or another program"},
    [T_COPY] = {"Copiar", "Copy"},
    [T_THUMB_ALT] = {"Vista previa del mapa de la capa", "Map preview of the layer"},
    [T_NO_THUMB] = {"Vista previa no disponible", "Preview not available"},
    [T_FREQ_DAILY] = {"Cada día", "Daily"},
    [T_FREQ_WEEKLY] = {"Cada semana", "Weekly"},
    [T_FREQ_MONTHLY] = {"Cada mes", "Monthly"},
    [T_FREQ_QUARTERLY] = {"Cada tres meses", "Every three months"},
    [T_FREQ_YEARLY] = {"Cada año", "Yearly"},
    [T_FREQ_EVENT] = {"Cuando hay cambios", "When something changes"},
    [T_FREQ_BIMONTHLY] = {"Cada dos meses", "Every two months"},
    [T_FREQ_FOUR_MONTHLY] = {"Cada cuatro meses", "Every four months"},
    [T_FREQ_SEMIANNUAL] = {"Cada seis meses", "Every six months"},
    [T_FREQ_BIENNIAL] = {"Cada dos años", "Every two years"},
    [T_GEOM_POINT] = {"Puntos", "Points"},
    [T_GEOM_LINE] = {"Líneas", "Lines"},
    [T_GEOM_POLYGON] = {"Áreas", "Areas"},
    [T_GEOM_OTHER] = {"Geometrías", "Geometries"},
    [T_Q_SAMPLE] = {"Datos generados para la demostración; no hay informe de importación.",
                    "Data generated for the demo; there is no import report."},
    [T_Q_NONE] = {"Sin informe de calidad.", "No quality report."},
    [T_Q_PUBLISHED] = {"registros publicados de", "records published out of"},
    [T_Q_REJECTED] = {"rechazados por errores", "rejected because of errors"},
    [T_Q_REPAIRED] = {"geometrías reparadas", "geometries repaired"},
    [T_Q_FILLED] = {"de los campos tienen valor", "of the fields have a value"},
    [T_W_HEAD] = {"Avisos", "Warnings"},
    [T_W_OUTSIDE] = {"fuera del área esperada", "outside the expected area"},
    [T_W_SHIFTED] = {"lejos del resto de la capa (¿coordenadas desplazadas?)",
                     "far from the rest of the layer (shifted coordinates?)"},
    [T_W_SWAPPED] = {"con latitud y longitud invertidas", "with latitude and longitude swapped"},
    [T_W_POSITIVE_LON] = {"con longitud sin signo negativo", "with a longitude missing its minus sign"},
    [T_W_BAD_VALUE] = {"valores que no corresponden al tipo del campo",
                       "values that do not fit their field's type"},
    [T_W_DAMAGED_TEXT] = {"textos con caracteres perdidos", "texts with lost characters"},
    [T_W_FIXED] = {"coordenadas corregidas", "coordinates fixed"},
    [T_W_DUPLICATES] = {"identificadores repetidos", "repeated ids"},
    [T_W_SCHEMA] = {"cambios de campos respecto de la versión anterior",
                    "changes of fields since the previous version"},
    [T_Q_FULL_REPORT] = {"Informe de calidad completo", "Full quality report"},
    [T_FOOTER] = {"Servido por teselas. Los datos son de quienes los publican: revise la "
                  "licencia de cada capa antes de usarlos.",
                  "Served by teselas. The data belong to their publishers: check each layer's "
                  "licence before using them."},
    [T_API_LINK] = {"API de datos (OGC API - Features)", "Data API (OGC API - Features)"},
    [T_JSON_LINK] = {"Este catálogo en JSON", "This catalog as JSON"},
    [T_MAP_TITLE] = {"Mapa", "Map"},
    [T_EMBED_TITLE] = {"Mapa insertado", "Embedded map"},
    [T_NOSCRIPT] = {"Este mapa necesita JavaScript. Puede consultar y descargar los mismos datos "
                    "en el catálogo.",
                    "This map needs JavaScript. You can browse and download the same data in "
                    "the catalog."},
    [T_BACK_CATALOG] = {"Ir al catálogo de datos", "Go to the data catalog"},
    [T_LOADING] = {"Cargando el mapa…", "Loading the map…"},
    [T_PRIVACY_NONE] = {"", ""},
};

const char *www_text(www_lang lang, www_text_id id) {
  if ((unsigned)id >= T_N_TEXTS || !TEXTS[id].es) return "";
  return lang == WWW_LANG_EN ? TEXTS[id].en : TEXTS[id].es;
}

const char *www_lang_code(www_lang lang) { return lang == WWW_LANG_EN ? "en" : "es"; }

www_lang www_lang_parse(const char *s) {
  return s && s[0] == 'e' && s[1] == 'n' && (s[2] == '\0' || s[2] == '-') ? WWW_LANG_EN
                                                                           : WWW_LANG_ES;
}
