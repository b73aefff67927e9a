/* store_schema.c - the schema, as forward migrations.
 *
 * The schema version lives in PRAGMA user_version.  A migration is never
 * edited once released: changes go into a new one, so every older store can
 * be brought forward.  Dates are day numbers (days since 1970-01-01) so the
 * planner can index and compare them cheaply. */
#include "store.h"
#include "store_schema.h"
#include "util.h"

const char *const store_migrations[] = {
	/* 0 -> 1: customers, reps, history. */
	"CREATE TABLE reps ("
	"  id INTEGER PRIMARY KEY,"
	"  key TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL,"
	"  email TEXT,"
	"  phone TEXT,"
	"  token_hash BLOB,"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE customers ("
	"  id INTEGER PRIMARY KEY,"
	"  external_id TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL,"
	"  salutation TEXT,"
	"  email TEXT,"
	"  phone TEXT,"
	"  birthday TEXT,"
	"  anniversary TEXT,"
	"  tier TEXT CHECK (tier IN ('A','B','C')),"
	"  rep_id INTEGER REFERENCES reps(id),"
	"  locale TEXT,"
	"  timezone TEXT,"
	"  channel TEXT CHECK (channel IN ('email','sms')),"
	"  opt_out TEXT,"
	"  notes TEXT,"
	/* Derived columns, kept by the store and by triggers. */
	"  bday_md INTEGER,"
	"  bday_lunar INTEGER,"
	"  anniv_md INTEGER,"
	"  tier_computed TEXT CHECK (tier_computed IN ('A','B','C')),"
	"  tier_eff TEXT GENERATED ALWAYS AS"
	"    (coalesce(tier, tier_computed, 'C')) VIRTUAL,"
	"  last_contact INTEGER,"
	"  first_purchase INTEGER,"
	"  last_purchase INTEGER,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE INDEX customers_bday ON customers(bday_md) WHERE bday_md IS NOT NULL;"
	"CREATE INDEX customers_bday_lunar ON customers(bday_lunar)"
	"  WHERE bday_lunar IS NOT NULL;"
	"CREATE INDEX customers_anniv ON customers(anniv_md) WHERE anniv_md IS NOT NULL;"
	"CREATE INDEX customers_rep ON customers(rep_id);"
	"CREATE TABLE customer_attrs ("
	"  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (customer_id, name)) WITHOUT ROWID;"
	"CREATE TABLE purchases ("
	"  id INTEGER PRIMARY KEY,"
	"  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,"
	"  amount INTEGER NOT NULL,"
	"  day INTEGER NOT NULL);"
	"CREATE INDEX purchases_customer ON purchases(customer_id, day);"
	"CREATE INDEX purchases_day ON purchases(day);"
	"CREATE TABLE contacts ("
	"  id INTEGER PRIMARY KEY,"
	"  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,"
	"  rep_id INTEGER REFERENCES reps(id),"
	"  day INTEGER NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN"
	"    ('call','visit','email','sms','gift','meeting')),"
	"  note TEXT);"
	"CREATE INDEX contacts_customer ON contacts(customer_id, day);"
	/* Derive last contact and first/last purchase on insert. */
	"CREATE TRIGGER purchases_derive AFTER INSERT ON purchases BEGIN"
	"  UPDATE customers SET"
	"    first_purchase = min(coalesce(first_purchase, NEW.day), NEW.day),"
	"    last_purchase = max(coalesce(last_purchase, NEW.day), NEW.day)"
	"  WHERE id = NEW.customer_id;"
	"END;"
	"CREATE TRIGGER contacts_derive AFTER INSERT ON contacts BEGIN"
	"  UPDATE customers SET"
	"    last_contact = max(coalesce(last_contact, NEW.day), NEW.day)"
	"  WHERE id = NEW.customer_id;"
	"END;",
	/* 1 -> 2: the planner.  revisit_from is the day the revisit clock
	 * started: the last contact or the last planned revisit, or for a
	 * customer never touched the first purchase or creation. */
	"ALTER TABLE customers ADD COLUMN revisit_planned INTEGER;"
	"ALTER TABLE customers ADD COLUMN sleep_days INTEGER;"
	"ALTER TABLE customers ADD COLUMN revisit_from INTEGER GENERATED ALWAYS AS"
	"  (CASE WHEN last_contact IS NULL AND revisit_planned IS NULL"
	"   THEN coalesce(first_purchase, created_at / 86400)"
	"   ELSE max(coalesce(last_contact, revisit_planned),"
	"            coalesce(revisit_planned, last_contact)) END) VIRTUAL;"
	"CREATE INDEX customers_revisit ON customers(tier_eff, revisit_from);"
	"CREATE INDEX customers_last_purchase ON customers(last_purchase)"
	"  WHERE last_purchase IS NOT NULL;"
	"CREATE INDEX customers_sleep ON customers(last_purchase + sleep_days)"
	"  WHERE sleep_days IS NOT NULL;"
	"CREATE INDEX customers_updated ON customers(updated_at);"
	"CREATE TABLE plan_items ("
	"  id INTEGER PRIMARY KEY,"
	"  dedup_key TEXT NOT NULL UNIQUE,"
	"  rule TEXT NOT NULL,"
	"  event TEXT NOT NULL,"
	"  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,"
	"  day INTEGER NOT NULL,"
	"  occurrence INTEGER NOT NULL,"
	"  action TEXT NOT NULL CHECK (action IN ('message','task')),"
	"  channel TEXT,"
	"  task_kind TEXT,"
	"  reason TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX plan_items_customer ON plan_items(customer_id, day);"
	"CREATE INDEX plan_items_day ON plan_items(day);"
	"CREATE TABLE tier_history ("
	"  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,"
	"  day INTEGER NOT NULL,"
	"  old_tier TEXT,"
	"  new_tier TEXT NOT NULL);"
	"CREATE INDEX tier_history_customer ON tier_history(customer_id, day);"
	"CREATE TABLE state ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL) WITHOUT ROWID;",
	/* 2 -> 3: delivery and tasks.  An outbox row is one message to one
	 * address; its state changes only once the peer's answer is known.
	 * Task items get a status, a revision and the time they changed, for
	 * the reps' calendar feeds. */
	"ALTER TABLE plan_items ADD COLUMN status TEXT NOT NULL DEFAULT 'open'"
	"  CHECK (status IN ('open','done','cancelled'));"
	"ALTER TABLE plan_items ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE plan_items ADD COLUMN modified_at INTEGER;"
	"ALTER TABLE plan_items ADD COLUMN done_at INTEGER;"
	"ALTER TABLE plan_items ADD COLUMN note TEXT;"
	"ALTER TABLE plan_items ADD COLUMN queued INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE plan_items ADD COLUMN error TEXT;"
	"CREATE INDEX plan_items_unqueued ON plan_items(id)"
	"  WHERE action = 'message' AND queued = 0;"
	"CREATE INDEX plan_items_tasks ON plan_items(customer_id)"
	"  WHERE action = 'task';"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  dedup_key TEXT NOT NULL UNIQUE,"
	"  item_id INTEGER REFERENCES plan_items(id) ON DELETE CASCADE,"
	"  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,"
	"  channel TEXT NOT NULL CHECK (channel IN ('email','sms')),"
	"  recipient TEXT NOT NULL,"
	"  recipient_name TEXT,"
	"  from_name TEXT,"
	"  reply_to TEXT,"
	"  subject TEXT,"
	"  body TEXT NOT NULL,"
	"  html TEXT,"
	"  day INTEGER NOT NULL,"
	"  timezone TEXT,"
	"  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending',"
	"    'sending','sent','retry','failed','suppressed','delivered',"
	"    'undelivered')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  not_before INTEGER NOT NULL,"
	"  last_error TEXT,"
	"  provider_id TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  sent_at INTEGER);"
	"CREATE INDEX outbox_due ON outbox(not_before)"
	"  WHERE state IN ('pending','retry');"
	"CREATE INDEX outbox_sending ON outbox(id) WHERE state = 'sending';"
	"CREATE INDEX outbox_sent ON outbox(channel, sent_at)"
	"  WHERE sent_at IS NOT NULL;"
	"CREATE INDEX outbox_customer ON outbox(customer_id, day);"
	"CREATE INDEX outbox_state ON outbox(state);",
	/* 3 -> 4: inbound "STOP" replies find the customer by phone. */
	"CREATE INDEX customers_phone ON customers(phone) WHERE phone IS NOT NULL;",
	/* 4 -> 5: the outbox's state CHECK was an IN list of eight values,
	 * which SQLite evaluates through a temporary B-tree built on every
	 * row write (two per message sent): the same rule as a chain of
	 * equalities costs nothing.  A CHECK cannot be altered, so the table
	 * is rebuilt.  outbox_sending duplicated outbox_state for recovery
	 * and cost a page write per state change: dropped. */
	"CREATE TABLE outbox_v5 ("
	"  id INTEGER PRIMARY KEY,"
	"  dedup_key TEXT NOT NULL UNIQUE,"
	"  item_id INTEGER REFERENCES plan_items(id) ON DELETE CASCADE,"
	"  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,"
	"  channel TEXT NOT NULL CHECK (channel = 'email' OR channel = 'sms'),"
	"  recipient TEXT NOT NULL,"
	"  recipient_name TEXT,"
	"  from_name TEXT,"
	"  reply_to TEXT,"
	"  subject TEXT,"
	"  body TEXT NOT NULL,"
	"  html TEXT,"
	"  day INTEGER NOT NULL,"
	"  timezone TEXT,"
	"  state TEXT NOT NULL DEFAULT 'pending' CHECK (state = 'pending' OR"
	"    state = 'sending' OR state = 'sent' OR state = 'retry' OR"
	"    state = 'failed' OR state = 'suppressed' OR state = 'delivered' OR"
	"    state = 'undelivered'),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  not_before INTEGER NOT NULL,"
	"  last_error TEXT,"
	"  provider_id TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  sent_at INTEGER);"
	"INSERT INTO outbox_v5 (id, dedup_key, item_id, customer_id, channel,"
	"  recipient, recipient_name, from_name, reply_to, subject, body, html,"
	"  day, timezone, state, attempts, not_before, last_error, provider_id,"
	"  created_at, updated_at, sent_at)"
	"  SELECT id, dedup_key, item_id, customer_id, channel, recipient,"
	"  recipient_name, from_name, reply_to, subject, body, html, day,"
	"  timezone, state, attempts, not_before, last_error, provider_id,"
	"  created_at, updated_at, sent_at FROM outbox;"
	"DROP TABLE outbox;"
	"ALTER TABLE outbox_v5 RENAME TO outbox;"
	"CREATE INDEX outbox_due ON outbox(not_before)"
	"  WHERE state IN ('pending','retry');"
	"CREATE INDEX outbox_sent ON outbox(channel, sent_at)"
	"  WHERE sent_at IS NOT NULL;"
	"CREATE INDEX outbox_customer ON outbox(customer_id, day);"
	"CREATE INDEX outbox_state ON outbox(state);",
	/* 5 -> 6: every message sent moved its outbox_state entry from the
	 * 'sending' run to the 'sent' run: two index pages more in the WAL on
	 * each commit, the largest part of the cost of recording a message
	 * sent.  'sent' rows, the history, leave the index; the number sent
	 * is the row count (a B-tree count, no row read) less the others. */
	"DROP INDEX outbox_state;"
	"CREATE INDEX outbox_state ON outbox(state) WHERE state <> 'sent';",
	/* 6 -> 7: 'unknown', a message whose final answer never came (the
	 * server may have it): shown to the admin, never resent blindly.
	 * A CHECK cannot be altered, so the table is rebuilt. */
	"CREATE TABLE outbox_v7 ("
	"  id INTEGER PRIMARY KEY,"
	"  dedup_key TEXT NOT NULL UNIQUE,"
	"  item_id INTEGER REFERENCES plan_items(id) ON DELETE CASCADE,"
	"  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,"
	"  channel TEXT NOT NULL CHECK (channel = 'email' OR channel = 'sms'),"
	"  recipient TEXT NOT NULL,"
	"  recipient_name TEXT,"
	"  from_name TEXT,"
	"  reply_to TEXT,"
	"  subject TEXT,"
	"  body TEXT NOT NULL,"
	"  html TEXT,"
	"  day INTEGER NOT NULL,"
	"  timezone TEXT,"
	"  state TEXT NOT NULL DEFAULT 'pending' CHECK (state = 'pending' OR"
	"    state = 'sending' OR state = 'sent' OR state = 'retry' OR"
	"    state = 'failed' OR state = 'suppressed' OR state = 'delivered' OR"
	"    state = 'undelivered' OR state = 'unknown'),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  not_before INTEGER NOT NULL,"
	"  last_error TEXT,"
	"  provider_id TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  sent_at INTEGER);"
	"INSERT INTO outbox_v7 SELECT * FROM outbox;"
	"DROP TABLE outbox;"
	"ALTER TABLE outbox_v7 RENAME TO outbox;"
	"CREATE INDEX outbox_due ON outbox(not_before)"
	"  WHERE state IN ('pending','retry');"
	"CREATE INDEX outbox_sent ON outbox(channel, sent_at)"
	"  WHERE sent_at IS NOT NULL;"
	"CREATE INDEX outbox_customer ON outbox(customer_id, day);"
	"CREATE INDEX outbox_state ON outbox(state) WHERE state <> 'sent';",
	/* 7 -> 8: SQLite gives a new row the largest id plus one, so the id
	 * of the newest customer came back after "customer forget": the
	 * forgotten person's unsubscribe links and message keys then named
	 * the next, unrelated customer.  AUTOINCREMENT never hands out an id
	 * twice.  It cannot be added to a table, so customers is rebuilt:
	 * same columns in the same order, same ids, then the indexes and the
	 * triggers that name the table again (store_migrate() keeps foreign
	 * keys off meanwhile, so the history stays).  sqlite_sequence starts
	 * at the largest id left: an id forgotten above it before this
	 * version can still come back once. */
	"DROP TRIGGER purchases_derive;"
	"DROP TRIGGER contacts_derive;"
	"CREATE TABLE customers_v7 ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  external_id TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL,"
	"  salutation TEXT,"
	"  email TEXT,"
	"  phone TEXT,"
	"  birthday TEXT,"
	"  anniversary TEXT,"
	"  tier TEXT CHECK (tier IN ('A','B','C')),"
	"  rep_id INTEGER REFERENCES reps(id),"
	"  locale TEXT,"
	"  timezone TEXT,"
	"  channel TEXT CHECK (channel IN ('email','sms')),"
	"  opt_out TEXT,"
	"  notes TEXT,"
	"  bday_md INTEGER,"
	"  bday_lunar INTEGER,"
	"  anniv_md INTEGER,"
	"  tier_computed TEXT CHECK (tier_computed IN ('A','B','C')),"
	"  tier_eff TEXT GENERATED ALWAYS AS"
	"    (coalesce(tier, tier_computed, 'C')) VIRTUAL,"
	"  last_contact INTEGER,"
	"  first_purchase INTEGER,"
	"  last_purchase INTEGER,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  revisit_planned INTEGER,"
	"  sleep_days INTEGER,"
	"  revisit_from INTEGER GENERATED ALWAYS AS"
	"  (CASE WHEN last_contact IS NULL AND revisit_planned IS NULL"
	"   THEN coalesce(first_purchase, created_at / 86400)"
	"   ELSE max(coalesce(last_contact, revisit_planned),"
	"            coalesce(revisit_planned, last_contact)) END) VIRTUAL);"
	"INSERT INTO customers_v7 (id, external_id, name, salutation, email,"
	"  phone, birthday, anniversary, tier, rep_id, locale, timezone, channel,"
	"  opt_out, notes, bday_md, bday_lunar, anniv_md, tier_computed,"
	"  last_contact, first_purchase, last_purchase, created_at, updated_at,"
	"  revisit_planned, sleep_days)"
	"  SELECT id, external_id, name, salutation, email, phone, birthday,"
	"  anniversary, tier, rep_id, locale, timezone, channel, opt_out, notes,"
	"  bday_md, bday_lunar, anniv_md, tier_computed, last_contact,"
	"  first_purchase, last_purchase, created_at, updated_at,"
	"  revisit_planned, sleep_days FROM customers;"
	"DROP TABLE customers;"
	"ALTER TABLE customers_v7 RENAME TO customers;"
	"CREATE INDEX customers_bday ON customers(bday_md) WHERE bday_md IS NOT NULL;"
	"CREATE INDEX customers_bday_lunar ON customers(bday_lunar)"
	"  WHERE bday_lunar IS NOT NULL;"
	"CREATE INDEX customers_anniv ON customers(anniv_md) WHERE anniv_md IS NOT NULL;"
	"CREATE INDEX customers_rep ON customers(rep_id);"
	"CREATE INDEX customers_revisit ON customers(tier_eff, revisit_from);"
	"CREATE INDEX customers_last_purchase ON customers(last_purchase)"
	"  WHERE last_purchase IS NOT NULL;"
	"CREATE INDEX customers_sleep ON customers(last_purchase + sleep_days)"
	"  WHERE sleep_days IS NOT NULL;"
	"CREATE INDEX customers_updated ON customers(updated_at);"
	"CREATE INDEX customers_phone ON customers(phone) WHERE phone IS NOT NULL;"
	"CREATE TRIGGER purchases_derive AFTER INSERT ON purchases BEGIN"
	"  UPDATE customers SET"
	"    first_purchase = min(coalesce(first_purchase, NEW.day), NEW.day),"
	"    last_purchase = max(coalesce(last_purchase, NEW.day), NEW.day)"
	"  WHERE id = NEW.customer_id;"
	"END;"
	"CREATE TRIGGER contacts_derive AFTER INSERT ON contacts BEGIN"
	"  UPDATE customers SET"
	"    last_contact = max(coalesce(last_contact, NEW.day), NEW.day)"
	"  WHERE id = NEW.customer_id;"
	"END;",
	/* 8 -> 9: the task lifecycle.  A task has attempts (outcome "not
	 * reached"), an escalated flag, and may be absorbed by the customer's
	 * other task of the same day (merged_into: the row and its dedup key
	 * stay, so planning the day again adds nothing, but only the host is
	 * listed; its reason is the checklist of both).  task_events is the
	 * history of outcomes.  customers get revisit_next, a rep's "next
	 * follow-up on" date the planner honours instead of the cadence, and
	 * stale_since, a record flagged for refresh (wrong number, moved).
	 * contacts are rebuilt to allow the kind 'message' (a CHECK cannot be
	 * altered). */
	"ALTER TABLE plan_items ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE plan_items ADD COLUMN escalated INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE plan_items ADD COLUMN merged_into INTEGER"
	"  REFERENCES plan_items(id) ON DELETE SET NULL;"
	"CREATE INDEX plan_items_open_tasks ON plan_items(customer_id, day)"
	"  WHERE action = 'task' AND status = 'open';"
	"CREATE INDEX plan_items_merged ON plan_items(merged_into)"
	"  WHERE merged_into IS NOT NULL;"
	"ALTER TABLE customers ADD COLUMN revisit_next INTEGER;"
	"ALTER TABLE customers ADD COLUMN stale_since INTEGER;"
	"ALTER TABLE customers ADD COLUMN stale_note TEXT;"
	"CREATE INDEX customers_revisit_next ON customers(revisit_next)"
	"  WHERE revisit_next IS NOT NULL;"
	"CREATE INDEX customers_stale ON customers(stale_since)"
	"  WHERE stale_since IS NOT NULL;"
	/* A new phone or e-mail is the refresh the flag asked for. */
	"CREATE TRIGGER customers_refreshed AFTER UPDATE OF phone, email"
	"  ON customers WHEN NEW.stale_since IS NOT NULL AND"
	"  (OLD.phone IS NOT NEW.phone OR OLD.email IS NOT NEW.email) BEGIN"
	"  UPDATE customers SET stale_since = NULL, stale_note = NULL"
	"  WHERE id = NEW.id;"
	"END;"
	"CREATE TABLE task_events ("
	"  id INTEGER PRIMARY KEY,"
	"  item_id INTEGER NOT NULL REFERENCES plan_items(id) ON DELETE CASCADE,"
	"  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,"
	"  rep_id INTEGER REFERENCES reps(id),"
	"  at INTEGER NOT NULL,"
	"  day INTEGER NOT NULL,"
	"  outcome TEXT NOT NULL,"
	"  kind TEXT,"
	"  date INTEGER,"
	"  note TEXT,"
	"  source TEXT NOT NULL);"
	"CREATE INDEX task_events_item ON task_events(item_id);"
	"CREATE INDEX task_events_customer ON task_events(customer_id, at);"
	"CREATE TABLE contacts_v9 ("
	"  id INTEGER PRIMARY KEY,"
	"  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,"
	"  rep_id INTEGER REFERENCES reps(id),"
	"  day INTEGER NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN"
	"    ('call','visit','email','sms','gift','meeting','message')),"
	"  note TEXT);"
	"INSERT INTO contacts_v9 SELECT id, customer_id, rep_id, day, kind, note"
	"  FROM contacts;"
	"DROP TABLE contacts;"
	"ALTER TABLE contacts_v9 RENAME TO contacts;"
	"CREATE INDEX contacts_customer ON contacts(customer_id, day);"
	"CREATE TRIGGER contacts_derive AFTER INSERT ON contacts BEGIN"
	"  UPDATE customers SET"
	"    last_contact = max(coalesce(last_contact, NEW.day), NEW.day)"
	"  WHERE id = NEW.customer_id;"
	"END;",
	/* 9 -> 10: the rep's loop.  A rep has a time zone (NULL: the
	 * configured one), which says when their tasks are overdue and when
	 * their morning digest goes, and opts in to that digest. */
	"ALTER TABLE reps ADD COLUMN timezone TEXT;"
	"ALTER TABLE reps ADD COLUMN digest INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX plan_items_open_day ON plan_items(day)"
	"  WHERE action = 'task' AND status = 'open';",
	/* 10 -> 11: rep-sent greetings.  A rule with action "rep_message"
	 * plans a task of kind 'message' (on a channel); the outbox pass
	 * renders it like a message but keeps the text with the task, for
	 * the rep to send personally, instead of sending it.  queued says it
	 * was rendered (error: why not). */
	"ALTER TABLE plan_items ADD COLUMN message_subject TEXT;"
	"ALTER TABLE plan_items ADD COLUMN message TEXT;"
	"CREATE INDEX plan_items_rep_unrendered ON plan_items(id)"
	"  WHERE action = 'task' AND task_kind = 'message' AND queued = 0;",
	/* 11 -> 12: the reps' morning digests go through the outbox like
	 * any e-mail (retries, rate limits, the sender lock), but they are
	 * for a rep, not a customer: customer_id may be NULL when rep_id is
	 * set, and such rows skip what only concerns customers (opt-outs,
	 * the frequency cap, quiet hours, unsubscribe links).  NOT NULL
	 * cannot be dropped, so the table is rebuilt. */
	"CREATE TABLE outbox_v12 ("
	"  id INTEGER PRIMARY KEY,"
	"  dedup_key TEXT NOT NULL UNIQUE,"
	"  item_id INTEGER REFERENCES plan_items(id) ON DELETE CASCADE,"
	"  customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,"
	"  channel TEXT NOT NULL CHECK (channel = 'email' OR channel = 'sms'),"
	"  recipient TEXT NOT NULL,"
	"  recipient_name TEXT,"
	"  from_name TEXT,"
	"  reply_to TEXT,"
	"  subject TEXT,"
	"  body TEXT NOT NULL,"
	"  html TEXT,"
	"  day INTEGER NOT NULL,"
	"  timezone TEXT,"
	"  state TEXT NOT NULL DEFAULT 'pending' CHECK (state = 'pending' OR"
	"    state = 'sending' OR state = 'sent' OR state = 'retry' OR"
	"    state = 'failed' OR state = 'suppressed' OR state = 'delivered' OR"
	"    state = 'undelivered' OR state = 'unknown'),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  not_before INTEGER NOT NULL,"
	"  last_error TEXT,"
	"  provider_id TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  sent_at INTEGER,"
	"  rep_id INTEGER REFERENCES reps(id) ON DELETE CASCADE,"
	"  CHECK (customer_id IS NOT NULL OR rep_id IS NOT NULL));"
	"INSERT INTO outbox_v12 (id, dedup_key, item_id, customer_id, channel,"
	"  recipient, recipient_name, from_name, reply_to, subject, body, html,"
	"  day, timezone, state, attempts, not_before, last_error, provider_id,"
	"  created_at, updated_at, sent_at)"
	"  SELECT id, dedup_key, item_id, customer_id, channel, recipient,"
	"  recipient_name, from_name, reply_to, subject, body, html, day,"
	"  timezone, state, attempts, not_before, last_error, provider_id,"
	"  created_at, updated_at, sent_at FROM outbox;"
	"DROP TABLE outbox;"
	"ALTER TABLE outbox_v12 RENAME TO outbox;"
	"CREATE INDEX outbox_due ON outbox(not_before)"
	"  WHERE state IN ('pending','retry');"
	"CREATE INDEX outbox_sent ON outbox(channel, sent_at)"
	"  WHERE sent_at IS NOT NULL;"
	"CREATE INDEX outbox_customer ON outbox(customer_id, day);"
	"CREATE INDEX outbox_state ON outbox(state) WHERE state <> 'sent';",
	/* 12 -> 13: a rep's language.  Pages, feed titles and reasons are
	 * said in the rep's locale (NULL: the configured one).  From this
	 * version on plan_items.reason holds reason.h's records, said in the
	 * reader's language; older rows keep their English text, shown as
	 * it is. */
	"ALTER TABLE reps ADD COLUMN locale TEXT;",
	/* 13 -> 14: control over what goes out.  'cancelled' (by an admin,
	 * with cancel_reason) and 'expired' (a greeting that could not go
	 * out by expires_at, never sent late).  version counts the admin's
	 * changes to a queued row (cancel, a new rendering): the delivery
	 * pass claims a row only at the version it read, so a change made
	 * while a pass holds the row wins.  render_key and rendered_at say
	 * what the text was made from (templates and configuration, and the
	 * customer as of then), so a queued message is rendered again when
	 * either changed.  The CHECK cannot be altered: rebuilt. */
	"CREATE TABLE outbox_v14 ("
	"  id INTEGER PRIMARY KEY,"
	"  dedup_key TEXT NOT NULL UNIQUE,"
	"  item_id INTEGER REFERENCES plan_items(id) ON DELETE CASCADE,"
	"  customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,"
	"  channel TEXT NOT NULL CHECK (channel = 'email' OR channel = 'sms'),"
	"  recipient TEXT NOT NULL,"
	"  recipient_name TEXT,"
	"  from_name TEXT,"
	"  reply_to TEXT,"
	"  subject TEXT,"
	"  body TEXT NOT NULL,"
	"  html TEXT,"
	"  day INTEGER NOT NULL,"
	"  timezone TEXT,"
	"  state TEXT NOT NULL DEFAULT 'pending' CHECK (state = 'pending' OR"
	"    state = 'sending' OR state = 'sent' OR state = 'retry' OR"
	"    state = 'failed' OR state = 'suppressed' OR state = 'delivered' OR"
	"    state = 'undelivered' OR state = 'unknown' OR"
	"    state = 'cancelled' OR state = 'expired'),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  not_before INTEGER NOT NULL,"
	"  last_error TEXT,"
	"  provider_id TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  sent_at INTEGER,"
	"  rep_id INTEGER REFERENCES reps(id) ON DELETE CASCADE,"
	"  version INTEGER NOT NULL DEFAULT 0,"
	"  cancel_reason TEXT,"
	"  expires_at INTEGER,"
	"  render_key TEXT,"
	"  rendered_at INTEGER,"
	"  CHECK (customer_id IS NOT NULL OR rep_id IS NOT NULL));"
	"INSERT INTO outbox_v14 (id, dedup_key, item_id, customer_id, channel,"
	"  recipient, recipient_name, from_name, reply_to, subject, body, html,"
	"  day, timezone, state, attempts, not_before, last_error, provider_id,"
	"  created_at, updated_at, sent_at, rep_id)"
	"  SELECT id, dedup_key, item_id, customer_id, channel, recipient,"
	"  recipient_name, from_name, reply_to, subject, body, html, day,"
	"  timezone, state, attempts, not_before, last_error, provider_id,"
	"  created_at, updated_at, sent_at, rep_id FROM outbox;"
	"DROP TABLE outbox;"
	"ALTER TABLE outbox_v14 RENAME TO outbox;"
	"CREATE INDEX outbox_due ON outbox(not_before)"
	"  WHERE state IN ('pending','retry');"
	"CREATE INDEX outbox_sent ON outbox(channel, sent_at)"
	"  WHERE sent_at IS NOT NULL;"
	"CREATE INDEX outbox_customer ON outbox(customer_id, day);"
	"CREATE INDEX outbox_state ON outbox(state) WHERE state <> 'sent';",
	/* 14 -> 15: /metrics counts messages by state and channel.  With
	 * the channel and sent_at in outbox_state the counts read the index
	 * alone, not every delivered or failed row (bodies and all); the
	 * entries are written when they were before, so sending costs no
	 * more index pages. */
	"DROP INDEX outbox_state;"
	"CREATE INDEX outbox_state ON outbox(state, channel, sent_at)"
	"  WHERE state <> 'sent';",
	/* 15 -> 16: key dates of a customer (a company's founding, a store's
	 * opening, a child's graduation), one per label.  date is the text
	 * as a birthday's; yearly 0 happens once.  The derived keys are what
	 * the planner looks up, as customers_bday and customers_bday_lunar
	 * for birthdays: md (month * 100 + day) and lunar for yearly dates,
	 * day (a day number) for one that happens once.  Each index leads
	 * with the label, which every key date rule names, so a day's lookup
	 * reads only the key dates due that day. */
	"CREATE TABLE keydates ("
	"  id INTEGER PRIMARY KEY,"
	"  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,"
	"  label TEXT NOT NULL,"
	"  date TEXT NOT NULL,"
	"  yearly INTEGER NOT NULL CHECK (yearly = 0 OR yearly = 1),"
	"  md INTEGER,"
	"  lunar INTEGER,"
	"  day INTEGER,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  UNIQUE (customer_id, label));"
	"CREATE INDEX keydates_md ON keydates(label, md) WHERE md IS NOT NULL;"
	"CREATE INDEX keydates_lunar ON keydates(label, lunar)"
	"  WHERE lunar IS NOT NULL;"
	"CREATE INDEX keydates_day ON keydates(label, day) WHERE day IS NOT NULL;",
	/* 16 -> 17: the manager's report.  An opt-out is kept with its day
	 * (UTC, from the updated_at the same write sets), so the report can
	 * tell opt-outs that followed a message; a customer who arrives
	 * opted out was never ours to lose and is not recorded.  outbox_day
	 * finds a period's messages without reading every body ever sent;
	 * day never changes after the insert, so state changes cost nothing
	 * more.  holdouts are the customers a message rule with a holdout
	 * kept from its message, under the message's dedup key (a control
	 * group for the report).  contacts_visits finds the visits and
	 * meetings of a day, which an after_visit rule follows with a
	 * survey; survey_answers are the answers, one per survey message.
	 * lifecycle_days holds the daemon's daily
	 * counts of customers by state, tier and rep ('' for none):
	 * reconstructed = 1 for the months before the first count, made from
	 * the purchases.
	 * purchases_customer gains the amount: the report and the tier
	 * recompute read every purchase with its amount in customer order,
	 * and the index alone now answers them (at a million customers the
	 * lookup of each row in the table took 1.3 of the report's 2.3 s). */
	"DROP INDEX purchases_customer;"
	"CREATE INDEX purchases_customer ON purchases(customer_id, day, amount);"
	"CREATE TABLE optout_events ("
	"  id INTEGER PRIMARY KEY,"
	"  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,"
	"  day INTEGER NOT NULL,"
	"  opt_out TEXT NOT NULL);"
	"CREATE INDEX optout_events_customer ON optout_events(customer_id, day);"
	"CREATE TRIGGER customers_optout AFTER UPDATE OF opt_out ON customers"
	"  WHEN NEW.opt_out IS NOT NULL AND NEW.opt_out IS NOT OLD.opt_out BEGIN"
	"  INSERT INTO optout_events (customer_id, day, opt_out)"
	"  VALUES (NEW.id, NEW.updated_at / 86400, NEW.opt_out);"
	"END;"
	"CREATE INDEX outbox_day ON outbox(day) WHERE customer_id IS NOT NULL;"
	"CREATE TABLE holdouts ("
	"  id INTEGER PRIMARY KEY,"
	"  dedup_key TEXT NOT NULL UNIQUE,"
	"  rule TEXT NOT NULL,"
	"  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,"
	"  day INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX holdouts_day ON holdouts(day);"
	"CREATE INDEX holdouts_customer ON holdouts(customer_id);"
	"CREATE INDEX contacts_visits ON contacts(day)"
	"  WHERE kind = 'visit' OR kind = 'meeting';"
	"CREATE TABLE survey_answers ("
	"  id INTEGER PRIMARY KEY,"
	"  item_id INTEGER NOT NULL UNIQUE"
	"    REFERENCES plan_items(id) ON DELETE CASCADE,"
	"  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,"
	"  score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),"
	"  comment TEXT,"
	"  day INTEGER NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  source TEXT NOT NULL);"
	"CREATE INDEX survey_answers_day ON survey_answers(day);"
	"CREATE TABLE lifecycle_days ("
	"  day INTEGER NOT NULL,"
	"  tier TEXT NOT NULL,"
	"  rep TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  customers INTEGER NOT NULL,"
	"  reconstructed INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (day, tier, rep, state)) WITHOUT ROWID;",
	/* 17 -> 18: SMS through providers of approved templates (Aliyun,
	 * Tencent).  sms_request is what such a message asks the provider
	 * for (tmpl_provider.h: template id and parameter values, as JSON),
	 * NULL for every other message.  status_at is when the provider's
	 * status query is next asked about the message, NULL when it is
	 * not: a sent message until its report came (or 48 hours passed),
	 * and an 'unknown' one, which is sent again only when the provider
	 * does not know it; status_checks counts the queries asked. */
	"ALTER TABLE outbox ADD COLUMN sms_request TEXT;"
	"ALTER TABLE outbox ADD COLUMN status_at INTEGER;"
	"ALTER TABLE outbox ADD COLUMN status_checks INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX outbox_status ON outbox(status_at)"
	"  WHERE status_at IS NOT NULL;",
	/* 18 -> 19: history is imported once.  A purchase may carry the
	 * order id of the system it comes from: the same order imported
	 * again is found and updated, not added twice.  A changed day moves
	 * the customer's first and last purchase, both ways, so they are
	 * taken again from the purchases (the index purchases_customer makes
	 * min and max one step each). */
	"ALTER TABLE purchases ADD COLUMN order_id TEXT;"
	"CREATE UNIQUE INDEX purchases_order ON purchases(customer_id, order_id)"
	"  WHERE order_id IS NOT NULL;"
	"CREATE TRIGGER purchases_rederive AFTER UPDATE OF day ON purchases"
	"  BEGIN"
	"  UPDATE customers SET"
	"    first_purchase = (SELECT min(day) FROM purchases"
	"      WHERE customer_id = NEW.customer_id),"
	"    last_purchase = (SELECT max(day) FROM purchases"
	"      WHERE customer_id = NEW.customer_id)"
	"  WHERE id = NEW.customer_id;"
	"END;",
	/* 19 -> 20: what several daemons sharing one database coordinate
	 * with (a PostgreSQL store; one daemon holds an SQLite store, so
	 * here they only keep both schemas the same).  An outbox row taken
	 * to be sent carries who took it, until when, and a fencing
	 * counter raised by every claim, so a late write of an instance
	 * whose lease ran out cannot overwrite the rescuer's.  leases: one
	 * row per duty held by one instance at a time (planning), until
	 * `until` (unix seconds); fence rises with every new holder. */
	"ALTER TABLE outbox ADD COLUMN claimed_by TEXT;"
	"ALTER TABLE outbox ADD COLUMN lease_until INTEGER;"
	"ALTER TABLE outbox ADD COLUMN fence INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX outbox_leases ON outbox(lease_until)"
	"  WHERE state = 'sending';"
	"CREATE TABLE leases ("
	"  name TEXT PRIMARY KEY,"
	"  holder TEXT NOT NULL,"
	"  until INTEGER NOT NULL,"
	"  fence INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;",
	/* 20 -> 21: the claim reads due rows in (not_before, id) order, a
	 * page at a time.  SQLite's index on not_before has the rowid, the
	 * id, after it; PostgreSQL's orders ties by where the row lies, so
	 * every claim sorted the whole backlog due at one second (a day's
	 * greetings): the id goes into the index.  outbox_leases goes: the
	 * rescue finds the few 'sending' rows through outbox_state, and
	 * without it a claim, a renewal or a release of a lease changes no
	 * indexed column (PostgreSQL writes no index entry, HOT). */
	"DROP INDEX outbox_due;"
	"CREATE INDEX outbox_due ON outbox(not_before, id)"
	"  WHERE state IN ('pending','retry');"
	"DROP INDEX outbox_leases;",
	/* 21 -> 22: the planner looks up the kind of each revisit
	 * candidate's last contact (the day's ~22,000 at 1M customers).
	 * contacts_customer found the rows and the table gave the kind; an
	 * index holding the id and the kind answers alone, in the order
	 * the lookup takes (the id written out: the rowid after kind would
	 * order by kind first).  It leads with (customer_id, day), so
	 * every other user of contacts_customer (a customer's last
	 * contact, the report's walk, the cascade from customers) finds
	 * its rows there too, and contacts_customer goes. */
	"CREATE INDEX contacts_last ON contacts(customer_id, day, id, kind);"
	"DROP INDEX contacts_customer;",
};

const int store_nmigrations = (int)ARRAY_SIZE(store_migrations);

_Static_assert(ARRAY_SIZE(store_migrations) == STORE_SCHEMA_VERSION,
    "STORE_SCHEMA_VERSION is not the number of SQLite migrations");
