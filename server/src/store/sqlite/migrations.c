/* Versioned schema migrations. Each entry upgrades version i to i+1 inside one transaction;
 * PRAGMA user_version records where a database stands. Never edit a released entry: add one. */
#include "store/sqlite/migrations.h"

#include <stddef.h>

static const char *const migrations[] = {
    /* 1: the domain v1 and the event log */
    "CREATE TABLE scopes ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('gemeente','regio'))"
    ");"
    "CREATE TABLE scope_members ("
    "  region_id INTEGER NOT NULL REFERENCES scopes(id) ON DELETE CASCADE,"
    "  member_id INTEGER NOT NULL REFERENCES scopes(id) ON DELETE CASCADE,"
    "  PRIMARY KEY (region_id, member_id)"
    ") WITHOUT ROWID;"
    "CREATE TABLE organisations ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    "  kind TEXT NOT NULL,"
    "  scope_id INTEGER REFERENCES scopes(id),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ");"
    "CREATE TABLE persons ("
    "  id INTEGER PRIMARY KEY,"
    "  org_id INTEGER NOT NULL REFERENCES organisations(id),"
    "  name TEXT NOT NULL,"
    "  email TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    "  function TEXT NOT NULL DEFAULT '',"
    "  is_admin INTEGER NOT NULL DEFAULT 0,"
    "  active INTEGER NOT NULL DEFAULT 1,"
    "  password_hash TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX persons_org ON persons(org_id);"
    "CREATE TABLE sessions ("
    "  token_hash BLOB PRIMARY KEY,"
    "  person_id INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX sessions_person ON sessions(person_id);"
    "CREATE TABLE setup_tokens ("
    "  token_hash BLOB PRIMARY KEY,"
    "  person_id INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,"
    "  expires_at INTEGER NOT NULL"
    ");"
    "CREATE TABLE bodies ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  scope_id INTEGER NOT NULL REFERENCES scopes(id),"
    "  level TEXT NOT NULL,"
    "  cadence TEXT,"
    "  parent_id INTEGER REFERENCES bodies(id),"
    "  mandate TEXT NOT NULL DEFAULT '',"
    "  location TEXT NOT NULL DEFAULT '',"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX bodies_parent ON bodies(parent_id);"
    "CREATE TABLE memberships ("
    "  body_id INTEGER NOT NULL REFERENCES bodies(id) ON DELETE CASCADE,"
    "  person_id INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,"
    "  role TEXT NOT NULL,"
    "  substitute_for INTEGER REFERENCES persons(id),"
    "  items TEXT," /* JSON array of item ids a guest is limited to; NULL = no limit */
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (body_id, person_id)"
    ") WITHOUT ROWID;"
    "CREATE INDEX memberships_person ON memberships(person_id);"
    "CREATE TABLE meetings ("
    "  id INTEGER PRIMARY KEY,"
    "  body_id INTEGER NOT NULL REFERENCES bodies(id),"
    "  starts_at INTEGER NOT NULL,"
    "  ends_at INTEGER NOT NULL CHECK (ends_at > starts_at),"
    "  location TEXT NOT NULL DEFAULT '',"
    "  status TEXT NOT NULL,"
    "  version INTEGER NOT NULL DEFAULT 1,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX meetings_body ON meetings(body_id, starts_at);"
    "CREATE INDEX meetings_start ON meetings(starts_at);"
    "CREATE TABLE attendance ("
    "  meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,"
    "  person_id INTEGER NOT NULL REFERENCES persons(id),"
    "  status TEXT NOT NULL,"
    "  substitute_id INTEGER REFERENCES persons(id),"
    "  note TEXT NOT NULL DEFAULT '',"
    "  PRIMARY KEY (meeting_id, person_id)"
    ") WITHOUT ROWID;"
    "CREATE TABLE items ("
    "  id INTEGER PRIMARY KEY,"
    "  body_id INTEGER NOT NULL REFERENCES bodies(id),"
    "  meeting_id INTEGER REFERENCES meetings(id)," /* NULL: the body's backlog */
    "  position INTEGER NOT NULL,"
    "  title TEXT NOT NULL,"
    "  description TEXT NOT NULL DEFAULT '',"
    "  presenter_id INTEGER REFERENCES persons(id),"
    "  duration_min INTEGER NOT NULL DEFAULT 0,"
    "  kind TEXT NOT NULL,"
    "  recurring INTEGER NOT NULL DEFAULT 0,"
    "  confidential INTEGER NOT NULL DEFAULT 0,"
    "  status TEXT NOT NULL DEFAULT 'open',"
    "  created_by INTEGER REFERENCES persons(id),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX items_meeting ON items(meeting_id, position);"
    "CREATE INDEX items_body ON items(body_id, meeting_id);"
    "CREATE TABLE item_orgs ("
    "  item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,"
    "  org_id INTEGER NOT NULL REFERENCES organisations(id),"
    "  reason TEXT NOT NULL DEFAULT '',"
    "  PRIMARY KEY (item_id, org_id)"
    ") WITHOUT ROWID;"
    "CREATE TABLE item_persons ("
    "  item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,"
    "  person_id INTEGER NOT NULL REFERENCES persons(id),"
    "  PRIMARY KEY (item_id, person_id)"
    ") WITHOUT ROWID;"
    "CREATE TABLE actions ("
    "  id INTEGER PRIMARY KEY,"
    "  body_id INTEGER NOT NULL REFERENCES bodies(id),"
    "  kind TEXT NOT NULL,"
    "  text TEXT NOT NULL,"
    "  owner_person_id INTEGER REFERENCES persons(id),"
    "  owner_org_id INTEGER REFERENCES organisations(id),"
    "  due_date TEXT,"
    "  status TEXT NOT NULL,"
    "  origin_item_id INTEGER REFERENCES items(id) ON DELETE SET NULL,"
    "  created_by INTEGER REFERENCES persons(id),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX actions_body ON actions(body_id, status);"
    "CREATE INDEX actions_owner ON actions(owner_person_id, status);"
    "CREATE INDEX actions_owner_org ON actions(owner_org_id, status);"
    "CREATE TABLE messages ("
    "  id INTEGER PRIMARY KEY,"
    "  body_id INTEGER NOT NULL REFERENCES bodies(id),"
    "  item_id INTEGER REFERENCES items(id) ON DELETE CASCADE,"
    "  person_id INTEGER NOT NULL REFERENCES persons(id),"
    "  text TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX messages_body ON messages(body_id, id);"
    "CREATE TABLE streams ("
    "  body_id INTEGER PRIMARY KEY,"
    "  seq INTEGER NOT NULL"
    ");"
    "CREATE TABLE events ("
    "  body_id INTEGER NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  type TEXT NOT NULL,"
    "  vis TEXT," /* NULL: every member of the body; else JSON, see auth/acl.h */
    "  payload TEXT NOT NULL,"
    "  actor_id INTEGER,"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (body_id, seq)"
    ") WITHOUT ROWID;",

    /* 2: flags (signaleringen) from the detectors; abbreviations the deployment teaches */
    "CREATE TABLE flags ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('conflict', 'duplicate')),"
    "  key TEXT NOT NULL UNIQUE," /* identity of the finding, e.g. conflict:m3:m9 */
    "  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'afgestemd', "
    "    'bewust_dubbel', 'vervallen')),"
    "  note TEXT NOT NULL DEFAULT '',"
    "  lead_body_id INTEGER REFERENCES bodies(id),"
    "  score REAL NOT NULL DEFAULT 0,"
    "  evidence TEXT NOT NULL,"
    "  fingerprint TEXT NOT NULL," /* what, if changed, makes a resolved flag open again */
    "  body_a INTEGER NOT NULL REFERENCES bodies(id),"
    "  meeting_a INTEGER,"
    "  item_a INTEGER,"
    "  body_b INTEGER NOT NULL REFERENCES bodies(id),"
    "  meeting_b INTEGER,"
    "  item_b INTEGER,"
    "  projected_b INTEGER," /* a meeting expected from body_b's cadence (unix start) */
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  resolved_by INTEGER REFERENCES persons(id),"
    "  resolved_at INTEGER"
    ");"
    "CREATE INDEX flags_body_a ON flags(body_a, state);"
    "CREATE INDEX flags_body_b ON flags(body_b, state);"
    "CREATE INDEX flags_meeting_a ON flags(meeting_a);"
    "CREATE INDEX flags_meeting_b ON flags(meeting_b);"
    "CREATE INDEX flags_item_a ON flags(item_a);"
    "CREATE INDEX flags_item_b ON flags(item_b);"
    "CREATE TABLE abbreviations ("
    "  abbr TEXT PRIMARY KEY,"
    "  expansion TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL"
    ");",

    /* 3: notifications (meldingen), preferences, feed tokens, digests */
    "CREATE TABLE notifications ("
    "  id INTEGER PRIMARY KEY,"
    "  person_id INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL,"
    "  delivery TEXT NOT NULL CHECK (delivery IN ('direct', 'digest')),"
    "  body_id INTEGER REFERENCES bodies(id),"
    "  meeting_id INTEGER,"
    "  item_id INTEGER," /* re-checked on every read: an item can become confidential */
    "  action_id INTEGER,"
    "  flag_id INTEGER,"
    "  actor_id INTEGER REFERENCES persons(id),"
    "  title TEXT NOT NULL,"
    "  text TEXT NOT NULL DEFAULT '',"
    "  link TEXT NOT NULL,"
    "  dedupe TEXT," /* once-only notifications (due dates, agenda changes) */
    "  created_at INTEGER NOT NULL,"
    "  read_at INTEGER,"
    "  digested_at INTEGER"
    ");"
    "CREATE INDEX notifications_person ON notifications(person_id, id);"
    "CREATE UNIQUE INDEX notifications_dedupe ON notifications(person_id, dedupe) "
    "  WHERE dedupe IS NOT NULL;"
    "CREATE TABLE notification_prefs ("
    "  person_id INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL,"
    "  mode TEXT NOT NULL CHECK (mode IN ('direct', 'digest', 'off')),"
    "  PRIMARY KEY (person_id, kind)"
    ") WITHOUT ROWID;"
    "ALTER TABLE persons ADD COLUMN due_days INTEGER NOT NULL DEFAULT 2;"
    "CREATE TABLE feed_tokens ("
    "  id INTEGER PRIMARY KEY,"
    "  token_hash BLOB NOT NULL UNIQUE,"
    "  person_id INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('ical', 'atom', 'body_ical')),"
    "  body_id INTEGER REFERENCES bodies(id),"
    "  created_at INTEGER NOT NULL,"
    "  revoked_at INTEGER"
    ");"
    "CREATE TABLE digests ("
    "  person_id INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,"
    "  day TEXT NOT NULL,"
    "  claimed_by TEXT NOT NULL,"
    "  sent_at INTEGER,"
    "  error TEXT,"
    "  PRIMARY KEY (person_id, day)"
    ") WITHOUT ROWID;",

    /* 4: idempotent writes: a client's request key and the result it got */
    "CREATE TABLE request_keys ("
    "  person_id INTEGER NOT NULL,"
    "  key TEXT NOT NULL,"
    "  op TEXT NOT NULL,"
    "  result TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (person_id, key)"
    ") WITHOUT ROWID;"
    "CREATE INDEX request_keys_created ON request_keys(created_at);",

    /* 5: the daily digest's work list: undigested notifications of those who chose a digest */
    "CREATE INDEX notifications_digest ON notifications(person_id) "
    "  WHERE digested_at IS NULL AND delivery = 'digest';",

    /* 6: links (stukken) on agenda items, and the minutes (verslag) of a meeting */
    "ALTER TABLE items ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';"
    "ALTER TABLE meetings ADD COLUMN minutes TEXT NOT NULL DEFAULT '';",

    /* 7: who saved the minutes last, when, and a revision that guards against lost updates */
    "ALTER TABLE meetings ADD COLUMN minutes_by INTEGER REFERENCES persons(id);"
    "ALTER TABLE meetings ADD COLUMN minutes_at INTEGER;"
    "ALTER TABLE meetings ADD COLUMN minutes_rev INTEGER NOT NULL DEFAULT 0;",

    /* 8: meetings by place: the conflict check's location clash looked at every meeting of
     * the day (0.7 ms at national scale) */
    "CREATE INDEX meetings_location ON meetings(location COLLATE NOCASE, starts_at);",

    /* 9: one live password link per person: a new link voids the person's earlier ones */
    "CREATE INDEX setup_tokens_person ON setup_tokens(person_id);",

    /* 10: outcomes per agenda item. A besluit has the date it was taken and neither owner, due
     * date nor status; every outcome keeps the meeting it was recorded at; ids are never
     * reused. Notes (notulen) per agenda item, with who wrote them and a revision. */
    "CREATE TABLE actions_v10 ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  body_id INTEGER NOT NULL REFERENCES bodies(id),"
    "  kind TEXT NOT NULL CHECK (kind IN ('actiepunt', 'toezegging', 'besluit')),"
    "  text TEXT NOT NULL,"
    "  owner_person_id INTEGER REFERENCES persons(id),"
    "  owner_org_id INTEGER REFERENCES organisations(id),"
    "  due_date TEXT,"
    "  status TEXT,"
    "  decided_on TEXT,"
    "  origin_item_id INTEGER REFERENCES items(id) ON DELETE SET NULL,"
    "  meeting_id INTEGER REFERENCES meetings(id) ON DELETE SET NULL,"
    "  created_by INTEGER REFERENCES persons(id),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  CHECK ((kind = 'besluit') = (status IS NULL)),"
    "  CHECK ((kind = 'besluit') = (decided_on IS NOT NULL)),"
    "  CHECK (kind <> 'besluit' OR (owner_person_id IS NULL AND owner_org_id IS NULL AND "
    "    due_date IS NULL))"
    ");"
    "INSERT INTO actions_v10 SELECT a.id, a.body_id, a.kind, a.text,"
    "  CASE WHEN a.kind = 'besluit' THEN NULL ELSE a.owner_person_id END,"
    "  CASE WHEN a.kind = 'besluit' THEN NULL ELSE a.owner_org_id END,"
    "  CASE WHEN a.kind = 'besluit' THEN NULL ELSE a.due_date END,"
    "  CASE WHEN a.kind = 'besluit' THEN NULL ELSE a.status END,"
    "  CASE WHEN a.kind = 'besluit' THEN date(coalesce((SELECT m.starts_at FROM items i JOIN "
    "    meetings m ON m.id = i.meeting_id WHERE i.id = a.origin_item_id), a.created_at), "
    "    'unixepoch') END,"
    "  a.origin_item_id, (SELECT i.meeting_id FROM items i WHERE i.id = a.origin_item_id),"
    "  a.created_by, a.created_at, a.updated_at FROM actions a;"
    "DROP TABLE actions;"
    "ALTER TABLE actions_v10 RENAME TO actions;"
    "CREATE INDEX actions_body ON actions(body_id, status);"
    "CREATE INDEX actions_owner ON actions(owner_person_id, status);"
    "CREATE INDEX actions_owner_org ON actions(owner_org_id, status);"
    "CREATE INDEX actions_item ON actions(origin_item_id);"
    "CREATE INDEX actions_meeting ON actions(meeting_id);"
    "CREATE TABLE item_notes ("
    "  item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,"
    "  text TEXT NOT NULL,"
    "  updated_by INTEGER REFERENCES persons(id),"
    "  updated_at INTEGER NOT NULL,"
    "  rev INTEGER NOT NULL"
    ");",

    /* 11: search (issue 13): one FTS5 index over agenda items, verslagen, actions and chat,
     * tokenised by "ktdutch" (store/sqlite/fts_dutch.h). rowid = id * 8 + kind (1 item,
     * 2 verslag of a meeting, 3 action, 4 chat message, 5 the notes of an item). scope holds
     * "b<body>", which the query intersects with the reader's bodies before anything is ranked.
     * conf mirrors the confidentiality of the item a row belongs to, kept by the triggers in the
     * same transaction; the reader's visibility is still decided at read time (kt_acl_visible). */
    "CREATE VIRTUAL TABLE search USING fts5(title, text, scope, kind UNINDEXED, body UNINDEXED, "
    "  meeting UNINDEXED, item UNINDEXED, conf UNINDEXED, at UNINDEXED, tokenize = 'ktdutch');"
    "CREATE INDEX messages_item ON messages(item_id);"
    "CREATE TRIGGER search_item_ins AFTER INSERT ON items BEGIN"
    "  INSERT INTO search(rowid, title, text, scope, kind, body, meeting, item, conf, at)"
    "  VALUES (new.id * 8 + 1, new.title, new.description, 'b' || new.body_id, 'agendapunt',"
    "    new.body_id, new.meeting_id, new.id, new.confidential, new.created_at);"
    "END;"
    "CREATE TRIGGER search_item_upd AFTER UPDATE OF title, description, body_id, meeting_id,"
    "  confidential ON items BEGIN"
    "  DELETE FROM search WHERE rowid = old.id * 8 + 1;"
    "  INSERT INTO search(rowid, title, text, scope, kind, body, meeting, item, conf, at)"
    "  VALUES (new.id * 8 + 1, new.title, new.description, 'b' || new.body_id, 'agendapunt',"
    "    new.body_id, new.meeting_id, new.id, new.confidential, new.created_at);"
    "END;"
    "CREATE TRIGGER search_item_conf AFTER UPDATE OF confidential ON items"
    "  WHEN old.confidential IS NOT new.confidential BEGIN"
    "  UPDATE search SET conf = new.confidential WHERE rowid IN"
    "    (SELECT id * 8 + 3 FROM actions WHERE origin_item_id = new.id"
    "     UNION ALL SELECT id * 8 + 4 FROM messages WHERE item_id = new.id);"
    "END;"
    "CREATE TRIGGER search_item_del AFTER DELETE ON items BEGIN"
    "  DELETE FROM search WHERE rowid = old.id * 8 + 1;"
    "END;"
    "CREATE TRIGGER search_minutes_ins AFTER INSERT ON meetings WHEN new.minutes <> '' BEGIN"
    "  INSERT INTO search(rowid, title, text, scope, kind, body, meeting, item, conf, at)"
    "  VALUES (new.id * 8 + 2, '', new.minutes, 'b' || new.body_id, 'verslag', new.body_id,"
    "    new.id, NULL, 0, new.starts_at);"
    "END;"
    "CREATE TRIGGER search_minutes_upd AFTER UPDATE OF minutes, body_id, starts_at ON meetings"
    "  BEGIN"
    "  DELETE FROM search WHERE rowid = old.id * 8 + 2;"
    "  INSERT INTO search(rowid, title, text, scope, kind, body, meeting, item, conf, at)"
    "  SELECT new.id * 8 + 2, '', new.minutes, 'b' || new.body_id, 'verslag', new.body_id,"
    "    new.id, NULL, 0, new.starts_at WHERE new.minutes <> '';"
    "END;"
    "CREATE TRIGGER search_minutes_del AFTER DELETE ON meetings BEGIN"
    "  DELETE FROM search WHERE rowid = old.id * 8 + 2;"
    "END;"
    "CREATE TRIGGER search_action_ins AFTER INSERT ON actions BEGIN"
    "  INSERT INTO search(rowid, title, text, scope, kind, body, meeting, item, conf, at)"
    "  VALUES (new.id * 8 + 3, '', new.text, 'b' || new.body_id, new.kind, new.body_id, NULL,"
    "    new.origin_item_id,"
    "    COALESCE((SELECT confidential FROM items WHERE id = new.origin_item_id), 0),"
    "    new.created_at);"
    "END;"
    "CREATE TRIGGER search_action_upd AFTER UPDATE OF text, kind, body_id, origin_item_id"
    "  ON actions BEGIN"
    "  DELETE FROM search WHERE rowid = old.id * 8 + 3;"
    "  INSERT INTO search(rowid, title, text, scope, kind, body, meeting, item, conf, at)"
    "  VALUES (new.id * 8 + 3, '', new.text, 'b' || new.body_id, new.kind, new.body_id, NULL,"
    "    new.origin_item_id,"
    "    COALESCE((SELECT confidential FROM items WHERE id = new.origin_item_id), 0),"
    "    new.created_at);"
    "END;"
    "CREATE TRIGGER search_action_del AFTER DELETE ON actions BEGIN"
    "  DELETE FROM search WHERE rowid = old.id * 8 + 3;"
    "END;"
    "CREATE TRIGGER search_message_ins AFTER INSERT ON messages BEGIN"
    "  INSERT INTO search(rowid, title, text, scope, kind, body, meeting, item, conf, at)"
    "  VALUES (new.id * 8 + 4, '', new.text, 'b' || new.body_id, 'chat', new.body_id, NULL,"
    "    new.item_id, COALESCE((SELECT confidential FROM items WHERE id = new.item_id), 0),"
    "    new.created_at);"
    "END;"
    "CREATE TRIGGER search_message_upd AFTER UPDATE OF text, body_id, item_id ON messages BEGIN"
    "  DELETE FROM search WHERE rowid = old.id * 8 + 4;"
    "  INSERT INTO search(rowid, title, text, scope, kind, body, meeting, item, conf, at)"
    "  VALUES (new.id * 8 + 4, '', new.text, 'b' || new.body_id, 'chat', new.body_id, NULL,"
    "    new.item_id, COALESCE((SELECT confidential FROM items WHERE id = new.item_id), 0),"
    "    new.created_at);"
    "END;"
    "CREATE TRIGGER search_message_del AFTER DELETE ON messages BEGIN"
    "  DELETE FROM search WHERE rowid = old.id * 8 + 4;"
    "END;"
    "CREATE TRIGGER search_notes_ins AFTER INSERT ON item_notes BEGIN"
    "  INSERT INTO search(rowid, title, text, scope, kind, body, meeting, item, conf, at)"
    "  SELECT new.item_id * 8 + 5, '', new.text, 'b' || i.body_id, 'notulen', i.body_id,"
    "    i.meeting_id, i.id, i.confidential, new.updated_at FROM items i WHERE i.id = new.item_id;"
    "END;"
    "CREATE TRIGGER search_notes_upd AFTER UPDATE OF text ON item_notes BEGIN"
    "  DELETE FROM search WHERE rowid = old.item_id * 8 + 5;"
    "  INSERT INTO search(rowid, title, text, scope, kind, body, meeting, item, conf, at)"
    "  SELECT new.item_id * 8 + 5, '', new.text, 'b' || i.body_id, 'notulen', i.body_id,"
    "    i.meeting_id, i.id, i.confidential, new.updated_at FROM items i WHERE i.id = new.item_id;"
    "END;"
    "CREATE TRIGGER search_notes_del AFTER DELETE ON item_notes BEGIN"
    "  DELETE FROM search WHERE rowid = old.item_id * 8 + 5;"
    "END;"
    "INSERT INTO search(rowid, title, text, scope, kind, body, meeting, item, conf, at)"
    "  SELECT n.item_id * 8 + 5, '', n.text, 'b' || i.body_id, 'notulen', i.body_id,"
    "    i.meeting_id, i.id, i.confidential, n.updated_at"
    "  FROM item_notes n JOIN items i ON i.id = n.item_id;"
    "INSERT INTO search(rowid, title, text, scope, kind, body, meeting, item, conf, at)"
    "  SELECT id * 8 + 1, title, description, 'b' || body_id, 'agendapunt', body_id, meeting_id,"
    "    id, confidential, created_at FROM items;"
    "INSERT INTO search(rowid, title, text, scope, kind, body, meeting, item, conf, at)"
    "  SELECT id * 8 + 2, '', minutes, 'b' || body_id, 'verslag', body_id, id, NULL, 0,"
    "    starts_at FROM meetings WHERE minutes <> '';"
    "INSERT INTO search(rowid, title, text, scope, kind, body, meeting, item, conf, at)"
    "  SELECT a.id * 8 + 3, '', a.text, 'b' || a.body_id, a.kind, a.body_id, NULL,"
    "    a.origin_item_id, COALESCE(i.confidential, 0), a.created_at"
    "  FROM actions a LEFT JOIN items i ON i.id = a.origin_item_id;"
    "INSERT INTO search(rowid, title, text, scope, kind, body, meeting, item, conf, at)"
    "  SELECT m.id * 8 + 4, '', m.text, 'b' || m.body_id, 'chat', m.body_id, NULL, m.item_id,"
    "    COALESCE(i.confidential, 0), m.created_at"
    "  FROM messages m LEFT JOIN items i ON i.id = m.item_id;",

    /* 12: standing items and carry-over. An item may be the agenda's "Verslag vorige
     * vergadering" (special verslag, minutes_of: the meeting whose verslag it approves) or its
     * actielijst (special actielijst); from_item: the item it was carried over from. */
    "ALTER TABLE items ADD COLUMN special TEXT CHECK (special IN ('verslag', 'actielijst'));"
    "ALTER TABLE items ADD COLUMN minutes_of INTEGER REFERENCES meetings(id) ON DELETE SET NULL;"
    "ALTER TABLE items ADD COLUMN from_item INTEGER REFERENCES items(id) ON DELETE SET NULL;"
    "CREATE INDEX items_from ON items(from_item);"
    "CREATE INDEX items_minutes_of ON items(minutes_of);",

    /* 13: attendance as a verslag records it: the organisation someone came for, absent with or
     * without notice, substituted once or standing (eenmalig/vast), joining later, leaving
     * early, the meeting's chair and minute-taker, and people who are not in the directory
     * (name and organisation as text). Rows keep an id of their own. */
    "CREATE TABLE attendance_v13 ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,"
    "  person_id INTEGER REFERENCES persons(id),"
    "  name TEXT NOT NULL DEFAULT '',"
    "  org_id INTEGER REFERENCES organisations(id),"
    "  org_name TEXT NOT NULL DEFAULT '',"
    "  status TEXT NOT NULL CHECK (status IN ('aanwezig', 'afwezig', 'vervangen', 'later')),"
    "  notice TEXT CHECK (notice IN ('met_bericht', 'zonder_bericht')),"
    "  leaves_early INTEGER NOT NULL DEFAULT 0,"
    "  substitute_id INTEGER REFERENCES persons(id),"
    "  substitute_kind TEXT CHECK (substitute_kind IN ('eenmalig', 'vast')),"
    "  role TEXT CHECK (role IN ('voorzitter', 'notulist')),"
    "  note TEXT NOT NULL DEFAULT '',"
    "  updated_by INTEGER REFERENCES persons(id),"
    "  updated_at INTEGER NOT NULL DEFAULT 0,"
    "  CHECK (person_id IS NOT NULL OR name <> ''),"
    "  CHECK (substitute_id IS NULL OR status = 'vervangen')"
    ");"
    "INSERT INTO attendance_v13(meeting_id, person_id, org_id, status, notice, substitute_id,"
    "  substitute_kind, note) SELECT a.meeting_id, a.person_id, p.org_id, a.status,"
    "  CASE WHEN a.status IN ('afwezig', 'vervangen') THEN 'met_bericht' END, a.substitute_id,"
    "  CASE WHEN a.substitute_id IS NOT NULL THEN 'eenmalig' END, a.note"
    "  FROM attendance a JOIN persons p ON p.id = a.person_id;"
    "DROP TABLE attendance;"
    "ALTER TABLE attendance_v13 RENAME TO attendance;"
    "CREATE UNIQUE INDEX attendance_person ON attendance(meeting_id, person_id) "
    "  WHERE person_id IS NOT NULL;"
    "CREATE UNIQUE INDEX attendance_name ON attendance(meeting_id, name) WHERE person_id IS NULL;",

    /* 14: approving the verslag. A verslag goes ter vaststelling with a deadline for proposed
     * amendments; every step that members see is kept as a version (a snapshot of the whole
     * verslag, filtered by the reader's sight when it is read); amendments (voorstellen tot
     * wijziging) by whom, about which item, and whether the chair took them when approving. */
    "ALTER TABLE meetings ADD COLUMN minutes_deadline TEXT;"
    "CREATE TABLE minutes_versions ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,"
    "  version INTEGER NOT NULL,"
    "  stage TEXT NOT NULL CHECK (stage IN ('ter_vaststelling', 'vastgesteld')),"
    "  document TEXT NOT NULL,"
    "  deadline TEXT,"
    "  note TEXT NOT NULL DEFAULT '',"
    "  approved_in INTEGER REFERENCES meetings(id) ON DELETE SET NULL,"
    "  created_by INTEGER REFERENCES persons(id),"
    "  created_at INTEGER NOT NULL,"
    "  UNIQUE (meeting_id, version)"
    ");"
    "CREATE TABLE minutes_amendments ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,"
    "  version INTEGER NOT NULL,"
    "  item_id INTEGER REFERENCES items(id) ON DELETE SET NULL,"
    "  person_id INTEGER NOT NULL REFERENCES persons(id),"
    "  org_id INTEGER REFERENCES organisations(id),"
    "  text TEXT NOT NULL,"
    "  status TEXT NOT NULL DEFAULT 'ingediend' CHECK (status IN ('ingediend', 'overgenomen', "
    "    'niet_overgenomen', 'ingetrokken')),"
    "  decided_by INTEGER REFERENCES persons(id),"
    "  decided_at INTEGER,"
    "  created_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX minutes_amendments_meeting ON minutes_amendments(meeting_id, id);",

    /* 15: a chair may say of a possible duplicate that the two items are not about the same
     * subject: state 'geen_overlap' (issue 14; the duplicate detector learns from it). SQLite
     * cannot change a CHECK in place: the table is copied. */
    "CREATE TABLE flags_v15 ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('conflict', 'duplicate')),"
    "  key TEXT NOT NULL UNIQUE,"
    "  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'afgestemd', "
    "    'bewust_dubbel', 'geen_overlap', 'vervallen')),"
    "  note TEXT NOT NULL DEFAULT '',"
    "  lead_body_id INTEGER REFERENCES bodies(id),"
    "  score REAL NOT NULL DEFAULT 0,"
    "  evidence TEXT NOT NULL,"
    "  fingerprint TEXT NOT NULL,"
    "  body_a INTEGER NOT NULL REFERENCES bodies(id),"
    "  meeting_a INTEGER,"
    "  item_a INTEGER,"
    "  body_b INTEGER NOT NULL REFERENCES bodies(id),"
    "  meeting_b INTEGER,"
    "  item_b INTEGER,"
    "  projected_b INTEGER,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  resolved_by INTEGER REFERENCES persons(id),"
    "  resolved_at INTEGER"
    ");"
    "INSERT INTO flags_v15(id, kind, key, state, note, lead_body_id, score, evidence, fingerprint,"
    "  body_a, meeting_a, item_a, body_b, meeting_b, item_b, projected_b, created_at, updated_at,"
    "  resolved_by, resolved_at) SELECT id, kind, key, state, note, lead_body_id, score, evidence,"
    "  fingerprint, body_a, meeting_a, item_a, body_b, meeting_b, item_b, projected_b, created_at,"
    "  updated_at, resolved_by, resolved_at FROM flags;"
    "DROP TABLE flags;"
    "ALTER TABLE flags_v15 RENAME TO flags;"
    "CREATE INDEX flags_body_a ON flags(body_a, state);"
    "CREATE INDEX flags_body_b ON flags(body_b, state);"
    "CREATE INDEX flags_meeting_a ON flags(meeting_a);"
    "CREATE INDEX flags_meeting_b ON flags(meeting_b);"
    "CREATE INDEX flags_item_a ON flags(item_a);"
    "CREATE INDEX flags_item_b ON flags(item_b);",

    /* 16: chat messages edited or deleted by their author. The message keeps its place; what it
     * said before each change is recorded (message_changes), not shown. */
    "ALTER TABLE messages ADD COLUMN edited_at INTEGER;"
    "ALTER TABLE messages ADD COLUMN deleted_at INTEGER;"
    "CREATE TABLE message_changes ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('bewerkt', 'verwijderd')),"
    "  old_text TEXT NOT NULL,"
    "  person_id INTEGER NOT NULL REFERENCES persons(id),"
    "  at INTEGER NOT NULL"
    ");"
    "CREATE INDEX message_changes_message ON message_changes(message_id, id);",

    /* 17: the audit log (who did what, when, to what; the AVG processing log is part of it), and
     * indexes by time for the retention of chat and notifications (store/retention.h) */
    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  at INTEGER NOT NULL,"
    "  actor_id INTEGER REFERENCES persons(id)," /* NULL: the server itself */
    "  action TEXT NOT NULL,"
    "  body_id INTEGER," /* NULL: not about one body (the directory, a person, retention) */
    "  subject_kind TEXT,"
    "  subject_id INTEGER,"
    "  detail TEXT NOT NULL DEFAULT '{}'"
    ");"
    "CREATE INDEX audit_body ON audit(body_id, id);"
    "CREATE INDEX audit_subject ON audit(subject_kind, subject_id);"
    "CREATE INDEX audit_actor ON audit(actor_id);"
    "CREATE INDEX audit_at ON audit(at);"
    "CREATE INDEX messages_created ON messages(created_at);"
    "CREATE INDEX notifications_created ON notifications(created_at);"
    /* a person's data for the AVG rights (store/privacy.h) */
    "CREATE INDEX messages_person ON messages(person_id);"
    "CREATE INDEX notifications_actor ON notifications(actor_id);",

    /* 18: how far each member has read a body's chat (the unread count per body). */
    "CREATE TABLE chat_reads ("
    "  person_id INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,"
    "  body_id INTEGER NOT NULL REFERENCES bodies(id) ON DELETE CASCADE,"
    "  last_read INTEGER NOT NULL,"
    "  PRIMARY KEY (person_id, body_id)"
    ");",

    /* 19: reactions to committed changes (react/react.h): a job per write that the detectors and
     * notifications still have to see, recorded in the write's own transaction and deleted in
     * the transaction that does the reacting, so nothing is lost or done twice */
    "CREATE TABLE reactions ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  node TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  payload TEXT NOT NULL"
    ");"
    "CREATE INDEX reactions_created ON reactions(created_at);",

    /* 20: a list's last position from the index (agenda.add at the end of a backlog read every
     * backlog item of the body, or of all bodies, to find it); the attendance of a meeting by
     * its index (since 13 only partial indexes covered it, and a new meeting read all of it) */
    "CREATE INDEX items_list ON items(body_id, meeting_id, position);"
    "DROP INDEX items_body;"
    "CREATE INDEX attendance_meeting ON attendance(meeting_id);",

    /* 21: ids are never given again (issue 11). SQLite gives a new row the largest rowid plus
     * one, so the id of the newest item, once removed, went to the next item, and a guest
     * limited to it saw the newcomer. AUTOINCREMENT needs a rebuild of items and messages (the
     * two tables whose rows are deleted; actions got it in 10); the counters start above every
     * id the event log ever named. The rebuild drops the tables' own triggers (search, 11) and
     * indexes (also those of 17 on messages): they are made again, the same.
     * legacy_alter_table: the rename must not check the triggers of other tables that name
     * items while it is away. memberships.since_seq: the body's seq when the membership began;
     * a replay may not start before it. */
    "PRAGMA legacy_alter_table=ON;"
    "CREATE TABLE items_new ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  body_id INTEGER NOT NULL REFERENCES bodies(id),"
    "  meeting_id INTEGER REFERENCES meetings(id),"
    "  position INTEGER NOT NULL,"
    "  title TEXT NOT NULL,"
    "  description TEXT NOT NULL DEFAULT '',"
    "  presenter_id INTEGER REFERENCES persons(id),"
    "  duration_min INTEGER NOT NULL DEFAULT 0,"
    "  kind TEXT NOT NULL,"
    "  recurring INTEGER NOT NULL DEFAULT 0,"
    "  confidential INTEGER NOT NULL DEFAULT 0,"
    "  status TEXT NOT NULL DEFAULT 'open',"
    "  created_by INTEGER REFERENCES persons(id),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  attachments TEXT NOT NULL DEFAULT '[]',"
    "  special TEXT CHECK (special IN ('verslag', 'actielijst')),"
    "  minutes_of INTEGER REFERENCES meetings(id) ON DELETE SET NULL,"
    "  from_item INTEGER REFERENCES items(id) ON DELETE SET NULL"
    ");"
    "INSERT INTO items_new(id, body_id, meeting_id, position, title, description, presenter_id, "
    "  duration_min, kind, recurring, confidential, status, created_by, created_at, updated_at, "
    "  attachments, special, minutes_of, from_item) SELECT id, body_id, meeting_id, position, "
    "  title, description, presenter_id, duration_min, kind, recurring, confidential, status, "
    "  created_by, created_at, updated_at, attachments, special, minutes_of, from_item "
    "  FROM items;"
    "DROP TABLE items;"
    "ALTER TABLE items_new RENAME TO items;"
    "CREATE INDEX items_meeting ON items(meeting_id, position);"
    "CREATE INDEX items_list ON items(body_id, meeting_id, position);" /* as 20 made it */
    "CREATE INDEX items_from ON items(from_item);"
    "CREATE INDEX items_minutes_of ON items(minutes_of);"
    "CREATE TRIGGER search_item_ins AFTER INSERT ON items BEGIN"
    "  INSERT INTO search(rowid, title, text, scope, kind, body, meeting, item, conf, at)"
    "  VALUES (new.id * 8 + 1, new.title, new.description, 'b' || new.body_id, 'agendapunt',"
    "    new.body_id, new.meeting_id, new.id, new.confidential, new.created_at);"
    "END;"
    "CREATE TRIGGER search_item_upd AFTER UPDATE OF title, description, body_id, meeting_id,"
    "  confidential ON items BEGIN"
    "  DELETE FROM search WHERE rowid = old.id * 8 + 1;"
    "  INSERT INTO search(rowid, title, text, scope, kind, body, meeting, item, conf, at)"
    "  VALUES (new.id * 8 + 1, new.title, new.description, 'b' || new.body_id, 'agendapunt',"
    "    new.body_id, new.meeting_id, new.id, new.confidential, new.created_at);"
    "END;"
    "CREATE TRIGGER search_item_conf AFTER UPDATE OF confidential ON items"
    "  WHEN old.confidential IS NOT new.confidential BEGIN"
    "  UPDATE search SET conf = new.confidential WHERE rowid IN"
    "    (SELECT id * 8 + 3 FROM actions WHERE origin_item_id = new.id"
    "     UNION ALL SELECT id * 8 + 4 FROM messages WHERE item_id = new.id);"
    "END;"
    "CREATE TRIGGER search_item_del AFTER DELETE ON items BEGIN"
    "  DELETE FROM search WHERE rowid = old.id * 8 + 1;"
    "END;"
    "CREATE TABLE messages_new ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  body_id INTEGER NOT NULL REFERENCES bodies(id),"
    "  item_id INTEGER REFERENCES items(id) ON DELETE CASCADE,"
    "  person_id INTEGER NOT NULL REFERENCES persons(id),"
    "  text TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  edited_at INTEGER,"
    "  deleted_at INTEGER"
    ");"
    "INSERT INTO messages_new(id, body_id, item_id, person_id, text, created_at, edited_at, "
    "  deleted_at) SELECT id, body_id, item_id, person_id, text, created_at, edited_at, "
    "  deleted_at FROM messages;"
    "DROP TABLE messages;"
    "ALTER TABLE messages_new RENAME TO messages;"
    "CREATE INDEX messages_body ON messages(body_id, id);"
    "CREATE INDEX messages_item ON messages(item_id);"
    "CREATE INDEX messages_created ON messages(created_at);"
    "CREATE INDEX messages_person ON messages(person_id);"
    "CREATE TRIGGER search_message_ins AFTER INSERT ON messages BEGIN"
    "  INSERT INTO search(rowid, title, text, scope, kind, body, meeting, item, conf, at)"
    "  VALUES (new.id * 8 + 4, '', new.text, 'b' || new.body_id, 'chat', new.body_id, NULL,"
    "    new.item_id, COALESCE((SELECT confidential FROM items WHERE id = new.item_id), 0),"
    "    new.created_at);"
    "END;"
    "CREATE TRIGGER search_message_upd AFTER UPDATE OF text, body_id, item_id ON messages BEGIN"
    "  DELETE FROM search WHERE rowid = old.id * 8 + 4;"
    "  INSERT INTO search(rowid, title, text, scope, kind, body, meeting, item, conf, at)"
    "  VALUES (new.id * 8 + 4, '', new.text, 'b' || new.body_id, 'chat', new.body_id, NULL,"
    "    new.item_id, COALESCE((SELECT confidential FROM items WHERE id = new.item_id), 0),"
    "    new.created_at);"
    "END;"
    "CREATE TRIGGER search_message_del AFTER DELETE ON messages BEGIN"
    "  DELETE FROM search WHERE rowid = old.id * 8 + 4;"
    "END;"
    "PRAGMA legacy_alter_table=OFF;"
    "INSERT INTO sqlite_sequence(name, seq) SELECT 'items', 0 WHERE NOT EXISTS (SELECT 1 FROM "
    "  sqlite_sequence WHERE name = 'items');"
    "UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT max(json_extract(payload, "
    "  '$.item.id')) FROM events WHERE type = 'agenda.added'), 0)) WHERE name = 'items';"
    "INSERT INTO sqlite_sequence(name, seq) SELECT 'messages', 0 WHERE NOT EXISTS (SELECT 1 "
    "  FROM sqlite_sequence WHERE name = 'messages');"
    "UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT max(json_extract(payload, "
    "  '$.message.id')) FROM events WHERE type = 'chat.posted'), 0)) WHERE name = 'messages';"
    "ALTER TABLE memberships ADD COLUMN since_seq INTEGER NOT NULL DEFAULT 0;",

    /* 22: attendance as an imported verslag writes it (issue 13, import): a substitute who is not
     * in the directory, by name as written (substitute_name), and a guest (role gast) besides
     * the chair and the minute-taker. */
    "CREATE TABLE attendance_v22 ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,"
    "  person_id INTEGER REFERENCES persons(id),"
    "  name TEXT NOT NULL DEFAULT '',"
    "  org_id INTEGER REFERENCES organisations(id),"
    "  org_name TEXT NOT NULL DEFAULT '',"
    "  status TEXT NOT NULL CHECK (status IN ('aanwezig', 'afwezig', 'vervangen', 'later')),"
    "  notice TEXT CHECK (notice IN ('met_bericht', 'zonder_bericht')),"
    "  leaves_early INTEGER NOT NULL DEFAULT 0,"
    "  substitute_id INTEGER REFERENCES persons(id),"
    "  substitute_name TEXT,"
    "  substitute_kind TEXT CHECK (substitute_kind IN ('eenmalig', 'vast')),"
    "  role TEXT CHECK (role IN ('voorzitter', 'notulist', 'gast')),"
    "  note TEXT NOT NULL DEFAULT '',"
    "  updated_by INTEGER REFERENCES persons(id),"
    "  updated_at INTEGER NOT NULL DEFAULT 0,"
    "  CHECK (person_id IS NOT NULL OR name <> ''),"
    "  CHECK ((substitute_id IS NULL AND substitute_name IS NULL) OR status = 'vervangen')"
    ");"
    "INSERT INTO attendance_v22(id, meeting_id, person_id, name, org_id, org_name, status, notice,"
    "  leaves_early, substitute_id, substitute_kind, role, note, updated_by, updated_at)"
    "  SELECT id, meeting_id, person_id, name, org_id, org_name, status, notice, leaves_early,"
    "  substitute_id, substitute_kind, role, note, updated_by, updated_at FROM attendance;"
    "DROP TABLE attendance;"
    "ALTER TABLE attendance_v22 RENAME TO attendance;"
    "CREATE UNIQUE INDEX attendance_person ON attendance(meeting_id, person_id) "
    "  WHERE person_id IS NOT NULL;"
    "CREATE UNIQUE INDEX attendance_name ON attendance(meeting_id, name) WHERE person_id IS NULL;"
    "CREATE INDEX attendance_meeting ON attendance(meeting_id);",

    /* 23: the search index off the write path (issue 13). The triggers of 11 (made again by 21)
     * tokenised every change in the writer's transaction (about 200 us of CPU per write) and needed
     * the server's tokenizer in every program that writes. Now a write only notes what changed in
     * search_queue (kind: 1 item, 2 verslag of a meeting, 3 action, 4 chat message, 5 the notes
     * of an item; id of that row), and the indexer (store/indexer.h) brings the index up to
     * date after the commit, off the loop thread, in small batches. The index holds only words
     * and the body a row is in: whether it still exists, where it is and who may see it are
     * read from the rows themselves when a search runs (store/search.c). Everything there is is
     * queued once, so the new index fills itself. */
    "DROP TRIGGER search_item_ins;"
    "DROP TRIGGER search_item_upd;"
    "DROP TRIGGER search_item_conf;"
    "DROP TRIGGER search_item_del;"
    "DROP TRIGGER search_minutes_ins;"
    "DROP TRIGGER search_minutes_upd;"
    "DROP TRIGGER search_minutes_del;"
    "DROP TRIGGER search_action_ins;"
    "DROP TRIGGER search_action_upd;"
    "DROP TRIGGER search_action_del;"
    "DROP TRIGGER search_message_ins;"
    "DROP TRIGGER search_message_upd;"
    "DROP TRIGGER search_message_del;"
    "DROP TRIGGER search_notes_ins;"
    "DROP TRIGGER search_notes_upd;"
    "DROP TRIGGER search_notes_del;"
    "DROP TABLE search;"
    "CREATE VIRTUAL TABLE search USING fts5(title, text, scope, tokenize = 'ktdutch');"
    "CREATE TABLE search_queue ("
    "  seq INTEGER PRIMARY KEY,"
    "  kind INTEGER NOT NULL,"
    "  id INTEGER NOT NULL"
    ");"
    "CREATE TRIGGER search_q_item_ins AFTER INSERT ON items BEGIN"
    "  INSERT INTO search_queue(kind, id) VALUES (1, new.id); END;"
    "CREATE TRIGGER search_q_item_upd AFTER UPDATE OF title, description, body_id ON items BEGIN"
    "  INSERT INTO search_queue(kind, id) VALUES (1, new.id); END;"
    "CREATE TRIGGER search_q_item_del AFTER DELETE ON items BEGIN"
    "  INSERT INTO search_queue(kind, id) VALUES (1, old.id), (5, old.id); END;"
    "CREATE TRIGGER search_q_minutes_ins AFTER INSERT ON meetings WHEN new.minutes <> '' BEGIN"
    "  INSERT INTO search_queue(kind, id) VALUES (2, new.id); END;"
    "CREATE TRIGGER search_q_minutes_upd AFTER UPDATE OF minutes, body_id ON meetings BEGIN"
    "  INSERT INTO search_queue(kind, id) VALUES (2, new.id); END;"
    "CREATE TRIGGER search_q_minutes_del AFTER DELETE ON meetings BEGIN"
    "  INSERT INTO search_queue(kind, id) VALUES (2, old.id); END;"
    "CREATE TRIGGER search_q_action_ins AFTER INSERT ON actions BEGIN"
    "  INSERT INTO search_queue(kind, id) VALUES (3, new.id); END;"
    "CREATE TRIGGER search_q_action_upd AFTER UPDATE OF text, body_id ON actions BEGIN"
    "  INSERT INTO search_queue(kind, id) VALUES (3, new.id); END;"
    "CREATE TRIGGER search_q_action_del AFTER DELETE ON actions BEGIN"
    "  INSERT INTO search_queue(kind, id) VALUES (3, old.id); END;"
    "CREATE TRIGGER search_q_message_ins AFTER INSERT ON messages BEGIN"
    "  INSERT INTO search_queue(kind, id) VALUES (4, new.id); END;"
    "CREATE TRIGGER search_q_message_upd AFTER UPDATE OF text, body_id ON messages BEGIN"
    "  INSERT INTO search_queue(kind, id) VALUES (4, new.id); END;"
    "CREATE TRIGGER search_q_message_del AFTER DELETE ON messages BEGIN"
    "  INSERT INTO search_queue(kind, id) VALUES (4, old.id); END;"
    "CREATE TRIGGER search_q_notes_ins AFTER INSERT ON item_notes BEGIN"
    "  INSERT INTO search_queue(kind, id) VALUES (5, new.item_id); END;"
    "CREATE TRIGGER search_q_notes_upd AFTER UPDATE OF text ON item_notes BEGIN"
    "  INSERT INTO search_queue(kind, id) VALUES (5, new.item_id); END;"
    "CREATE TRIGGER search_q_notes_del AFTER DELETE ON item_notes BEGIN"
    "  INSERT INTO search_queue(kind, id) VALUES (5, old.item_id); END;"
    "INSERT INTO search_queue(kind, id) SELECT 1, id FROM items;"
    "INSERT INTO search_queue(kind, id) SELECT 2, id FROM meetings WHERE minutes <> '';"
    "INSERT INTO search_queue(kind, id) SELECT 3, id FROM actions;"
    "INSERT INTO search_queue(kind, id) SELECT 4, id FROM messages;"
    "INSERT INTO search_queue(kind, id) SELECT 5, item_id FROM item_notes;",

    /* 24: agenderingsverzoeken and referrals (issue 13, part 5): a member asks a body to put a
     * topic on its agenda, or another body refers (or moves) one of its items here. The chair or
     * secretary decides; item_id is the item the decision made. source_item_id has no foreign
     * key: the link stays when the source item goes (who may see the link is decided by it). */
    "CREATE TABLE agenda_requests ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  body_id INTEGER NOT NULL REFERENCES bodies(id),"
    "  kind TEXT NOT NULL DEFAULT 'verzoek' CHECK (kind IN ('verzoek', 'verwijzing', "
    "    'verplaatsing')),"
    "  requester_id INTEGER NOT NULL REFERENCES persons(id),"
    "  title TEXT NOT NULL,"
    "  description TEXT NOT NULL DEFAULT '',"
    "  meeting_id INTEGER REFERENCES meetings(id) ON DELETE SET NULL,"
    "  source_body_id INTEGER REFERENCES bodies(id),"
    "  source_item_id INTEGER,"
    "  status TEXT NOT NULL DEFAULT 'ingediend' CHECK (status IN ('ingediend', 'aanvaard', "
    "    'afgewezen')),"
    "  reason TEXT NOT NULL DEFAULT '',"
    "  item_id INTEGER,"
    "  decided_by INTEGER REFERENCES persons(id),"
    "  decided_at INTEGER,"
    "  created_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX agenda_requests_body ON agenda_requests(body_id, id);"
    "CREATE INDEX agenda_requests_source ON agenda_requests(source_body_id, id);"
    "CREATE INDEX agenda_requests_source_item ON agenda_requests(source_item_id);"
    "CREATE INDEX agenda_requests_requester ON agenda_requests(requester_id);"
    "CREATE INDEX agenda_requests_item ON agenda_requests(item_id);",
    /* 25: who changed the e-mail address of a person who has a password, until the person sets
     * a password again: a reset link is then sent by another administrator (four eyes,
     * SECURITY.md). */
    "ALTER TABLE persons ADD COLUMN email_changed_by INTEGER;",
    /* 26: a backlog's last position from an index in position order (PostgreSQL needs it: it
     * does not take items_list's order under "meeting_id IS NULL"; the same index here keeps the
     * two schemas alike). */
    "CREATE INDEX items_backlog ON items(body_id, position) WHERE meeting_id IS NULL;",
    /* 27: bursts of changes merged into one notification (issue 11, feed/notify.c): burst names
     * what a run of changes by one actor is about ("meeting:m12"), burst_what lists what
     * changed so far, changed_at is the last change merged in (the window runs from it). */
    "ALTER TABLE notifications ADD COLUMN burst TEXT;"
    "ALTER TABLE notifications ADD COLUMN burst_what TEXT;"
    "ALTER TABLE notifications ADD COLUMN changed_at INTEGER;"
    "CREATE INDEX notifications_burst ON notifications(person_id, burst, id) "
    "  WHERE burst IS NOT NULL;",
    /* 28: a message's item only where it has one: a post in a body's own channel (item_id
     * NULL, most of them) no longer adds an index entry (issue 12, the cost of a write). The
     * lookups by item (a deleted item's messages, counts) name an item, which the partial index
     * answers. */
    "DROP INDEX messages_item;"
    "CREATE INDEX messages_item ON messages(item_id) WHERE item_id IS NOT NULL;",
    /* 29: who changed an action last (issue 11, who did what). Older actions: their recorder. */
    "ALTER TABLE actions ADD COLUMN updated_by INTEGER;"
    "UPDATE actions SET updated_by = created_by;",
    /* 30: the verslagen taken in by import.commit (issue 13): which meeting each went into, a
     * fingerprint of its text (BLAKE2b-256 of the normalised text, hex; NULL when the client
     * sent none), who and when. A second import of the same verslag, or of one for a meeting
     * of the same body on the same day, is found here and refused (import_duplicate). */
    "CREATE TABLE imports ("
    "  id INTEGER PRIMARY KEY,"
    "  body_id INTEGER NOT NULL REFERENCES bodies(id),"
    "  meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,"
    "  fingerprint TEXT,"
    "  imported_by INTEGER NOT NULL REFERENCES persons(id),"
    "  imported_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX imports_body ON imports(body_id, fingerprint);"
    "CREATE INDEX imports_meeting ON imports(meeting_id);",
    /* 31: when a message came into its body with its item's thread (agenda.refer with move):
     * NULL for a message posted where it is. A moved message is not new to the members of the
     * body it came to, so it does not count as unread there (chat.unread). */
    "ALTER TABLE messages ADD COLUMN moved_at INTEGER;",
    /* 32: notification ids that count one person's notifications only (issue 11: a global
     * sequence showed a person, in the gap between two of hers, that others were notified
     * meanwhile, e.g. the confidential side of a possible duplicate). A notification's id is
     * person * 2^24 + the number of notifications made for that person so far (this counter,
     * never lowered, so that retention gives no number twice); older ones keep theirs, which are
     * lower, so each person's notifications stay in order of their ids. */
    "ALTER TABLE persons ADD COLUMN notes_made INTEGER NOT NULL DEFAULT 0;",
    /* 33: how many of a flag's two items are confidential (issue 11, timing): an item's own
     * reaction reads the flags whose other item is open only, through the index, so its work is
     * the same whether or not flags with a hidden item exist (store/flags.h). Set when a flag is
     * stored and when one of its items changes confidentiality. */
    "ALTER TABLE flags ADD COLUMN secret INTEGER NOT NULL DEFAULT 0;"
    "UPDATE flags SET secret = (SELECT count(*) FROM items i WHERE i.confidential = 1 AND "
    "  (i.id = flags.item_a OR i.id = flags.item_b));"
    "DROP INDEX flags_item_a;"
    "DROP INDEX flags_item_b;"
    "CREATE INDEX flags_item_a ON flags(item_a, secret);"
    "CREATE INDEX flags_item_b ON flags(item_b, secret);",
    /* 34: a new message is queued for the search index by its insert (store/chat.c,
     * kt_store_search_queue_message), not by a trigger: an insert with a trigger writes two
     * tables, so SQLite opened a statement journal for each post inside the group's transaction
     * and copied every page the insert touched into it (six pages, 25 allocations of 1 KiB). The
     * triggers of a message's edit and delete stay (bench/README, issue 15, loop10). */
    "DROP TRIGGER search_q_message_ins;",
    /* 35: the confidential batch's runs (issue 11, timing): every batch writes this row, hit or
     * miss, so that each commits (and syncs) alike (store/flags.h, kt_store_flags_batch_ran). */
    "CREATE TABLE confidential_batches ("
    "  id INTEGER PRIMARY KEY,"
    "  runs INTEGER NOT NULL,"
    "  last_at INTEGER NOT NULL"
    ");",
    /* 36: a flag's marks per side (issue 11, timing), in place of secret (33): conf_a, conf_b
     * whether item_a, item_b is confidential, and the item indexes by the other side's mark. An
     * item's reaction reads its flags by the other item's mark, which its own change of
     * confidentiality does not touch; that change re-marks at once only its flags whose other
     * item is open, and the rest in the confidential batch, so that its cost does not count
     * the flags it has with hidden items (store/flags.h). */
    "ALTER TABLE flags ADD COLUMN conf_a INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE flags ADD COLUMN conf_b INTEGER NOT NULL DEFAULT 0;"
    "UPDATE flags SET"
    "  conf_a = COALESCE((SELECT i.confidential FROM items i WHERE i.id = flags.item_a), 0),"
    "  conf_b = COALESCE((SELECT i.confidential FROM items i WHERE i.id = flags.item_b), 0);"
    "DROP INDEX flags_item_a;"
    "DROP INDEX flags_item_b;"
    "CREATE INDEX flags_item_a ON flags(item_a, conf_b);"
    "CREATE INDEX flags_item_b ON flags(item_b, conf_a);"
    "ALTER TABLE flags DROP COLUMN secret;",
};

int kt_migrations_count(void)
{
    return (int)(sizeof migrations / sizeof migrations[0]);
}

const char *kt_migration_sql(int index)
{
    if (index < 0 || index >= kt_migrations_count())
        return NULL;
    return migrations[index];
}
