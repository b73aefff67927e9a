/* conf.h - outreachd.conf, read with libconfig.
 *
 * conf_load() parses into a fresh struct conf and validates everything,
 * reporting "FILE:LINE: what is wrong" for each problem; the caller swaps
 * the new conf in only on success, so a bad reload keeps the old one.
 * (The module is "conf" because libconfig owns the config_ prefix.) */
#ifndef OUTREACHD_CONF_H
#define OUTREACHD_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "date.h"

/* What a rule reacts to.  The names are the `event` values of plan --json. */
enum conf_event {
	EV_BIRTHDAY,
	EV_ANNIVERSARY,
	EV_REVISIT,
	EV_SLEEPING,
	EV_LOST,
	EV_STALE,
	EV_HOLIDAY,
	EV_KEYDATE,	/* a customer's key date with the rule's label */
	EV_AFTER_VISIT,	/* a visit or meeting lead_days ago: a survey */
	EV_COUNT
};

/* A rep_message is rendered like a message but becomes a task of kind
 * "message" carrying the text, for the rep to send personally. */
enum conf_action { ACT_MESSAGE, ACT_TASK, ACT_REP_MESSAGE };

#define TIER_BIT(t) (1u << ((t) - 'A')) /* 'A'..'C' */

struct conf_rule {
	char *name;
	enum conf_event event;
	enum conf_action action;
	char *template;	   /* messages and rep messages: template name
			      (default: rule name) */
	char **channels;   /* messages: "preferred", "email", "sms" in order */
	size_t nchannels;
	char *task_kind;   /* tasks: call, visit, gift, refresh, ... */
	char *holiday;	   /* holiday rules: which holiday */
	char *label;	   /* key date rules: which key dates (keydate.h) */
	int lead_days;	   /* the item is due this many days before the event */
	unsigned tiers;	   /* TIER_BIT mask, 0 = every tier */
	char **reps;	   /* only these reps' customers, none = all */
	size_t nreps;
	char **attrs;	   /* only customers that have these attributes */
	size_t nattrs;
	int need_email;
	int need_phone;
	int priority;	   /* lower wins when the frequency cap bites */
	int max_delay_days; /* messages: may go out this late, no later */
	double holdout;	   /* messages: this share of the customers due is
			      held out (holdout.h), 0 = none */
	int line;	   /* where it was defined, for messages */
};

struct conf_holiday {
	char *name;
	char *title;	   /* shown in templates as {{holiday}} */
	int32_t *days;	   /* sorted day numbers */
	size_t ndays;
};

/* The title templates show for key dates of a label ({{keydate.title}}). */
struct conf_keydate {
	char *label;
	char *title;
};

struct conf_plan {
	int grace_days;
	enum date_feb29 feb29;
	int cap_messages;  /* at most cap_messages per customer ... */
	int cap_days;	   /* ... in cap_days days */
	int cadence[3];	   /* revisit days for tiers A, B, C */
	int tier_window_days;
	int tier_by_revenue; /* 0: shares of customers, 1: shares of revenue */
	int tier_population_all; /* shares of every customer, not of buyers */
	double tier_a_share;
	double tier_b_share;
	int sleeping_after_days;
	double sleeping_factor;
	int sleeping_min_purchases;
	int lost_after_days;
	int lifecycle_new_days; /* a first purchase this recent is new */
	int winback_max;
	int winback_interval_days;
	int stale_after_days;
	int task_retry_days;	/* not reached: the task moves this far */
	int task_escalate_attempts; /* then escalated after this many */
	int task_escalate_days[3]; /* open tasks this overdue, per tier */
	int digest_enabled;	/* reps who opted in get a morning e-mail */
	int digest_hour;	/* at this hour of the rep's day */
};

/* How a channel sends: an embedded maildir, or a real server. */
enum conf_transport { TRANSPORT_MAILDIR, TRANSPORT_SMTP, TRANSPORT_KANNEL,
	TRANSPORT_HTTP, TRANSPORT_ALIYUN, TRANSPORT_TENCENT, TRANSPORT_TWILIO };

struct conf_channel {
	enum conf_transport transport;
	char *maildir;	     /* maildir transport: the directory */
	char *url;	     /* smtp://, smtps://, or the gateway URL */
	char *username;
	char *password_file; /* the secret itself never sits in the config */
	char *ca_file;
	int tls_required;    /* smtp: STARTTLS required (smtps implies TLS) */
	int connections;
	int rate_messages;   /* at most rate_messages per rate_seconds */
	int rate_seconds;
	int timeout_seconds;
	/* e-mail */
	int data_timeout_seconds; /* the reply to the end of the message */
	char *helo;	     /* EHLO name */
	char *from;	     /* envelope and header address */
	char *from_name;     /* display name; the rep's name is shown with it */
	/* SMS */
	char *sender;	     /* sender id */
	char *method;	     /* http gateway: GET, POST_FORM, POST_JSON */
	char *body;	     /* http gateway: body or query template */
	char **headers;	     /* http gateway: header templates */
	size_t nheaders;
	int *success_status; /* 0-terminated */
	char *success_match;
	char *id_regex;
	int max_segments;
	/* SMS providers of approved templates (aliyun, tencent) */
	char *access_key_id; /* aliyun */
	char *secret_id;     /* tencent */
	char *sign_name;     /* the approved signature */
	char *sdk_app_id;    /* tencent SmsSdkAppId */
	char *region;
	int signature;	     /* aliyun: 0 ACS3-HMAC-SHA256, 1 HMAC-SHA1 */
	int param_max_chars; /* 0 = the provider's documented limit */
	int report_push;     /* the provider pushes status reports: sent
				messages are not polled */
	int status_interval; /* seconds to the first status query */
};

