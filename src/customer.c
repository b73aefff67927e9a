/* customer.c - the customer record and the validation of its fields. */
#include "customer.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "date.h"
#include "date_zone.h"
#include "keydate.h"
#include "date_text.h"
#include "lunar.h"
#include "phone.h"
#include "utf8.h"
#include "util.h"

static const char *const field_names[CUST_NFIELDS] = {
	"external_id", "name", "salutation", "email", "phone", "birthday",
	"anniversary", "tier", "rep", "locale", "timezone", "channel",
	"opt_out", "notes",
};

void
customer_init(struct customer *c)
{
	memset(c, 0, sizeof(*c));
	c->last_contact = c->last_purchase = c->first_purchase = DAY_NONE;
	c->stale_since = DAY_NONE;
}

void
customer_clear(struct customer *c)
{
	size_t i;

	for (i = 0; i < CUST_NFIELDS; i++)
		free(c->field[i]);
	for (i = 0; i < c->nattrs; i++) {
		free(c->attrs[i].name);
		free(c->attrs[i].value);
	}
	free(c->attrs);
	keydate_list_free(c->keydates, c->nkeydates);
	free(c->tier_computed);
	free(c->stale_note);
	customer_init(c);
}

const char *
customer_field_name(enum cust_field f)
{
	return field_names[f];
}

int
customer_field_lookup(const char *name)
{
	int f;

	for (f = 0; f < CUST_NFIELDS; f++) {
		if (strcmp(name, field_names[f]) == 0)
			return f;
	}
	return -1;
}

const char *
customer_tier(const struct customer *c)
{
	return c->field[CUST_TIER] ? c->field[CUST_TIER] : c->tier_computed;
}

const char *
customer_attr_get(const struct customer *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nattrs; i++) {
		if (strcmp(c->attrs[i].name, name) == 0)
			return c->attrs[i].value;
	}
	return NULL;
}

void
customer_attr_set(struct customer *c, const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < c->nattrs; i++) {
		if (strcmp(c->attrs[i].name, name) == 0) {
			free(c->attrs[i].value);
			c->attrs[i].value = value ? xstrdup(value) : NULL;
			return;
		}
	}
	c->attrs = xreallocarray(c->attrs, c->nattrs + 1, sizeof(*c->attrs));
	c->attrs[c->nattrs].name = xstrdup(name);
	c->attrs[c->nattrs].value = value ? xstrdup(value) : NULL;
	c->nattrs++;
}

int
customer_attr_name_valid(const char *name)
{
	size_t n = strlen(name), i;

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)name[i]) && name[i] != '_')
			return 0;
	}
	return 1;
}

/* Control characters would end up in headers and logs. */
static int
has_control(const char *s, int allow_newline)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c < 0x20 && !(allow_newline && (c == '\n' || c == '\t'))) ||
		    c == 0x7f)
			return 1;
	}
	return 0;
}

/* A deliberately plain address check: local@domain.tld, printable, no
 * spaces, short enough for SMTP.  The server has the final word. */
static int
norm_email(const char *v, char **out, char **cause)
{
	const char *at = strchr(v, '@');
	char *p;

	if (strlen(v) > 254 || at == NULL || at == v || strchr(at + 1, '@') ||
	    strchr(at + 1, '.') == NULL || at[1] == '.' ||
	    v[strlen(v) - 1] == '.' || strpbrk(v, " <>()[],;:\\\"") != NULL)
		return set_error(cause, "\"%s\": not an e-mail address", v);
	*out = xstrdup(v);
	for (p = *out + (at - v); *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return 0;
}

/* Opt-outs in a fixed order, so equal sets compare equal. */
static int
norm_optout(const char *v, char **out, char **cause)
{
	static const char *const names[] = { "email", "sms", "all" };
	char *copy = xstrdup(v), *tok, *save = NULL;
	unsigned bits = 0;
	size_t i;
	struct buf b;

	for (tok = strtok_r(copy, ";,", &save); tok != NULL;
	    tok = strtok_r(NULL, ";,", &save)) {
		str_trim(tok);
		for (i = 0; i < ARRAY_SIZE(names); i++) {
			if (strcasecmp(tok, names[i]) == 0)
				break;
		}
		if (i == ARRAY_SIZE(names) && *tok != '\0') {
			set_error(cause, "\"%s\": opt_out must be email, sms or "
			    "all (several joined by ';')", tok);
			free(copy);
			return -1;
		}
		if (i < ARRAY_SIZE(names))
			bits |= 1u << i;
	}
	free(copy);
	buf_init(&b);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (bits & (1u << i))
			buf_printf(&b, "%s%s", b.len ? ";" : "", names[i]);
	}
	*out = b.len ? buf_detach(&b) : NULL;
	buf_free(&b);
	return 0;
}

