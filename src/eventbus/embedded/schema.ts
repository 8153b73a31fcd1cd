/**
 * The embedded bus's tables. `events` is append-only and its rowid is the
 * stream sequence (AUTOINCREMENT, so a sequence is never handed out twice).
 * A consumer's state is its ack floor (every event at or below it is
 * acknowledged) plus one row per event above the floor that was delivered or
 * acknowledged out of order.
 */
export const schemaSql = `
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL,
  source TEXT NOT NULL,
  subject TEXT NOT NULL,
  type TEXT NOT NULL,
  published_at TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS consumers (
  name TEXT PRIMARY KEY,
  ack_floor INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS consumer_messages (
  consumer TEXT NOT NULL,
  seq INTEGER NOT NULL,
  delivery_count INTEGER NOT NULL DEFAULT 0,
  acked INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (consumer, seq)
) WITHOUT ROWID;
`;
