/* test_conf.c - the settings tables: their defaults are what the sample
 * etc/outreachd.conf shows, every entry is well formed, values land in
 * their fields, and errors read as they always did. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "conf_priv.h"
#include "util.h"

#define FIELD(base, off, type) ((type *)(void *)((char *)(base) + (off)))

/* Compares the table's defaults (a) with the built-in configuration (b)
 * for each entry the walk reads, groups included. */
static void
same_defaults(const struct conf_table *t, void *a, void *b, const char *pfx)
{
	const struct conf_entry *ent;
	char *name;

	for (ent = t->entries; ent->name != NULL; ent++) {
		if (ent->parse != NULL)
			continue;
		name = xasprintf("%s%s", pfx, ent->name);
		switch (ent->type) {
		case CONF_INT:
		case CONF_BOOL:
		case CONF_ENUM:
		case CONF_TIME:
			if (*FIELD(a, ent->offset, int) !=
			    *FIELD(b, ent->offset, int))
				fail_msg("%s: table %d, sample %d", name,
				    *FIELD(a, ent->offset, int),
				    *FIELD(b, ent->offset, int));
			break;
		case CONF_NUMBER:
			if (*FIELD(a, ent->offset, double) !=
			    *FIELD(b, ent->offset, double))
				fail_msg("%s: table %g, sample %g", name,
				    *FIELD(a, ent->offset, double),
				    *FIELD(b, ent->offset, double));
			break;
		case CONF_STRING:
			if (ent->def_str != NULL && strcmp(ent->def_str,
			    *FIELD(b, ent->offset, char *)) != 0)
				fail_msg("%s: table \"%s\", sample \"%s\"",
				    name, ent->def_str,
				    *FIELD(b, ent->offset, char *));
			break;
		case CONF_STRINGS:
			assert_int_equal(*FIELD(a, ent->count, size_t),
			    *FIELD(b, ent->count, size_t));
			break;
		case CONF_GROUP:
			free(name);
			name = xasprintf("%s%s.", pfx, ent->name);
			same_defaults(ent->table, FIELD(a, ent->offset, char),
			    FIELD(b, ent->offset, char), name);
			break;
		default:
			break;
		}
		free(name);
	}
}

/* The defaults are declared once in the tables; the compiled-in sample
 * must agree with them. */
static void
test_defaults_match_sample(void **state)
{
	struct conf *tab = xcalloc(1, sizeof(*tab)), *def = conf_defaults();

	conf_table_init(&conf_root_table, tab);
	same_defaults(&conf_root_table, tab, def, "");
	assert_int_equal(def->sms.success_status[0], 200);
	assert_int_equal(def->sms.success_status[3], 0);
	assert_non_null(def->daemon.state_dir);
	conf_table_clear(&conf_root_table, tab);
	free(tab);
	conf_free(def);
}

/* One entry: a line of doc, a default within its range; walked tells
 * whether conf_table_parse() reads it (holidays are read by hand). */
static void
check_entry(const struct conf_entry *ent, int walked)
{
	const struct conf_choice *ch;
	int found = 0;

	assert_non_null(ent->doc);
	assert_null(strchr(ent->doc, '\n'));
	assert_true(strlen(ent->doc) > 0 && strlen(ent->doc) < 72);
	if (ent->type == CONF_GROUP || ent->type == CONF_LIST)
		assert_non_null(ent->table);
	if (ent->type == CONF_LIST || ent->type == CONF_CUSTOM)
		assert_non_null(ent->parse);
	if (ent->type == CONF_ENUM)
		assert_non_null(ent->choices);
	if (ent->parse != NULL || ent->def_doc != NULL)
		return;
	if (ent->type == CONF_INT)
		assert_true(ent->min <= ent->def && ent->def <= ent->max);
	if (ent->type == CONF_NUMBER)
		assert_true(ent->min <= ent->def_num &&
		    ent->def_num <= ent->max);
	if (ent->type == CONF_TIME)
		assert_true(ent->def >= 0 && ent->def < 24 * 60);
	if (ent->type == CONF_STRINGS && walked)
		assert_int_not_equal(ent->offset, ent->count);
	if (ent->type == CONF_ENUM) {
		for (ch = ent->choices; ch->name != NULL; ch++)
			found += ch->value == ent->def;
		assert_int_equal(found, 1);
	}
}

