-- Robot logs partitioned by day (RANGE on received_at, UTC days), so that retention drops a whole
-- day at once instead of deleting its rows one by one.
--
-- The existing table is not copied: it is renamed and attached as one partition,
-- robot_logs_legacy, covering [MINVALUE, start of the UTC day after this migration runs, or after
-- the latest row's day if a row was received later than today). Its rows
-- keep their ids, its indexes become the partitioned indexes' (nothing is rebuilt); the only cost is
-- one read of the table, by ATTACH, to check that every row fits the bound. An empty table (a new
-- installation) is dropped instead, so every day has its own partition from the start.
--
-- The partitioned table has no primary key: one on it would have to include received_at and be
-- built over every legacy row. Ids stay unique through the one sequence, and each partition has its
-- own primary key (id) (legacy: the old one), which also finds the oldest row cheaply.
-- No DEFAULT partition: a row whose day has no partition is refused (RobotLogPartitions keeps today
-- through today + 7 days created, on every node at start and hourly), instead of landing in a
-- default partition that then makes creating its day's partition fail.
ALTER TABLE robot_logs RENAME TO robot_logs_legacy;
ALTER INDEX robot_logs_pkey RENAME TO robot_logs_legacy_pkey;
ALTER INDEX robot_logs_tenant_id RENAME TO robot_logs_legacy_tenant_id;
ALTER INDEX robot_logs_job RENAME TO robot_logs_legacy_job;

CREATE TABLE robot_logs (
    id           bigint      NOT NULL DEFAULT nextval('robot_logs_id_seq'),
    tenant_id    bigint      NOT NULL,
    robot_id     bigint      NOT NULL,
    job_id       bigint      NOT NULL,
    level        text        NOT NULL,
    message      text        NOT NULL,
    time_stamp   timestamptz NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
) PARTITION BY RANGE (received_at);
-- the sequence belongs to the new table: dropping the legacy partition must not drop it
ALTER SEQUENCE robot_logs_id_seq OWNED BY robot_logs.id;
CREATE INDEX robot_logs_tenant_id ON robot_logs (tenant_id, id DESC);
CREATE INDEX robot_logs_job ON robot_logs (job_id, id DESC);

DO $$
DECLARE
  today date := (now() AT TIME ZONE 'UTC')::date;
  first_day date;
  day date;
  name text;
  i int;
BEGIN
  IF EXISTS (SELECT 1 FROM robot_logs_legacy) THEN
    first_day := today + 1;
    BEGIN
      EXECUTE format('ALTER TABLE robot_logs ATTACH PARTITION robot_logs_legacy FOR VALUES FROM (MINVALUE) TO (%L)',
          to_char(first_day, 'YYYY-MM-DD') || ' 00:00:00+00');
    EXCEPTION WHEN check_violation THEN
      -- a row received after today (the database's clock went back since): the legacy partition
      -- reaches the end of that row's day
      SELECT (max(received_at) AT TIME ZONE 'UTC')::date + 1 INTO first_day FROM robot_logs_legacy;
      EXECUTE format('ALTER TABLE robot_logs ATTACH PARTITION robot_logs_legacy FOR VALUES FROM (MINVALUE) TO (%L)',
          to_char(first_day, 'YYYY-MM-DD') || ' 00:00:00+00');
    END;
  ELSE
    DROP TABLE robot_logs_legacy;
    first_day := today;
  END IF;
  -- the same partitions RobotLogPartitions makes (today through today + 7), so that logs can be
  -- written before the jobs module first runs
  FOR i IN 0 .. today + 7 - first_day LOOP  -- (none when the legacy partition reaches beyond)
    day := first_day + i;
    name := 'robot_logs_p' || to_char(day, 'YYYYMMDD');
    EXECUTE format('CREATE TABLE %I (LIKE robot_logs INCLUDING DEFAULTS)', name);
    EXECUTE format('ALTER TABLE %I ADD PRIMARY KEY (id)', name);
    EXECUTE format('ALTER TABLE robot_logs ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', name,
        to_char(day, 'YYYY-MM-DD') || ' 00:00:00+00', to_char(day + 1, 'YYYY-MM-DD') || ' 00:00:00+00');
  END LOOP;
END $$;
