/* httpd_team.c - the escalations on a manager's day page (/r/TOKEN):
 * the team as team.h reads it, each escalated task linked to its page.
 *
 * The links are signed for the manager and the task (replink.h), not for
 * the task's rep: the task page takes such a link from a rep who is a
 * manager (httpd_pages.c), the outcome is recorded and logged with the
 * manager as the one who acted, and the links stop working when the
 * manager's token is replaced or revoked or they leave `managers`.  The
 * rep's own links are untouched. */
#include <stdlib.h>
#include <string.h>

#include "httpd_priv.h"
#include "page.h"
#include "replink.h"
#include "team.h"
#include "util.h"

struct httpd_team {
	struct team team;
	struct page_team_rep *reps;
	struct page_day_item *items;
	size_t nitems;
	struct page_team page;
};

/* Links each escalated task of g for the manager, from items[*k] on. */
static void
team_links(struct httpd_req *r, struct httpd_team *ht,
    const struct team_rep *g, const struct store_rep *manager,
    const char *hash, const unsigned char key[TOKEN_SECRET_LEN], size_t *k)
{
	struct page_day_item *it;
	char *link;
	size_t j;

	for (j = 0; j < g->ntasks; j++) {
		it = &ht->items[(*k)++];
		link = replink_make(key, manager->id, g->tasks[j].id, hash);
		it->task = &g->tasks[j];
		it->href = replink_url(r->cf->http.base_url, link);
		free(link);
	}
}

/* The team now, ready for page_day_render, without the manager's own
 * part: their own tasks head the page already. */
struct httpd_team *
httpd_team_load(struct httpd_req *r, const struct store_rep *manager,
    const char *hash, const unsigned char key[TOKEN_SECRET_LEN], char **cause)
{
	struct httpd_team *ht = xcalloc(1, sizeof(*ht));
	struct page_team_rep *pr;
	const struct team_rep *g;
	size_t i, n = 0;

	if (team_load(r->st, r->cf, r->now, &ht->team, cause) != 0) {
		free(ht);
		return NULL;
	}
	for (i = 0; i < ht->team.n; i++)
		n += ht->team.reps[i].ntasks;
	ht->reps = xcalloc(ht->team.n + 1, sizeof(*ht->reps));
	ht->items = xcalloc(n + 1, sizeof(*ht->items));
	for (i = 0; i < ht->team.n; i++) {
		g = &ht->team.reps[i];
		if (g->key != NULL && strcmp(g->key, manager->key) == 0)
			continue;
		pr = &ht->reps[ht->page.n++];
		pr->name = g->name ? g->name : g->key;
		pr->overdue = g->overdue;
		pr->today = g->today;
		pr->items = &ht->items[ht->nitems];
		pr->n = g->ntasks;
		team_links(r, ht, g, manager, hash, key, &ht->nitems);
	}
	ht->page.reps = ht->reps;
	return ht;
}

/* The section as the page renders it. */
const struct page_team *
httpd_team_page(const struct httpd_team *ht)
{
	return &ht->page;
}

/* Frees it, links and tasks. */
void
httpd_team_free(struct httpd_team *ht)
{
	size_t i;

	if (ht == NULL)
		return;
	for (i = 0; i < ht->nitems; i++)
		free((char *)ht->items[i].href);
	free(ht->items);
	free(ht->reps);
	team_clear(&ht->team);
	free(ht);
}
