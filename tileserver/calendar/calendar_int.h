/* calendar_int.h — shared by the report's writers; not part of the module's interface. */
#ifndef TESELAS_CALENDAR_INT_H
#define TESELAS_CALENDAR_INT_H

#include "calendar/calendar.h"

/* The layer's publisher, or "(sin publicador)". */
const char *calendar_publisher(const calendar_layer_report *lr);
/* The report as an HTML page (report_html.c). */
void calendar_report_html(const calendar_report *rep, buf *b);

#endif
