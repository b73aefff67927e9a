/* cli_help.c - outreachctl help, not listed: the command list of --help,
 * or with --mdoc the list of commands as outreachctl(1) has it, made
 * from the command table so that the manual can be checked against it. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int	cmd_help(struct cli *, const struct cli_cmd *, int, char **);

static const struct option help_opts[] = {
	{ "mdoc", no_argument, NULL, 'm' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cli_help_entry = {
	.name = "help",
	.usage = "[--mdoc]",
	.help = "list the commands, or their .It lines of outreachctl(1)",
	.opts = help_opts,
	.flags = CLI_HIDDEN,
	.run = cmd_help,
};

/* An mdoc line being written: the macro in force, which the next word of
 * the same kind continues; NULL after Ns, Oo and Oc. */
struct mdoc {
	FILE		*fp;
	const char	*macro;
};

/* Writes len bytes of s under macro m, naming m only if it is not in
 * force; m NULL writes s as it is (|, =, ...). */
static void
mdoc_text(struct mdoc *md, const char *m, const char *s, size_t len)
{
	if (m != NULL && (md->macro == NULL || strcmp(md->macro, m) != 0)) {
		fprintf(md->fp, " %s", m);
		md->macro = m;
	}
	fprintf(md->fp, " %.*s", (int)len, s);
}

/* Writes a macro that ends the one in force: Ns, Oo or Oc. */
static void
mdoc_macro(struct mdoc *md, const char *m)
{
	fprintf(md->fp, " %s", m);
	md->macro = NULL;
}

/* Whether len bytes of s hold a letter or a digit. */
static int
has_alnum(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (isalnum((unsigned char)s[i]))
			return 1;
	}
	return 0;
}

/* The length of the piece of a word at s: an upper-case PLACEHOLDER (Ar),
 * or literal text up to the next one (Cm, or nothing for punctuation). */
static size_t
mdoc_piece(const char *s, size_t len, const char **macro)
{
	size_t n = 0;

	if (isupper((unsigned char)*s)) {
		while (n < len && (isupper((unsigned char)s[n]) ||
		    isdigit((unsigned char)s[n]) || s[n] == '-' || s[n] == '_'))
			n++;
		*macro = "Ar";
		return n;
	}
	while (n < len && !isupper((unsigned char)s[n]))
		n++;
	*macro = has_alnum(s, n) ? "Cm" : NULL;
	return n;
}

/* Writes one word of a usage: --flag (Fl), ..., or pieces such as
 * attr.NAME=VALUE, joined by Ns. */
static void
mdoc_word(struct mdoc *md, const char *s, size_t len)
{
	const char *m;
	size_t n;

	if (len == 3 && strncmp(s, "...", 3) == 0) {
		mdoc_text(md, NULL, s, len);
		return;
	}
	if (len > 1 && s[0] == '-') {
		mdoc_text(md, "Fl", s + 1, len - 1);
		return;
	}
	while (len > 0) {
		n = mdoc_piece(s, len, &m);
		mdoc_text(md, m, s, n);
		s += n;
		len -= n;
		if (len > 0)
			mdoc_macro(md, "Ns");
	}
}

/* Writes a command's name or usage: [ and ] become Oo and Oc, | stays a
 * delimiter between words. */
static void
mdoc_usage(struct mdoc *md, const char *s)
{
	size_t n;

	while (*s != '\0') {
		if (*s == ' ') {
			s++;
			continue;
		}
		if (*s == '[' || *s == ']') {
			mdoc_macro(md, *s == '[' ? "Oo" : "Oc");
			s++;
			continue;
		}
		if (*s == '|') {
			mdoc_text(md, NULL, s, 1);
			s++;
			continue;
		}
		n = strcspn(s, " []|");
		mdoc_word(md, s, n);
		s += n;
	}
}

/* Writes the .It line of each listed command, as in COMMANDS. */
static void
mdoc_commands(FILE *fp)
{
	const struct cli_cmd *const *cp;
	struct mdoc md;

	for (cp = cli_cmds; *cp != NULL; cp++) {
		if ((*cp)->flags & CLI_HIDDEN)
			continue;
		md.fp = fp;
		md.macro = NULL;
		fputs(".It", fp);
		mdoc_usage(&md, (*cp)->name);
		mdoc_usage(&md, (*cp)->usage);
		fputc('\n', fp);
	}
}

/* help: what --help prints, or with --mdoc the manual's .It lines. */
static int
cmd_help(struct cli *cli, const struct cli_cmd *self, int argc, char **argv)
{
	int ch, mdoc = 0;

	while ((ch = cli_getopt(self, argc, argv)) != -1) {
		if (ch != 'm')
			return cli_usage(self, ch == 'h' ? 0 : EX_USAGE);
		mdoc = 1;
	}
	if (optind != argc)
		return cli_usage(self, EX_USAGE);
	if (!mdoc)
		return cli_list(NULL, 0);
	mdoc_commands(stdout);
	return 0;
}
