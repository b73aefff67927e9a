/* conf_keydates.c - the keydates list of outreachd.conf: the title that
 * templates, the plan and the feeds show for the key dates of a label. */
#include <stdlib.h>
#include <string.h>

#include "conf_priv.h"
#include "keydate.h"

static const struct conf_entry keydate_entries[] = {
	{ .name = "label", .type = CONF_STRING,
	  .doc = "Required and unique: the label of `import dates`." },
	{ .name = "title", .type = CONF_STRING, .def_doc = "the label",
	  .doc = "What templates show as {{keydate.title}}." },
	{ .name = NULL }
};

/* Read by hand, as the holidays are; this gives names, types and docs. */
const struct conf_table conf_keydate_table = {
	.usage = "( { label = \"...\"; title = \"...\"; }, ... )",
	.entries = keydate_entries
};

/* The entry of label, or NULL. */
static const struct conf_keydate *
conf_keydate_find(const struct conf *c, const char *label)
{
	size_t i;

	for (i = 0; i < c->nkeydates; i++) {
		if (strcmp(c->keydates[i].label, label) == 0)
			return &c->keydates[i];
	}
	return NULL;
}

/* Each element: a label seen once, and its title. */
static void
parse_keydates(struct conf_errors *e, const config_setting_t *list,
    struct conf *c)
{
	config_setting_t *g;
	struct conf_keydate *k;
	char *label, *why = NULL;
	int i, n;

	if (!config_setting_is_list(list)) {
		conf_error(e, list, "keydates must be a list ( { ... }, ... )");
		return;
	}
	n = config_setting_length(list);
	c->keydates = xcalloc((size_t)n + 1, sizeof(*c->keydates));
	for (i = 0; i < n; i++) {
		g = config_setting_get_elem(list, (unsigned)i);
		if (!config_setting_is_group(g)) {
			conf_error(e, g, "each key date must be a group { ... }");
			continue;
		}
		conf_check_unknown(e, g, &conf_keydate_table);
		label = NULL;
		conf_get_string(e, g, "label", &label);
		if (label == NULL || keydate_label_check(label, &why) != 0) {
			conf_error(e, g, "key date: %s", why ? why :
			    "label is required");
			free(why);
			why = NULL;
			free(label);
			continue;
		}
		if (conf_keydate_find(c, label) != NULL)
			conf_error(e, g, "key date %s listed twice", label);
		k = &c->keydates[c->nkeydates++];
		k->label = label;
		conf_get_string(e, g, "title", &k->title);
	}
}

/* The keydates list; base is the struct conf.  A list given replaces the
 * built-in one as a whole. */
void
conf_keydates_parse(struct conf_errors *e, const config_setting_t *root,
    void *base, struct conf *c)
{
	const config_setting_t *list;

	if ((list = config_setting_get_member(root, "keydates")) == NULL)
		return;
	conf_keydates_clear(c);
	parse_keydates(e, list, c);
}

/* Frees the keydates list; base is the struct conf. */
void
conf_keydates_clear(void *base)
{
	struct conf *c = base;
	size_t i;

	for (i = 0; i < c->nkeydates; i++) {
		free(c->keydates[i].label);
		free(c->keydates[i].title);
	}
	free(c->keydates);
	c->keydates = NULL;
	c->nkeydates = 0;
}

const char *
conf_keydate_title(const struct conf *c, const char *label)
{
	const struct conf_keydate *k = conf_keydate_find(c, label);

	return k != NULL && k->title != NULL ? k->title : label;
}
