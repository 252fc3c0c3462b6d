-- The station journal's schema (kiosk.station.store). Version in meta 'schema'.
--
-- Secrecy: sheet records are keyed by random 128-bit ids, WITHOUT ROWID, so the file keeps
-- them in id order; their place inside a page is shuffled at every insert (store.py). No
-- record carries a time; `session` is the counting session (the one opened by `open` or
-- `start_test`), the same for every record of a mode, so a pause around one voter isolates
-- nothing. `review` is 1 while a contest of the sheet waits for the commission.
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sheets (
    id TEXT PRIMARY KEY,
    mode TEXT NOT NULL,
    session INTEGER NOT NULL,
    state TEXT NOT NULL,
    style TEXT NOT NULL,
    reading TEXT NOT NULL,
    fingerprints TEXT NOT NULL,
    decision TEXT,
    review INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
-- The scanner's handle of a sheet not yet known to be in the box (handles follow the scan
-- order: a row lives only until the drop is confirmed, and secure_delete overwrites it).
CREATE TABLE IF NOT EXISTS pending (sheet TEXT PRIMARY KEY, handle TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counters (
    mode TEXT NOT NULL, contest TEXT NOT NULL, key TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (mode, contest, key)
) WITHOUT ROWID;
-- The audit chain (kiosk.station.chain). `sig`: Ed25519 of the link's hash by the device
-- key, on checkpoints and reports.
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY,
    session INTEGER NOT NULL,
    at TEXT,
    kind TEXT NOT NULL,
    role TEXT,
    detail TEXT NOT NULL,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL,
    sig TEXT
);
-- The chain's last link, signed at every commit: cutting the tail needs the device key.
CREATE TABLE IF NOT EXISTS head (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    sig TEXT NOT NULL
);
-- shape (issue 12): the station protocol's tables (kiosk.protocol.store), moved here from
-- their own script so that they are the journal's: created at init, written only through the
-- journal's write path, each row with a link of the chain naming it (its sha256), and walked
-- by verify. Append-only: the triggers refuse UPDATE and DELETE (and so INSERT OR REPLACE
-- over an existing row); a correction is a new version.
CREATE TABLE IF NOT EXISTS protocol_entries (
    seq INTEGER PRIMARY KEY, contest TEXT NOT NULL, lines TEXT NOT NULL, at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS protocol_versions (
    contest TEXT NOT NULL, version INTEGER NOT NULL, payload BLOB NOT NULL, sha256 TEXT NOT NULL,
    replaces INTEGER, reason TEXT, at TEXT NOT NULL, PRIMARY KEY (contest, version)
);
CREATE TABLE IF NOT EXISTS protocol_signatures (
    seq INTEGER PRIMARY KEY, contest TEXT NOT NULL, version INTEGER NOT NULL, signer TEXT NOT NULL,
    protected TEXT NOT NULL, signature TEXT NOT NULL, at TEXT NOT NULL,
    UNIQUE (contest, version, signer)
);
CREATE TABLE IF NOT EXISTS protocol_finalised (
    contest TEXT NOT NULL, version INTEGER NOT NULL, at TEXT NOT NULL, PRIMARY KEY (contest, version)
);
CREATE TRIGGER IF NOT EXISTS protocol_entries_no_update BEFORE UPDATE ON protocol_entries
BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER IF NOT EXISTS protocol_entries_no_delete BEFORE DELETE ON protocol_entries
BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER IF NOT EXISTS protocol_versions_no_update BEFORE UPDATE ON protocol_versions
BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER IF NOT EXISTS protocol_versions_no_delete BEFORE DELETE ON protocol_versions
BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER IF NOT EXISTS protocol_signatures_no_update BEFORE UPDATE ON protocol_signatures
BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER IF NOT EXISTS protocol_signatures_no_delete BEFORE DELETE ON protocol_signatures
BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER IF NOT EXISTS protocol_finalised_no_update BEFORE UPDATE ON protocol_finalised
BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER IF NOT EXISTS protocol_finalised_no_delete BEFORE DELETE ON protocol_finalised
BEGIN SELECT RAISE(ABORT, 'append-only'); END;
-- A write over an existing key (INSERT OR REPLACE) deletes the old row without firing the
-- DELETE triggers (recursive_triggers is off): refuse it before the insert.
CREATE TRIGGER IF NOT EXISTS protocol_entries_no_replace BEFORE INSERT ON protocol_entries
WHEN EXISTS (SELECT 1 FROM protocol_entries WHERE seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER IF NOT EXISTS protocol_versions_no_replace BEFORE INSERT ON protocol_versions
WHEN EXISTS (SELECT 1 FROM protocol_versions WHERE contest = NEW.contest AND version = NEW.version)
BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER IF NOT EXISTS protocol_signatures_no_replace BEFORE INSERT ON protocol_signatures
WHEN EXISTS (SELECT 1 FROM protocol_signatures WHERE seq = NEW.seq
             OR (contest = NEW.contest AND version = NEW.version AND signer = NEW.signer))
BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER IF NOT EXISTS protocol_finalised_no_replace BEFORE INSERT ON protocol_finalised
WHEN EXISTS (SELECT 1 FROM protocol_finalised WHERE contest = NEW.contest AND version = NEW.version)
BEGIN SELECT RAISE(ABORT, 'append-only'); END;
-- The sync outbox (issue 15, sync2; kiosk/sync/outbox.py): deliveries keyed by the sha256 of
-- their bytes, attempts and receipts. Append-only; every row is named by a sync_* link of the
-- audit chain, and Journal.verify holds them to it (outbox_problems).
CREATE TABLE IF NOT EXISTS sync_deliveries (
    key TEXT PRIMARY KEY, name TEXT NOT NULL, body BLOB NOT NULL, queued_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sync_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL REFERENCES sync_deliveries(key),
    at TEXT NOT NULL, outcome TEXT NOT NULL, error TEXT);
CREATE TABLE IF NOT EXISTS sync_receipts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL REFERENCES sync_deliveries(key),
    receipt BLOB NOT NULL, at TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS sync_deliveries_no_update BEFORE UPDATE ON sync_deliveries
    BEGIN SELECT RAISE(ABORT, 'sync outbox is append-only'); END;
CREATE TRIGGER IF NOT EXISTS sync_deliveries_no_delete BEFORE DELETE ON sync_deliveries
    BEGIN SELECT RAISE(ABORT, 'sync outbox is append-only'); END;
CREATE TRIGGER IF NOT EXISTS sync_attempts_no_update BEFORE UPDATE ON sync_attempts
    BEGIN SELECT RAISE(ABORT, 'sync outbox is append-only'); END;
CREATE TRIGGER IF NOT EXISTS sync_attempts_no_delete BEFORE DELETE ON sync_attempts
    BEGIN SELECT RAISE(ABORT, 'sync outbox is append-only'); END;
CREATE TRIGGER IF NOT EXISTS sync_receipts_no_update BEFORE UPDATE ON sync_receipts
    BEGIN SELECT RAISE(ABORT, 'sync outbox is append-only'); END;
CREATE TRIGGER IF NOT EXISTS sync_receipts_no_delete BEFORE DELETE ON sync_receipts
    BEGIN SELECT RAISE(ABORT, 'sync outbox is append-only'); END;
