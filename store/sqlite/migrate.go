package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// migrations bring the schema from version i to i+1. The list is append
// only: a database records how many steps it has had (schema_version), so
// editing or reordering a step that has shipped would leave old databases
// different from new ones. Change the schema by adding a step.
var migrations = []func(ctx context.Context, tx *sql.Tx) error{
	schema1,
	schema2,
	schema3,
	schema4,
	schemaBodyWebhooks,
	schemaAudit,
	schemaDue,
	schemaDeadline,
	schemaQueue,
	schemaReplies,
	schemaSearch,
	schemaPeopleTokens,
	schemaSearchFast,
	schemaNonces,
	schemaPrivacy,
	schemaSubscriptions,
	schemaTokenUse,
	schemaRisk,
	schemaParties,
	schemaRiskLinks,
}

// migrate applies the missing steps in one transaction: a failed step
// leaves the database as it was, never half-migrated.
func migrate(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	defer tx.Rollback()

	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	var v int
	err = tx.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (0)`)
	}
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	// A newer jiefen may have changed what rows mean; running old code on
	// it could corrupt data that the newer code relies on.
	if v > len(migrations) {
		return fmt.Errorf("sqlite: database schema version %d is newer than this program knows (%d): refusing to open it", v, len(migrations))
	}
	if v == len(migrations) {
		return nil
	}
	for i := v; i < len(migrations); i++ {
		if err := migrations[i](ctx, tx); err != nil {
			return fmt.Errorf("sqlite: migration %d: %w", i+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE schema_version SET version = ?`, len(migrations)); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return nil
}

func execAll(ctx context.Context, tx *sql.Tx, stmts ...string) error {
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// schema1 is the first schema. Times are Unix milliseconds (0: never);
// an absent string is stored empty rather than NULL, as in the Go types.
func schema1(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		`CREATE TABLE citizens (
			openid          TEXT PRIMARY KEY,
			consent_at      INTEGER NOT NULL,
			last_inbound_at INTEGER NOT NULL,
			window_until    INTEGER NOT NULL,
			quota           INTEGER NOT NULL,
			sent            INTEGER NOT NULL
		) WITHOUT ROWID`,

		`CREATE TABLE dialogs (
			openid     TEXT PRIMARY KEY,
			version    INTEGER NOT NULL,
			step       TEXT NOT NULL,
			draft      TEXT NOT NULL, -- store.Draft as JSON: it changes shape with the conversation, never queried
			updated_at INTEGER NOT NULL
		) WITHOUT ROWID`,

		// The primary key is what makes a dedup key unique: a second
		// delivery collides inside the Commit transaction.
		`CREATE TABLE dedup (
			key        TEXT PRIMARY KEY,
			reply      TEXT NOT NULL,
			expires_at INTEGER NOT NULL -- 0: never
		) WITHOUT ROWID`,
		`CREATE INDEX dedup_expiry ON dedup (expires_at) WHERE expires_at <> 0`,

		`CREATE TABLE case_seq (
			day TEXT PRIMARY KEY,
			seq INTEGER NOT NULL
		) WITHOUT ROWID`,

		`CREATE TABLE cases (
			id         TEXT PRIMARY KEY,
			status     TEXT NOT NULL,
			type       TEXT NOT NULL,
			urgent     INTEGER NOT NULL,
			region     TEXT NOT NULL,
			body       TEXT NOT NULL,
			rule       TEXT NOT NULL,
			summary    TEXT NOT NULL,
			story      TEXT NOT NULL,
			openid     TEXT NOT NULL,
			phone      TEXT NOT NULL,
			created_at INTEGER NOT NULL,
			updated_at INTEGER NOT NULL
		)`,
		// Cases lists newest first; the console filters by body and
		// status, the bot by citizen. Type and region filters come with
		// one of those or scan in date order.
		`CREATE INDEX cases_created ON cases (created_at, id)`,
		`CREATE INDEX cases_openid ON cases (openid, created_at, id)`,
		`CREATE INDEX cases_status ON cases (status, created_at, id)`,
		`CREATE INDEX cases_body ON cases (body, created_at, id)`,

		// AUTOINCREMENT so an event id is never reused even if old events
		// are deleted one day: clients page a thread by the last id seen.
		`CREATE TABLE events (
			id       INTEGER PRIMARY KEY AUTOINCREMENT,
			case_id  TEXT NOT NULL REFERENCES cases (id),
			at       INTEGER NOT NULL,
			kind     TEXT NOT NULL,
			actor    TEXT NOT NULL,
			text     TEXT NOT NULL,
			media_id TEXT NOT NULL,
			status   TEXT NOT NULL
		)`,
		`CREATE INDEX events_case ON events (case_id, id)`,

		`CREATE TABLE outbound (
			id          INTEGER PRIMARY KEY,
			openid      TEXT NOT NULL,
			case_id     TEXT NOT NULL,
			kind        TEXT NOT NULL,
			text        TEXT NOT NULL,
			media_id    TEXT NOT NULL,
			state       TEXT NOT NULL,
			attempts    INTEGER NOT NULL,
			not_before  INTEGER NOT NULL,
			lease_until INTEGER NOT NULL, -- end of the current claim; 0 when unclaimed
			last_error  TEXT NOT NULL,
			via         TEXT NOT NULL,
			created_at  INTEGER NOT NULL
		)`,
		`CREATE INDEX outbound_openid ON outbound (openid, id)`,
		// ClaimOutbound chooses among each citizen's unfinished items;
		// this keeps that lookup to the unfinished items however many
		// sent ones accumulate.
		`CREATE INDEX outbound_open ON outbound (openid, id) WHERE state IN ('pending', 'held')`,

		`CREATE TABLE media (
			media_id     TEXT PRIMARY KEY,
			openid       TEXT NOT NULL,
			case_id      TEXT NOT NULL,
			content_type TEXT NOT NULL,
			data         BLOB NOT NULL,
			at           INTEGER NOT NULL
		)`,
	)
}

