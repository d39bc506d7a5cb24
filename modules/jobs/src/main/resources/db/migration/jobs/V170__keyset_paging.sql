-- Lists of jobs filtered by state are paged by id (keyset): (tenant_id, state, id DESC) serves
-- them and everything (tenant_id, state) served.
CREATE INDEX jobs_tenant_state_id ON jobs (tenant_id, state, id DESC);
DROP INDEX jobs_tenant_state;
