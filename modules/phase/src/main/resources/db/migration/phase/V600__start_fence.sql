-- The start fence (decision 80): whether work may start for a tenant is decided against the
-- committed phase, in the transaction that starts it, not against a node's copy of the phase.
--
-- Every transaction that stores a phase change takes the fence's lock exclusively (after the
-- compare-and-set on maintenance_state); every transaction that creates, hands out or starts a
-- job asks maintenance_admits_start(tenant), which takes it shared and then reads the committed
-- phase. So a start either commits before the phase change does (and the change's Stop sweep and
-- the drain's count see it), or waits for the change and sees the new phase: a node that has not
-- heard of a window yet cannot start work in it. Shared advisory locks live in memory: the check
-- writes nothing and costs one lock-table entry per starting transaction.
CREATE FUNCTION maintenance_fence_key() RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT hashtext('orchestrator start fence ' || current_schema())::bigint
$$;

-- VOLATILE: the query after the lock runs on a new snapshot (READ COMMITTED), so it sees a phase
-- change that committed while this transaction waited for the lock.
CREATE FUNCTION maintenance_admits_start(tenant bigint) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(maintenance_fence_key());
  RETURN NOT EXISTS (SELECT 1 FROM maintenance_state WHERE id = 1 AND phase <> 'None')
     AND NOT EXISTS (SELECT 1 FROM tenant_maintenance_state s WHERE s.tenant_id = tenant);
END
$$;