// schema2 adds the mediators' console: its users, their sessions and API
// tokens, the failed-login log that slows down password guessing, and who
// has each case. No index on cases.assignee yet: no query filters by it,
// and a later step can add one (CREATE INDEX fills itself from the rows).
func schema2(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		`ALTER TABLE cases ADD COLUMN assignee TEXT NOT NULL DEFAULT ''`,

		`CREATE TABLE users (
			name          TEXT PRIMARY KEY,
			role          TEXT NOT NULL,
			body          TEXT NOT NULL,
			password_hash TEXT NOT NULL,
			created_at    INTEGER NOT NULL
		) WITHOUT ROWID`,

		// Keyed by the SHA-256 of the cookie, never the cookie itself.
		`CREATE TABLE sessions (
			id_hash    TEXT PRIMARY KEY,
			user       TEXT NOT NULL,
			csrf       TEXT NOT NULL,
			expires_at INTEGER NOT NULL
		) WITHOUT ROWID`,
		`CREATE INDEX sessions_expiry ON sessions (expires_at)`,

		`CREATE TABLE tokens (
			hash       TEXT PRIMARY KEY,
			user       TEXT NOT NULL,
			created_at INTEGER NOT NULL
		) WITHOUT ROWID`,

		// One row per failed login, so the count is over a sliding
		// window. until (at + the window it was counted in) is when the
		// row stops mattering, for Purge.
		`CREATE TABLE login_failures (
			id    INTEGER PRIMARY KEY,
			key   TEXT NOT NULL,
			at    INTEGER NOT NULL,
			until INTEGER NOT NULL
		)`,
		`CREATE INDEX login_failures_key ON login_failures (key, at)`,
		`CREATE INDEX login_failures_until ON login_failures (until)`,
	)
}

// schema3 adds video mediation to cases and, to events, the body a
// referral, decline or transfer concerns. The defaults are the zero values
// of the Go fields, so rows written before read back as "no video" and "no
// body", and no row needs rewriting. A transfer changes cases.body, which
// cases_body already indexes.
func schema3(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		`ALTER TABLE cases ADD COLUMN video_at INTEGER NOT NULL DEFAULT 0`, // Unix ms; 0: none scheduled
		`ALTER TABLE cases ADD COLUMN video_url TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE events ADD COLUMN body TEXT NOT NULL DEFAULT ''`,
	)
}