/* Every entry of t and below, with names unique within each table. */
static void
check_table(const struct conf_table *t, int walked)
{
	const struct conf_entry *ent, *other;

	assert_non_null(t->usage);
	for (ent = t->entries; ent->name != NULL; ent++) {
		for (other = t->entries; other != ent; other++)
			assert_string_not_equal(other->name, ent->name);
		check_entry(ent, walked);
		if (ent->table != NULL)
			check_table(ent->table, walked &&
			    ent->table != &conf_holiday_table);
	}
}

/* Each table and its entries are well formed. */
static void
test_entries_well_formed(void **state)
{
	check_table(&conf_root_table, 1);
}

/* Loads text as a file; returns the conf, or NULL with *cause set to the
 * errors with the file's name taken out. */
static struct conf *
load(const char *text, char **cause)
{
	char path[] = "/tmp/test_conf.XXXXXX", *raw = NULL, *p;
	struct conf *c;
	struct buf b;
	size_t n = strlen(path);
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	c = conf_load(path, &raw);
	unlink(path);
	*cause = NULL;
	if (c != NULL)
		return c;
	buf_init(&b);
	for (p = raw; *p != '\0'; p++) {
		if (strncmp(p, path, n) == 0) {
			buf_puts(&b, "F");
			p += n - 1;
		} else
			buf_addc(&b, *p);
	}
	free(raw);
	*cause = buf_detach(&b);
	return NULL;
}

