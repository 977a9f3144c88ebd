/* libro_registry: the PostgreSQL store's migrations. PostgreSQL numbers its own from 1:
 * migration 1 is the schema the SQLite store reaches at its version 8 (sqlite/store_sqlite.c
 * says why each table is there), with the same tables, constraints and indexes, and the
 * sequencer. int8 for times, indices and list numbers, integer for small codes and 0/1 flags
 * (their meanings as in SQLite), text for JSON and credentials, bytea for hashes. Text compares
 * and sorts by code point (COLLATE "C"), as SQLite's does, whatever the database's locale: the
 * pages of `expiring` and every listing come in the same order on both backends. Where SQLite
 * orders by rowid (agreements, by registration), an identity column keeps the insertion order. The
 * tables go into the connection's current schema (search_path). Append; never edit a migration that
 * has shipped. */
#include <stddef.h>

#include "pg_int.h"

/* 1: the whole schema, in parts (a C string has a bounded length). libro_sequencer is the log's
 * head, one row: every write transaction locks it first (store_pg.c, begin), so that log leaves are
 * numbered by one writer at a time across every process, and its size is raised with each leaf
 * (store_pg_log.c). The trigger keeps status_list_usage as SQLite's does; its search_path is the
 * schema it was created in, so that it finds the tables beside it whatever the caller's path. */
static const char schema_licenses[] =
    "CREATE TABLE meta ("
    " key text COLLATE \"C\" PRIMARY KEY,"
    " value text COLLATE \"C\" NOT NULL);"
    "CREATE TABLE license_type ("
    " id text COLLATE \"C\" PRIMARY KEY,"
    " validity_days int8 NOT NULL CHECK (validity_days >= 1),"
    " renewal_window_days int8 NOT NULL CHECK (renewal_window_days >= 0),"
    " grace_days int8 NOT NULL CHECK (grace_days >= 0),"
    " requirements text COLLATE \"C\" NOT NULL,"
    " defined_by text COLLATE \"C\" NOT NULL);"
    "CREATE TABLE status_slot ("
    " list int8 NOT NULL CHECK (list >= 0),"
    " idx int8 NOT NULL CHECK (idx >= 0),"
    " PRIMARY KEY (list, idx));"
    "CREATE TABLE status_bit ("
    " list int8 NOT NULL,"
    " idx int8 NOT NULL,"
    " purpose integer NOT NULL CHECK (purpose IN (1, 2)),"
    " PRIMARY KEY (list, purpose, idx),"
    " FOREIGN KEY (list, idx) REFERENCES status_slot (list, idx));"
    "CREATE TABLE status_message ("
    " list int8 NOT NULL,"
    " idx int8 NOT NULL,"
    " value integer NOT NULL CHECK (value BETWEEN 1 AND 3),"
    " PRIMARY KEY (list, idx),"
    " FOREIGN KEY (list, idx) REFERENCES status_slot (list, idx));"
    "CREATE TABLE status_list_usage ("
    " list int8 PRIMARY KEY CHECK (list >= 0),"
    " used int8 NOT NULL CHECK (used >= 0));"
    "CREATE FUNCTION status_slot_counted() RETURNS trigger LANGUAGE plpgsql"
    " SET search_path FROM CURRENT AS $$ BEGIN"
    " INSERT INTO status_list_usage (list, used) VALUES (NEW.list, 1)"
    " ON CONFLICT (list) DO UPDATE SET used = status_list_usage.used + 1;"
    " RETURN NULL; END $$;"
    "CREATE TRIGGER status_slot_counted AFTER INSERT ON status_slot"
    " FOR EACH ROW EXECUTE FUNCTION status_slot_counted();"
    "CREATE TABLE status_version ("
    " space integer NOT NULL CHECK (space IN (0, 1)),"
    " list int8 NOT NULL CHECK (list >= 0),"
    " purpose integer NOT NULL CHECK (purpose BETWEEN 1 AND 3),"
    " version int8 NOT NULL CHECK (version >= 1),"
    " PRIMARY KEY (space, list, purpose));"
    "CREATE TABLE license ("
    " number text COLLATE \"C\" PRIMARY KEY,"
    " version int8 NOT NULL CHECK (version >= 1),"
    " state integer NOT NULL CHECK (state BETWEEN 1 AND 6),"
    " license_type text COLLATE \"C\" NOT NULL REFERENCES license_type (id),"
    " holder_name text COLLATE \"C\" NOT NULL,"
    " issuer text COLLATE \"C\" NOT NULL,"
    " valid_from int8 NOT NULL,"
    " valid_until int8 NOT NULL,"
    " status_list int8 NOT NULL,"
    " status_index int8 NOT NULL,"
    " UNIQUE (status_list, status_index),"
    " FOREIGN KEY (status_list, status_index) REFERENCES status_slot (list, idx));"
    "CREATE INDEX license_expiring ON license (state, valid_until, number);"
    "CREATE TABLE license_credential ("
    " number text COLLATE \"C\" NOT NULL REFERENCES license (number),"
    " version int8 NOT NULL CHECK (version >= 1),"
    " jws text COLLATE \"C\" NOT NULL,"
    " PRIMARY KEY (number, version));"
    "CREATE TABLE license_event ("
    " id int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " number text COLLATE \"C\" NOT NULL REFERENCES license (number),"
    " at int8 NOT NULL,"
    " action integer NOT NULL CHECK (action BETWEEN 1 AND 8),"
    " actor text COLLATE \"C\" NOT NULL,"
    " reason text COLLATE \"C\" NOT NULL,"
    " from_state integer NOT NULL CHECK (from_state BETWEEN 0 AND 6),"
    " to_state integer NOT NULL CHECK (to_state BETWEEN 1 AND 6),"
    " version int8 NOT NULL,"
    " evidence text COLLATE \"C\");"
    "CREATE INDEX license_event_number ON license_event (number, id);";