// schema4 adds the webhook outbox: referrals to agencies, kept after
// delivery or failure so the console can show (and retry) them.
func schema4(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		// AUTOINCREMENT so an id is never reused: the console's retry
		// button names a referral by id.
		`CREATE TABLE referrals (
			id           INTEGER PRIMARY KEY AUTOINCREMENT,
			delivery     TEXT NOT NULL UNIQUE, -- the agency dedups by it: never two alike
			case_id      TEXT NOT NULL REFERENCES cases (id),
			body         TEXT NOT NULL,
			url          TEXT NOT NULL,
			payload      BLOB NOT NULL, -- the exact bytes every attempt sends
			state        TEXT NOT NULL,
			attempts     INTEGER NOT NULL,
			not_before   INTEGER NOT NULL,
			lease_until  INTEGER NOT NULL, -- end of the current claim; 0 when unclaimed
			last_error   TEXT NOT NULL,
			created_at   INTEGER NOT NULL,
			delivered_at INTEGER NOT NULL  -- 0 until delivered
		)`,
		// Claims look at pending referrals only, however many delivered
		// ones accumulate; the console lists by case, body or state.
		`CREATE INDEX referrals_due ON referrals (not_before) WHERE state = 'pending'`,
		`CREATE INDEX referrals_case ON referrals (case_id, id)`,
		`CREATE INDEX referrals_body ON referrals (body, id)`,
		`CREATE INDEX referrals_state ON referrals (state, id)`,
	)
}

// schemaBodyWebhooks adds the webhook settings administrators make in the
// console, one row per body, over the routing table's webhooks.
func schemaBodyWebhooks(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		`CREATE TABLE body_webhooks (
			body       TEXT PRIMARY KEY,
			url        TEXT NOT NULL, -- '' : removed on purpose, over the table's
			secret     TEXT NOT NULL, -- the HMAC key itself: requests are signed with it
			updated_by TEXT NOT NULL,
			updated_at INTEGER NOT NULL
		) WITHOUT ROWID`,
	)
}

// schemaAudit adds the audit log and the retention mark of cases. The log
// is append only in the database itself: triggers refuse every UPDATE and
// DELETE of it, whatever program holds the file. Entries name their case
// without a foreign key, so the log stands on its own.
func schemaAudit(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		// AUTOINCREMENT so an id is never reused: the page's paging names
		// an entry by id.
		`CREATE TABLE audit (
			id      INTEGER PRIMARY KEY AUTOINCREMENT,
			at      INTEGER NOT NULL,
			user    TEXT NOT NULL,
			role    TEXT NOT NULL,
			action  TEXT NOT NULL,
			case_id TEXT NOT NULL,
			detail  TEXT NOT NULL,
			addr    TEXT NOT NULL
		)`,
		// The log reads newest first, by time, filtered by one of these.
		`CREATE INDEX audit_at ON audit (at, id)`,
		`CREATE INDEX audit_user ON audit (user, at, id)`,
		`CREATE INDEX audit_case ON audit (case_id, at, id)`,
		`CREATE INDEX audit_action ON audit (action, at, id)`,
		`CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
			BEGIN SELECT RAISE(ABORT, 'the audit log is append only'); END`,
		`CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
			BEGIN SELECT RAISE(ABORT, 'the audit log is append only'); END`,

		// When the retention period took the case's personal data; 0
		// while kept. The retention worker looks for ended cases not yet
		// anonymised, which this partial index holds alone however many
		// anonymised ones accumulate.
		`ALTER TABLE cases ADD COLUMN anonymized_at INTEGER NOT NULL DEFAULT 0`,
		`CREATE INDEX cases_retention ON cases (updated_at)
			WHERE status IN ('resolved', 'unresolved', 'withdrawn') AND anonymized_at = 0`,
	)
}

// schemaDue adds the due-time index (store.Change.Due): the next moment
// the deadline watcher acts on a case. NULL: never set, as for every case
// stored before this step, which the watcher's first pass fills in
// (CasesWithoutDue, through the status index); 0: nothing due. The
// partial index holds the cases with a time alone, which the watcher reads
// up to its now on every tick.
func schemaDue(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		`ALTER TABLE cases ADD COLUMN due_at INTEGER`,
		`CREATE INDEX cases_due ON cases (due_at, id) WHERE due_at > 0`,
	)
}

// schemaDeadline adds the deadline running on a case (store.DueSet's
// Deadline and DueAt), so the overdue list and the queue's deadline column
// read the case, not its thread. deadline_at is NULL while never set, as
// for every case stored before this step, which the watcher's first pass
// fills in (CasesWithoutDue); 0 when no deadline runs. The partial index
// holds the running deadlines alone: the overdue list reads those due.
func schemaDeadline(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		`ALTER TABLE cases ADD COLUMN deadline TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE cases ADD COLUMN deadline_at INTEGER`,
		`CREATE INDEX cases_deadline ON cases (deadline_at, id) WHERE deadline_at > 0`,
	)
}

