-- The schema of a new PostgreSQL database, the same tables as SQLite's: times are epoch milliseconds (UTC), event
-- payloads and kept results JSON text. Ids come from one sequence per prefix instead of SQLite's counter table, so
-- that writes on several nodes never wait on a shared counter row.

CREATE TABLE users (
  id text PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL UNIQUE);

-- last_seq: the board's last event number; a write locks this row first, so the numbers follow its commit order
CREATE TABLE boards (
  id text PRIMARY KEY,
  name text NOT NULL,
  created_at bigint NOT NULL,
  last_seq bigint NOT NULL DEFAULT 0);

CREATE TABLE lists (
  id text PRIMARY KEY,
  board_id text NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
  name text NOT NULL,
  position integer NOT NULL);
CREATE INDEX lists_by_board ON lists(board_id, position);

CREATE TABLE tasks (
  id text PRIMARY KEY,
  board_id text NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
  list_id text NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
  title text NOT NULL,
  description text NOT NULL DEFAULT '',
  assignee_id text REFERENCES users(id) ON DELETE SET NULL,
  position integer NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL);
CREATE INDEX tasks_by_list ON tasks(list_id, position);
CREATE INDEX tasks_by_board_updated ON tasks(board_id, updated_at);

CREATE TABLE events (
  board_id text NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
  seq bigint NOT NULL,
  type text NOT NULL,
  subject_id text,
  payload text NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (board_id, seq));
CREATE INDEX events_by_type_time ON events(board_id, type, created_at);

CREATE TABLE meta (
  key text PRIMARY KEY,
  value text NOT NULL);

-- the database's epoch (8 random hex digits), made with it: every node reads the same one
INSERT INTO meta(key, value) VALUES ('epoch', substr(md5(random()::text || clock_timestamp()::text), 1, 8));

CREATE SEQUENCE user_ids;
CREATE SEQUENCE board_ids;
CREATE SEQUENCE list_ids;
CREATE SEQUENCE task_ids;

-- a change's result under the client's idempotency key, written in the change's transaction; no reference to
-- boards: a result is answered again even when what it names is gone
CREATE TABLE idempotency_keys (
  scope text NOT NULL,
  key text NOT NULL,
  fingerprint text NOT NULL,
  status integer NOT NULL,
  board_id text,
  seq bigint,
  result text NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (scope, key));
CREATE INDEX idempotency_keys_by_time ON idempotency_keys(created_at);
