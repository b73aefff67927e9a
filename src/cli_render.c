/* cli_render.c - outreachctl render: exactly what a rule would send. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "date.h"
#include "planner.h"
#include "deliver.h"
#include "render.h"
#include "store_plan.h"
#include "token.h"
#include "util.h"

static int	cmd_render(struct cli *, const struct cli_cmd *, int, char **);

static const struct option render_opts[] = {
	{ "channel", required_argument, NULL, 'c' },
	{ "date", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cli_render_entry = {
	.name = "render",
	.usage = "RULE CUSTOMER [--channel email|sms] [--date YYYY-MM-DD]",
	.help = "print exactly what RULE would send to CUSTOMER",
	.opts = render_opts,
	.run = cmd_render,
};

static const struct conf_rule *
find_rule(const struct conf *cf, const char *name)
{
	size_t i;

	for (i = 0; i < cf->nrules; i++) {
		if (strcmp(cf->rules[i].name, name) == 0)
			return &cf->rules[i];
	}
	return NULL;
}

static void
print_rendered(const struct render_input *in, const struct render_output *o)
{
	const struct customer *c = in->c;

	printf("Rule: %s\nTemplate: %s\nChannel: %s\n", in->rule->name,
	    o->tmpl->file, in->channel);
	if (strcmp(in->channel, "sms") == 0) {
		printf("To: %s\nEncoding: %s, %zu characters, %zu segment%s\n\n"
		    "%s\n", c->field[CUST_PHONE], sms_encoding_name(o->sms.encoding),
		    o->sms.chars, o->sms.segments, o->sms.segments == 1 ? "" : "s",
		    o->msg.text);
		return;
	}
	if (in->rep != NULL && in->rep->name != NULL)
		printf("From: %s%s%s <%s>\n", in->rep->name,
		    in->cf->email.from_name ? " | " : "",
		    in->cf->email.from_name ? in->cf->email.from_name : "",
		    in->cf->email.from);
	else
		printf("From: %s <%s>\n", in->cf->email.from_name ?
		    in->cf->email.from_name : "", in->cf->email.from);
	printf("To: %s <%s>\nSubject: %s\n", c->field[CUST_NAME],
	    c->field[CUST_EMAIL], o->msg.subject);
	if (o->msg.reply_to != NULL)
		printf("Reply-To: %s\n", o->msg.reply_to);
	printf("\n%s\n", o->msg.text);
	if (o->msg.html != NULL)
		printf("\n--- text/html alternative ---\n%s\n", o->msg.html);
}

/* The id of the planned item this render previews, 0 when none. */
static int64_t
planned_item(struct cli *cli, const struct conf_rule *r,
    const struct customer *c, int32_t event_day)
{
	char d[11], *key;
	int64_t id = 0;

	date_format(event_day, d);
	key = xasprintf("%s:%lld:%s", r->name, (long long)c->id, d);
	if (store_plan_item_id(cli_store(cli), key, &id, NULL) != 1)
		id = 0;
	free(key);
	return id;
}

/* Renders with everything loaded; returns an exit code. */
static int
render_one(struct cli *cli, const struct conf_rule *r, struct customer *c,
    const char *channel, int32_t day)
{
	struct store_rep rep = { 0 };
	struct render_input in = { 0 };
	struct render_output out;
	struct tmpl_set *ts;
	unsigned char secret[TOKEN_SECRET_LEN];
	char *cause = NULL, *url = NULL;
	int rc = 0;

	if ((ts = render_load_templates(cli->conf, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return EX_CONFIG;
	}
	if (c->field[CUST_REP] != NULL)
		store_rep_get(cli_store(cli), c->field[CUST_REP], &rep, NULL);
	in.cf = cli->conf;
	in.c = c;
	in.rep = rep.key ? &rep : NULL;
	in.rule = r;
	in.channel = channel;
	in.day = day;
	in.event_day = day + r->lead_days;
	in.years = planner_event_years(r->event, c->field[CUST_BIRTHDAY],
	    c->field[CUST_ANNIVERSARY], in.event_day);
	/* The link a queued message would carry; its item part is 0 when
	 * nothing is planned yet (the link still opts out this customer). */
	if (strcmp(channel, "email") == 0 && deliver_secret(cli_store(cli),
	    secret, NULL) == 0)
		in.unsubscribe_url = url = deliver_unsub_url(cli->conf, secret,
		    planned_item(cli, r, c, in.event_day), c->id, "email");
	if (render_message(ts, &in, &out, &cause) != 0) {
		rc = cli_fail(EX_DATAERR, "%s: not sent: %s",
		    c->field[CUST_EXTERNAL_ID], cause);
		free(cause);
	} else {
		print_rendered(&in, &out);
		render_output_free(&out);
	}
	free(url);
	store_rep_clear(&rep);
	tmpl_set_free(ts);
	return rc;
}

/* render: loads the rule and the customer and picks the channel. */
static int
cmd_render(struct cli *cli, const struct cli_cmd *self, int argc, char **argv)
{
	const char *channel = NULL;
	const struct conf_rule *r;
	struct customer c;
	char *cause = NULL;
	int32_t day = DAY_NONE;
	int ch, rc;

	while ((ch = cli_getopt(self, argc, argv)) != -1) {
		if (ch == 'c')
			channel = optarg;
		else if (ch == 'd') {
			if (cli_parse_day(optarg, &day) != 0)
				return EX_USAGE;
		} else
			return cli_usage(self, ch == 'h' ? 0 : EX_USAGE);
	}
	if (optind != argc - 2)
		return cli_usage(self, EX_USAGE);
	if (channel && strcmp(channel, "email") && strcmp(channel, "sms"))
		return cli_fail(EX_USAGE, "--channel must be email or sms");
	if ((r = find_rule(cli->conf, argv[optind])) == NULL ||
	    r->action != ACT_MESSAGE)
		return cli_fail(EX_USAGE, "\"%s\" is not a message rule of %s",
		    argv[optind], cli->conf->path ? cli->conf->path :
		    "the built-in configuration");
	customer_init(&c);
	rc = store_customer_get(cli_store(cli), argv[optind + 1], &c, &cause);
	if (rc != 1) {
		rc = rc < 0 ? cli_fail(EX_SOFTWARE, "%s", cause) :
		    cli_fail(EX_DATAERR, "no customer \"%s\"", argv[optind + 1]);
		free(cause);
		return rc;
	}
	if (channel == NULL)
		channel = customer_pick_channel((const char *const *)r->channels,
		    r->nchannels, c.field[CUST_CHANNEL], c.field[CUST_EMAIL],
		    c.field[CUST_PHONE], c.field[CUST_OPT_OUT]);
	if (channel == NULL)
		rc = cli_fail(EX_DATAERR, "%s has no e-mail or phone the rule "
		    "may use (or opted out)", argv[optind + 1]);
	else if (strcmp(channel, "email") == 0 ? !c.field[CUST_EMAIL] :
	    !c.field[CUST_PHONE])
		rc = cli_fail(EX_DATAERR, "%s has no %s", argv[optind + 1],
		    strcmp(channel, "email") == 0 ? "e-mail address" :
		    "phone number");
	else
		rc = render_one(cli, r, &c, channel, day == DAY_NONE ?
		    cli_today(cli) : day);
	customer_clear(&c);
	return rc;
}
