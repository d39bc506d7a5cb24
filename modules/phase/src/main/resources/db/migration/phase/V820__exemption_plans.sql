-- The exemption functions of V800 and V810 in PL/pgSQL, the same rules word for word (decision 126).
--
-- As SQL functions that cannot be inlined (each holds a subquery), PostgreSQL planned their body
-- anew for every statement that called them: a job's Running report, which records the window it
-- runs exempt under, spent 0.26 ms of its 0.39 ms there even with no window open (pgbench, one
-- client: 0.15 ms as PL/pgSQL). A PL/pgSQL function keeps its statements' plans for the session.
-- Both kinds run their query on the calling statement's snapshot when STABLE, so the answers and
-- the start fence's ordering (V600) are unchanged; MaintenanceRulesSqlTest holds them to the rules.
CREATE OR REPLACE FUNCTION maintenance_exempt_window(tenant bigint, process text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (
    SELECT e.window_id FROM window_exemptions e
    WHERE e.tenant_id = tenant AND e.process_name = process AND e.ended_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM maintenance_state WHERE id = 1 AND phase = 'Suspended')
      AND NOT EXISTS (SELECT 1 FROM tenant_maintenance_state WHERE tenant_id = tenant AND phase = 'Suspended')
      AND e.window_id IN (SELECT window_id FROM maintenance_state WHERE id = 1 AND phase = 'Draining'
                          UNION ALL
                          SELECT window_id FROM tenant_maintenance_state WHERE tenant_id = tenant)
    ORDER BY e.window_id = (SELECT window_id FROM maintenance_state WHERE id = 1) DESC
    LIMIT 1);
END
$$;

CREATE OR REPLACE FUNCTION maintenance_window_exempts(open_window bigint) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN EXISTS (SELECT 1 FROM window_exemptions WHERE window_id = open_window AND ended_at IS NULL);
END
$$;

CREATE OR REPLACE FUNCTION maintenance_exempts_any() RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN EXISTS (
    SELECT 1 FROM window_exemptions e
    WHERE e.ended_at IS NULL
      AND e.window_id IN (SELECT window_id FROM maintenance_state WHERE id = 1 AND phase <> 'None'
                          UNION ALL
                          SELECT window_id FROM tenant_maintenance_state));
END
$$;
