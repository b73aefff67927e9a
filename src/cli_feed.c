/* cli_feed.c - outreachctl feed and rep token: a rep's calendars and the
 * token in their URLs, from the command line. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "feeds.h"
#include "replink.h"
#include "store_task.h"
#include "token.h"
#include "util.h"

static int	cmd_feed(struct cli *, const struct cli_cmd *, int, char **);
static int	rep_token(struct cli *, const struct cli_cmd *, int, char **);

static const struct option feed_opts[] = {
	{ "birthdays", no_argument, NULL, 'b' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cli_feed_entry = {
	.name = "feed",
	.usage = "REP [--birthdays]",
	.help = "write a rep's follow-up (or birthday) calendar to stdout",
	.opts = feed_opts,
	.flags = CLI_READ,
	.run = cmd_feed,
};

const struct cli_cmd cli_rep_token_entry = {
	.name = "rep token",
	.usage = "REP [--revoke]",
	.help = "give the rep a new feed token and print the feed URLs (once; "
	    "the old URLs and task links stop working), or --revoke it",
	.run = rep_token,
};

/* Finds a rep or explains why not: 0, or an exit code. */
static int
rep_find(struct cli *cli, const char *key, struct store_rep *r)
{
	char *cause = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = store_rep_get(cli_store(cli), key, r, &cause)) < 0) {
		cli_fail(EX_SOFTWARE, "%s", cause);
		free(cause);
		return EX_SOFTWARE;
	}
	return rc == 0 ? cli_fail(EX_DATAERR, "no rep \"%s\"", key) : 0;
}

/* feed: a rep's calendar on stdout. */
static int
cmd_feed(struct cli *cli, const struct cli_cmd *self, int argc, char **argv)
{
	enum feeds_kind kind = FEEDS_FOLLOWUPS;
	struct feeds_doc doc;
	struct store_rep r;
	char *cause = NULL;
	int ch, rc;

	while ((ch = cli_getopt(self, argc, argv)) != -1) {
		if (ch == 'b')
			kind = FEEDS_BIRTHDAYS;
		else
			return cli_usage(self, ch == 'h' ? 0 : EX_USAGE);
	}
	if (optind != argc - 1)
		return cli_usage(self, EX_USAGE);
	if ((rc = rep_find(cli, argv[optind], &r)) != 0)
		return rc;
	rc = feeds_render(cli_store(cli), cli->conf, &r, kind, time(NULL), &doc,
	    &cause);
	store_rep_clear(&r);
	if (rc != 0) {
		cli_fail(EX_SOFTWARE, "%s", cause);
		free(cause);
		return EX_SOFTWARE;
	}
	rc = fwrite(doc.data, 1, doc.len, stdout) == doc.len &&
	    fflush(stdout) == 0 ? 0 : cli_fail(EX_IOERR, "stdout: %m");
	feeds_doc_free(&doc);
	return rc;
}

/* Saves a new token's hash for the rep (NULL: revokes the token), and
 * makes sure the task links have their key: 0 or an exit code. */
static int
token_save(struct cli *cli, const char *rep, const char *token)
{
	unsigned char key[TOKEN_SECRET_LEN];
	char *hash = token ? token_hash(token) : NULL, *cause = NULL;
	int rc;

	rc = store_rep_token_set(cli_store(cli), rep, hash, &cause);
	if (rc > 0 && token != NULL &&
	    replink_secret(cli_store(cli), key, 1, &cause) < 0)
		rc = -1;
	memset(key, 0, sizeof(key));
	free(hash);
	if (rc < 0) {
		cli_fail(EX_SOFTWARE, "%s", cause);
		free(cause);
		return EX_SOFTWARE;
	}
	return rc == 0 ? cli_fail(EX_DATAERR, "no rep \"%s\"", rep) : 0;
}

/* rep token --revoke: the rep's feeds and task links stop working. */
static int
token_revoke(struct cli *cli, const char *key)
{
	struct store_rep r;
	int rc;

	if ((rc = rep_find(cli, key, &r)) != 0)
		return rc;
	if ((rc = token_save(cli, r.key, NULL)) == 0)
		fprintf(stderr, "outreachctl: rep %s: feed token revoked; the feed "
		    "URLs and task links no longer work\n", r.key);
	store_rep_clear(&r);
	return rc;
}

/* rep token: a new feed token, its URLs shown once. */
static int
rep_token(struct cli *cli, const struct cli_cmd *self, int argc, char **argv)
{
	struct store_rep r;
	char *token, *url;
	int rc, k;

	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		return cli_usage(self, 0);
	if (argc == 3 && strcmp(argv[2], "--revoke") == 0)
		return token_revoke(cli, argv[1]);
	if (argc != 2 || argv[1][0] == '-')
		return cli_usage(self, EX_USAGE);
	if ((rc = rep_find(cli, argv[1], &r)) != 0)
		return rc;
	if ((token = token_new()) == NULL) {
		store_rep_clear(&r);
		return cli_fail(EX_OSERR, "cannot read random bytes");
	}
	if ((rc = token_save(cli, r.key, token)) == 0) {
		for (k = 0; k < FEEDS_NKINDS; k++) {
			url = feeds_url(cli->conf, token, (enum feeds_kind)k);
			printf("%s\n", url);
			free(url);
		}
		fprintf(stderr, "outreachctl: feed URLs of rep %s: the token is "
		    "shown only now; the previous URLs no longer work\n", r.key);
	}
	memset(token, 0, strlen(token));
	free(token);
	store_rep_clear(&r);
	return rc;
}
