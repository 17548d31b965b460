-- the connection that caused an event (null: none), so that a node handing out an event it read from the
-- database rather than received from its origin still spares that connection (X-Socket-Id, a command's ack)
ALTER TABLE events ADD COLUMN origin_id TEXT;