struct conf_delivery {
	int dry_run;	     /* render and log, send nothing */
	int quiet_start;     /* minutes after local midnight: no sends from */
	int quiet_end;	     /* ... until */
	int max_attempts;
	int retry_base;	     /* seconds; doubles per attempt, with jitter */
	int retry_max;
	int batch;	     /* messages taken per delivery pass */
	int claim_lease;     /* seconds a sender holds the rows it claimed,
				renewed while it lives (PostgreSQL) */
};

struct conf_http {
	char *listen;	     /* "127.0.0.1:8088" */
	char *base_url;	     /* public URL used in links */
	int max_connections;
	int max_connections_per_ip; /* per client address (IPv6: /64), 0 = any */
	int request_timeout; /* seconds from accept or the last answer to a
				whole request */
	int write_rate_per_ip; /* writes per minute per address, 0 = any */
	char *callback_secret_file; /* the secret of the Kannel callbacks */
	int threads;	     /* worker threads; 0 = one per online CPU, >= 2 */
	int done_visible_days; /* done tasks stay in feeds this long */
	int with_vtodo;
	int alarm_minutes;
	char **stop_keywords;  /* inbound SMS opt-out words */
	size_t nstop_keywords;
};

/* The manager's report (report.h). */
struct conf_report {
	int attribution_days; /* a purchase this soon after a message
				 counts as its conversion */
	int weekly_day;	      /* the managers' weekly report: 0 Sunday ..
				 6 Saturday, REPORT_WEEKLY_OFF none */
};
#define REPORT_WEEKLY_OFF 7

struct conf_daemon {
	int scan_interval;   /* seconds between planning scans */
	char *state_dir;     /* lock file, secrets, default maildirs */
	int shutdown_grace;  /* seconds in-flight sends may take on SIGTERM */
};

/* import.columns: the header names a file may use for a column. */
struct conf_column {
	char *column;	/* "name", "amount", a custom attribute */
	char **headers;
	size_t nheaders;
};

struct conf_import {
	struct conf_column *columns;
	size_t ncolumns;
};

struct strmap;

struct conf {
	char *path;	    /* file it came from, NULL for built-in defaults */
	uint64_t digest;    /* of the text loaded (util_fnv1a) */
	struct strmap *lines; /* conf_setting_line()'s, NULL for defaults */
	char *warnings;	    /* "FILE:LINE: warning: ..." lines or NULL */
	char *store;	    /* SQLite file, or PostgreSQL conninfo */
	char *store_password_file; /* PostgreSQL's password, or "%d/NAME";
				      NULL: none (libpq's own ways) */
	char *company;
	char *timezone;	    /* default IANA zone for customers without one */
	char *locale;	    /* default locale */
	char *country_code; /* default calling code for phone numbers */
	char *templates;    /* template directory */
	char **managers;    /* keys of the reps who manage */
	size_t nmanagers;
	struct conf_plan plan;
	struct conf_delivery delivery;
	struct conf_channel email;
	struct conf_channel sms;
	struct conf_http http;
	struct conf_report report;
	struct conf_daemon daemon;
	struct conf_import import;
	struct conf_rule *rules;
	size_t nrules;
	struct conf_holiday *holidays;
	size_t nholidays;
	struct conf_keydate *keydates;
	size_t nkeydates;
};

const char *conf_event_name(enum conf_event ev);
/* "message", "task" or "rep_message". */
const char *conf_action_name(enum conf_action a);
const struct conf_holiday *conf_holiday_find(const struct conf *c,
    const char *name);
/* The title of key dates labelled label: the configured one, else the
 * label itself. */
const char *conf_keydate_title(const struct conf *c, const char *label);

/* The file used when -c is not given. */
const char *conf_default_path(void);
/* Loads and validates path.  On error returns NULL and sets *cause to every
 * problem found, one per line.  Settings that load but are likely wrong
 * are in the conf's warnings, one per line, for check-config to show. */
struct conf *conf_load(const char *path, char **cause);
/* Built-in defaults, used when no configuration file exists. */
struct conf *conf_defaults(void);
/* The line of path a setting was written on, by its name at the top
 * level or in a group ("store", "email.helo"); 0 when the file does not
 * set it (its default is in force). */
int conf_setting_line(const struct conf *c, const char *name);
void conf_free(struct conf *c);
/* The file a secret's setting names (conf_cred.c).  "%d/NAME" is the
 * systemd credential NAME: the file NAME in $CREDENTIALS_DIRECTORY, where
 * the unit's LoadCredential=NAME:FILE puts it; other paths are as
 * written.  setting ("email.password_file") is named, with its file and
 * line, when no credentials directory was passed.  0 and *out
 * (malloc'd), or -1. */
int conf_secret_path(const struct conf *c, const char *setting,
    const char *value, char **out, char **cause);
/* NAME when value names a systemd credential ("%d/NAME"), else NULL. */
const char *conf_credential_name(const char *value);
/* Lists every setting the file may hold: its name (group.setting), type,
 * range, default and what it is for. */
void conf_print_settings(FILE *fp);

#endif
