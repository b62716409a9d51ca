/* color.c — CSS colours as the MapLibre style spec accepts them (it follows CSS Color Level 3):
 * hex forms, rgb()/rgba() with numbers or percentages, hsl()/hsla(), and named colours.
 * It does not parse CSS Color 4 space-separated syntax or color(). */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/render_int.h"

typedef struct named_color {
  const char *name;
  uint32_t rgb;
} named_color;

/* The CSS named colours a map style plausibly uses (the full CSS 3 list is longer; the rest
 * fail to parse and are reported at load with their JSON pointer). */
static const named_color NAMED[] = {
    {"aqua", 0x00ffff},      {"beige", 0xf5f5dc},     {"black", 0x000000},
    {"blue", 0x0000ff},      {"brown", 0xa52a2a},     {"coral", 0xff7f50},
    {"crimson", 0xdc143c},   {"cyan", 0x00ffff},      {"darkblue", 0x00008b},
    {"darkgray", 0xa9a9a9},  {"darkgreen", 0x006400}, {"darkgrey", 0xa9a9a9},
    {"darkorange", 0xff8c00},{"darkred", 0x8b0000},   {"dimgray", 0x696969},
    {"dimgrey", 0x696969},   {"firebrick", 0xb22222}, {"forestgreen", 0x228b22},
    {"fuchsia", 0xff00ff},   {"gainsboro", 0xdcdcdc}, {"gold", 0xffd700},
    {"gray", 0x808080},      {"green", 0x008000},     {"grey", 0x808080},
    {"indigo", 0x4b0082},    {"ivory", 0xfffff0},     {"khaki", 0xf0e68c},
    {"lavender", 0xe6e6fa},  {"lightblue", 0xadd8e6}, {"lightgray", 0xd3d3d3},
    {"lightgreen", 0x90ee90},{"lightgrey", 0xd3d3d3}, {"lime", 0x00ff00},
    {"linen", 0xfaf0e6},     {"magenta", 0xff00ff},   {"maroon", 0x800000},
    {"navy", 0x000080},      {"olive", 0x808000},     {"orange", 0xffa500},
    {"orangered", 0xff4500}, {"orchid", 0xda70d6},    {"pink", 0xffc0cb},
    {"purple", 0x800080},    {"red", 0xff0000},       {"royalblue", 0x4169e1},
    {"salmon", 0xfa8072},    {"seagreen", 0x2e8b57},  {"sienna", 0xa0522d},
    {"silver", 0xc0c0c0},    {"skyblue", 0x87ceeb},   {"slategray", 0x708090},
    {"steelblue", 0x4682b4}, {"tan", 0xd2b48c},       {"teal", 0x008080},
    {"tomato", 0xff6347},    {"turquoise", 0x40e0d0}, {"violet", 0xee82ee},
    {"wheat", 0xf5deb3},     {"white", 0xffffff},     {"whitesmoke", 0xf5f5f5},
    {"yellow", 0xffff00},    {"yellowgreen", 0x9acd32},
};

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = tolower(c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static bool parse_hex(const char *s, size_t n, rcolor *out) {
  int d[8];
  if (n != 3 && n != 4 && n != 6 && n != 8) return false;
  for (size_t i = 0; i < n; i++)
    if ((d[i] = hexval((unsigned char)s[i])) < 0) return false;
  double ch[4] = {0, 0, 0, 1};
  size_t k = n <= 4 ? n : n / 2;
  for (size_t i = 0; i < k; i++)
    ch[i] = (n <= 4 ? d[i] * 17 : d[2 * i] * 16 + d[2 * i + 1]) / 255.0;
  *out = (rcolor){ch[0], ch[1], ch[2], ch[3]};
  return true;
}

static double clamp01(double v) { return v < 0 ? 0 : v > 1 ? 1 : v; }

/* Up to 4 comma-separated numbers inside "(...)"; pct[i] tells a trailing '%'. */
static int parse_args(const char *s, const char *end, double *v, bool *pct) {
  int n = 0;
  while (s < end && n < 4) {
    char tmp[32];
    while (s < end && isspace((unsigned char)*s)) s++;
    size_t k = 0;
    while (s < end && *s != ',' && *s != ')' && k < sizeof tmp - 1) tmp[k++] = *s++;
    tmp[k] = '\0';
    while (k > 0 && isspace((unsigned char)tmp[k - 1])) tmp[--k] = '\0';
    pct[n] = k > 0 && tmp[k - 1] == '%';
    if (pct[n]) tmp[--k] = '\0';
    char *e = NULL;
    v[n] = strtod(tmp, &e);
    if (k == 0 || *e || !isfinite(v[n])) return -1;
    n++;
    if (s < end && *s == ',') s++;
    else break;
  }
  while (s < end && isspace((unsigned char)*s)) s++;
  return s < end && *s == ')' ? n : -1;
}

static double hue(double p, double q, double t) {
  if (t < 0) t += 1;
  if (t > 1) t -= 1;
  if (t < 1.0 / 6) return p + (q - p) * 6 * t;
  if (t < 0.5) return q;
  if (t < 2.0 / 3) return p + (q - p) * (2.0 / 3 - t) * 6;
  return p;
}

static bool parse_func(const char *s, size_t n, rcolor *out) {
  const char *open = memchr(s, '(', n);
  if (!open) return false;
  size_t fn = (size_t)(open - s);
  bool hsl = (fn == 3 || fn == 4) && strncmp(s, "hsl", 3) == 0;
  bool rgb = (fn == 3 || fn == 4) && strncmp(s, "rgb", 3) == 0;
  if (!hsl && !rgb) return false;
  if (fn == 4 && s[3] != 'a') return false;
  double v[4];
  bool pct[4];
  int k = parse_args(open + 1, s + n, v, pct);
  if (k != 3 && k != 4) return false;
  double a = k == 4 ? clamp01(pct[3] ? v[3] / 100 : v[3]) : 1;
  if (rgb) {
    for (int i = 0; i < 3; i++) v[i] = clamp01(pct[i] ? v[i] / 100 : v[i] / 255);
    *out = (rcolor){v[0], v[1], v[2], a};
    return true;
  }
  double h = fmod(fmod(v[0], 360) + 360, 360) / 360, sat = clamp01(v[1] / 100);
  double l = clamp01(v[2] / 100);
  double q = l < 0.5 ? l * (1 + sat) : l + sat - l * sat, p = 2 * l - q;
  *out = (rcolor){hue(p, q, h + 1.0 / 3), hue(p, q, h), hue(p, q, h - 1.0 / 3), a};
  return true;
}

bool render_color_parse(const char *s, size_t len, rcolor *out) {
  while (len > 0 && isspace((unsigned char)*s)) s++, len--;
  while (len > 0 && isspace((unsigned char)s[len - 1])) len--;
  if (len == 0 || len > 64) return false;
  if (s[0] == '#') return parse_hex(s + 1, len - 1, out);
  char low[65];
  for (size_t i = 0; i < len; i++) low[i] = (char)tolower((unsigned char)s[i]);
  low[len] = '\0';
  if (strcmp(low, "transparent") == 0) {
    *out = (rcolor){0, 0, 0, 0};
    return true;
  }
  for (size_t i = 0; i < sizeof NAMED / sizeof *NAMED; i++) {
    if (strcmp(NAMED[i].name, low) == 0) {
      uint32_t c = NAMED[i].rgb;
      *out = (rcolor){(c >> 16) / 255.0, ((c >> 8) & 255) / 255.0, (c & 255) / 255.0, 1};
      return true;
    }
  }
  return parse_func(low, len, out);
}
