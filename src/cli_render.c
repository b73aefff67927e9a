/* cli_render.c - outreachctl render: exactly what a rule would send. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "compose.h"
#include "optout.h"
#include "planner.h"
#include "render.h"
#include "store_plan.h"
#include "tmpl_provider.h"
#include "util.h"

static int	cmd_render(struct cli *, const struct cli_cmd *, int, char **);

static const struct option render_opts[] = {
	{ "channel", required_argument, NULL, 'c' },
	{ "date", required_argument, NULL, 'd' },
	{ "raw", no_argument, NULL, 'r' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cli_render_entry = {
	.name = "render",
	.usage = "RULE CUSTOMER [--channel email|sms] [--date YYYY-MM-DD] [--raw]",
	.help = "print exactly what RULE would send to CUSTOMER",
	.opts = render_opts,
	.flags = CLI_READ,
	.run = cmd_render,
};

/* What an SMS asks a provider of approved templates for, exactly as the
 * request carries it: template id, sign name, each parameter's value. */
static void
print_provider(const struct conf *cf, const struct outbox_msg *m)
{
	struct tmpl_provider_req pr;
	size_t i;

	if (tmpl_provider_req_parse(m->sms_request, &pr, NULL) != 0)
		return;
	printf("Provider: %s\nTemplate-Id: %s\nSign-Name: %s\n",
	    cf->sms.transport == TRANSPORT_ALIYUN ? "aliyun" : "tencent",
	    pr.template_id, cf->sms.sign_name ? cf->sms.sign_name : "");
	for (i = 0; i < pr.n; i++)
		printf("Param %s: %s\n", pr.names[i], pr.values[i]);
	tmpl_provider_req_free(&pr);
}

/* The composed message for a reader: headers as they are sent, decoded. */
static void
print_rendered(const struct conf *cf, const char *rule,
    const struct compose_msg *cm)
{
	const struct outbox_msg *m = &cm->m;

	printf("Rule: %s\nTemplate: %s\nChannel: %s\n", rule,
	    cm->tmpl->file, channel_name(m->channel));
	if (m->channel == CHANNEL_SMS && m->sms_request != NULL) {
		print_provider(cf, m);
		if (*m->body == '\0') {
			printf("To: %s\n\n(the template file keeps no text of "
			    "the approved template)\n", m->recipient);
			return;
		}
	}
	if (m->channel == CHANNEL_SMS) {
		printf("To: %s\nEncoding: %s, %zu characters, %zu segment%s\n\n"
		    "%s\n", m->recipient, sms_encoding_name(cm->sms.encoding),
		    cm->sms.chars, cm->sms.segments, cm->sms.segments == 1 ? "" :
		    "s", m->body);
		return;
	}
	printf("From: %s <%s>\nTo: %s <%s>\nSubject: %s\n",
	    m->from_name ? m->from_name : "", cf->email.from,
	    m->recipient_name ? m->recipient_name : "", m->recipient,
	    m->subject);
	if (m->reply_to != NULL)
		printf("Reply-To: %s\n", m->reply_to);
	printf("\n%s\n", m->body);
	if (m->html != NULL)
		printf("\n--- text/html alternative ---\n%s\n", m->html);
}

/* Prints the RFC 5322 text exactly as it would be sent now. */
static int
print_raw(struct cli *cli, const unsigned char *secret,
    const struct compose_msg *cm)
{
	char *text = NULL, *cause = NULL;
	size_t len;

	if (cm->m.channel != CHANNEL_EMAIL) {
		fputs(cm->m.body, stdout);
		return 0;
	}
	if (compose_email(cli->conf, secret, &cm->m, time(NULL), &text, &len,
	    &cause) != 0) {
		cli_fail(EX_DATAERR, "%s", cause);
		free(cause);
		return EX_DATAERR;
	}
	fwrite(text, 1, len, stdout);
	free(text);
	return 0;
}

/* Composes as the outbox would for the item this preview stands for:
 * the planned item's key and id when it is planned (so the link and the
 * Message-ID are the sent ones), else the key it will get and id 0. */
static int
render_one(struct cli *cli, const struct conf_rule *r, struct customer *c,
    enum channel channel, int32_t day, int raw)
{
	struct store_rep rep = { 0 };
	struct compose_item it = { 0 };
	struct compose_msg cm;
	struct compose_ctx x = { 0 };
	struct tmpl_set *ts;
	unsigned char secret[TOKEN_SECRET_LEN];
	char *cause = NULL, *key;
	int rc = 0;

	if ((ts = render_load_templates(cli->conf, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return EX_CONFIG;
	}
	if (optout_secret(cli_store(cli), secret, &cause) != 0) {
		rc = cli_fail(EX_SOFTWARE, "%s", cause);
		free(cause);
		tmpl_set_free(ts);
		return rc;
	}
	if (c->field[CUST_REP] != NULL)
		store_rep_get(cli_store(cli), c->field[CUST_REP], &rep, NULL);
	it.occurrence = day + r->lead_days;
	it.key = key = planner_item_key(r, c->id, it.occurrence);
	if (store_plan_item_id(cli_store(cli), key, &it.item_id, NULL) != 1)
		it.item_id = 0;
	it.rule = r->name, it.channel = channel, it.day = day;
	x.cf = cli->conf, x.ts = ts, x.secret = secret;
	if (compose_message(&x, &it, c, rep.key ? &rep : NULL, time(NULL),
	    &cm, &cause) != 0) {
		rc = cli_fail(EX_DATAERR, "%s: not sent: %s",
		    c->field[CUST_EXTERNAL_ID], cause);
		free(cause);
	} else {
		if (raw)
			rc = print_raw(cli, secret, &cm);
		else
			print_rendered(cli->conf, r->name, &cm);
		compose_msg_free(&cm);
	}
	memset(secret, 0, sizeof(secret));
	free(key);
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
	enum channel chan;
	int32_t day = DAY_NONE;
	int ch, rc, raw = 0;

	while ((ch = cli_getopt(self, argc, argv)) != -1) {
		if (ch == 'c')
			channel = optarg;
		else if (ch == 'r')
			raw = 1;
		else if (ch == 'd') {
			if (cli_parse_day(optarg, &day) != 0)
				return EX_USAGE;
		} else
			return cli_usage(self, ch == 'h' ? 0 : EX_USAGE);
	}
	if (optind != argc - 2)
		return cli_usage(self, EX_USAGE);
	if (channel && channel_parse(channel, &chan) != 0)
		return cli_fail(EX_USAGE, "--channel must be email or sms");
	if ((r = compose_rule(cli->conf, argv[optind])) == NULL)
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
	if (channel_parse(channel, &chan) != 0)
		rc = cli_fail(EX_DATAERR, "%s has no e-mail or phone the rule "
		    "may use (or opted out)", argv[optind + 1]);
	else if (chan == CHANNEL_EMAIL ? !c.field[CUST_EMAIL] :
	    !c.field[CUST_PHONE])
		rc = cli_fail(EX_DATAERR, "%s has no %s", argv[optind + 1],
		    chan == CHANNEL_EMAIL ? "e-mail address" : "phone number");
	else
		rc = render_one(cli, r, &c, chan, day == DAY_NONE ?
		    cli_today(cli) : day, raw);
	customer_clear(&c);
	return rc;
}
