/* render.c - template values for a customer and a planned message. */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "sms_channel.h"
#include "util.h"

/* Values computed once per render; the lookup hands out pointers. */
struct render_vals {
	const struct render_input *in;
	char tier[2];
	char event_date[11];
	char last_contact[11];
	char days_until[16];
	char years[16];
	char *optout_line;
	const char *keydate_title;
	const char *holiday;
};

/* The locale used for a customer: their own, else the configured one. */
static const char *
render_locale(const struct conf *cf, const struct customer *c)
{
	return c->field[CUST_LOCALE] ? c->field[CUST_LOCALE] : cf->locale;
}

static int
is_chinese(const char *locale)
{
	return locale != NULL && strncmp(locale, "zh", 2) == 0;
}

/* One line telling the customer how to stop; SMS keywords are the ones the
 * inbound-SMS handler understands. */
static char *
optout_line(const struct render_input *in)
{
	int zh = is_chinese(render_locale(in->cf, in->c));

	if (in->channel == CHANNEL_SMS)
		return xstrdup(zh ? "回复TD退订" : "Reply STOP to opt out");
	if (in->unsubscribe_url != NULL)
		return xasprintf(zh ? "不想再收到此类邮件？退订：%s" :
		    "Don't want these e-mails? Unsubscribe: %s",
		    in->unsubscribe_url);
	return xstrdup(zh ? "如不想再收到此类邮件，请回复告知。" :
	    "Reply to this e-mail if you would rather not hear from us.");
}

static const char *
nonempty(const char *s)
{
	return str_empty(s) ? NULL : s;
}

/* keydate.label, .title and .years: absent unless the message is for a
 * key date; years from 1 on, like an anniversary's. */
static const char *
render_keydate(const struct render_vals *v, const char *what)
{
	const struct keydate *k = v->in->keydate;

	if (k == NULL)
		return NULL;
	if (strcmp(what, "label") == 0)
		return k->label;
	if (strcmp(what, "title") == 0)
		return v->keydate_title;
	if (strcmp(what, "years") == 0)
		return v->in->years > 0 ? v->years : NULL;
	return NULL;
}

static const char *
render_lookup(void *arg, const char *name)
{
	struct render_vals *v = arg;
	const struct render_input *in = v->in;
	const struct customer *c = in->c;

	if (strncmp(name, "attr.", 5) == 0)
		return nonempty(customer_attr_get(c, name + 5));
	if (strncmp(name, "rep.", 4) == 0) {
		if (in->rep == NULL)
			return NULL;
		if (strcmp(name + 4, "name") == 0)
			return nonempty(in->rep->name);
		if (strcmp(name + 4, "phone") == 0)
			return nonempty(in->rep->phone);
		return strcmp(name + 4, "email") == 0 ?
		    nonempty(in->rep->email) : NULL;
	}
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
		{ "name", CUST_NAME }, { "salutation", CUST_SALUTATION },
	};
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		if (strcmp(name, fields[i].name) == 0)
			return nonempty(c->field[fields[i].off]);
	}
	if (strcmp(name, "tier") == 0)
		return v->tier;
	if (strcmp(name, "company") == 0)
		return nonempty(in->cf->company);
	if (strcmp(name, "event") == 0)
		return conf_event_name(in->rule->event);
	if (strcmp(name, "holiday") == 0)
		return v->holiday;
	if (strcmp(name, "event_date") == 0)
		return v->event_date;
	if (strcmp(name, "days_until") == 0)
		return v->days_until;
	if (strcmp(name, "years") == 0 || (strcmp(name, "age") == 0 &&
	    in->rule->event == EV_BIRTHDAY))
		return in->years > 0 ? v->years : NULL;
	if (strcmp(name, "last_contact") == 0)
		return c->last_contact == DAY_NONE ? NULL : v->last_contact;
	if (strncmp(name, "keydate.", 8) == 0)
		return render_keydate(v, name + 8);
	if (strcmp(name, "optout_line") == 0)
		return v->optout_line;
	if (strcmp(name, "unsubscribe_url") == 0)
		return in->unsubscribe_url;
	if (strcmp(name, "survey_url") == 0)
		return in->survey_url;
	return NULL;
}

