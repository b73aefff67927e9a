/* compose.c - from a planned item to the message that is sent. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compose.h"
#include "date.h"
#include "date_zone.h"
#include "mime.h"
#include "optout.h"
#include "planner.h"
#include "render.h"
#include "survey.h"
#include "util.h"

const struct conf_rule *
compose_rule(const struct conf *cf, const char *name)
{
	size_t i;

	for (i = 0; i < cf->nrules; i++) {
		if (strcmp(cf->rules[i].name, name) == 0)
			return cf->rules[i].action != ACT_TASK ?
			    &cf->rules[i] : NULL;
	}
	return NULL;
}

int64_t
compose_window_start(const struct conf *cf, int32_t day, const char *tz)
{
	const struct conf_delivery *d = &cf->delivery;
	int secs = d->quiet_start == d->quiet_end ? 0 : d->quiet_end * 60;
	time_t t;

	if (date_local_to_utc(day, secs, tz, &t, NULL) != 0)
		return (int64_t)day * 86400 + secs;
	return (int64_t)t;
}

int64_t
compose_defer(const struct conf *cf, int64_t now, int32_t day,
    const char *tz)
{
	int32_t today;
	int secs, qs = cf->delivery.quiet_start * 60;
	int qe = cf->delivery.quiet_end * 60, quiet;

	if (date_today((time_t)now, tz, &today, NULL) != 0 ||
	    date_local_seconds((time_t)now, tz, &secs, NULL) != 0)
		return 0;
	if (today < day)
		return compose_window_start(cf, day, tz);
	if (qs == qe)
		return 0;
	quiet = qs < qe ? secs >= qs && secs < qe : secs >= qs || secs < qe;
	if (!quiet)
		return 0;
	return compose_window_start(cf, secs >= qe ? today + 1 : today, tz);
}

/* The display name of the sender: the rep's name, then the company's. */
static char *
sender_name(const struct conf *cf, const struct store_rep *rep)
{
	const char *company = cf->email.from_name;

	if (rep != NULL && rep->name != NULL)
		return company ? xasprintf("%s | %s", rep->name, company) :
		    xstrdup(rep->name);
	return company ? xstrdup(company) : NULL;
}

/* The rendered message becomes an outbox row; the strings move to it. */
static void
fill_row(const struct compose_ctx *x, const struct compose_item *it,
    const struct conf_rule *rule, const struct customer *c,
    const struct store_rep *rep, struct tmpl_rendered *r, int64_t now,
    struct outbox_msg *m)
{
	const char *tz = c->field[CUST_TIMEZONE] ? c->field[CUST_TIMEZONE] :
	    x->cf->timezone;
	int64_t start = compose_window_start(x->cf, it->day, tz);
	time_t end = 0;
	const char *to = it->channel == CHANNEL_EMAIL ? c->field[CUST_EMAIL] :
	    c->field[CUST_PHONE];

	memset(m, 0, sizeof(*m));
	m->dedup_key = xasprintf("%s:%s", it->key, channel_name(it->channel));
	m->item_id = it->item_id;
	m->customer_id = c->id;
	m->channel = it->channel;
	m->recipient = xstrdup(to);
	m->recipient_name = c->field[CUST_NAME] ?
	    xstrdup(c->field[CUST_NAME]) : NULL;
	m->from_name = sender_name(x->cf, rep);
	/* The template's Reply-To, else the rep's own address. */
	m->reply_to = r->reply_to ? r->reply_to : rep && rep->email ?
	    xstrdup(rep->email) : NULL;
	m->subject = r->subject;
	m->body = r->text;
	m->html = r->html;
	m->sms_request = r->provider;
	memset(r, 0, sizeof(*r));
	m->day = it->day;
	m->timezone = xstrdup(tz);
	m->not_before = start > now ? start : now;
	/* Local midnight after the last day it may still go out. */
	if (date_local_to_utc(it->day + rule->max_delay_days + 1, 0, tz, &end,
	    NULL) == 0)
		m->expires_at = (int64_t)end;
	m->render_key = x->render_key ? xstrdup(x->render_key) : NULL;
	m->rendered_at = now;
}

