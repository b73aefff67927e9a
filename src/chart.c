/* chart.c - SVG column and bar charts (chart.h). */
#include "chart.h"

#include <string.h>

#include "tmpl.h"

/* No libm: a chart needs nothing more than these. */
#define IS_NONE(v) ((v) != (v))	/* NaN */

#define W 720.0		/* the viewBox width; the height follows the data */
#define PAD 8.0

/* Series colours: distinct in grey scale too, state colours first. */
static const char *const palette[] = { "#2b8cbe", "#41ab5d", "#fdae61",
	"#d7191c", "#984ea3", "#999999" };

static const char *
colour(size_t i)
{
	return palette[i % (sizeof(palette) / sizeof(palette[0]))];
}

static void
esc(struct buf *b, const char *s)
{
	tmpl_escape_html(b, s ? s : "");
}

static double
value(const struct chart *c, size_t s, size_t i)
{
	return c->v[s * c->n + i];
}

/* A value as its label: a percentage or a count. */
static void
value_text(struct buf *b, const struct chart *c, double v)
{
	if (IS_NONE(v))
		buf_puts(b, "-");
	else if (c->percent)
		buf_printf(b, "%.1f%%", v * 100);
	else if (v >= 1e4 || v <= -1e4)
		buf_printf(b, "%.0fk", v / 1e3);
	else
		buf_printf(b, "%.0f", v);
}

/* A round step (1, 2 or 5 times a power of ten) that divides [0, max]
 * into about four. */
static double
nice_step(double max)
{
	double raw = max / 4, mag = 1, f;

	if (raw <= 0)
		return 1;
	while (mag > raw)
		mag /= 10;
	while (mag * 10 <= raw)
		mag *= 10;
	f = raw / mag;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/* The smallest multiple of step that is at least v (v > 0). */
static double
round_up(double v, double step)
{
	double k = (double)(long long)(v / step);

	return (k * step < v ? k + 1 : k) * step;
}

/* The top of the axis: at least 1 (100%) for rates. */
static double
axis_max(const struct chart *c, int stacked)
{
	double max = c->percent ? 1 : 0, sum, v;
	size_t i, s;

	for (i = 0; i < c->n; i++) {
		sum = 0;
		for (s = 0; s < c->m; s++) {
			v = value(c, s, i);
			if (IS_NONE(v))
				continue;
			if (stacked)
				sum += v > 0 ? v : 0;
			else if (v > max)
				max = v;
		}
		if (stacked && sum > max)
			max = sum;
	}
	if (max <= 0)
		max = 1;
	return round_up(max, nice_step(max));
}

static void
svg_begin(struct buf *b, const struct chart *c, double h)
{
	buf_printf(b, "<svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" "
	    "role=\"img\" aria-label=\"", W, h);
	esc(b, c->title);
	/* Inline in HTML an <svg> needs no namespace: the page names no
	 * URL at all. */
	buf_puts(b, "\" font-family=\"sans-serif\" font-size=\"11\">\n");
}

/* The legend, one line at the top. */
static void
legend(struct buf *b, const struct chart *c, double x, double y)
{
	size_t s;

	for (s = 0; s < c->m && c->m > 1; s++) {
		buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" "
		    "height=\"10\" fill=\"%s\"/><text x=\"%.1f\" y=\"%.1f\">",
		    x, y - 9, colour(s), x + 14, y);
		esc(b, c->series[s]);
		buf_puts(b, "</text>\n");
		x += 24 + 7.0 * (double)strlen(c->series[s]);
	}
}

/* Horizontal grid lines and their labels for columns. */
static void
y_axis(struct buf *b, const struct chart *c, double max, double x0,
    double y0, double ph)
{
	double step = nice_step(max), v, y;

	for (v = 0; v <= max + step / 2; v += step) {
		y = y0 - v / max * ph;
		buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"end\">", x0, y, W - PAD, y, x0 - 4, y + 4);
		value_text(b, c, v);
		buf_puts(b, "</text>\n");
	}
}

void
chart_columns(struct buf *b, const struct chart *c, int stacked)
{
	const double h = 260, x0 = 56, top = 28, y0 = h - 34;
	double max = axis_max(c, stacked), band, bw, x, y, v, base, ph = y0 - top;
	size_t i, s;

	svg_begin(b, c, h);
	legend(b, c, x0, 14);
	y_axis(b, c, max, x0, y0, ph);
	band = (W - PAD - x0) / (double)(c->n ? c->n : 1);
	bw = band * 0.7 / (stacked ? 1.0 : (double)c->m);
	for (i = 0; i < c->n; i++) {
		base = y0;
		for (s = 0; s < c->m; s++) {
			v = value(c, s, i);
			if (IS_NONE(v) || v <= 0)
				continue;
			x = x0 + band * (double)i + band * 0.15 +
			    (stacked ? 0 : bw * (double)s);
			y = (stacked ? base : y0) - v / max * ph;
			buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\""
			    " height=\"%.1f\" fill=\"%s\"><title>", x, y, bw,
			    (stacked ? base : y0) - y, colour(s));
			esc(b, c->labels[i]);
			buf_puts(b, " ");
			esc(b, c->series[s]);
			buf_puts(b, ": ");
			value_text(b, c, v);
			buf_puts(b, "</title></rect>\n");
			if (stacked)
				base = y;
		}
		buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
		    x0 + band * ((double)i + 0.5), y0 + 14);
		esc(b, c->labels[i]);
		buf_puts(b, "</text>\n");
	}
	buf_puts(b, "</svg>\n");
}

void
chart_rows(struct buf *b, const struct chart *c)
{
	const double x0 = 130, bh = 12, gap = 10, top = 24;
	double max = axis_max(c, 0), row = bh * (double)c->m + gap, y, v, w;
	double h = top + row * (double)c->n + 8, pw = W - PAD - x0 - 52;
	size_t i, s;

	svg_begin(b, c, h);
	legend(b, c, x0, 14);
	for (i = 0; i < c->n; i++) {
		y = top + row * (double)i;
		buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
		    x0 - 6, y + row / 2);
		esc(b, c->labels[i]);
		buf_puts(b, "</text>\n");
		for (s = 0; s < c->m; s++) {
			v = value(c, s, i);
			w = IS_NONE(v) || v <= 0 ? 0 : v / max * pw;
			buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\""
			    " height=\"%.1f\" fill=\"%s\"/><text x=\"%.1f\" "
			    "y=\"%.1f\">", x0, y + bh * (double)s, w, bh - 2,
			    colour(s), x0 + w + 4, y + bh * (double)s + 9);
			value_text(b, c, v);
			buf_puts(b, "</text>\n");
		}
	}
	buf_puts(b, "</svg>\n");
}