static const char schema_log[] = "CREATE TABLE issuer_authorization ("
                                 " kid text COLLATE \"C\" PRIMARY KEY,"
                                 " issuer text COLLATE \"C\" NOT NULL,"
                                 " credential text COLLATE \"C\" NOT NULL,"
                                 " valid_from int8 NOT NULL,"
                                 " valid_until int8 NOT NULL);"
                                 "CREATE TABLE request_id ("
                                 " jti text COLLATE \"C\" PRIMARY KEY,"
                                 " kid text COLLATE \"C\" NOT NULL,"
                                 " iat int8 NOT NULL);"
                                 "CREATE INDEX request_id_iat ON request_id (iat);"
                                 "CREATE TABLE log_leaf ("
                                 " idx int8 PRIMARY KEY CHECK (idx >= 0),"
                                 " data text COLLATE \"C\" NOT NULL);"
                                 "CREATE TABLE log_node ("
                                 " level integer NOT NULL CHECK (level BETWEEN 0 AND 63),"
                                 " idx int8 NOT NULL CHECK (idx >= 0),"
                                 " hash bytea NOT NULL CHECK (length(hash) = 32),"
                                 " PRIMARY KEY (level, idx));"
                                 "CREATE TABLE libro_sequencer ("
                                 " one boolean PRIMARY KEY DEFAULT true CHECK (one),"
                                 " size int8 NOT NULL CHECK (size >= 0));"
                                 "INSERT INTO libro_sequencer (one, size) VALUES (true, 0);";

static const char schema_roundtables[] =
    "CREATE TABLE seat ("
    " community text COLLATE \"C\" PRIMARY KEY,"
    " name text COLLATE \"C\" NOT NULL,"
    " level integer NOT NULL CHECK (level BETWEEN 0 AND 7),"
    " charter text COLLATE \"C\" NOT NULL,"
    " added_at int8 NOT NULL,"
    " actor text COLLATE \"C\" NOT NULL);"
    "CREATE TABLE mandate ("
    " id text COLLATE \"C\" PRIMARY KEY,"
    " office integer NOT NULL CHECK (office BETWEEN 1 AND 3),"
    " roundtable text COLLATE \"C\" NOT NULL,"
    " roundtable_level integer NOT NULL,"
    " seat text COLLATE \"C\","
    " seat_key text COLLATE \"C\" NOT NULL,"
    " holder text COLLATE \"C\" NOT NULL,"
    " name text COLLATE \"C\" NOT NULL,"
    " voting integer NOT NULL CHECK (voting IN (0, 1)),"
    " issuer text COLLATE \"C\" NOT NULL,"
    " valid_from int8 NOT NULL,"
    " valid_until int8 NOT NULL,"
    " state integer NOT NULL CHECK (state BETWEEN 1 AND 4),"
    " ended_at int8 NOT NULL,"
    " end_reason text COLLATE \"C\","
    " ended_by text COLLATE \"C\","
    " status_set integer NOT NULL CHECK (status_set IN (0, 1)),"
    " status_list int8 NOT NULL CHECK (status_list >= 0),"
    " status_index int8 NOT NULL CHECK (status_index >= 0),"
    " credential text COLLATE \"C\" NOT NULL,"
    " registered_at int8 NOT NULL,"
    " UNIQUE (status_list, status_index));"
    "CREATE INDEX mandate_seat ON mandate (office, seat_key, valid_from);"
    "CREATE INDEX mandate_until ON mandate (valid_until);";

