-- the next release drops a column the previous release still reads
--
-- breaking: drops guard_accounts.legacy_name, which nodes of the previous release read
ALTER TABLE guard_accounts DROP COLUMN legacy_name;
