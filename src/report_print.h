/* report_print.h - a built report (report.h) as a manager reads it: a
 * compact table for a terminal, JSON for scripts, one self-contained HTML
 * page with SVG charts for a browser or a mail client. */
#ifndef OUTREACHD_REPORT_PRINT_H
#define OUTREACHD_REPORT_PRINT_H

#include <stdio.h>

#include "i18n.h"
#include "report.h"

void report_print_text(const struct report *r, FILE *fp);
void report_print_json(const struct report *r, FILE *fp);
/* The whole page in language lang, malloc'd. */
char *report_html(const struct report *r, enum i18n_lang lang);

#endif