static const char schema_laws[] =
    "CREATE TABLE agreement ("
    " hash text COLLATE \"C\" PRIMARY KEY,"
    " title text COLLATE \"C\" NOT NULL,"
    " community text COLLATE \"C\" NOT NULL,"
    " valid_from int8 NOT NULL,"
    " valid_until int8 NOT NULL,"
    " notice_days int8 NOT NULL CHECK (notice_days >= 0),"
    " mutual_only integer NOT NULL CHECK (mutual_only IN (0, 1)),"
    " supersedes text COLLATE \"C\" UNIQUE,"
    " superseded_by text COLLATE \"C\","
    " state integer NOT NULL CHECK (state BETWEEN 1 AND 3),"
    " registered_at int8 NOT NULL,"
    " superseded_at int8 NOT NULL,"
    " end_how integer NOT NULL CHECK (end_how BETWEEN 0 AND 2),"
    " end_given_at int8 NOT NULL,"
    " ends_at int8 NOT NULL,"
    " end_by text COLLATE \"C\","
    " end_reason text COLLATE \"C\","
    " end_statement text COLLATE \"C\","
    " document text COLLATE \"C\" NOT NULL,"
    " registered_seq int8 GENERATED ALWAYS AS IDENTITY UNIQUE);"
    "CREATE TABLE agreement_party ("
    " agreement text COLLATE \"C\" NOT NULL REFERENCES agreement (hash),"
    " position integer NOT NULL CHECK (position >= 0),"
    " id text COLLATE \"C\" NOT NULL,"
    " name text COLLATE \"C\" NOT NULL,"
    " role text COLLATE \"C\" NOT NULL,"
    " PRIMARY KEY (agreement, position));"
    "CREATE INDEX agreement_party_id ON agreement_party (id);"
    "CREATE TABLE consent_process ("
    " law_id text COLLATE \"C\" NOT NULL,"
    " run int8 NOT NULL CHECK (run >= 1),"
    " open integer NOT NULL CHECK (open IN (0, 1)),"
    " opened_at int8 NOT NULL,"
    " law text COLLATE \"C\","
    " PRIMARY KEY (law_id, run));"
    "CREATE TABLE consent_step ("
    " hash text COLLATE \"C\" PRIMARY KEY,"
    " law_id text COLLATE \"C\" NOT NULL,"
    " run int8 NOT NULL,"
    " seq int8 NOT NULL CHECK (seq >= 0),"
    " kind text COLLATE \"C\" NOT NULL,"
    " by_id text COLLATE \"C\" NOT NULL,"
    " at int8 NOT NULL,"
    " step text COLLATE \"C\" NOT NULL,"
    " registered_at int8 NOT NULL,"
    " UNIQUE (law_id, run, seq),"
    " FOREIGN KEY (law_id, run) REFERENCES consent_process (law_id, run));"
    "CREATE TABLE law ("
    " hash text COLLATE \"C\" PRIMARY KEY,"
    " law_id text COLLATE \"C\" NOT NULL,"
    " version int8 NOT NULL CHECK (version >= 1),"
    " title text COLLATE \"C\" NOT NULL,"
    " aim text COLLATE \"C\" NOT NULL,"
    " community text COLLATE \"C\" NOT NULL,"
    " adopted_at int8 NOT NULL,"
    " review_at int8 NOT NULL,"
    " consent_record text COLLATE \"C\" NOT NULL,"
    " supersedes text COLLATE \"C\","
    " superseded_by text COLLATE \"C\","
    " state integer NOT NULL CHECK (state BETWEEN 1 AND 2),"
    " repealed_at int8 NOT NULL,"
    " registered_at int8 NOT NULL,"
    " credential text COLLATE \"C\" NOT NULL,"
    " UNIQUE (law_id, version));"
    "CREATE INDEX law_review ON law (state, review_at);";

static const char *const migration_1[] = {schema_licenses, schema_log, schema_roundtables,
                                          schema_laws, NULL};

/* 2 (issue 12, rules): SQLite's 9, each event's reason category and each license type's
 * renewal_from (sqlite/store_sqlite.c says why). */
static const char schema_rules[] =
    "ALTER TABLE license_event ADD COLUMN category integer NOT NULL DEFAULT 0"
    " CHECK (category BETWEEN 0 AND 7);"
    "ALTER TABLE license_type ADD COLUMN renewal_from integer NOT NULL DEFAULT 0"
    " CHECK (renewal_from IN (0, 1));";