int
compose_message(const struct compose_ctx *x, const struct compose_item *it,
    const struct customer *c, const struct store_rep *rep, int64_t now,
    struct compose_msg *out, char **why)
{
	struct render_input in = { 0 };
	struct render_output o = { 0 };
	char *url = NULL, *survey = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((in.rule = compose_rule(x->cf, it->rule)) == NULL)
		return set_error(why, "rule %s is no longer configured",
		    it->rule);
	if (it->channel == CHANNEL_EMAIL)
		url = optout_url(x->cf, x->secret, it->item_id, c->id,
		    CHANNEL_EMAIL);
	in.cf = x->cf, in.c = c, in.rep = rep;
	in.channel = it->channel, in.day = it->day;
	in.event_day = it->occurrence;
	in.years = planner_event_years(in.rule->event,
	    c->field[CUST_BIRTHDAY], c->field[CUST_ANNIVERSARY],
	    it->occurrence);
	if (in.rule->event == EV_KEYDATE) {
		in.keydate = keydate_find(c->keydates, c->nkeydates,
		    in.rule->label);
		if (in.keydate == NULL) {
			free(url);
			return set_error(why, "no key date \"%s\" for this "
			    "customer any more", in.rule->label);
		}
		in.years = keydate_years(in.keydate->date,
		    in.keydate->yearly, it->occurrence);
	}
	in.unsubscribe_url = url;
	if (in.rule->event == EV_AFTER_VISIT)
		in.survey_url = survey = survey_url(x->cf, x->secret,
		    it->item_id, c->id);
	rc = render_message(x->ts, &in, &o, why);
	free(url);
	free(survey);
	if (rc != 0)
		return -1;
	if ((it->channel == CHANNEL_EMAIL ? c->field[CUST_EMAIL] :
	    c->field[CUST_PHONE]) == NULL) {
		render_output_free(&o);
		return set_error(why, "no %s for this customer any more",
		    channel_name(it->channel));
	}
	fill_row(x, it, in.rule, c, rep, &o.msg, now, &out->m);
	out->tmpl = o.tmpl;
	out->sms = o.sms;
	render_output_free(&o);
	return 0;
}

void
compose_msg_free(struct compose_msg *cm)
{
	outbox_msg_clear(&cm->m);
	memset(cm, 0, sizeof(*cm));
}

int
compose_email(const struct conf *cf,
    const unsigned char secret[TOKEN_SECRET_LEN], const struct outbox_msg *m,
    int64_t date, char **out, size_t *len, char **cause)
{
	struct mime_msg mm = { 0 };
	char *msgid, *url = NULL, *p, *hdr;
	const char *extra[2] = { NULL, NULL };
	int rc;

	msgid = xasprintf("%s@%s", m->dedup_key, cf->email.helo);
	for (p = msgid; *p != '@'; p++) {
		if (*p == ':')
			*p = '.';
	}
	if (m->item_id > 0)
		url = optout_url(cf, secret, m->item_id, m->customer_id,
		    CHANNEL_EMAIL);
	hdr = xasprintf("X-Outreachd-Key: %s", m->dedup_key);
	extra[0] = hdr;
	mm.from_name = m->from_name;
	mm.from_addr = cf->email.from;
	mm.to_name = m->recipient_name;
	mm.to_addr = m->recipient;
	mm.reply_to = m->reply_to;
	mm.subject = m->subject;
	mm.text = m->body;
	mm.html = m->html;
	mm.message_id = msgid;
	mm.date = date;
	mm.list_unsubscribe_url = url;
	mm.extra_headers = extra;
	rc = mime_build(&mm, out, len, cause);
	free(msgid);
	free(url);
	free(hdr);
	return rc;
}