/* The messages of each kind of setting, exactly. */
static void
test_messages(void **state)
{
	static const char *const cases[][2] = {
		{ "planner: { grace_days = 400; };",
		  "F:1: grace_days must be between 0 and 366" },
		{ "planner: {\n grace_days = \"3\";\n};",
		  "F:2: grace_days must be a whole number" },
		{ "tiers: {\n\n method = \"x\"; };",
		  "F:3: method must be \"customers\" or \"revenue\"" },
		{ "planner: { feb29 = \"feb30\"; };",
		  "F:1: feb29 must be \"feb28\", \"mar1\" or \"leap-only\"" },
		{ "delivery: { quiet_hours = {\n end = \"9:00\"; }; };",
		  "F:2: quiet_hours end must be HH:MM" },
		{ "delivery: { quiet_hours = { start = 9; }; };",
		  "F:1: start must be a string" },
		{ "email: { tls = \"maybe\"; };",
		  "F:1: tls must be \"required\" or \"none\" (smtps:// URLs "
		  "always use TLS)" },
		{ "email: { transport = \"http\"; };",
		  "F:1: email transport must be \"maildir\" or \"smtp\"" },
		{ "email: { transport = \"smtp\"; url = \"smtp://x\"; };",
		  "F:1: the smtp transport needs url and from" },
		{ "sms: { transport = \"kannel\"; };",
		  "F:1: the kannel transport needs a url" },
		{ "sms: { method = \"PUT\"; };",
		  "F:1: method must be \"GET\", \"POST_FORM\" or "
		  "\"POST_JSON\"" },
		{ "sms: { success_status = [ 200, 302 ]; };",
		  "F:1: success_status codes must be 200..299" },
		{ "sleeping: { median_factor = 0.5; };",
		  "F:1: median_factor must be a number between 1 and 100" },
		{ "sleeping: { median_factor = \"x\"; };",
		  "F:1: median_factor must be a number" },
		{ "tiers: { a_share = \"x\"; };",
		  "F:1: a_share must be a number" },
		{ "tiers: { b_share = 2; };",
		  "F:1: b_share must be between 0 and 1" },
		{ "tiers: { a_share = 0.5; b_share = 0.6; };",
		  "F:1: a_share + b_share must not exceed 1" },
		{ "http: { with_vtodo = 1; };",
		  "F:1: with_vtodo must be true or false" },
		{ "http: { stop_keywords = ( \"STOP\", 1 ); };",
		  "F:1: stop_keywords must hold only strings" },
		{ "http: { listen = \"8088\"; };",
		  "F:1: listen must be ADDRESS:PORT" },
		{ "planner: { frequency_cap = 3; };",
		  "F:1: frequency_cap must be a group "
		  "{ messages = N; days = M; }" },
		{ "stale = 1;", "F:1: stale must be a group { ... }" },
		{ "daemon: {\n bogus = 1; };",
		  "F:2: unknown setting \"bogus\"" },
		{ "colour = 1;", "F:1: unknown setting \"colour\"" },
		{ "rules = ( { name = \"r\"; event = \"birthday\";\n"
		  "  action = \"task\"; task = \"dance\"; lead = 1; } );",
		  "F:2: unknown setting \"lead\"\n"
		  "F:1: rule r: task must be one of call, visit, gift, invite, "
		  "refresh, meeting, email, winback" },
		{ "holidays = ( { name = \"h\"; when = 1; } );",
		  "F:1: unknown setting \"when\"\n"
		  "F:1: holiday h needs exactly one of dates, yearly, lunar "
		  "or solar_term" },
		{ "holidays = ( { name = \"h\"; lunar = \"01-01\";\n"
		  " solar_term = \"qingming\"; } );",
		  "F:1: holiday h needs exactly one of dates, yearly, lunar "
		  "or solar_term" },
		{ "holidays = ( { name = \"h\";\n solar_term = \"Qingming\"; } );",
		  "F:2: holiday h: solar_term must be one of the 24 terms in "
		  "pinyin (xiaohan, dahan, lichun ... qingming ... dongzhi)" },
		{ "rules = ( { name = \"r\"; event = \"keydate\";\n"
		  "  action = \"task\"; task = \"gift\"; } );",
		  "F:1: rule r: a keydate rule needs the label of its key dates "
		  "(label = \"store_opening\";)" },
		{ "rules = ( { name = \"r\"; event = \"birthday\";\n"
		  "  action = \"task\"; task = \"gift\"; label = \"x\"; } );",
		  "F:2: rule r: label is only for event \"keydate\"" },
		{ "rules = ( { name = \"r\"; event = \"keydate\";\n"
		  "  action = \"task\"; task = \"gift\"; label = \" \"; } );",
		  "F:2: rule r: label is required" },
		{ "keydates = ( { label = \"a\"; },\n { label = \"a\"; } );",
		  "F:2: key date a listed twice" },
		{ "keydates = ( { title = \"T\"; } );",
		  "F:1: key date: label is required" },
		/* what would fail every message at send time, or worse */
		{ "email: { transport = \"smtp\"; from = \"a@b.example\";\n"
		  " url = \"http://www.example.com/\"; };",
		  "F:2: url must be smtp://HOST[:PORT] or smtps://HOST[:PORT], "
		  "not \"http://www.example.com/\"" },
		{ "email: { url = \"file:///var/mail/x\"; };",
		  "F:1: url must be smtp://HOST[:PORT] or smtps://HOST[:PORT], "
		  "not \"file:///var/mail/x\"" },
		{ "email: { url = \"smtp://\"; };",
		  "F:1: url must be smtp://HOST[:PORT] or smtps://HOST[:PORT], "
		  "not \"smtp://\"" },
		{ "email: { url = \"smtp://mail.example.com:99999\"; };",
		  "F:1: url must be smtp://HOST[:PORT] or smtps://HOST[:PORT], "
		  "not \"smtp://mail.example.com:99999\"" },
		{ "email: { url = \"smtp://mail.example.com\\r\\n\"; };",
		  "F:1: url must be smtp://HOST[:PORT] or smtps://HOST[:PORT], "
		  "not \"smtp://mail.example.com\\x0d\\x0a\"" },
		{ "email: { from = \"Acme <a@b.example>\"; };",
		  "F:1: from must be an address such as outreachd@example.com, "
		  "not \"Acme <a@b.example>\"" },
		{ "email: { from = \"a@b.example\\r\\nBcc: x@y\"; };",
		  "F:1: from must be an address such as outreachd@example.com, "
		  "not \"a@b.example\\x0d\\x0aBcc: x@y\"" },
		{ "email: { helo = \"crm example\"; };",
		  "F:1: helo must be a host name such as crm.example.com, "
		  "not \"crm example\"" },
		{ "email: { helo = \"[192.0.2.1]\"; };",
		  "F:1: helo must be a host name such as crm.example.com, "
		  "not \"[192.0.2.1]\"" },
		{ "http: { base_url = \"ftp://crm.example.com\"; };",
		  "F:1: base_url must be http(s)://HOST[:PORT][/PATH] "
		  "without a query, not \"ftp://crm.example.com\"" },
		{ "http: { base_url = \"https://crm.example.com/?x=1\"; };",
		  "F:1: base_url must be http(s)://HOST[:PORT][/PATH] "
		  "without a query, not \"https://crm.example.com/?x=1\"" },
		{ "http: { base_url = \"https://crm.example.com\\n\"; };",
		  "F:1: base_url must be http(s)://HOST[:PORT][/PATH] "
		  "without a query, not \"https://crm.example.com\\x0a\"" },
		{ "http: { base_url = \"crm.example.com\"; };",
		  "F:1: base_url must be http(s)://HOST[:PORT][/PATH] "
		  "without a query, not \"crm.example.com\"" },
		{ "http: { listen = \"127.0.0.1:65536\"; };",
		  "F:1: listen must be ADDRESS:PORT with a port from 0 to "
		  "65535, not \"127.0.0.1:65536\"" },
		{ "http: { listen = \"127.0.0.1:http\"; };",
		  "F:1: listen must be ADDRESS:PORT with a port from 0 to "
		  "65535, not \"127.0.0.1:http\"" },
		{ "http: { listen = \"[::1]8088\"; };",
		  "F:1: listen must be ADDRESS:PORT" },
		{ "http: { listen = \"[127.0.0.1]:8088\"; };",
		  "F:1: listen must be ADDRESS:PORT with an IP address, a host "
		  "name or * as the address, not \"[127.0.0.1]:8088\"" },
		{ "http: { listen = \"local host:8088\"; };",
		  "F:1: listen must be ADDRESS:PORT with an IP address, a host "
		  "name or * as the address, not \"local host:8088\"" },
		{ "delivery: { retry_base_seconds = 600;\n"
		  " retry_max_seconds = 60; };",
		  "F:1: retry_base_seconds (600) must not exceed "
		  "retry_max_seconds (60)" },
		{ "delivery: {\n retry_max_seconds = 30; };",
		  "F:2: retry_base_seconds (60) must not exceed "
		  "retry_max_seconds (30)" },
		{ "locale = \"zh-CN\";",
		  "F:1: locale must look like en, zh or zh_CN, as template "
		  "file names write it, not \"zh-CN\"" },
		{ "locale = \"EN\";",
		  "F:1: locale must look like en, zh or zh_CN, as template "
		  "file names write it, not \"EN\"" },
		{ "locale = \"../en\";",
		  "F:1: locale must look like en, zh or zh_CN, as template "
		  "file names write it, not \"../en\"" },
		{ "sms: { headers = [\n \"X-Ok: {password}\",\n"
		  " \"X-Evil: a\\r\\nHost: b\" ]; };",
		  "F:3: headers must be \"Name: value\" with a token name "
		  "and no control character, not "
		  "\"X-Evil: a\\x0d\\x0aHost: b\"" },
		{ "sms: { headers = \"Bad Name: x\"; };",
		  "F:1: headers must be \"Name: value\" with a token name "
		  "and no control character, not \"Bad Name: x\"" },
		{ "sms: { headers = \"Bearer {password}\"; };",
		  "F:1: headers must be \"Name: value\" with a token name "
		  "and no control character, not \"Bearer {password}\"" },
		{ "sms: { id_regex = \"id=(\"; };",
		  "F:1: id_regex is not a POSIX extended regex: Unmatched ( or "
		  "\\(" },
		{ "sms: { id_regex = \"id=[0-9]+\"; };",
		  "F:1: id_regex needs a group ( ) around the provider's id" },
		{ "sms: { transport = \"kannel\";\n url = \"file:///etc\"; };",
		  "F:2: gateway url must be http:// or https://" },
		{ "sms: { transport = \"http\"; success_match = \"ok\";\n"
		  " url = \"https://{to}.example/\"; };",
		  "F:2: gateway url does not parse as a URL" },
		{ "sms: { transport = \"http\"; success_match = \"ok\";\n"
		  " url = \"https://sms.example/\";\n"
		  " method = \"POST_FORM\"; };",
		  "F:3: method POST_FORM needs a body template" },
		{ "email: {\n password_file = \"%d/a/b\"; };",
		  "F:2: email.password_file = \"%d/a/b\": after %d/ comes a "
		  "credential's name, a file name without '/'" },
		{ "http: { callback_secret_file = \"%d/..\"; };",
		  "F:1: http.callback_secret_file = \"%d/..\": after %d/ comes "
		  "a credential's name, a file name without '/'" },
	};
	struct conf *c;
	char *cause;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = load(cases[i][0], &cause);
		assert_null(c);
		assert_string_equal(cause, cases[i][1]);
		free(cause);
	}
}

