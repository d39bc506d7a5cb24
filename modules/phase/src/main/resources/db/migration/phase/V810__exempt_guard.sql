-- Whether any open window exempts any process now: the guard in front of the per-job exemption
-- check (StartFence.exempt). Called as a scalar subquery, it is evaluated once per statement, so a
-- sweep over 100,000 jobs in a window without exemptions asks maintenance_exempt of none of them
-- (asked per row, the drain benchmark's sweep took 1.9x as long as before exemptions existed).
-- True whenever maintenance_exempt can be true for some job: an exemption counts only while its
-- window is open (the platform's, or a tenant's own) and its item has not ended.
CREATE FUNCTION maintenance_exempts_any() RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (
    SELECT 1 FROM window_exemptions e
    WHERE e.ended_at IS NULL
      AND e.window_id IN (SELECT window_id FROM maintenance_state WHERE id = 1 AND phase <> 'None'
                          UNION ALL
                          SELECT window_id FROM tenant_maintenance_state))
$$;
