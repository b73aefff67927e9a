/* cli_plan.c - outreachctl plan and tiers recompute. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "date.h"
#include "json.h"
#include "planner.h"
#include "reason.h"
#include "tiers.h"
#include "util.h"

static int	cmd_plan(struct cli *, const struct cli_cmd *, int, char **);
static int	cmd_tiers_recompute(struct cli *, const struct cli_cmd *, int,
		    char **);

static const struct option plan_opts[] = {
	{ "date", required_argument, NULL, 'd' },
	{ "days", required_argument, NULL, 'n' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cli_plan_entry = {
	.name = "plan",
	.usage = "[--date YYYY-MM-DD] [--days N] [--json]",
	.help = "show what would be planned for those days, writing nothing",
	.opts = plan_opts,
	.flags = CLI_READ,
	.run = cmd_plan,
};

static const struct option tiers_opts[] = {
	{ "date", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cli_tiers_recompute_entry = {
	.name = "tiers recompute",
	.usage = "[--date YYYY-MM-DD]",
	.help = "recompute A/B/C tiers from purchases (manual tiers override)",
	.opts = tiers_opts,
	.run = cmd_tiers_recompute,
};

static void
item_json(struct json *j, const struct plan_item *it)
{
	const struct conf_rule *r = it->rule;
	char d[11], t[2] = { it->tier, '\0' }, *why;

	date_format(it->day, d);
	json_begin_object(j);
	json_kv_string(j, "date", d);
	json_kv_string(j, "rule", r->name);
	json_kv_string(j, "event", conf_event_name(r->event));
	json_kv_string(j, "customer", it->external_id);
	json_kv_string(j, "name", it->name);
	json_kv_string(j, "tier", t);
	json_kv_string(j, "action", conf_action_name(it->action));
	json_kv_string(j, "channel", it->channel);
	json_kv_string(j, "task_kind", it->action == ACT_TASK ? r->task_kind :
	    it->action == ACT_REP_MESSAGE ? "message" : NULL);
	if (r->event == EV_KEYDATE)
		json_kv_string(j, "keydate", r->label);
	why = reason_text(it->reason, I18N_EN);
	json_kv_string(j, "reason", why);
	json_end_object(j);
	free(why);
}

static void
item_text(const struct plan_item *it)
{
	const struct conf_rule *r = it->rule;
	char d[11], *why = reason_text(it->reason, I18N_EN);

	date_format(it->day, d);
	printf("%s  %-16s %-10s %c  %-8s %-7s %s (%s)\n", d, r->name,
	    it->external_id, it->tier, conf_action_name(it->action),
	    it->action != ACT_TASK ? it->channel : r->task_kind,
	    it->name, why);
	free(why);
}

/* plan: the items of those days, as text or JSON. */
/* ", N held out" when a rule's holdout kept messages back, else "". */
static const char *
held_out_text(const struct plan_stats *ps)
{
	static char b[48];

	if (ps->held_out == 0)
		return "";
	snprintf(b, sizeof(b), ", %lu held out", ps->held_out);
	return b;
}

static int
cmd_plan(struct cli *cli, const struct cli_cmd *self, int argc, char **argv)
{
	struct plan_list l = { 0 };
	struct plan_stats ps;
	struct json j;
	char *cause = NULL, *end;
	int32_t day = DAY_NONE;
	long days = 1;
	size_t i;
	int ch, json = 0;

	while ((ch = cli_getopt(self, argc, argv)) != -1) {
		switch (ch) {
		case 'd':
			if (cli_parse_day(optarg, &day) != 0)
				return EX_USAGE;
			break;
		case 'n':
			days = strtol(optarg, &end, 10);
			if (*end != '\0' || days < 1 || days > 366)
				return cli_fail(EX_USAGE, "--days must be 1..366");
			break;
		case 'j':
			json = 1;
			break;
		default:
			return cli_usage(self, ch == 'h' ? 0 : EX_USAGE);
		}
	}
	if (optind != argc)
		return cli_usage(self, EX_USAGE);
	if (day == DAY_NONE)
		day = cli_today(cli);
	if (planner_run(cli_store(cli), cli->conf, day, (int)days, 0,
	    time(NULL), &l, &ps, &cause) != 0) {
		cli_fail(EX_SOFTWARE, "%s", cause);
		free(cause);
		return EX_SOFTWARE;
	}
	if (json) {
		json_init(&j, stdout, 0);
		json_begin_array(&j);
	}
	for (i = 0; i < l.n; i++) {
		if (json)
			item_json(&j, &l.items[i]);
		else
			item_text(&l.items[i]);
	}
	if (json)
		json_end_array(&j);
	else
		printf("%lu items; messages not planned: %lu over the frequency "
		    "cap, %lu without a usable channel, %lu to lost customers"
		    "%s\n", ps.items, ps.capped, ps.unreachable, ps.lost,
		    held_out_text(&ps));
	plan_list_free(&l);
	return 0;
}

/* tiers recompute: the computed tiers as of a day. */
static int
cmd_tiers_recompute(struct cli *cli, const struct cli_cmd *self, int argc,
    char **argv)
{
	struct tiers_result r;
	char *cause = NULL;
	int32_t day = DAY_NONE;
	int ch;

	while ((ch = cli_getopt(self, argc, argv)) != -1) {
		if (ch != 'd')
			return cli_usage(self, ch == 'h' ? 0 : EX_USAGE);
		if (cli_parse_day(optarg, &day) != 0)
			return EX_USAGE;
	}
	if (optind != argc)
		return cli_usage(self, EX_USAGE);
	if (day == DAY_NONE)
		day = cli_today(cli);
	if (tiers_recompute(cli_store(cli), cli->conf, day, &r, &cause) != 0) {
		cli_fail(EX_SOFTWARE, "%s", cause);
		free(cause);
		return EX_SOFTWARE;
	}
	printf("%lu customers: A %lu, B %lu, C %lu (computed); %lu changed; "
	    "%lu with their own sleeping threshold\n", r.customers, r.count[0],
	    r.count[1], r.count[2], r.changed, r.personal_sleep);
	return 0;
}