/* "%d/NAME" stays as written at load and is resolved where the secret
 * is read: in $CREDENTIALS_DIRECTORY, or an error with file and line. */
static void
test_credentials(void **state)
{
	struct conf *c;
	char *cause = NULL, *p, *want;

	(void)state;
	c = load("email: {\n  password_file = \"%d/smtp\";\n};\n"
	    "sms: { password_file = \"/etc/outreachd/sms\"; };\n", &cause);
	assert_non_null(c);
	assert_string_equal(c->email.password_file, "%d/smtp");
	assert_string_equal(conf_credential_name(c->email.password_file),
	    "smtp");
	assert_null(conf_credential_name(c->sms.password_file));
	unsetenv("CREDENTIALS_DIRECTORY");
	assert_int_equal(conf_secret_path(c, "email.password_file",
	    c->email.password_file, &p, &cause), -1);
	assert_null(p);
	want = xasprintf("%s:2: email.password_file = \"%%d/smtp\": %%d is "
	    "the credentials directory systemd passes in "
	    "$CREDENTIALS_DIRECTORY, which is not set", c->path);
	assert_true(strncmp(cause, want, strlen(want)) == 0);
	free(want);
	free(cause);
	setenv("CREDENTIALS_DIRECTORY", "/run/credentials/outreachd.service",
	    1);
	assert_int_equal(conf_secret_path(c, "email.password_file",
	    c->email.password_file, &p, &cause), 0);
	assert_string_equal(p, "/run/credentials/outreachd.service/smtp");
	free(p);
	assert_int_equal(conf_secret_path(c, "sms.password_file",
	    c->sms.password_file, &p, &cause), 0);
	assert_string_equal(p, "/etc/outreachd/sms");
	free(p);
	unsetenv("CREDENTIALS_DIRECTORY");
	conf_free(c);
}

