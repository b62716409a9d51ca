/* users.c — `teselas users add|remove|list`: the accounts that may publish over HTTP. A
 * password, when an account gets one, is read from the terminal (twice, without echo) or from
 * the first line of standard input, never from the command line, where `ps` and the shell's
 * history would keep it. Each change is written to the audit log as done by "cli". */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "auth/auth.h"
#include "cli/cli.h"

static const char USAGE[] =
    "usage: teselas users add NAME --db DB --role ROLE [--department D] [--layers a,b]\n"
    "                             [--password]\n"
    "       teselas users remove NAME --db DB\n"
    "       teselas users list --db DB\n"
    "\n"
    "Accounts that publish over the HTTP API. ROLE is publisher (publishes the layers of\n"
    "--layers, those of its --department), reviewer (the transparency unit) or admin.\n"
    "--password asks for a password (at least 12 characters) on the terminal, or reads the\n"
    "first line of standard input; without it the account signs in with API tokens only\n"
    "(teselas tokens add). Removing an account revokes its tokens. Each change is written to\n"
    "the audit log (who: cli:USER) in its transaction: a change whose line cannot be written\n"
    "does not happen.\n"
    "\n"
    CLI_BUSY_USAGE;

/* One line of in (without its newline) into out; false at end of input or when too long. */
static bool read_line(FILE *in, char *out, size_t len) {
  if (!fgets(out, (int)len, in)) return false;
  size_t n = strcspn(out, "\r\n");
  if (out[n] == '\0' && n == len - 1) return false; /* longer than the buffer */
  out[n] = '\0';
  return true;
}

/* The password: twice without echo on a terminal, else the first line of stdin. */
static bool read_password(char *out, size_t len) {
  if (!isatty(0)) return read_line(stdin, out, len);
  struct termios old, quiet;
  if (tcgetattr(0, &old) != 0) return false;
  quiet = old;
  quiet.c_lflag &= ~(tcflag_t)ECHO;
  char again[AUTH_PASSWORD_MAX + 2];
  fputs("contraseña: ", stderr);
  tcsetattr(0, TCSAFLUSH, &quiet);
  bool ok = read_line(stdin, out, len);
  fputs("\notra vez: ", stderr);
  ok = ok && read_line(stdin, again, sizeof again);
  tcsetattr(0, TCSAFLUSH, &old);
  fputc('\n', stderr);
  ok = ok && strcmp(out, again) == 0;
  memset(again, 0, sizeof again);
  if (!ok) fputs("teselas: the passwords differ\n", stderr);
  return ok;
}

typedef struct add_opts {
  const char *db, *role, *department, *layers;
  bool password;
  int busy_ms;
} add_opts;

static int parse(int argc, char **argv, add_opts *o) {
  static const struct option OPTS[] = {
      {"db", 1, 0, 'd'},     {"role", 1, 0, 'r'}, {"department", 1, 0, 'D'},
      {"layers", 1, 0, 'l'}, {"password", 0, 0, 'p'}, {"help", 0, 0, 'h'},
      {"version", 0, 0, 'V'}, {"busy-timeout-ms", 1, 0, 'B'}, {0, 0, 0, 0}};
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":", OPTS, NULL)) != -1) {
    switch (c) {
      case 'd': o->db = optarg; break;
      case 'r': o->role = optarg; break;
      case 'D': o->department = optarg; break;
      case 'l': o->layers = optarg; break;
      case 'p': o->password = true; break;
      case 'B': {
        int rc = cli_parse_busy(optarg, USAGE, &o->busy_ms);
        if (rc) return rc;
        break;
      }
      default: {
        int rc = cli_common_option(c, argv, USAGE);
        return rc == 0 ? -1 : rc;
      }
    }
  }
  if (!o->db) {
    fprintf(stderr, "teselas: users needs --db DB\n\n%s", USAGE);
    return 2;
  }
  return 0;
}

static int print_account(void *ctx, const store_account *a) {
  int *n = ctx;
  if ((*n)++ == 0) printf("%-20s %-10s %-24s %-20s %s\n", "cuenta", "rol", "dependencia", "alta",
                          "capas");
  printf("%-20s %-10s %-24s %-20s %s\n", a->name, a->role, a->department, a->created_at, a->layers);
  return 0;
}

static int users_add(const char *name, const add_opts *o) {
  char pw[AUTH_PASSWORD_MAX + 2];
  if (o->password && !read_password(pw, sizeof pw)) {
    fputs("teselas: no password read\n", stderr);
    return 1;
  }
  err e = {0};
  cli_audit_line line;
  cli_audit_init(&line, o->db, "users add", name, o->role);
  store_gate gate = cli_audit_gate(&line, o->busy_ms);
  auth_user_new u = {name, auth_role_parse(o->role), o->department, o->layers,
                     o->password ? pw : NULL};
  err_code rc = auth_init(&e);
  if (rc == ERR_OK) rc = auth_user_add_gated(o->db, &u, &gate, &e);
  memset(pw, 0, sizeof pw);
  if (rc != ERR_OK) return cli_audit_finish(&line, rc, &e, "users add");
  printf("cuenta %s (%s) creada\n", name, o->role);
  return 0;
}

int cli_users(int argc, char **argv) {
  const char *sub = argc > 1 ? argv[1] : "";
  if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) return fputs(USAGE, stdout), 0;
  add_opts o = {0};
  int rc = parse(argc - 1, argv + 1, &o);
  if (rc) return rc < 0 ? 0 : rc;
  int n_names = argc - 1 - optind;
  const char *name = n_names == 1 ? argv[1 + optind] : NULL;
  err e = {0};
  if (strcmp(sub, "list") == 0 && n_names == 0) {
    int n = 0;
    if (store_accounts_scan(o.db, print_account, &n, &e) != ERR_OK) {
      fprintf(stderr, "teselas: users list: %s\n", e.msg);
      return 1;
    }
    if (n == 0) puts("sin cuentas");
    return 0;
  }
  if (strcmp(sub, "add") == 0 && name && o.role) return users_add(name, &o);
  if (strcmp(sub, "remove") == 0 && name) {
    cli_audit_line line;
    cli_audit_init(&line, o.db, "users remove", name, "");
    store_gate gate = cli_audit_gate(&line, o.busy_ms);
    err_code code = auth_user_remove_gated(o.db, name, &gate, &e);
    if (code != ERR_OK) return cli_audit_finish(&line, code, &e, "users remove");
    printf("cuenta %s retirada, con sus tokens\n", name);
    return 0;
  }
  fprintf(stderr, "teselas: users add NAME --role R, remove NAME or list\n\n%s", USAGE);
  return 2;
}
