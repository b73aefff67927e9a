/* conf_settings.c - every setting the file may hold, as check-config
 * --settings lists them: read from the same tables the loader walks, so
 * the list cannot drift from what loads. */
#include <stdio.h>
#include <stdlib.h>

#include "conf_priv.h"

/* Type, range and default of ent, as --settings shows them. */
static void
entry_describe(struct buf *b, const struct conf_entry *ent)
{
	static const char *const types[] = { "int", "bool", "number",
		"string", "enum", "time", "strings", "group", "list",
		"custom" };
	const struct conf_choice *ch;

	buf_puts(b, types[ent->type]);
	if (ent->type == CONF_INT)
		buf_printf(b, " %d..%d", (int)ent->min, (int)ent->max);
	else if (ent->type == CONF_NUMBER)
		buf_printf(b, " %g..%g", ent->min, ent->max);
	else if (ent->type == CONF_TIME)
		buf_puts(b, " HH:MM");
	else if (ent->type == CONF_GROUP || ent->type == CONF_LIST)
		buf_printf(b, " %s", ent->table->usage);
	if (ent->choices != NULL) {
		buf_addc(b, ' ');
		conf_choices_text(b, ent->choices, "|");
	}
	if (ent->def_doc != NULL) {
		buf_printf(b, ", default %s", ent->def_doc);
		return;
	}
	if (ent->parse != NULL)
		return;
	switch (ent->type) {
	case CONF_INT:
		buf_printf(b, ", default %d", ent->def);
		break;
	case CONF_BOOL:
		buf_printf(b, ", default %s", ent->def ? "true" : "false");
		break;
	case CONF_NUMBER:
		buf_printf(b, ", default %g", ent->def_num);
		break;
	case CONF_STRING:
		if (ent->def_str != NULL)
			buf_printf(b, ", default \"%s\"", ent->def_str);
		break;
	case CONF_ENUM:
		for (ch = ent->choices; ch->name != NULL; ch++) {
			if (ch->value == ent->def)
				buf_printf(b, ", default %s", ch->name);
		}
		break;
	case CONF_TIME:
		buf_printf(b, ", default %02d:%02d", ent->def / 60,
		    ent->def % 60);
		break;
	default:
		break;
	}
}

/* Each setting of t and of its groups, under prefix. */
static void
print_table(FILE *fp, const struct conf_table *t, const char *prefix)
{
	const struct conf_entry *ent;
	struct buf b;
	char *sub;

	buf_init(&b);
	for (ent = t->entries; ent->name != NULL; ent++) {
		buf_reset(&b);
		entry_describe(&b, ent);
		fprintf(fp, "%s%s  %s\n\t%s\n", prefix, ent->name, b.data,
		    ent->doc);
		if (ent->type == CONF_GROUP || ent->type == CONF_LIST) {
			sub = xasprintf("%s%s.", prefix, ent->name);
			print_table(fp, ent->table, sub);
			free(sub);
		}
	}
	buf_free(&b);
}

/* Lists every setting the file may hold, from the tables. */
void
conf_print_settings(FILE *fp)
{
	print_table(fp, &conf_root_table, "");
}
