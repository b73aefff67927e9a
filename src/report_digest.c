/* report_digest.c - the managers' weekly report e-mail
 * (report_digest.h). */
#include "report_digest.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "date_zone.h"
#include "digest.h"
#include "i18n.h"
#include "log.h"
#include "replink.h"
#include "report.h"
#include "store_outbox.h"
#include "store_page.h"
#include "team.h"
#include "util.h"

/* One queue pass: the report is built once, for the first manager due. */
struct rd_run {
	const struct conf *cf;
	const struct tmpl_set *ts;
	struct store *st;
	int64_t now;
	unsigned char key[TOKEN_SECRET_LEN];
	int have_key;
	struct report *r;
};

/* What the template sees. */
struct rd_vals {
	const struct store_rep *rep;
	char date[11];
	char *figures;
	char *url;
};

char *
report_digest_url(const struct conf *cf,
    const unsigned char key[TOKEN_SECRET_LEN], int64_t rep_id,
    const char *token_hash)
{
	char *link = replink_make(key, rep_id, 0, token_hash);
	char *url = xasprintf("%s/report/%s", cf->http.base_url, link);

	free(link);
	return url;
}

int
report_digest_link_rep(const char *link, int64_t *rep_id)
{
	unsigned char b[32];
	uint64_t id = 0, task = 0;
	int i;

	if (strlen(link) != REPLINK_LEN || token_b64url_decode(link, b,
	    sizeof(b)) != 0)
		return -1;
	for (i = 0; i < 8; i++) {
		id = id << 8 | b[i];
		task = task << 8 | b[8 + i];
	}
	if (task != 0 || id == 0 || id > INT64_MAX)
		return -1;
	*rep_id = (int64_t)id;
	return 0;
}

/* A rate as "12.3%", "-" when undefined. */
static void
pct(struct buf *b, int rc, double v)
{
	if (rc != 0)
		buf_puts(b, "-");
	else
		buf_printf(b, "%.1f%%", v * 100);
}

/* An amount with two decimals, "-" when undefined. */
static void
money(struct buf *b, int rc, double v)
{
	if (rc != 0)
		buf_puts(b, "-");
	else
		buf_printf(b, "%.2f", v);
}

/* The headline figures, one a line, in the manager's language. */
static char *
rd_figures(const struct report *r, int zh)
{
	struct report_sum s;
	struct buf b;
	double v = 0, p = 0;
	int d = report_b_day(r), rc, rp;

	buf_init(&b);
	report_sum_get(r, -1, 0, &s);
	buf_printf(&b, zh ? "新客户和活跃客户：%ld（沉睡 %ld，流失 %ld）\n" :
	    "New or active customers: %ld (sleeping %ld, lost %ld)\n",
	    report_retained(&s, d), s.states[d * LC_COUNT + LC_SLEEPING],
	    s.states[d * LC_COUNT + LC_LOST]);
	rc = report_crr12(r, &s, &v);
	buf_puts(&b, zh ? "近12个月留存率：" : "Retention, last 12 months: ");
	pct(&b, rc, v);
	rc = report_repeat_rate(&s, &v);
	buf_puts(&b, zh ? "\n复购率：" : "\nRepeat buyers: ");
	pct(&b, rc, v);
	rc = report_clv_historical(&s, &v);
	rp = report_clv_predicted(r, &s, &p);
	buf_puts(&b, zh ? "\n客户终身价值：" : "\nLifetime value so far: ");
	money(&b, rc, v);
	buf_puts(&b, zh ? "（预测 " : " (predicted ");
	money(&b, rp, p);
	buf_puts(&b, zh ? "）" : ")");
	rc = report_compliance(&s, &v);
	buf_puts(&b, zh ? "\n按节奏跟进：" : "\nWithin cadence: ");
	pct(&b, rc, v);
	buf_printf(&b, zh ? "，逾期任务 %ld" : "; overdue tasks %ld",
	    s.overdue_tasks);
	rc = report_csat(&s, &v);
	buf_puts(&b, zh ? "\n满意度（4-5分）：" : "\nSatisfied (CSAT): ");
	pct(&b, rc, v);
	buf_printf(&b, zh ? "，共 %ld 份回答" : " of %ld answers", s.answers);
	report_sum_clear(&s);
	return buf_detach(&b);
}

