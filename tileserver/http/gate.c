/* gate.c — keeps layers with an unreadable privacy policy out of the catalog handlers see
 * (gate.h). The view is a shallow copy: an array of layer_info structs whose pointers still belong
 * to the reader's snapshot, rebuilt when the snapshot's data_version changes. */
#include "http/gate.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "privacy/policy.h"

struct http_gate {
  catalog view;
  bool built;
  const catalog *source;   /* the snapshot the view was built from */
  int64_t source_version;  /* its data_version: a reload reuses no pointer of the old one */
};

http_gate *http_gate_create(void) { return calloc(1, sizeof(http_gate)); }

void http_gate_destroy(http_gate *g) {
  if (!g) return;
  free(g->view.layers);
  free(g);
}

static err_code rebuild(http_gate *g, const catalog *all, err *e) {
  layer_info *kept = malloc((all->n_layers ? all->n_layers : 1) * sizeof *kept);
  if (!kept) return err_set(e, ERR_NOMEM, "out of memory");
  size_t n = 0;
  for (size_t i = 0; i < all->n_layers; i++) {
    const layer_info *l = &all->layers[i];
    privacy_policy p;
    err pe;
    err_clear(&pe);
    if (privacy_policy_from_json(l->privacy, &p, &pe) == ERR_OK) {
      kept[n++] = *l;
      continue;
    }
    log_error("layer %s is not served: its privacy policy cannot be read (%s)", l->id, pe.msg);
  }
  free(g->view.layers);
  g->view = (catalog){.layers = kept, .n_layers = n, .data_version = all->data_version};
  g->source = all;
  g->source_version = all->data_version;
  g->built = true;
  return ERR_OK;
}

err_code http_gate_catalog(http_gate *g, const catalog *all, const catalog **out, err *e) {
  if (!g->built || g->source != all || g->source_version != all->data_version) {
    err_code rc = rebuild(g, all, e);
    if (rc != ERR_OK) return rc;
  }
  *out = &g->view;
  return ERR_OK;
}