static void
render_prepare(const struct render_input *in, struct render_vals *v)
{
	const struct conf_holiday *h;

	memset(v, 0, sizeof(*v));
	v->in = in;
	v->tier[0] = customer_tier(in->c) ? customer_tier(in->c)[0] : 'C';
	date_format(in->event_day, v->event_date);
	if (in->c->last_contact != DAY_NONE)
		date_format(in->c->last_contact, v->last_contact);
	snprintf(v->days_until, sizeof(v->days_until), "%d",
	    (int)(in->event_day - in->day));
	snprintf(v->years, sizeof(v->years), "%d", in->years);
	v->optout_line = optout_line(in);
	if (in->rule->holiday != NULL &&
	    (h = conf_holiday_find(in->cf, in->rule->holiday)) != NULL)
		v->holiday = h->title;
	if (in->keydate != NULL)
		v->keydate_title = conf_keydate_title(in->cf,
		    in->keydate->label);
}

/* An SMS to a provider of approved templates: the template's provider
 * block, rendered and checked against the provider's limits, is what is
 * sent; the text only says what the approved template reads, its ${NAME}
 * or {N} filled with the values. */
static int
render_provider(const struct render_input *in, struct render_output *out,
    struct render_vals *v, char **cause)
{
	struct tmpl_provider_limits lim;
	char *text;

	if (sms_channel_limits(&in->cf->sms, &lim) != 0)
		return 0;
	if (out->tmpl->provider == NULL)
		return set_error(cause, "%s:1: the %s transport sends only "
		    "approved templates, and this file has no provider-template",
		    out->tmpl->file, lim.provider);
	if (tmpl_provider_render(out->tmpl->provider, out->tmpl->file,
	    render_lookup, v, &lim, &out->msg.provider, cause) != 0)
		return -1;
	text = tmpl_provider_fill(out->msg.text, out->msg.provider,
	    lim.numbered);
	free(out->msg.text);
	out->msg.text = text;
	return 0;
}

int
render_message(const struct tmpl_set *ts, const struct render_input *in,
    struct render_output *out, char **cause)
{
	struct render_vals v;
	const char *locale = render_locale(in->cf, in->c);
	int rc;

	memset(out, 0, sizeof(*out));
	out->tmpl = tmpl_set_find(ts, in->rule->template,
	    channel_name(in->channel), locale);
	if (out->tmpl == NULL)
		return set_error(cause, "no template %s.%s for locale %s",
		    in->rule->template, channel_name(in->channel), locale);
	render_prepare(in, &v);
	rc = tmpl_msg_render(out->tmpl, render_lookup, &v, &out->msg, cause);
	if (rc == 0 && in->channel == CHANNEL_SMS &&
	    render_provider(in, out, &v, cause) != 0) {
		render_output_free(out);
		rc = -1;
	}
	free(v.optout_line);
	if (rc != 0)
		return -1;
	if (in->channel == CHANNEL_SMS) {
		if (sms_text_analyze(out->msg.text, &out->sms) != 0 ||
		    (out->msg.provider == NULL && sms_text_check(out->msg.text,
		    in->cf->sms.max_segments, cause) != 0)) {
			render_output_free(out);
			return -1;
		}
	}
	return 0;
}

void
render_output_free(struct render_output *out)
{
	tmpl_rendered_free(&out->msg);
	memset(out, 0, sizeof(*out));
}

/* Channels a rule may send on: "preferred" can be either. */
static int
rule_uses(const struct conf_rule *r, const char *channel)
{
	size_t i;

	for (i = 0; i < r->nchannels; i++) {
		if (strcmp(r->channels[i], "preferred") == 0 ||
		    strcmp(r->channels[i], channel) == 0)
			return 1;
	}
	return 0;
}