const char *
customer_pick_channel(const char *const *channels, size_t n,
    const char *preferred, const char *email, const char *phone,
    const char *opt_out)
{
	unsigned out = customer_optout_bits(opt_out);
	const char *ch;
	size_t i;

	if (out & CUST_OPTOUT_ALL)
		return NULL;
	for (i = 0; i < n; i++) {
		ch = strcmp(channels[i], "preferred") == 0 ? preferred :
		    channels[i];
		if (ch == NULL)
			continue;
		if (strcmp(ch, "email") == 0 && !str_empty(email) &&
		    !(out & CUST_OPTOUT_EMAIL))
			return "email";
		if (strcmp(ch, "sms") == 0 && !str_empty(phone) &&
		    !(out & CUST_OPTOUT_SMS))
			return "sms";
	}
	return NULL;
}

unsigned
customer_optout_bits(const char *v)
{
	unsigned bits = 0;

	if (v == NULL)
		return 0;
	if (strstr(v, "email"))
		bits |= CUST_OPTOUT_EMAIL;
	if (strstr(v, "sms"))
		bits |= CUST_OPTOUT_SMS;
	if (strstr(v, "all"))
		bits |= CUST_OPTOUT_ALL;
	return bits;
}

/* 1 when s is empty or a POSIX locale name's ".codeset" and "@modifier"
 * (".UTF-8", "@euro"), which say nothing about the language. */
static int
locale_tail_ok(const char *s)
{
	/* A codeset may have '-' (UTF-8), a modifier not. */
	static const char set[] = "-0123456789"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	size_t n;

	if (*s == '.') {
		if ((n = strspn(s + 1, set)) == 0)
			return 0;
		s += 1 + n;
	}
	if (*s == '@') {
		if ((n = strspn(s + 1, set + 1)) == 0)
			return 0;
		s += 1 + n;
	}
	return *s == '\0';
}

/* "zh-CN", "zh_cn" and "zh_CN.UTF-8" become "zh_CN". */
static int
norm_locale(const char *v, char **out, char **cause)
{
	size_t n = strcspn(v, ".@"), i, lang = 0;
	char *p;

	while (lang < n && isalpha((unsigned char)v[lang]))
		lang++;
	if (lang < 2 || lang > 3 || (lang != n && (lang + 3 != n ||
	    (v[lang] != '_' && v[lang] != '-') ||
	    !isalpha((unsigned char)v[lang + 1]) ||
	    !isalpha((unsigned char)v[lang + 2]))) || !locale_tail_ok(v + n))
		return set_error(cause, "\"%s\": locale must look like en, zh "
		    "or zh_CN", v);
	p = *out = xstrndup(v, n);
	for (i = 0; i < lang; i++)
		p[i] = (char)tolower((unsigned char)p[i]);
	if (lang < n) {
		p[lang] = '_';
		p[lang + 1] = (char)toupper((unsigned char)p[lang + 1]);
		p[lang + 2] = (char)toupper((unsigned char)p[lang + 2]);
	}
	return 0;
}

/* Any form date_text.h reads, stored as YYYY-MM-DD, --MM-DD or L:... */
static int
norm_birthday(const char *v, enum date_order order, char **out,
    char **cause)
{
	struct date d;
	struct lunar_date ld;
	int rc;

	if (strncmp(v, "L:", 2) == 0) {
		if (lunar_parse(v, &ld, cause) != 0)
			return -1;
		*out = lunar_format(&ld);
		return 0;
	}
	if ((rc = date_text_lunar(v, &ld, cause)) != 0) {
		if (rc < 0)
			return -1;
		*out = lunar_format(&ld);
		return 0;
	}
	if (date_text_parse(v, order, 1, &d, cause) != 0)
		return -1;
	*out = date_format_md(&d);
	return 0;
}

static int
norm_anniversary(const char *v, enum date_order order, char **out,
    char **cause)
{
	struct date d;

	if (date_text_parse(v, order, 0, &d, cause) != 0)
		return -1;
	*out = date_format_md(&d);
	return 0;
}