/* Values of each type land in their fields; lists given replace. */
static void
test_values(void **state)
{
	struct conf *c;
	char *cause;

	c = load("planner: { feb29 = \"leap-only\"; };\n"
	    "tiers: { method = \"revenue\"; a_share = 1; b_share = 0;\n"
	    "  cadence = { B = 45; }; };\n"
	    "sleeping: { median_factor = 2; };\n"
	    "delivery: { dry_run = true; quiet_hours = { start = \"00:30\";\n"
	    "  end = \"23:59\"; }; };\n"
	    "email: { transport = \"smtp\"; url = \"smtp://x:25\";\n"
	    "  from = \"a@b\"; tls = \"none\"; rate = { seconds = 5; }; };\n"
	    "sms: { transport = \"http\"; url = \"http://x\";\n"
	    "  method = \"POST_JSON\"; body = \"{}\"; headers = \"X: y\";\n"
	    "  success_status = [ 204 ]; };\n"
	    "http: { stop_keywords = [ \"NO\", \"STOP\" ]; };\n"
	    "daemon: { state_dir = \"/srv/o\"; };\n", &cause);
	assert_non_null(c);
	assert_int_equal(c->plan.feb29, DATE_FEB29_LEAP_ONLY);
	assert_int_equal(c->plan.tier_by_revenue, 1);
	assert_true(c->plan.tier_a_share == 1.0);
	assert_int_equal(c->plan.cadence[0], 30);
	assert_int_equal(c->plan.cadence[1], 45);
	assert_true(c->plan.sleeping_factor == 2.0);
	assert_int_equal(c->delivery.dry_run, 1);
	assert_int_equal(c->delivery.quiet_start, 30);
	assert_int_equal(c->delivery.quiet_end, 23 * 60 + 59);
	assert_int_equal(c->email.transport, TRANSPORT_SMTP);
	assert_int_equal(c->email.tls_required, 0);
	assert_int_equal(c->email.rate_seconds, 5);
	assert_int_equal(c->email.rate_messages, 600);
	assert_string_equal(c->email.helo, "localhost");
	assert_int_equal(c->sms.transport, TRANSPORT_HTTP);
	assert_string_equal(c->sms.method, "POST_JSON");
	assert_int_equal(c->sms.nheaders, 1);
	assert_string_equal(c->sms.headers[0], "X: y");
	assert_null(c->sms.headers[1]);	/* NULL-ended, as sms_gw wants */
	assert_int_equal(c->sms.success_status[0], 204);
	assert_int_equal(c->sms.success_status[1], 0);
	assert_int_equal(c->http.nstop_keywords, 2);
	assert_string_equal(c->http.stop_keywords[1], "STOP");
	assert_string_equal(c->daemon.state_dir, "/srv/o");
	assert_string_equal(c->email.maildir, "/srv/o/maildir/email");
	assert_string_equal(c->sms.maildir, "/srv/o/maildir/sms");
	assert_int_equal(c->nrules, 16);
	assert_int_equal(c->nholidays, 4);
	conf_free(c);
}

