-- a test module's first release: a table older nodes read
CREATE TABLE guard_accounts (id bigint PRIMARY KEY, legacy_name text);
