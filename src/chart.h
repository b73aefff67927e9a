/* chart.h - small SVG charts drawn in C, for pages that must work with no
 * script and no external resource (the report opens offline and in a mail
 * client).  Each chart is an <svg> element sized by its viewBox, so it
 * scales to the page; every label is escaped. */
#ifndef OUTREACHD_CHART_H
#define OUTREACHD_CHART_H

#include <stddef.h>

#include "util.h"

/* Values by series and category: v[series * n + category]; NaN for none. */
struct chart {
	const char *title;		/* the chart's accessible name */
	const char *const *labels;	/* n category labels */
	size_t n;
	const char *const *series;	/* m series names (the legend) */
	size_t m;
	const double *v;
	int percent;			/* rates: the axis and labels in % */
};

/* Vertical columns, one group per category: stacked series, or side by
 * side when stacked is 0. */
void chart_columns(struct buf *b, const struct chart *c, int stacked);
/* Horizontal bars, a row per category with a bar per series, each
 * labelled with its value. */
void chart_rows(struct buf *b, const struct chart *c);

#endif
