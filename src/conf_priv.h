/* conf_priv.h - inside the conf module: the settings tables and the
 * generic machinery of conf.c that reads them.
 *
 * Every setting is declared once, in the table of the group that holds
 * it: conf_plan.c (planner, tiers, sleeping, stale, tasks), conf_report.c
 * (lifecycle, report), conf_rules.c (holidays, rules), conf_keydates.c
 * (key date titles), conf_delivery.c (delivery, email, sms, http,
 * daemon) and conf_import.c (import).  Those modules use conf.c's
 * machinery and nothing of each other; conf.c's loader reaches them only through conf_root_table. */
#ifndef OUTREACHD_CONF_PRIV_H
#define OUTREACHD_CONF_PRIV_H

#include <stddef.h>

#include <libconfig.h>

#include "conf.h"
#include "util.h"

/* Collects every problem so the admin can fix them in one go, and the
 * warnings: settings that load but are likely not what was meant. */
struct conf_errors {
	struct buf b;
	struct buf w;
	const char *file;
};

enum conf_type {
	CONF_INT,	/* int, a whole number in [min, max] */
	CONF_BOOL,	/* int, true or false */
	CONF_NUMBER,	/* double in [min, max] */
	CONF_STRING,	/* char *, one of choices when there are any */
	CONF_ENUM,	/* an int-sized enum: the value of one of choices */
	CONF_TIME,	/* int, "HH:MM" as minutes after midnight */
	CONF_STRINGS,	/* char **, a string or a list; its size_t count at
			 * count */
	CONF_GROUP,	/* a group, filled by table from offset on */
	CONF_LIST,	/* a list of groups, each described by table */
	CONF_CUSTOM	/* read by parse */
};

struct conf_choice {
	const char *name;
	int value;
};

struct conf_table;

/* Reads a setting of group g (present or not) into base, the struct the
 * table fills. */
typedef void conf_parse_fn(struct conf_errors *e, const config_setting_t *g,
    void *base, struct conf *c);

struct conf_entry {
	const char *name;
	enum conf_type type;
	size_t offset;		/* of the field in the struct the table fills */
	size_t count;		/* CONF_STRINGS: offset of the count */
	double min;		/* CONF_INT, CONF_NUMBER */
	double max;
	int def;		/* CONF_INT, CONF_BOOL, CONF_ENUM, CONF_TIME */
	double def_num;		/* CONF_NUMBER */
	const char *def_str;	/* CONF_STRING; NULL is unset */
	const char *def_doc;	/* the default in words, when it is derived */
	const struct conf_choice *choices; /* up to a NULL name */
	const char *bad;	/* the whole message for a value out of range
				 * or not among choices, if not the usual */
	const struct conf_table *table;	/* CONF_GROUP, CONF_LIST */
	/* When set, parse reads and stores the setting instead of the type's
	 * reader, and init and clear (if set) give its default and free it. */
	conf_parse_fn *parse;
	void (*init)(void *base);
	void (*clear)(void *base);
	int credential;		/* CONF_STRING: a secret's file, which may
				 * be a systemd credential (conf_cred.c) */
	const char *doc;	/* one line */
};

struct conf_table {
	const char *usage;	/* how the group is written, for errors */
	const struct conf_entry *entries; /* up to a NULL name */
	conf_parse_fn *check;	/* settings against each other, after all */
	/* Fills values derived from others once everything loaded. */
	void (*finish)(void *base, struct conf *c);
};

/* conf_cred.c: reports a "%d/NAME" value of ent whose NAME systemd
 * would not take. */
void conf_credential_check(struct conf_errors *e, const config_setting_t *g,
    const struct conf_entry *ent, const char *value);

/* The top level of the file: every group's table hangs from it. */
extern const struct conf_table conf_root_table;

/* The groups' tables (conf_plan.c, conf_rules.c, conf_delivery.c). */
extern const struct conf_table conf_planner_table;
extern const struct conf_table conf_tiers_table;
extern const struct conf_table conf_sleeping_table;
extern const struct conf_table conf_stale_table;
extern const struct conf_table conf_tasks_table;
extern const struct conf_table conf_digest_table;
extern const struct conf_table conf_lifecycle_table;
extern const struct conf_table conf_report_table;
extern const struct conf_table conf_holiday_table;
extern const struct conf_table conf_keydate_table;
extern const struct conf_table conf_rule_table;
extern const struct conf_table conf_delivery_table;
extern const struct conf_table conf_email_table;
extern const struct conf_table conf_sms_table;
extern const struct conf_table conf_http_table;
extern const struct conf_table conf_daemon_table;
extern const struct conf_table conf_import_table;
/* The holidays and rules lists; base is the struct conf. */
void conf_holidays_parse(struct conf_errors *e, const config_setting_t *root,
    void *base, struct conf *c);
void conf_holidays_clear(void *base);
void conf_keydates_parse(struct conf_errors *e, const config_setting_t *root,
    void *base, struct conf *c);
void conf_keydates_clear(void *base);
void conf_rules_parse(struct conf_errors *e, const config_setting_t *root,
    void *base, struct conf *c);
void conf_rules_clear(void *base);

/* conf.c: "FILE:LINE: message" for setting s (line 0 without one). */
void conf_error(struct conf_errors *e, const config_setting_t *s,
    const char *fmt, ...) PRINTFLIKE(3, 4);
/* "FILE:LINE: warning: message": the file still loads. */
void conf_warn(struct conf_errors *e, const config_setting_t *s,
    const char *fmt, ...) PRINTFLIKE(3, 4);
/* Reports each setting of group that t does not declare. */
void conf_check_unknown(struct conf_errors *e, const config_setting_t *group,
    const struct conf_table *t);
/* Replaces *dst with the string setting `name` of group, if present. */
void conf_get_string(struct conf_errors *e, const config_setting_t *group,
    const char *name, char **dst);
/* A string or a list or array of strings; returns the count and sets
 * *out, NULL-ended (NULL when absent). */
size_t conf_get_strings(struct conf_errors *e, const config_setting_t *group,
    const char *name, char ***out);
const struct conf_choice *conf_choice_find(const struct conf_choice *choices,
    const char *name);
/* Appends the choices to b as "a", "b" or "c" (sep NULL), or joined by
 * sep (a|b|c). */
void conf_choices_text(struct buf *b, const struct conf_choice *choices,
    const char *sep);
/* The table's defaults into base. */
void conf_table_init(const struct conf_table *t, void *base);
/* Checks group g's names against t, reads each entry, then t->check. */
void conf_table_parse(struct conf_errors *e, const config_setting_t *g,
    const struct conf_table *t, void *base, struct conf *c);
/* Frees what the table's entries hold in base. */
void conf_table_clear(const struct conf_table *t, void *base);

#endif
