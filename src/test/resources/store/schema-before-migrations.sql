-- The schema as SqliteSchema made it before migrations (main at a27c37f), statement by statement, and an
-- epoch as that code made it (INSERT OR IGNORE at the first open): the tables of a file of that version.
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS boards (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seq INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS lists (
  id TEXT PRIMARY KEY,
  board_id TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  position INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS lists_by_board ON lists(board_id, position);
CREATE TABLE IF NOT EXISTS tasks (
  id TEXT PRIMARY KEY,
  board_id TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
  list_id TEXT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  assignee_id TEXT REFERENCES users(id) ON DELETE SET NULL,
  position INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS tasks_by_list ON tasks(list_id, position);
CREATE INDEX IF NOT EXISTS tasks_by_board_updated ON tasks(board_id, updated_at);
CREATE TABLE IF NOT EXISTS events (
  board_id TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  subject_id TEXT,
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (board_id, seq)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS events_by_type_time ON events(board_id, type, created_at);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS id_counters (
  prefix TEXT PRIMARY KEY,
  value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency_keys (
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status INTEGER NOT NULL,
  board_id TEXT,
  seq INTEGER,
  result TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (scope, key));
CREATE INDEX IF NOT EXISTS idempotency_keys_by_time ON idempotency_keys(created_at);
INSERT OR IGNORE INTO meta(key, value) VALUES ('epoch', 'cafe0123');