static const char *const migration_2[] = {schema_rules, NULL};

/* 3 (issue 12): the public search by holder name, as SQLite's migration 10 (which says why):
 * the keys of each license's holder, the older licenses' computed here by the same rule
 * (translate() lowercases ASCII letters only, as libro_store__holder_keys does). */
static const char schema_holder_keys[] =
    "CREATE TABLE license_holder_key ("
    " key text COLLATE \"C\" NOT NULL,"
    " number text COLLATE \"C\" NOT NULL REFERENCES license (number),"
    " PRIMARY KEY (key, number));"
    "INSERT INTO license_holder_key (key, number)"
    " SELECT substr(k.name, k.p), k.number FROM ("
    " SELECT l.number, n.name, g.p,"
    " row_number() OVER (PARTITION BY l.number ORDER BY g.p) AS i"
    " FROM license l CROSS JOIN LATERAL (SELECT translate(l.holder_name,"
    " 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') AS name) n"
    " CROSS JOIN LATERAL generate_series(1, char_length(n.name)) AS g (p)"
    " WHERE g.p = 1 OR substr(n.name, g.p - 1, 1) IN (' ', '-')) k"
    " WHERE k.i <= 16;";

static const char *const migration_3[] = {schema_holder_keys, NULL};

/* 4 (issue 12, reminders): contacts and the reminders sent, as SQLite's migration 11. */
static const char schema_reminders[] = "CREATE TABLE contact ("
                                       " kind integer NOT NULL CHECK (kind BETWEEN 1 AND 3),"
                                       " subject text COLLATE \"C\" NOT NULL,"
                                       " email text COLLATE \"C\" NOT NULL,"
                                       " updated_at int8 NOT NULL,"
                                       " PRIMARY KEY (kind, subject));"
                                       "CREATE TABLE reminder_sent ("
                                       " kind integer NOT NULL CHECK (kind BETWEEN 1 AND 3),"
                                       " subject text COLLATE \"C\" NOT NULL,"
                                       " due int8 NOT NULL,"
                                       " threshold integer NOT NULL CHECK (threshold >= -1),"
                                       " recipient text COLLATE \"C\" NOT NULL,"
                                       " state text COLLATE \"C\" NOT NULL"
                                       " CHECK (state IN ('sending', 'sent')),"
                                       " claim_token text COLLATE \"C\" NOT NULL,"
                                       " claimed_at int8 NOT NULL,"
                                       " sent_at int8,"
                                       " CHECK ((state = 'sent') = (sent_at IS NOT NULL)),"
                                       " PRIMARY KEY (kind, subject, due, threshold));";

static const char *const migration_4[] = {schema_reminders, NULL};

/* 5 (issue 12): webhook subscriptions and their delivery state (SQLite's migration 12). */
static const char schema_webhooks[] =
    "CREATE TABLE webhook ("
    " id text COLLATE \"C\" PRIMARY KEY,"
    " url text COLLATE \"C\" NOT NULL,"
    " licenses text COLLATE \"C\","
    " insecure_http integer NOT NULL CHECK (insecure_http IN (0, 1)),"
    " created_at int8 NOT NULL,"
    " cursor int8 NOT NULL CHECK (cursor >= 0),"
    " attempts int8 NOT NULL CHECK (attempts >= 0),"
    " next_at int8 NOT NULL,"
    " failing_since int8 NOT NULL,"
    " last_error text COLLATE \"C\","
    " lease_owner text COLLATE \"C\","
    " lease_until int8 NOT NULL,"
    " expiring_within integer NOT NULL CHECK (expiring_within BETWEEN 0 AND 3660),"
    " expiry_checked_at int8 NOT NULL);";
static const char schema_webhook_expiry[] = "CREATE TABLE webhook_expiry ("
                                            " webhook text COLLATE \"C\" NOT NULL,"
                                            " license text COLLATE \"C\" NOT NULL,"
                                            " valid_until int8 NOT NULL,"
                                            " sent_at int8 NOT NULL,"
                                            " PRIMARY KEY (webhook, license, valid_until));";

static const char *const migration_5[] = {schema_webhooks, schema_webhook_expiry, NULL};

const char *const *const libro_pg__migrations[] = {migration_1, migration_2, migration_3,
                                                   migration_4, migration_5};
const size_t libro_pg__migration_count =
    sizeof libro_pg__migrations / sizeof libro_pg__migrations[0];