/* Good values of the checked settings load; base_url loses its trailing
 * slashes, as paths are appended to it. */
static void
test_checked_values(void **state)
{
	struct conf *c;
	char *cause;

	c = load("locale = \"zh_CN\";\n"
	    "delivery: { retry_base_seconds = 60; retry_max_seconds = 60; };\n"
	    "email: { transport = \"smtp\"; url = \"smtps://[::1]:465\";\n"
	    "  from = \"greetings@acme.example\";\n"
	    "  helo = \"crm.acme.example\"; };\n"
	    "sms: { transport = \"http\"; url = \"https://gw.example/{to}\";\n"
	    "  headers = [ \"Authorization: Bearer {password}\" ];\n"
	    "  success_match = \"ok\"; id_regex = \"id=([0-9]+)\"; };\n"
	    "http: { listen = \"[::1]:0\";\n"
	    "  base_url = \"https://crm.example/o//\"; };\n",
	    &cause);
	if (c == NULL)
		fail_msg("%s", cause);
	assert_string_equal(c->http.base_url, "https://crm.example/o");
	assert_string_equal(c->locale, "zh_CN");
	assert_null(c->warnings);
	conf_free(c);
	c = load("http: { listen = \"*:8088\"; };", &cause);
	assert_non_null(c);
	conf_free(c);
	c = load("http: { listen = \"localhost:65535\"; };", &cause);
	assert_non_null(c);
	conf_free(c);
}

/* A generic gateway without success_match loads, with a warning: any
 * answer with a success status counts as sent, an error page too. */
static void
test_warnings(void **state)
{
	struct conf *c;
	char *cause, *w;

	c = load("sms: {\n transport = \"http\";\n"
	    " url = \"http://gw.example/\"; };", &cause);
	assert_non_null(c);
	assert_non_null(c->warnings);
	w = strchr(c->warnings, ':');
	assert_non_null(w);
	assert_string_equal(w, ":2: warning: the http transport has no "
	    "success_match: any answer with a success_status, an error page "
	    "too, counts as sent");
	conf_free(c);
	c = load("sms: { transport = \"kannel\"; url = \"http://k/\"; };",
	    &cause);
	assert_non_null(c);
	assert_null(c->warnings);
	conf_free(c);
	c = conf_defaults();
	assert_null(c->warnings);
	conf_free(c);
}

