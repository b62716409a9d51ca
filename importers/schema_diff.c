/* schema_diff.c — what changed in a layer's fields since the published version, and whether the
 * publisher allowed it.
 *
 * The published version's fields are read from its stored report (name, published type and the
 * source's own type), so the comparison needs no table of its own and works on every database a
 * teselas with reports wrote. Three things can make a change an error, always before the writer
 * opens, so the database is left as it was:
 *   --expect-schema same         any field added, removed or retyped since the published version;
 *   --expect-schema a:text,b:... the fields must be exactly these, with these types;
 *   a layer definition's fields  (only_spec_fields) a declared field whose source type changed,
 *                                while the declaration itself did not (a new definition is a
 *                                change made on purpose). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "importers/checksum.h"
#include "importers/schema_int.h"

/* The declared fields, hashed: the report keeps it to tell a new definition from a new file. */
static void declared_hash(const import_options *opt, char out[65]) {
  checksum_ctx c;
  checksum_init(&c);
  for (size_t i = 0; i < opt->n_specs; i++) {
    const import_field_spec *f = &opt->specs[i];
    const char *parts[] = {f->name, f->rename_to ? f->rename_to : "",
                           f->has_type ? field_type_name(f->type) : ""};
    for (int k = 0; k < 3; k++) checksum_update(&c, parts[k], strlen(parts[k]) + 1);
  }
  checksum_final_hex(&c, out);
}

static json_t *find_field(json_t *fields, const char *name) {
  size_t i;
  json_t *f;
  json_array_foreach(fields, i, f) {
    const char *n = json_string_value(json_object_get(f, "name"));
    if (n && strcasecmp(n, name) == 0) return f;
  }
  return NULL;
}

/* Every added, removed or retyped published field into the report; *out_source_retyped counts
 * fields whose published type stayed but whose source type changed. */
static void diff_previous(const import_schema *s, json_t *prev, import_report *rep,
                          int64_t *out_source_retyped, buf *src_msg) {
  *out_source_retyped = 0;
  for (size_t i = 0; i < s->n; i++) {
    const char *type = field_type_name(s->fields[i].type);
    json_t *old = find_field(prev, s->fields[i].name);
    const char *was = old ? json_string_value(json_object_get(old, "type")) : NULL;
    const char *src_was = old ? json_string_value(json_object_get(old, "source_type")) : NULL;
    if (!old) report_schema_change(rep, s->fields[i].name, NULL, type);
    else if (was && strcmp(was, type) != 0) report_schema_change(rep, s->fields[i].name, was, type);
    else if (src_was && strcmp(src_was, field_type_name(s->src[i].natural)) != 0) {
      buf_printf(src_msg, "%s'%s' llega como %s (antes %s)", src_msg->len ? "; " : "",
                 s->fields[i].name, field_type_name(s->src[i].natural), src_was);
      (*out_source_retyped)++;
    }
  }
  size_t i;
  json_t *f;
  json_array_foreach(prev, i, f) {
    const char *name = json_string_value(json_object_get(f, "name"));
    bool kept = false;
    for (size_t k = 0; name && k < s->n && !kept; k++) kept = strcasecmp(s->fields[k].name, name) == 0;
    if (name && !kept)
      report_schema_change(rep, name, json_string_value(json_object_get(f, "type")), NULL);
  }
}

/* "a:text,b:integer" against the new fields: appends each difference to msg. */
static bool check_list(const char *list, const import_schema *s, buf *msg) {
  bool ok = true;
  bool *seen = calloc(s->n + 1, sizeof *seen);
  for (const char *p = list; *p;) {
    size_t len = strcspn(p, ",");
    const char *colon = memchr(p, ':', len);
    size_t nlen = colon ? (size_t)(colon - p) : len;
    char name[128], type[32] = "";
    snprintf(name, sizeof name, "%.*s", (int)nlen, p);
    if (colon) snprintf(type, sizeof type, "%.*s", (int)(len - nlen - 1), colon + 1);
    size_t k = 0;
    while (k < s->n && strcasecmp(s->fields[k].name, name) != 0) k++;
    field_type want;
    if (k == s->n) {
      buf_printf(msg, "%sfalta '%s'", ok ? "" : "; ", name), ok = false;
    } else {
      if (seen) seen[k] = true;
      if (*type && (!field_type_parse(type, &want) || want != s->fields[k].type))
        buf_printf(msg, "%s'%s' es %s, se esperaba %s", ok ? "" : "; ", name,
                   field_type_name(s->fields[k].type), type), ok = false;
    }
    p += len + (p[len] == ',');
  }
  for (size_t k = 0; seen && k < s->n; k++)
    if (!seen[k]) buf_printf(msg, "%ssobra '%s'", ok ? "" : "; ", s->fields[k].name), ok = false;
  free(seen);
  return ok;
}

static void changes_text(const import_report *rep, buf *msg) {
  for (size_t i = 0; i < rep->n_changes; i++) {
    const schema_change *c = &rep->changes[i];
    buf_puts(msg, i ? "; " : "");
    if (!c->from[0]) buf_printf(msg, "nuevo '%s' (%s)", c->name, c->to);
    else if (!c->to[0]) buf_printf(msg, "quitado '%s' (%s)", c->name, c->from);
    else buf_printf(msg, "'%s' cambió de %s a %s", c->name, c->from, c->to);
  }
}

static err_code refuse(buf *msg, const char *why, err *e) {
  err_code rc = err_set(e, ERR_INVALID, "%s: %s", why, msg->failed ? "?" : buf_cstr(msg));
  buf_free(msg);
  return rc;
}

err_code schema_compare(const import_options *opt, const import_schema *s, import_report *rep,
                        err *e) {
  char *text = NULL;
  err_code rc = store_layer_report(opt->db_path, opt->layer_id, &text, e);
  if (rc != ERR_OK) return rc;
  json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
  free(text);
  json_t *prev = json_object_get(doc, "fields");
  int64_t source_retyped = 0;
  buf src_msg;
  buf_init(&src_msg, 0);
  if (json_is_array(prev)) {
    rep->has_previous = true;
    diff_previous(s, prev, rep, &source_retyped, &src_msg);
  }
  char hash[65];
  declared_hash(opt, hash);
  snprintf(rep->fields_declared, sizeof rep->fields_declared, "%s", opt->only_spec_fields ? hash : "");
  const char *prev_hash = json_string_value(json_object_get(doc, "fields_declared"));
  bool same_definition = prev_hash && strcmp(prev_hash, hash) == 0;
  json_decref(doc);
  buf msg;
  buf_init(&msg, 0);
  const char *why = NULL;
  bool same = opt->expect_schema && strcmp(opt->expect_schema, "same") == 0;
  bool changed = rep->n_changes_total || source_retyped;
  if (same && changed) why = "--expect-schema same: los campos no son los de la versión publicada";
  else if (!same && opt->expect_schema && *opt->expect_schema && !check_list(opt->expect_schema, s, &msg))
    why = "--expect-schema: los campos no son los esperados";
  else if (!opt->expect_schema && opt->only_spec_fields && same_definition && changed)
    why = "los campos del archivo no son los de la definición de la capa";
  if (why && !msg.len) {
    changes_text(rep, &msg);
    if (src_msg.len) buf_printf(&msg, "%s%s", msg.len ? "; " : "", buf_cstr(&src_msg));
  }
  buf_free(&src_msg);
  if (why) return refuse(&msg, why, e);
  buf_free(&msg);
  return ERR_OK;
}