// schemaQueue puts the outbound queue and the webhook outbox into one
// table, queue (store.Queue), and moves every row of both, whatever its
// state, so nothing queued, held, failed or sent is lost or forgotten.
// Outbound items keep their ids: a template message's client id is made
// of it, and the platform dedups by that. Referrals are numbered after
// them, in their order (the console names them by id, and reads them
// afresh). A citizen's items get their ordering key ("om:"+openid);
// anonymised ones, without an openid, get none. A referral's case is
// checked by enqueue rather than a foreign key: an outbound item's case
// may be "".
func schemaQueue(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		`CREATE TABLE queue (
			id          INTEGER PRIMARY KEY AUTOINCREMENT,
			kind        TEXT NOT NULL,
			lane        TEXT NOT NULL,
			okey        TEXT NOT NULL, -- ordering key; '' for none
			case_id     TEXT NOT NULL,
			openid      TEXT NOT NULL,
			text        TEXT NOT NULL,
			media_id    TEXT NOT NULL,
			delivery    TEXT NOT NULL, -- a webhook's delivery id; '' for none
			body        TEXT NOT NULL,
			url         TEXT NOT NULL,
			payload     BLOB NOT NULL, -- the exact bytes every attempt sends
			state       TEXT NOT NULL,
			attempts    INTEGER NOT NULL,
			not_before  INTEGER NOT NULL,
			lease_until INTEGER NOT NULL, -- end of the current claim; 0 when unclaimed
			last_error  TEXT NOT NULL,
			via         TEXT NOT NULL,
			created_at  INTEGER NOT NULL,
			done_at     INTEGER NOT NULL  -- sent or delivered at; 0 until then
		)`,
		`INSERT INTO queue (id, kind, lane, okey, case_id, openid, text, media_id, delivery, body, url, payload,
			state, attempts, not_before, lease_until, last_error, via, created_at, done_at)
		SELECT id, kind, 'wechat', CASE WHEN openid <> '' THEN 'om:' || openid ELSE '' END, case_id, openid, text,
			media_id, '', '', '', x'', state, attempts, not_before, lease_until, last_error, via, created_at, 0
		FROM outbound ORDER BY id`,
		`INSERT INTO queue (kind, lane, okey, case_id, openid, text, media_id, delivery, body, url, payload,
			state, attempts, not_before, lease_until, last_error, via, created_at, done_at)
		SELECT 'referral', 'webhook', '', case_id, '', '', '', delivery, body, url, payload,
			state, attempts, not_before, lease_until, last_error, '', created_at, delivered_at
		FROM referrals ORDER BY id`,
		`DROP TABLE outbound`,
		`DROP TABLE referrals`,
		// No delivery id twice: the agency dedups by it.
		`CREATE UNIQUE INDEX queue_delivery ON queue (delivery) WHERE delivery <> ''`,
		// ClaimItems chooses among each key's open items, and the due
		// ones of a lane; these keep both to the open items however many
		// finished ones accumulate.
		`CREATE INDEX queue_keyed ON queue (okey, id) WHERE state IN ('pending', 'held') AND okey <> ''`,
		`CREATE INDEX queue_due ON queue (lane, not_before) WHERE state = 'pending'`,
		// Items lists by key (a citizen's messages), case, body, state or lane.
		`CREATE INDEX queue_key ON queue (okey, id)`,
		`CREATE INDEX queue_case ON queue (case_id, id)`,
		`CREATE INDEX queue_body ON queue (body, id)`,
		`CREATE INDEX queue_state ON queue (state, id)`,
		`CREATE INDEX queue_lane ON queue (lane, id)`,
	)
}

// schemaReplies adds the quick replies set in the console per body
// (store.QuickReplies), over the routing table's.
func schemaReplies(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		`CREATE TABLE body_replies (
			body       TEXT PRIMARY KEY,
			replies    TEXT NOT NULL, -- JSON list of strings
			updated_by TEXT NOT NULL,
			updated_at INTEGER NOT NULL
		) WITHOUT ROWID`,
	)
}

// schemaPeopleTokens gives users a display name (the person's name the
// console shows) and a disabled flag, and tokens the prefix that names
// them in lists and an expiry. Tokens stored before expire TokenLife
// (90 days) after they were made: the same life a new one gets.
func schemaPeopleTokens(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		`ALTER TABLE users ADD COLUMN display TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0`,
		`ALTER TABLE users ADD COLUMN sessions_after INTEGER NOT NULL DEFAULT 0`,
		`ALTER TABLE tokens ADD COLUMN prefix TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE tokens ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0`,
		`UPDATE tokens SET expires_at = created_at + 7776000000 WHERE created_at > 0`, // 90 days in ms
		// A user's tokens, for the console's list and revoking them all.
		`CREATE INDEX tokens_user ON tokens (user, created_at)`,
	)
}

