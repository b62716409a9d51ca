/* h_admin_audit.c — GET /admin/auditoria: the audit log for admins, as a plain HTML table (the
 * default) or CSV (f=csv or Accept: text/csv), oldest first, one page of at most 10,000 lines
 * (after=N for the next). Values are escaped for their format: a name or detail can never
 * become markup or a spreadsheet formula. */
#include <string.h>

#include "auth/auth.h"
#include "http/handlers.h"

enum { PAGE_DEFAULT = 1000, PAGE_MAX = 10000 };

typedef struct audit_out {
  buf *b;
  bool csv;
  int64_t last, n;
} audit_out;

/* RFC 4180 field; a leading = + - @ is prefixed with ' so a spreadsheet reads text, not a formula */
static void csv_field(buf *b, const char *s, bool last) {
  buf_putc(b, '"');
  if (s[0] && strchr("=+-@", s[0]) && strcmp(s, "-") != 0) buf_putc(b, '\'');
  for (const char *p = s; *p; p++) {
    if (*p == '"') buf_putc(b, '"');
    buf_putc(b, *p);
  }
  buf_puts(b, last ? "\"\r\n" : "\",");
}

static int audit_line(void *ctx, const store_audit_entry *a) {
  audit_out *o = ctx;
  const char *v[6] = {a->at, a->who, a->action, a->target, a->result, a->detail};
  o->last = a->id;
  o->n++;
  if (o->csv) {
    buf_printf(o->b, "%lld,", (long long)a->id);
    for (int i = 0; i < 6; i++) csv_field(o->b, v[i] ? v[i] : "", i == 5);
    return 0;
  }
  buf_printf(o->b, "<tr><td>%lld</td>", (long long)a->id);
  for (int i = 0; i < 6; i++) {
    buf_puts(o->b, "<td>");
    if (v[i]) buf_html_escape(o->b, v[i], strlen(v[i]));
    buf_puts(o->b, "</td>");
  }
  buf_puts(o->b, "</tr>\n");
  return 0;
}

static bool arg_num(const http_request *req, const char *key, int64_t *out) {
  const char *v = http_arg(req, key);
  return !v || http_parse_index((str_view){v, strlen(v)}, out);
}

void h_audit_log(http_request *req, http_response *resp) {
  auth_principal p;
  if (!h_authorize(req, resp, AUTH_AUDIT, NULL, &p)) return;
  int64_t after = 0, limit = PAGE_DEFAULT;
  const char *f = http_arg(req, "f");
  static const char *const TYPES[] = {"text/html", "text/csv"};
  bool csv = f ? strcmp(f, "csv") == 0 : http_accept_first(req, TYPES, 2) == 1;
  if ((f && !csv && strcmp(f, "html") != 0) || !arg_num(req, "after", &after) ||
      !arg_num(req, "limit", &limit) || limit < 1 || limit > PAGE_MAX) {
    http_error(resp, ERR_INVALID, "f is html or csv; after and limit are whole numbers (limit "
               "1 to %d)", PAGE_MAX);
    return;
  }
  audit_out o = {&resp->body, csv, after, 0};
  if (csv) {
    buf_puts(&resp->body, "id,at,who,action,target,result,detail\r\n");
  } else {
    buf_puts(&resp->body, "<!DOCTYPE html>\n<html lang=\"es\"><head><meta charset=\"utf-8\">"
             "<meta name=\"viewport\" content=\"width=device-width\"><title>Registro de "
             "auditoría</title></head><body><h1>Registro de auditoría</h1>\n<table>\n<thead><tr>"
             "<th scope=\"col\">n.º</th><th scope=\"col\">fecha (UTC)</th><th scope=\"col\">"
             "quién</th><th scope=\"col\">acción</th><th scope=\"col\">sobre</th>"
             "<th scope=\"col\">resultado</th><th scope=\"col\">detalle</th></tr></thead>\n"
             "<tbody>\n");
  }
  err e = {0};
  if (store_audit_scan(req->config->db_path, after, limit, audit_line, &o, &e) != ERR_OK) {
    http_error(resp, ERR_INTERNAL, "the audit log cannot be read");
    return;
  }
  if (!csv) {
    buf_puts(&resp->body, "</tbody>\n</table>\n");
    if (o.n == limit)
      buf_printf(&resp->body, "<p><a href=\"?after=%lld&amp;limit=%lld\">Siguientes</a></p>\n",
                 (long long)o.last, (long long)limit);
    buf_puts(&resp->body, "</body></html>\n");
  }
  resp->status = 200;
  resp->content_type = csv ? "text/csv; charset=utf-8" : "text/html; charset=utf-8";
  resp->compressible = true;
  http_header_add(resp, "Cache-Control", "no-store");
}
