/* render.h - the values a template sees for one customer and one planned
 * message, and the rendering of that message with its locale fallback.
 * Used by `outreachctl render` and when the outbox takes a message, so a
 * preview is exactly what would be sent. */
#ifndef OUTREACHD_RENDER_H
#define OUTREACHD_RENDER_H

#include <stdint.h>

#include "channel.h"
#include "conf.h"
#include "customer.h"
#include "keydate.h"
#include "sms_text.h"
#include "store.h"
#include "tmpl_set.h"

struct render_input {
	const struct conf *cf;
	const struct customer *c;
	const struct store_rep *rep;	 /* NULL when the customer has none */
	const struct conf_rule *rule;
	enum channel channel;
	int32_t day;			 /* the day the message is for */
	int32_t event_day;		 /* the event's day */
	int years;			 /* age / anniversary count, -1 = none */
	const struct keydate *keydate;	 /* a key date rule's, else NULL */
	const char *unsubscribe_url;	 /* e-mail one-click URL, or NULL */
	const char *survey_url;		 /* after_visit rules: the survey's
					    signed link (survey.h), else NULL */
};

struct render_output {
	struct tmpl_rendered msg;	 /* subject/reply_to for e-mail */
	const struct tmpl_msg *tmpl;	 /* which file was used (borrowed) */
	struct sms_text_info sms;	 /* SMS only */
};

/* Renders the rule's template for the customer's locale (falling back to
 * the configured locale, then none).  Returns -1 with the reason (missing
 * value, no template, SMS too long) in *cause. */
int render_message(const struct tmpl_set *ts, const struct render_input *in,
    struct render_output *out, char **cause);
void render_output_free(struct render_output *out);
/* Loads cf->templates and checks it against the rules. */
struct tmpl_set *render_load_templates(const struct conf *cf, char **cause);

#endif