// schemaPrivacy records which notice version a citizen accepted, and
// whether an AI model wrote a case's summary (it is labelled where shown).
// Consents older than versions keep "" and are asked again; old summaries
// count as not the AI's.
func schemaPrivacy(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		`ALTER TABLE citizens ADD COLUMN consent_version TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE cases ADD COLUMN summary_ai INTEGER NOT NULL DEFAULT 0`,
	)
}

// schemaSubscriptions adds citizens' consents to subscription notices
// (store.Subscriptions), per citizen and template.
func schemaSubscriptions(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		`CREATE TABLE subscriptions (
			openid   TEXT NOT NULL,
			template TEXT NOT NULL,
			long     INTEGER NOT NULL, -- 1: a long-term consent
			uses     INTEGER NOT NULL, -- one-time consents not used yet
			refused  INTEGER NOT NULL, -- 1: the last answer was no
			at       INTEGER NOT NULL,
			PRIMARY KEY (openid, template)
		) WITHOUT ROWID`,
	)
}

// schemaTokenUse keeps when each API token was last used.
func schemaTokenUse(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx, `ALTER TABLE tokens ADD COLUMN used_at INTEGER NOT NULL DEFAULT 0`)
}

// schemaRisk holds the risk early warning (store.Risk): a mark per case,
// indexed by subject and by citizen with the case's filing time, so a
// cluster is one index range; and the alerts, the partial unique index
// allowing one open alert per cluster key whatever writes them.
func schemaRisk(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		`CREATE TABLE risk_marks (
			case_id TEXT PRIMARY KEY,
			citizen TEXT NOT NULL,
			subject TEXT NOT NULL,
			at      INTEGER NOT NULL,
			rec     TEXT NOT NULL -- store.EncodeRiskMark
		) WITHOUT ROWID`,
		`CREATE INDEX risk_marks_subject ON risk_marks (subject, at) WHERE subject <> ''`,
		`CREATE INDEX risk_marks_citizen ON risk_marks (citizen, at)`,
		`CREATE TABLE alerts (
			id      INTEGER PRIMARY KEY,
			key     TEXT NOT NULL,
			status  TEXT NOT NULL,
			version INTEGER NOT NULL,
			rec     TEXT NOT NULL -- store.EncodeAlert
		)`,
		`CREATE UNIQUE INDEX alerts_open_key ON alerts (key) WHERE status = 'open'`,
		`CREATE INDEX alerts_key ON alerts (key, id)`,
		`CREATE TABLE alert_cases (
			case_id  TEXT NOT NULL,
			alert_id INTEGER NOT NULL,
			PRIMARY KEY (case_id, alert_id)
		) WITHOUT ROWID`,
	)
}

// schemaParties adds the parties a mediator invites to a case
// (dispute.Party) and, on the thread, the party an event came from or
// went to (empty: the claimant).
func schemaParties(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		`CREATE TABLE parties (
			id         TEXT PRIMARY KEY,
			case_id    TEXT NOT NULL REFERENCES cases (id),
			role       TEXT NOT NULL,
			name       TEXT NOT NULL,
			phone      TEXT NOT NULL,
			summary    TEXT NOT NULL,
			status     TEXT NOT NULL,
			scene      TEXT NOT NULL UNIQUE,
			openid     TEXT NOT NULL,
			invited_by TEXT NOT NULL,
			created_at INTEGER NOT NULL,
			updated_at INTEGER NOT NULL,
			qr_ticket  TEXT NOT NULL DEFAULT '',
			qr_url     TEXT NOT NULL DEFAULT '',
			qr_expires INTEGER NOT NULL DEFAULT 0
		)`,
		`CREATE INDEX parties_case ON parties (case_id, created_at, id)`,
		`CREATE INDEX parties_openid ON parties (openid, updated_at, id) WHERE openid <> ''`,
		`ALTER TABLE events ADD COLUMN party TEXT NOT NULL DEFAULT ''`,
	)
}

// schemaRiskLinks indexes a mark's second subject (store.RiskMark.Link),
// so the marks linking a key to another subject are one index range.
func schemaRiskLinks(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		`ALTER TABLE risk_marks ADD COLUMN link TEXT NOT NULL DEFAULT ''`,
		`CREATE INDEX risk_marks_link ON risk_marks (link, at) WHERE link <> ''`,
	)
}
