/* conf_priv.h - shared by conf.c and conf_plan.c only. */
#ifndef OUTREACHD_CONF_PRIV_H
#define OUTREACHD_CONF_PRIV_H

#include <libconfig.h>

#include "conf.h"
#include "util.h"

/* Collects every problem so the admin can fix them in one go. */
struct conf_errors {
	struct buf b;
	const char *file;
};

void conf_error(struct conf_errors *e, const config_setting_t *s,
    const char *fmt, ...) PRINTFLIKE(3, 4);
void conf_check_unknown(struct conf_errors *e, const config_setting_t *group,
    const char *const *known);
void conf_get_string(struct conf_errors *e, const config_setting_t *group,
    const char *name, char **dst);
/* The group `name` of parent, or NULL when it is absent or (reported as
 * "NAME must be a group USAGE") not a group; its settings are checked
 * against known unless known is NULL. */
const config_setting_t *conf_get_group(struct conf_errors *e,
    const config_setting_t *parent, const char *name,
    const char *const *known, const char *usage);
/* Integer setting within [min, max], left unchanged when absent. */
void conf_get_int(struct conf_errors *e, const config_setting_t *group,
    const char *name, int min, int max, int *dst);
void conf_get_share(struct conf_errors *e, const config_setting_t *group,
    const char *name, double *dst);
/* A list or array of strings; returns the count and sets *out. */
size_t conf_get_strings(struct conf_errors *e, const config_setting_t *group,
    const char *name, char ***out);

void conf_plan_defaults(struct conf *c);
void conf_plan_parse(struct conf_errors *e, const config_setting_t *root,
    struct conf *c);
void conf_plan_free(struct conf *c);
void conf_plan_free_rules(struct conf *c);
void conf_plan_free_holidays(struct conf *c);
void conf_delivery_defaults(struct conf *c);
void conf_delivery_parse(struct conf_errors *e, const config_setting_t *root,
    struct conf *c);
/* Fills paths derived from others (state directory, maildirs). */
void conf_delivery_finish(struct conf *c);
void conf_delivery_free(struct conf *c);
void conf_lists_parse(struct conf_errors *e, const config_setting_t *root,
    struct conf *c);

#endif
