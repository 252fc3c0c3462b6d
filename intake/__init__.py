"""The reference headquarters intake service (issue 15): receives signed protocols from the
kiosks (HTTPS, signed requests) or from USB exports, verifies them with kiosk.protocol's own
verify code, stores them (SQLite or PostgreSQL) and answers with signed receipts."""