static int
cmp_day(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* Solar-term holidays, key date rules and titles, and the warning for a
 * list of dates about to run out. */
static void
test_solar_keydates(void **state)
{
	const struct conf_holiday *h;
	struct conf *c;
	char *cause, text[512], soon[11], later[11];
	time_t now = time(NULL);
	int32_t today = (int32_t)(now / 86400);

	c = load("holidays = ( { name = \"qm\"; solar_term = \"qingming\"; },\n"
	    " { name = \"dz\"; title = \"Winter\"; solar_term = \"dongzhi\"; }"
	    " );\nkeydates = ( { label = \"store_opening\"; title = \"新店开业\";"
	    " },\n { label = \"公司成立日\"; } );\n"
	    "rules = ( { name = \"so\"; event = \"keydate\"; label ="
	    " \"store_opening\"; action = \"task\"; task = \"gift\"; } );",
	    &cause);
	assert_non_null(c);
	h = conf_holiday_find(c, "qm");
	assert_non_null(h);
	assert_string_equal(h->title, "清明");
	assert_non_null(bsearch(&(int32_t){ date_to_days(2025, 4, 4) },
	    h->days, h->ndays, sizeof(*h->days), cmp_day));
	assert_null(bsearch(&(int32_t){ date_to_days(2025, 4, 5) },
	    h->days, h->ndays, sizeof(*h->days), cmp_day));
	assert_int_equal(h->ndays, 2099 - 1970 + 1);
	assert_string_equal(conf_holiday_find(c, "dz")->title, "Winter");
	assert_string_equal(conf_keydate_title(c, "store_opening"), "新店开业");
	assert_string_equal(conf_keydate_title(c, "公司成立日"), "公司成立日");
	assert_string_equal(conf_keydate_title(c, "other"), "other");
	assert_int_equal(c->rules[0].event, EV_KEYDATE);
	assert_string_equal(c->rules[0].label, "store_opening");
	assert_int_equal(c->rules[0].max_delay_days, 1);
	assert_null(c->warnings);
	conf_free(c);

	/* Dates that end within a year warn; two years ahead do not. */
	date_format(today + 200, soon);
	date_format(today + 800, later);
	snprintf(text, sizeof(text), "holidays = ( { name = \"fair\";\n"
	    " dates = [ \"2020-05-01\", \"%s\" ]; } );", soon);
	c = load(text, &cause);
	assert_non_null(c);
	assert_non_null(c->warnings);
	assert_non_null(strstr(c->warnings, ":2: warning: holiday fair: its "
	    "last date is "));
	assert_non_null(strstr(c->warnings, soon));
	conf_free(c);
	snprintf(text, sizeof(text), "holidays = ( { name = \"fair\";\n"
	    " dates = [ \"%s\", \"%s\" ]; } );", later, soon);
	c = load(text, &cause);
	assert_non_null(c);
	assert_null(c->warnings);
	conf_free(c);
}

/* --settings: one line per setting, its doc under it. */
static void
test_print_settings(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	assert_non_null(fp);
	conf_print_settings(fp);
	fclose(fp);
	assert_non_null(strstr(text, "\nsleeping.median_factor  number 1..100, "
	    "default 3\n\tOr after"));
	assert_non_null(strstr(text, "\nemail.tls  enum required|none, "
	    "default required\n"));
	assert_non_null(strstr(text, "\nhttp.with_vtodo  bool, "
	    "default false\n"));
	assert_non_null(strstr(text, "\nrules.event  enum birthday|anniversary|"
	    "revisit|sleeping|lost|stale|holiday|keydate|after_visit\n"));
	assert_non_null(strstr(text, "\nholidays.solar_term  string\n"));
	assert_non_null(strstr(text, "\nkeydates.title  string, default the "
	    "label\n"));
	assert_non_null(strstr(text, "\ndaemon.state_dir  string, default the "
	    "store's directory\n"));
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_match_sample),
		cmocka_unit_test(test_entries_well_formed),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_credentials),
		cmocka_unit_test(test_checked_values),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_solar_keydates),
		cmocka_unit_test(test_print_settings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