static const char *
rd_lookup(void *arg, const char *name)
{
	struct rd_vals *v = arg;

	if (strcmp(name, "report.date") == 0)
		return v->date;
	if (strcmp(name, "report.figures") == 0)
		return v->figures;
	if (strcmp(name, "report.url") == 0)
		return v->url;
	if (strcmp(name, "rep.name") == 0)
		return str_empty(v->rep->name) ? NULL : v->rep->name;
	return NULL;
}

/* The manager's signed link; NULL without a token or a link key (or on a
 * store error: the e-mail goes without it). */
static char *
rd_url(struct rd_run *x, const struct store_rep *rep)
{
	char *hash = NULL, *url;

	if (!x->have_key || store_rep_token_hash(x->st, rep->key, &hash,
	    NULL) <= 0)
		return NULL;
	url = report_digest_url(x->cf, x->key, rep->id, hash);
	free(hash);
	return url;
}

/* Renders and queues the e-mail keyed key for day: 0, or -1. */
static int
rd_send(struct rd_run *x, const struct store_rep *rep, const char *key,
    int32_t day, char **cause)
{
	const char *locale = !str_empty(rep->locale) ? rep->locale :
	    x->cf->locale;
	const struct tmpl_msg *msg;
	struct rd_vals v = { .rep = rep };
	struct tmpl_rendered out;
	int rc = -1;

	if ((msg = tmpl_set_find(x->ts, "report", "email", locale)) == NULL)
		return set_error(cause, "no template report.email.tmpl in %s",
		    x->cf->templates);
	date_format(day, v.date);
	v.figures = rd_figures(x->r, i18n_lang(locale) == I18N_ZH);
	v.url = rd_url(x, rep);
	if (tmpl_msg_render(msg, rd_lookup, &v, &out, cause) == 0) {
		rc = digest_queue_mail(x->cf, x->st, rep, key, day, &out,
		    x->now, cause);
		tmpl_rendered_free(&out);
	}
	free(v.figures);
	free(v.url);
	return rc;
}

/* The company's report of the day, the same for every manager: built
 * for the first one due.  0, or -1. */
static int
rd_build(struct rd_run *x, int32_t today, char **cause)
{
	struct report_opts o;

	if (x->r != NULL)
		return 0;
	if (report_period(today, NULL, NULL, &o, cause) != 0)
		return -1;
	o.rep = NULL;
	return (x->r = report_build(x->st, x->cf, &o, cause)) == NULL ? -1 : 0;
}

/* Queues the manager's report when its day and hour have come: 1 queued,
 * 0 not, -1 on error. */
static int
rd_rep(struct rd_run *x, const struct store_rep *rep, char **cause)
{
	const char *tz = rep->timezone ? rep->timezone : x->cf->timezone;
	int32_t today;
	int secs, rc;
	char d[11], *key;

	if (date_today((time_t)x->now, tz, &today, cause) != 0 ||
	    date_local_seconds((time_t)x->now, tz, &secs, cause) != 0)
		return -1;
	if (date_weekday(today) != x->cf->report.weekly_day ||
	    secs / 3600 < x->cf->plan.digest_hour)
		return 0;
	date_format(today, d);
	key = xasprintf("report:%s:%s", rep->key, d);
	if ((rc = store_outbox_has(x->st, key, cause)) != 0) {
		free(key);
		return rc < 0 ? -1 : 0;
	}
	if (rd_build(x, today, cause) != 0) {
		free(key);
		return -1;
	}
	if ((rc = rd_send(x, rep, key, today, cause)) == 0)
		log_info("%s: queued for %s", key, rep->email);
	free(key);
	return rc == 0 ? 1 : -1;
}

/* digest_each_rep's callback: one manager's weekly report. */
static int
rd_rep_cb(void *arg, const struct store_rep *rep, char **why)
{
	return rd_rep(arg, rep, why);
}

int
report_digest_queue(const struct conf *cf, const struct tmpl_set *ts,
    struct store *st, int64_t now, unsigned long *n, char **cause)
{
	struct rd_run x = { .cf = cf, .ts = ts, .st = st, .now = now };
	int rc;

	if (n != NULL)
		*n = 0;
	if (!cf->plan.digest_enabled || cf->report.weekly_day ==
	    REPORT_WEEKLY_OFF)
		return 0;
	rc = digest_each_rep(cf, st, 1, "weekly report", x.key, &x.have_key,
	    rd_rep_cb, &x, n, cause);
	report_free(x.r);
	memset(x.key, 0, sizeof(x.key));
	return rc;
}
