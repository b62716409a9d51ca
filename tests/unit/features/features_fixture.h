/* features_fixture.h — a fake catalog layer for the unit tests of features/ (no database). */
#ifndef TESELAS_TESTS_FEATURES_FIXTURE_H
#define TESELAS_TESTS_FEATURES_FIXTURE_H

#include "features/features.h"

static layer_field FIXTURE_FIELDS[] = {
    {"tipo", "Tipo de incidente", FIELD_TEXT},   {"fecha", "Fecha", FIELD_DATE},
    {"hora", "Hora del día", FIELD_INTEGER},     {"monto", "Monto", FIELD_REAL},
    {"activo", "Activo", FIELD_BOOLEAN},         {"visto", "Visto", FIELD_DATETIME},
    {"con \"comillas\"", "Raro", FIELD_TEXT}};

static layer_info fixture_layer(void) {
  layer_info l = {0};
  l.id = "incidentes";
  l.title = "Incidentes";
  l.description = l.license = l.publisher = l.frequency = l.keywords = l.updated_at = "";
  l.source_name = l.source_sha256 = l.report = "";
  l.privacy = "{}";
  l.geometry_type = "Point";
  l.table_name = "lyr_incidentes_v1";
  l.date_field = "fecha";
  l.fields = FIXTURE_FIELDS;
  l.n_fields = sizeof FIXTURE_FIELDS / sizeof *FIXTURE_FIELDS;
  l.feature_count = 100;
  return l;
}

#endif
