/* conf_import.c - the import group: the header names files may use.
 *
 * Spreadsheets come with their own column titles (姓名, 生日, 手机): each
 * element of import.columns names one column and the headers that mean
 * it.  Setting names in libconfig are ASCII, so the headers are values. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "conf_priv.h"
#include "customer.h"

#define COL(f) offsetof(struct conf_column, f)

/* Read by hand (column_parse): the table gives names, types and docs. */
static const struct conf_entry column_entries[] = {
	{ .name = "column", .type = CONF_STRING, .offset = COL(column),
	  .doc = "A column of an import file, or a custom attribute." },
	{ .name = "headers", .type = CONF_STRINGS, .offset = COL(headers),
	  .count = COL(nheaders),
	  .doc = "The header names that mean it: [ \"...\", ... ]." },
	{ .name = NULL }
};

static const struct conf_table column_table = {
	.usage = "( { column = \"...\"; headers = [ ... ]; }, ... )",
	.entries = column_entries
};

/* Frees the map; base is the struct conf_import. */
static void
columns_clear(void *base)
{
	struct conf_import *im = base;
	size_t i, j;

	for (i = 0; i < im->ncolumns; i++) {
		free(im->columns[i].column);
		for (j = 0; j < im->columns[i].nheaders; j++)
			free(im->columns[i].headers[j]);
		free(im->columns[i].headers);
	}
	free(im->columns);
	im->columns = NULL;
	im->ncolumns = 0;
}

/* One element: a column name and at least one header. */
static void
column_parse(struct conf_errors *e, const config_setting_t *g,
    struct conf_column *col)
{
	size_t i;

	conf_check_unknown(e, g, &column_table);
	conf_get_string(e, g, "column", &col->column);
	if (col->column == NULL || !customer_attr_name_valid(col->column)) {
		conf_error(e, g, "column must name a column: letters, digits "
		    "and _");
		free(col->column);
		col->column = xstrdup("?");
	}
	col->nheaders = conf_get_strings(e, g, "headers", &col->headers);
	if (col->nheaders == 0)
		conf_error(e, g, "column %s: headers must list at least one "
		    "name", col->column);
	for (i = 0; i < col->nheaders; i++) {
		str_trim(col->headers[i]);
		if (*col->headers[i] == '\0')
			conf_error(e, g, "column %s: an empty header name",
			    col->column);
	}
}

/* import.columns given in the file replaces the built-in list. */
static void
columns_parse(struct conf_errors *e, const config_setting_t *g, void *base,
    struct conf *c)
{
	struct conf_import *im = base;
	const config_setting_t *list = config_setting_get_member(g, "columns");
	int i, n;

	(void)c;
	if (list == NULL)
		return;
	if (!config_setting_is_list(list)) {
		conf_error(e, list, "columns must be a list %s",
		    column_table.usage);
		return;
	}
	columns_clear(im);
	n = config_setting_length(list);
	im->columns = xcalloc((size_t)n + 1, sizeof(*im->columns));
	for (i = 0; i < n; i++) {
		const config_setting_t *el = config_setting_get_elem(list,
		    (unsigned)i);
		if (!config_setting_is_group(el)) {
			conf_error(e, el, "columns must be a list %s",
			    column_table.usage);
			continue;
		}
		column_parse(e, el, &im->columns[im->ncolumns++]);
	}
}

static const struct conf_entry import_entries[] = {
	{ .name = "columns", .type = CONF_LIST, .table = &column_table,
	  .parse = columns_parse, .clear = columns_clear,
	  .def_doc = "the Chinese names of every standard column",
	  .doc = "Header names a CSV file may use instead of a column's." },
	{ .name = NULL }
};

const struct conf_table conf_import_table = {
	.usage = "{ columns = ( ... ); }", .entries = import_entries
};
