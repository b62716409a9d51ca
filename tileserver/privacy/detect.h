/* detect.h — the personal-data detector: which fields of a file look personal, and why.
 *
 * The importer calls it once per file with every field's name and a sample of its values (as
 * text), before anything is written. A field is reported when
 *   - its NAME says so (case-, accent- and separator-insensitive, camelCase split, common
 *     abbreviations): nombre de persona (nombre_victima, nombre_completo, NOMBRE(S), nombres,
 *     first_name...), apellido(s) / paterno / materno, domicilio, dirección, calle, número
 *     exterior/interior, teléfono / tel / cel / celular / móvil, correo / email / e-mail, CURP,
 *     RFC, INE / IFE / clave de elector, placa(s) / matrícula, fecha de nacimiento, and edad when
 *     the layer keeps exact locations; a bare "nombre" (or nom_col, nombre_parque...) is NOT
 *     personal by its name: its values decide;
 *   - or its VALUES hold a CURP, an RFC (persona física or moral), a Mexican phone number (10
 *     digits grouped as people write them, optional +52) or an e-mail address — one value is
 *     enough, since one CURP in a free-text field is one person identified;
 *   - or its values look like people's names: a value is a "full" person name when it has 3 to 6
 *     words besides particles (de, del, la, y...) and titles (Sr., Lic.), at least one a common
 *     Mexican given name and another a common Mexican surname, at most one unknown, no digits,
 *     no roman numeral and no word of places or public things (parque, presa, colonia, san,
 *     valle, norte, río...); a "short" name is two words, one given name and one surname
 *     ("Benito Juárez"). The field is reported when at least one value is a full name and full
 *     names count 1, short names 1/2, reaching half of the non-empty values. Streets, colonias and
 *     municipalities are named after people ("Benito Juárez", "Miguel Hidalgo") but rarely with
 *     two surnames, and a list of places is not mostly such names; a list of victims is.
 * Limits: surnames outside the list (indigenous, foreign) lower the count; a file with only
 * two-word names is not caught by values (its field name usually is); a value is examined up to
 * its first 4 KB.
 *
 * Pure: no I/O, no global state; the input strings are borrowed. */
#ifndef TESELAS_PRIVACY_DETECT_H
#define TESELAS_PRIVACY_DETECT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/* One field of the file: its name and sample values (NULL entries are empty values). */
typedef struct privacy_field_sample {
  const char *name;
  const char *const *values;
  size_t n_values;
} privacy_field_sample;

typedef struct privacy_detect_options {
  bool exact_location; /* the layer keeps exact locations (policy none): age is personal too */
} privacy_detect_options;

/* Signals, as bits of privacy_finding.signals. */
enum {
  PRIVACY_SIGNAL_NAME = 1u << 0,   /* the field's name */
  PRIVACY_SIGNAL_CURP = 1u << 1,   /* values with a CURP */
  PRIVACY_SIGNAL_RFC = 1u << 2,    /* values with an RFC */
  PRIVACY_SIGNAL_PHONE = 1u << 3,  /* values with a phone number */
  PRIVACY_SIGNAL_EMAIL = 1u << 4,  /* values with an e-mail address */
  PRIVACY_SIGNAL_PERSON = 1u << 5  /* values that look like people's names */
};

typedef struct privacy_finding {
  size_t field_index;      /* index in the caller's array */
  const char *field;       /* the caller's name (borrowed) */
  unsigned signals;
  const char *name_reason; /* with PRIVACY_SIGNAL_NAME: what the name says, e.g. "teléfono" */
  size_t n_values;         /* non-empty sample values examined */
  size_t n_curp, n_rfc, n_phone, n_email; /* values holding each pattern */
  size_t n_person_full, n_person_short;   /* values that look like a person's name */
} privacy_finding;

typedef struct privacy_detection {
  privacy_finding *findings; /* in field order; malloc'd, free with privacy_detection_free */
  size_t n_findings;
} privacy_detection;

/* Examines every field; fills *out with the fields that look personal (none is ERR_OK with
 * n_findings 0). ERR_NOMEM only. The caller frees *out with privacy_detection_free. */
err_code privacy_detect_fields(const privacy_field_sample *fields, size_t n_fields,
                               const privacy_detect_options *opt, privacy_detection *out, err *e);
void privacy_detection_free(privacy_detection *d);

/* The finding for a field name, or NULL. */
const privacy_finding *privacy_detection_find(const privacy_detection *d, const char *field);

/* Appends why one field looks personal, in Spanish, e.g. "nombre del campo: teléfono; valores con
 * forma de CURP en 3 de 200 registros". */
void privacy_finding_reason(const privacy_finding *f, buf *out);

/* Appends the importer's message for the findings not in `skip` (the fields already dropped or
 * kept; may be NULL): "el archivo parece contener datos personales: telefono (nombre del campo:
 * teléfono), obs (valores con forma de CURP en 3 de 200 registros); use --drop CAMPO para no
 * publicarlo o --keep-field CAMPO para publicarlo conscientemente". Appends nothing and returns
 * false when no finding is left. */
bool privacy_detection_message(const privacy_detection *d, const char *const *skip, size_t n_skip,
                               buf *out);

/* ---- incidents against people (detect_incident.c) ----------------------------------------- */

/* What is known of a layer before it is written: its metadata (each may be NULL) and its fields'
 * names and sample values. */
typedef struct privacy_incident_input {
  const char *title, *description, *keywords;
  const privacy_field_sample *fields;
  size_t n_fields;
} privacy_incident_input;

/* True when the layer looks like incidents against people (crimes, violence, victims): its
 * title, description, keywords or a field's name holds such a word, or at least 1 in 100 of a
 * field's sampled values does. Appends the reasons in Spanish ("título: «delitos»; valores del
 * campo crime como «homicidio» y «lesiones» en 120 de 1000 registros"), which quote the words of
 * the detector's list, never a value of the source. */
bool privacy_detect_incidents(const privacy_incident_input *in, buf *out);

/* ---- fields that link a generalised record back to an exact release (detect_linkage.c) ---- */

/* True when a field looks like the source's record identifier: its name says so (id, folio,
 * clave, uuid, objectid, *_id...), or its sample holds at least 20 values, all distinct, that
 * are whole numbers or single words (codes). A unique id joins a generalised record to the same
 * record in any exact-location release. */
bool privacy_detect_identifier(const privacy_field_sample *f);

/* True when a field holds a time of day: its name says so (hora, hour, time, horario) or 9 in 10
 * of its non-empty values are "HH:MM[:SS]". */
bool privacy_detect_time_of_day(const privacy_field_sample *f);

/* The 6-hour band of a time of day: "HH:MM[:SS]" or an hour "H"/"HH" (0..23) gives the band's
 * first hour (0, 6, 12 or 18), or -1 when the text is not a time. */
int privacy_time_band(const char *s);

/* ---- the single tests, for reuse (scrubbing logs and error messages) and unit tests -------- */

/* What a field name alone says (a static Spanish phrase such as "teléfono"), or NULL when the
 * name is not personal. exact_location enables "edad". */
const char *privacy_detect_field_name(const char *name, bool exact_location);

bool privacy_text_has_curp(const char *s);
bool privacy_text_has_rfc(const char *s);
bool privacy_text_has_phone(const char *s);
bool privacy_text_has_email(const char *s);

typedef enum privacy_person {
  PRIVACY_PERSON_NO = 0,
  PRIVACY_PERSON_SHORT, /* one given name and one surname */
  PRIVACY_PERSON_FULL   /* a given name, a surname and more */
} privacy_person;

privacy_person privacy_text_person_name(const char *s);

#endif
