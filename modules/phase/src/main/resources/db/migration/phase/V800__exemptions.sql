-- Exemptions (decision 116, SPEC section 10): processes whose jobs run through Draining.
--
-- maintenance_exemptions is the list in force, replaced whole by PUT /api/Maintenance/Exemptions.
-- window_exemptions is what each window was given: the list in force copied when the window opens
-- (a tenant's own window copies that tenant's items); when the host changes the list while the
-- window is open, an item no longer listed gets its ended_at and a new one is added, so that the
-- window keeps every exemption it had (the tenants' records list the jobs that ran under each).
-- Every change moves the state version (and takes the start fence), as a phase change does, so
-- every node reloads it.
CREATE TABLE maintenance_exemptions (
    tenant_id    bigint      NOT NULL,
    process_name text        NOT NULL,
    reason       text        NOT NULL,
    set_at       timestamptz NOT NULL,
    set_by       text        NOT NULL,
    PRIMARY KEY (tenant_id, process_name)
);

CREATE TABLE window_exemptions (
    window_id    bigint NOT NULL REFERENCES maintenance_windows (id),
    tenant_id    bigint NOT NULL,
    process_name text   NOT NULL,
    reason       text   NOT NULL,
    ended_at     timestamptz,
    PRIMARY KEY (window_id, tenant_id, process_name)
);

-- The window under which a job of (tenant, process) runs through maintenance now, on the committed
-- phase, or null: the tenant is Draining (the platform's window or its own, neither Suspended:
-- exemptions end there) and an open window covering the tenant lists the process (the platform's
-- first). MaintenanceRules.exempt is the same rule on a node's copy of the phase;
-- MaintenanceRulesSqlTest holds the two to the same answers.
CREATE FUNCTION maintenance_exempt_window(tenant bigint, process text) RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT e.window_id FROM window_exemptions e
  WHERE e.tenant_id = tenant AND e.process_name = process AND e.ended_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM maintenance_state WHERE id = 1 AND phase = 'Suspended')
    AND NOT EXISTS (SELECT 1 FROM tenant_maintenance_state WHERE tenant_id = tenant AND phase = 'Suspended')
    AND e.window_id IN (SELECT window_id FROM maintenance_state WHERE id = 1 AND phase = 'Draining'
                        UNION ALL
                        SELECT window_id FROM tenant_maintenance_state WHERE tenant_id = tenant)
  ORDER BY e.window_id = (SELECT window_id FROM maintenance_state WHERE id = 1) DESC
  LIMIT 1
$$;

-- Whether a window exempts any process now: a cheap guard before asking per job.
CREATE FUNCTION maintenance_window_exempts(open_window bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM window_exemptions WHERE window_id = open_window AND ended_at IS NULL)
$$;

-- Whether a job of (tenant, process) runs through maintenance now (exempt).
CREATE FUNCTION maintenance_exempt(tenant bigint, process text) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT maintenance_exempt_window(tenant, process) IS NOT NULL
$$;

-- The start fence of V600, for a job of a process: admitted out of maintenance, or when exempt.
-- The one-argument form stays for nodes of earlier releases (it admits nothing in maintenance:
-- such a node never starts an exempt job, which is safe beside this one).
CREATE FUNCTION maintenance_admits_start(tenant bigint, process text) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(maintenance_fence_key());
  RETURN (NOT EXISTS (SELECT 1 FROM maintenance_state WHERE id = 1 AND phase <> 'None')
          AND NOT EXISTS (SELECT 1 FROM tenant_maintenance_state s WHERE s.tenant_id = tenant))
      OR maintenance_exempt(tenant, process);
END
$$;