static int
norm_key(const char *what, const char *v, size_t max, char **out,
    char **cause)
{
	const char *p;

	if (strlen(v) > max)
		return set_error(cause, "%s is longer than %zu bytes", what,
		    max);
	for (p = v; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && strchr("_.-@", *p) == NULL)
			return set_error(cause, "\"%s\": %s may hold only "
			    "letters, digits and _.-@", v, what);
	}
	*out = xstrdup(v);
	return 0;
}

int
customer_normalize(enum cust_field f, const char *value,
    const struct customer_rules *rules, char **out, char **cause)
{
	const char *b = value != NULL ? value : "";
	size_t n = strlen(b);
	char *v;
	int rc = 0;

	*out = NULL;
	if (!utf8_valid(b, n, NULL))
		return set_error(cause, "invalid UTF-8");
	/* Trimmed before it is copied: most cells of an import are empty,
	 * and those cost no allocation. */
	for (; f != CUST_NOTES && n > 0 && isspace((unsigned char)*b); n--)
		b++;
	while (f != CUST_NOTES && n > 0 && isspace((unsigned char)b[n - 1]))
		n--;
	if (n == 0) {
		if (f == CUST_EXTERNAL_ID || f == CUST_NAME)
			return set_error(cause, "%s is required",
			    field_names[f]);
		return 0;
	}
	v = xstrndup(b, n);
	if (has_control(v, f == CUST_NOTES)) {
		free(v);
		return set_error(cause, "control characters are not allowed");
	}
	switch (f) {
	case CUST_EXTERNAL_ID:
		rc = strlen(v) > 128 ? set_error(cause, "external_id is "
		    "longer than 128 bytes") : (*out = v, v = NULL, 0);
		break;
	case CUST_EMAIL:
		rc = norm_email(v, out, cause);
		break;
	case CUST_PHONE:
		rc = phone_normalize(v, rules->default_cc, out, cause);
		break;
	case CUST_BIRTHDAY:
		rc = norm_birthday(v, rules->date_order, out, cause);
		break;
	case CUST_ANNIVERSARY:
		rc = norm_anniversary(v, rules->date_order, out, cause);
		break;
	case CUST_TIER:
		if ((v[0] | 0x20) >= 'a' && (v[0] | 0x20) <= 'c' && v[1] == '\0')
			*out = xasprintf("%c", toupper((unsigned char)v[0]));
		else
			rc = set_error(cause, "\"%s\": tier must be A, B or C", v);
		break;
	case CUST_REP:
		rc = norm_key("rep", v, 64, out, cause);
		break;
	case CUST_LOCALE:
		rc = norm_locale(v, out, cause);
		break;
	case CUST_TIMEZONE:
		rc = date_tz_valid(v) ? (*out = xstrdup(v), 0) : set_error(cause,
		    "\"%s\": unknown time zone (use an IANA name such as "
		    "Asia/Shanghai)", v);
		break;
	case CUST_CHANNEL:
		if (strcasecmp(v, "email") == 0 || strcasecmp(v, "sms") == 0) {
			*out = xstrdup(v);
			for (char *p = *out; *p; p++)
				*p = (char)tolower((unsigned char)*p);
		} else
			rc = set_error(cause, "\"%s\": channel must be email or "
			    "sms", v);
		break;
	case CUST_OPT_OUT:
		rc = norm_optout(v, out, cause);
		break;
	default: /* name, salutation, notes: free text */
		rc = strlen(v) > 4096 ? set_error(cause, "%s is longer than "
		    "4096 bytes", field_names[f]) : (*out = v, v = NULL, 0);
		break;
	}
	free(v);
	return rc;
}

void
customer_keys(const struct customer *c, struct customer_keys *k)
{
	const char *b = c->field[CUST_BIRTHDAY], *a = c->field[CUST_ANNIVERSARY];
	struct lunar_date ld;
	struct date d;

	memset(k, 0, sizeof(*k));
	if (b != NULL && strncmp(b, "L:", 2) == 0) {
		if (lunar_parse(b, &ld, NULL) == 0)
			k->bday_lunar = ld.month * 100 + ld.day +
			    (ld.leap ? 10000 : 0);
	} else if (b != NULL && date_parse_birthday(b, &d, NULL) == 0)
		k->bday_md = d.month * 100 + d.day;
	if (a != NULL && date_parse(a, &d, NULL) == 0)
		k->anniv_md = d.month * 100 + d.day;
}
