-- The admin account search pages newest first by (created_at, id); this index serves the
-- order and the keyset condition without sorting the whole table.
ALTER TABLE accounts ADD KEY accounts_created_id (created_at, id);