/* With a provider of approved templates, every SMS template a message
 * rule may use (any locale) names its provider template, with parameter
 * names the provider takes. */
static void
render_check_providers(const struct conf *cf, const struct tmpl_set *ts,
    struct buf *b)
{
	struct tmpl_provider_limits lim;
	const struct tmpl_msg *m;
	char *why = NULL;
	size_t i, k;

	if (sms_channel_limits(&cf->sms, &lim) != 0)
		return;
	for (i = 0; (m = tmpl_set_get(ts, i)) != NULL; i++) {
		if (strcmp(m->channel, "sms") != 0)
			continue;
		for (k = 0; k < cf->nrules; k++)
			if (cf->rules[k].action == ACT_MESSAGE &&
			    strcmp(cf->rules[k].template, m->rule) == 0 &&
			    rule_uses(&cf->rules[k], "sms"))
				break;
		if (k == cf->nrules)
			continue;
		if (m->provider == NULL)
			buf_printf(b, "%s%s/%s:1: rule %s: the %s transport sends "
			    "only approved templates: no provider-template",
			    b->len ? "\n" : "", cf->templates, m->file,
			    cf->rules[k].name, lim.provider);
		else if (tmpl_provider_check(m->provider, m->file, &lim,
		    &why) != 0 || tmpl_provider_check_literals(m->provider,
		    m->file, &lim, &why) != 0) {
			buf_printf(b, "%s%s/%s", b->len ? "\n" : "",
			    cf->templates, why);
			free(why);
			why = NULL;
		}
	}
}

/* Every message rule must have a default-locale template for each channel
 * it may use, and digests theirs when enabled; the error names the rule's
 * config line. */
static int
render_check_rules(const struct conf *cf, const struct tmpl_set *ts,
    char **cause)
{
	static const char *const chans[] = { "email", "sms" };
	const struct conf_rule *r;
	struct buf b;
	size_t i, k;

	buf_init(&b);
	for (i = 0; i < cf->nrules; i++) {
		r = &cf->rules[i];
		if (r->action != ACT_MESSAGE)
			continue;
		for (k = 0; k < ARRAY_SIZE(chans); k++) {
			if (!rule_uses(r, chans[k]) ||
			    tmpl_set_find(ts, r->template, chans[k], NULL))
				continue;
			buf_printf(&b, "%s%s:%d: rule %s: no template %s.%s.tmpl "
			    "(the fallback for every locale) in %s",
			    b.len ? "\n" : "", cf->path ? cf->path :
			    "(built-in defaults)", r->line, r->name, r->template,
			    chans[k], cf->templates);
		}
	}
	render_check_providers(cf, ts, &b);
	if (cf->plan.digest_enabled && !tmpl_set_find(ts, "digest", "email",
	    NULL))
		buf_printf(&b, "%s%s: digest.enabled: no template "
		    "digest.email.tmpl (the fallback for every locale) in %s",
		    b.len ? "\n" : "", cf->path ? cf->path :
		    "(built-in defaults)", cf->templates);
	if (cf->plan.digest_enabled && cf->report.weekly_day !=
	    REPORT_WEEKLY_OFF && !tmpl_set_find(ts, "report", "email", NULL))
		buf_printf(&b, "%s%s: report.weekly_day: no template "
		    "report.email.tmpl (the fallback for every locale) in %s",
		    b.len ? "\n" : "", cf->path ? cf->path :
		    "(built-in defaults)", cf->templates);
	if (b.len == 0) {
		buf_free(&b);
		return 0;
	}
	*cause = buf_detach(&b);
	return -1;
}

struct tmpl_set *
render_load_templates(const struct conf *cf, char **cause)
{
	struct tmpl_set *ts;
	char *err = NULL;

	if ((ts = tmpl_set_load(cf->templates, &err)) == NULL) {
		set_error(cause, "%s", err);
		free(err);
		return NULL;
	}
	if (render_check_rules(cf, ts, cause) != 0) {
		tmpl_set_free(ts);
		return NULL;
	}
	return ts;
}
