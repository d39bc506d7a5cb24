#!/usr/bin/env bash
# An upgrade from the previous release (the last row of releases.tsv) to this tree, with real nodes:
#   1. the previous release is built from this repository's history in a temporary git worktree
#      (this tree's ./mvnw -B -ntp -q $MVN_FLAGS -DskipTests package; MVN_FLAGS=-o builds offline), and this tree's
#      jars are built the same way when they are missing or older than the sources;
#   2. window upgrade: the previous release's node (embedded PostgreSQL) serves a tenant with robots
#      (this tree's simulator, long jobs) and two schedules firing every few seconds; Draining and
#      Suspended through the previous release's CLI; the phase, the tenant's log, jobs, schedules and
#      fires are recorded; the node is stopped and this tree's node started on the same data
#      directory and ports: still Suspended, the same records; End through this tree's CLI: a fire
#      after End creates a job a robot runs, the RunOnce schedule gets its one catch-up, and no fire
#      of either schedule ran twice or was lost;
#   3. rolling run: a node of the previous release (A, embedded PostgreSQL) and one of this tree (B,
#      on A's database and A's signing key) serve at once, each with its robots; B migrates while A
#      serves; Draining through B's CLI closes A's gate; End through A's CLI reopens B's.
# Only loopback; every process it starts is stopped on exit (also on failure or Ctrl-C). Prints one
# line: "upgrade-test.sh: passed (...)", "upgrade-test.sh: SKIPPED (...)" (exit 0) or
# "upgrade-test.sh: FAILED: <what>" with what was expected and what came, the steps so far and the
# tail of the server log concerned (exit 1; the logs are kept and their directory named).
#   -v (or UPGRADE_TEST_VERBOSE=1) prints each step as it happens.
#   MVN_FLAGS      extra Maven flags for the builds (e.g. -o)
#   UPGRADE_TEST_KEEP=1  keeps the whole work directory (data directories included) on success too
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
verbose=${UPGRADE_TEST_VERBOSE:-}
[ "${1:-}" = "-v" ] && verbose=1
# the nodes, tools and simulators below get exactly the settings this script gives them
for variable in $(compgen -e | grep '^ORCH_' || true); do unset "$variable"; done
export ORCH_HTTP_HOST=127.0.0.1   # loopback only (the bridge and the embedded PostgreSQL are by default)

exec 3>&1                     # the result line reaches stdout also from inside $(...)
work=$(mktemp -d "${TMPDIR:-/tmp}/upgrade-test.XXXXXX")
logs=$work/logs
mkdir -p "$logs"
steps=$logs/steps.log
prev_tree=$work/prev          # the previous release's worktree
pids=()                       # every server and simulator started, in order
clusters=()                   # every embedded PostgreSQL data directory (…/postgres)
failed=1
current_logs=()               # the server logs a failure shows the tail of

step() {
  printf '[%3ds] %s\n' "$SECONDS" "$*" >>"$steps"
  [ -z "$verbose" ] || printf 'upgrade-test: [%3ds] %s\n' "$SECONDS" "$*" >&2
}

cleanup() {
  local pid i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[i]}
    kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  # an embedded PostgreSQL outlives a node that was killed: stop the ones this script's nodes started
  local cluster pg
  for cluster in "${clusters[@]}"; do
    [ -f "$cluster/postmaster.pid" ] || continue
    pg=$(head -n 1 "$cluster/postmaster.pid" 2>/dev/null || true)
    if [ -n "$pg" ] && grep -qF "$cluster" "/proc/$pg/cmdline" 2>/dev/null; then
      kill -INT "$pg" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$pg" 2>/dev/null || break; sleep 0.25; done
    fi
  done
  if [ -d "$prev_tree" ] || git worktree list --porcelain | grep -qxF "worktree $prev_tree"; then
    git worktree remove --force "$prev_tree" >/dev/null 2>&1 || rm -rf "$prev_tree"
    git worktree prune >/dev/null 2>&1 || true
  fi
  if [ "$failed" = 0 ] && [ -z "${UPGRADE_TEST_KEEP:-}" ]; then
    rm -rf "$work"
  elif [ "$failed" = 0 ]; then
    echo "upgrade-test.sh: work directory kept: $work" >&2
  else
    # keep the logs and the records (JSON), not the data directories, tokens and passwords
    rm -rf "$work/window" "$work/rolling-a" "$work/rolling-b" "$work"/sim-* "$work"/*.token "$work"/auth-* \
      "$work"/ops-password-*
    echo "upgrade-test.sh: logs kept in $logs" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# fail WHAT EXPECTED GOT: the one result line, then the details and the relevant server logs' tails
fail() {
  exec 1>&3
  echo "upgrade-test.sh: FAILED: $1"
  echo "  expected: $2"
  echo "  got:      $3"
  echo "-- steps:"
  sed 's/^/  /' "$steps"
  local log
  for log in "${current_logs[@]}"; do
    [ -f "$log" ] || continue
    echo "-- last 40 lines of $log:"
    tail -n 40 "$log" | cut -c1-400 | sed 's/^/  /'
  done
  exit 1
}

free_port() { scripts/free-port.py; }

# ---------------------------------------------------------------------------------------------
# Helpers in Python (always there; jq is not needed): the API's lists, and the comparisons.
cat >"$work/check.py" <<'PY'
import json, sys, urllib.request, urllib.error, datetime

def when(text):
    """An ISO instant (Z, up to 9 fraction digits) as a UTC datetime."""
    text = text.replace("Z", "+00:00")
    if "." in text:
        head, rest = text.split(".", 1)
        digits = "".join(c for c in rest if c.isdigit())
        zone = rest[len(digits):]
        text = head + "." + (digits + "000000")[:6] + zone
    value = datetime.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)

def get(url, token_file, path):
    with open(token_file) as f:
        token = f.read().strip()
    request = urllib.request.Request(url + path, headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as e:
        raise SystemExit("GET %s answered %d: %s" % (path, e.code, e.read()[:300].decode(errors="replace")))

def pages(url, token_file, path):
    items, after = [], None
    while True:
        sep = "&" if "?" in path else "?"
        page = get(url, token_file, path + sep + "size=1000" + ("&after=" + after if after else ""))
        items += page["items"]
        after = page.get("next")
        if not after:
            return items

def load(name):
    with open(name) as f:
        return json.load(f)

problems = []
def problem(what, expected, got):
    problems.append("%s: expected %s, got %s" % (what, json.dumps(expected)[:600], json.dumps(got)[:600]))

def finish(summary=None):
    if problems:
        print("; ".join(problems[:8]) + (" (and %d more)" % (len(problems) - 8) if len(problems) > 8 else ""))
        sys.exit(1)
    if summary:
        print(summary)
    sys.exit(0)

# Maintenance/Get before and after a restart in Suspended. Values that tick with the clock are left
# out; counts of skipped fires may only grow and their list only gain entries (the schedules go on
# firing, and being skipped, on both nodes); the audit may only gain entries that change nothing
# (the new node's "restarted in Suspended" sweep). Fields only the new version has are not compared
# (e.g. nodes); a field the new version dropped is a difference.
VOLATILE = {"deadlineSecondsLeft", "at", "estimatedSecondsLeft", "sinceLastEndSeconds", "stalledSeconds"}
GROWING = {"triggersSkipped"}
def same_maintenance(path, before, after):
    if isinstance(before, dict):
        if not isinstance(after, dict):
            return problem(path, before, after)
        for key, value in before.items():
            where = path + "." + key
            if key in VOLATILE:
                continue
            if key not in after:
                problem(where + " (missing after the upgrade)", value, None)
            elif key in GROWING:
                if not (isinstance(after[key], int) and after[key] >= value):
                    problem(where + " (may only grow)", ">= %s" % value, after[key])
            elif key == "skippedTriggers":
                missing = [t for t in value if t not in after[key]]
                if missing:
                    problem(where + " (entries lost)", value, after[key])
            elif key == "audit":
                if after[key][:len(value)] != value:
                    problem(where + " (the recorded entries)", value, after[key][:len(value)])
                added = [a for a in after[key][len(value):] if a.get("changed") is not False]
                if added:
                    problem(where + " (entries added after the upgrade that change the phase)", [], added)
            else:
                same_maintenance(where, value, after[key])
    elif isinstance(before, list):
        if not isinstance(after, list) or len(before) != len(after):
            return problem(path, before, after)
        for i, (b, a) in enumerate(zip(before, after)):
            same_maintenance("%s[%d]" % (path, i), b, a)
    elif before != after:
        problem(path, before, after)

def common(before, after, skip=()):
    """The columns both versions have, less the ones named: a migration may add columns."""
    keys = (set(before) & set(after)) - set(skip)
    return {k: before[k] for k in keys}, {k: after[k] for k in keys}

def cmd_health(path):
    body = load(path)
    if isinstance(body, dict) and body.get("version"):
        print("version %s, commit %s" % (body.get("version"), body.get("commit", "?")))
    else:
        print("no version in /health/ready")

def cmd_jget(path, expression):
    data = load(path)
    print(eval(expression, {"d": data, "json": json}))

def cmd_count(url, token_file, what, arg=""):
    if what == "created-fires":
        print(sum(1 for f in pages(url, token_file, "/api/Schedules/%s/Fires" % arg) if f["outcome"] == "Created"))
    elif what == "running-jobs":
        print(len(pages(url, token_file, "/api/Jobs?state=Running")))

def cmd_snapshot_api(url, token_file, out):
    """The tenant's jobs and schedules and each schedule's fires, as the API lists them."""
    schedules = get(url, token_file, "/api/Schedules")["items"]
    snapshot = {"jobs": sorted(pages(url, token_file, "/api/Jobs"), key=lambda j: j["id"]),
                "schedules": sorted(schedules, key=lambda s: s["id"]),
                "fires": {str(s["id"]): sorted(pages(url, token_file, "/api/Schedules/%d/Fires" % s["id"]),
                                               key=lambda f: f["plannedAt"]) for s in schedules}}
    with open(out, "w") as f:
        json.dump(snapshot, f, indent=1, sort_keys=True)

def cmd_same_maintenance(label, before_file, after_file):
    before, after = load(before_file), load(after_file)
    same_maintenance(label, before, after)
    finish()

def cmd_same_db(before_file, after_file, window_id):
    """Jobs, schedules and fires in the database, Suspended before and after the upgrade."""
    before, after = load(before_file), load(after_file)
    jobs_after = {j["id"]: j for j in after["jobs"]}
    if [j["id"] for j in before["jobs"]] != sorted(jobs_after):
        problem("the tenant's job ids", [j["id"] for j in before["jobs"]], sorted(jobs_after))
    for job in before["jobs"]:
        if job["id"] in jobs_after:
            b, a = common(job, jobs_after[job["id"]])
            if b != a:
                problem("job %d" % job["id"], b, a)
    schedules_after = {s["id"]: s for s in after["schedules"]}
    if sorted(s["id"] for s in before["schedules"]) != sorted(schedules_after):
        problem("the tenant's schedule ids", [s["id"] for s in before["schedules"]], sorted(schedules_after))
    for schedule in before["schedules"]:
        if schedule["id"] in schedules_after:
            # next_fire_at and updated_at move on as fires are skipped
            b, a = common(schedule, schedules_after[schedule["id"]], ("next_fire_at", "updated_at"))
            if b != a:
                problem("schedule %d" % schedule["id"], b, a)
    key = lambda f: (f["schedule_id"], f["planned_at"])
    fires_after = {key(f): f for f in after["fires"]}
    for fire in before["fires"]:
        if key(fire) not in fires_after:
            problem("fire %s (lost)" % (key(fire),), fire, None)
        else:
            b, a = common(fire, fires_after[key(fire)])
            if b != a:
                problem("fire %s" % (key(fire),), b, a)
    known = {key(f) for f in before["fires"]}
    for fire in after["fires"]:
        if key(fire) not in known and (fire["outcome"] != "Skipped" or fire.get("window_id") != int(window_id)):
            problem("a fire recorded while Suspended", "Skipped in window %s" % window_id, fire)
    finish("jobs %d, schedules %d, fires %d before and %d after (the new ones Skipped in window %s)"
           % (len(before["jobs"]), len(before["schedules"]), len(before["fires"]), len(after["fires"]), window_id))

def cmd_same_api(before_file, after_file):
    """The API's view in None before Draining (previous release) and after End (this tree)."""
    before, after = load(before_file), load(after_file)
    schedules_after = {s["id"]: s for s in after["schedules"]}
    for schedule in before["schedules"]:
        if schedule["id"] not in schedules_after:
            problem("schedule %d (gone)" % schedule["id"], schedule, None)
            continue
        b, a = common(schedule, schedules_after[schedule["id"]], ("nextFireAt", "updatedAt"))
        if b != a:
            problem("schedule %d through the API" % schedule["id"], b, a)
    jobs_after = {j["id"]: j for j in after["jobs"]}
    for job in before["jobs"]:
        if job["id"] not in jobs_after:
            problem("job %d (gone)" % job["id"], job, None)
        elif job["state"] in ("Successful", "Faulted", "Stopped"):
            b, a = common(job, jobs_after[job["id"]])
            if b != a:
                problem("job %d, ended before the window" % job["id"], b, a)
    for sid, fires in before["fires"].items():
        now = {f["plannedAt"]: f for f in after["fires"].get(sid, [])}
        for fire in fires:
            if fire["outcome"] != "Pending" and now.get(fire["plannedAt"]) != fire:
                problem("schedule %s's fire at %s" % (sid, fire["plannedAt"]), fire, now.get(fire["plannedAt"]))
    finish()

def cmd_ran_after(url, token_file, schedule_id, since):
    """A fire of the schedule planned after `since` created a job that a robot took (exit 0)."""
    since = when(since)
    for fire in pages(url, token_file, "/api/Schedules/%s/Fires" % schedule_id):
        if fire["outcome"] == "Created" and when(fire["plannedAt"]) > since:
            job = get(url, token_file, "/api/Jobs/%d" % fire["jobId"])
            if job["state"] in ("Running", "Stopping", "Successful") and job.get("robotId"):
                print("job %d of the fire at %s runs on robot %d" % (job["id"], fire["plannedAt"], job["robotId"]))
                return
    sys.exit(1)

def cmd_catch_ups(url, token_file, schedule_id):
    """Jobs of the schedule no fire created: the catch-ups of a RunOnce schedule."""
    fired = {f["jobId"] for f in pages(url, token_file, "/api/Schedules/%s/Fires" % schedule_id) if f["jobId"]}
    extra = [j["id"] for j in pages(url, token_file, "/api/Jobs") if j.get("scheduleId") == int(schedule_id)
             and j["id"] not in fired]
    print(len(extra))

def cmd_fires_once(url, token_file, period, catch_ups, *schedule_ids):
    """Every planned time of each schedule settled once, none missing between the first and the
    last, every job of the schedule made by exactly one fire (plus `catch_ups` catch-up jobs)."""
    jobs = pages(url, token_file, "/api/Jobs")
    report = []
    for sid in schedule_ids:
        fires = sorted(pages(url, token_file, "/api/Schedules/%s/Fires" % sid), key=lambda f: f["plannedAt"])
        planned = [f["plannedAt"] for f in fires]
        twice = sorted({p for p in planned if planned.count(p) > 1})
        if twice:
            problem("schedule %s: planned times settled twice" % sid, [], twice)
        for earlier, later in zip(fires, fires[1:]):
            gap = (when(later["plannedAt"]) - when(earlier["plannedAt"])).total_seconds()
            missed = earlier["outcome"] == "Skipped" and (earlier.get("reason") or "").startswith("Missed")
            if gap != float(period) and not missed:
                problem("schedule %s: a fire between %s and %s" % (sid, earlier["plannedAt"], later["plannedAt"]),
                        "one every %s s" % period, "a gap of %s s" % gap)
        created = [f["jobId"] for f in fires if f["outcome"] == "Created"]
        if len(set(created)) != len(created):
            problem("schedule %s: one job for two fires" % sid, "distinct job ids", created)
        mine = sorted(j["id"] for j in jobs if j.get("scheduleId") == int(sid))
        extra = sorted(set(mine) - set(created))
        if sorted(set(created) - set(mine)):
            problem("schedule %s: jobs its fires name" % sid, sorted(created), mine)
        if len(extra) != int(catch_ups):
            problem("schedule %s: jobs no fire made (catch-ups)" % sid, int(catch_ups), extra)
        outcomes = {}
        for f in fires:
            outcomes[f["outcome"]] = outcomes.get(f["outcome"], 0) + 1
        report.append("schedule %s: %d fires %s, %d jobs" % (sid, len(fires), outcomes, len(mine)))
    finish("; ".join(report))

def cmd_tenant_log(history_file, suspended_file, api_file):
    """The tenant's frozen record of the window after End, against what it showed while Suspended
    and against the schedules' fires."""
    history, suspended, snapshot = load(history_file), load(suspended_file), load(api_file)
    records = [r for r in history["items"] if r["windowId"] == suspended["windowId"]]
    if len(records) != 1:
        problem("the tenant's records of window %s" % suspended["windowId"], 1, len(records))
        finish()
    record = records[0]
    for key in ("stoppedJobs", "killedJobs", "jobs", "reason", "startedBy", "killAfter", "killDeadlineAt",
                "jobStopsAttempted", "jobKillsAttempted"):
        if key in suspended and record.get(key) != suspended[key]:
            problem("the record's " + key, suspended[key], record.get(key))
    phases = [t["phase"] for t in record.get("timeline", [])]
    if phases != ["Draining", "Suspended", "None"]:
        problem("the record's timeline", ["Draining", "Suspended", "None"], phases)
    logged = sorted((t["scheduleId"], t["plannedAt"]) for t in record["skippedTriggers"])
    skipped = sorted((int(sid), f["plannedAt"]) for sid, fires in snapshot["fires"].items()
                     for f in fires if f["outcome"] == "Skipped")
    if logged != skipped:
        problem("the record's skipped fires against the schedules' Skipped fires", skipped, logged)
    if record["triggersSkipped"] != len(logged):
        problem("the record's triggersSkipped", len(logged), record["triggersSkipped"])
    finish("window %s: %d jobs stopped, %d fires skipped, timeline %s"
           % (record["windowId"], len(record["stoppedJobs"]), len(logged), " -> ".join(phases)))

def cmd_robots(url, token_file, count, prefix, tenant, state_file):
    with open(token_file) as f:
        token = f.read().strip()
    robots = []
    for i in range(1, int(count) + 1):
        body = json.dumps({"name": "%s-%d" % (prefix, i)}).encode()
        request = urllib.request.Request(url + "/api/Robots", data=body, method="POST", headers={
            "Authorization": "Bearer " + token, "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                robots.append(json.load(response))
        except urllib.error.HTTPError as e:
            raise SystemExit("POST /api/Robots answered %d: %s" % (e.code, e.read()[:300].decode(errors="replace")))
    with open(state_file, "w") as f:
        json.dump({"tenant": tenant, "robots": robots}, f)
    print(",".join(str(r["id"]) for r in robots))

def cmd_resumed(url, token_file, schedule_id, since):
    """After `since`: a fire of the schedule created a job, and robots started jobs again (exit 0)."""
    since = when(since)
    fired = [f for f in pages(url, token_file, "/api/Schedules/%s/Fires" % schedule_id)
             if f["outcome"] == "Created" and when(f["plannedAt"]) > since]
    started = [j for j in pages(url, token_file, "/api/Jobs") if j.get("startedAt") and when(j["startedAt"]) > since]
    if fired and started:
        print("%d fires created jobs and robots started %d jobs since End" % (len(fired), len(started)))
        return
    sys.exit(1)

def cmd_trim_pending(url, token_file, keep):
    with open(token_file) as f:
        token = f.read().strip()
    pending = sorted(j["id"] for j in pages(url, token_file, "/api/Jobs?state=Pending"))
    for job in pending[int(keep):]:
        request = urllib.request.Request(url + "/api/Jobs/%d/Stop" % job, data=b"", method="POST",
                                         headers={"Authorization": "Bearer " + token})
        try:
            urllib.request.urlopen(request, timeout=30).close()
        except urllib.error.HTTPError as e:
            if e.code != 409:   # it was handed out and ended meanwhile
                raise SystemExit("POST /api/Jobs/%d/Stop answered %d" % (job, e.code))
    print(",".join(str(j) for j in pending[int(keep):]))

def cmd_ran_on(url, token_file, robots_a, robots_b):
    """Each robot set has run a job (both nodes serve robots)."""
    a, b = {int(r) for r in robots_a.split(",")}, {int(r) for r in robots_b.split(",")}
    ran = {j["robotId"] for j in pages(url, token_file, "/api/Jobs") if j.get("robotId") and j.get("startedAt")}
    sys.exit(0 if ran & a and ran & b else 1)

commands = {"health": cmd_health, "jget": cmd_jget, "count": cmd_count, "snapshot-api": cmd_snapshot_api,
            "same-maintenance": cmd_same_maintenance, "same-db": cmd_same_db, "same-api": cmd_same_api,
            "ran-after": cmd_ran_after, "catch-ups": cmd_catch_ups, "fires-once": cmd_fires_once,
            "tenant-log": cmd_tenant_log, "ran-on": cmd_ran_on,
            "robots": cmd_robots, "resumed": cmd_resumed, "trim-pending": cmd_trim_pending}
commands[sys.argv[1]](*sys.argv[2:])
PY
check() { python3 "$work/check.py" "$@"; }

# The database as it is, for what the API does not serve while Suspended (jobs, schedules and fires
# are human routes: 503 in Draining and Suspended). JDBC from the node's own jar; no psql needed.
cat >"$work/DbSnapshot.java" <<'JAVA'
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

public class DbSnapshot {
  public static void main(String[] args) throws Exception {
    Class.forName("org.postgresql.Driver");
    String sql = "SELECT json_build_object("
        + "'jobs', (SELECT coalesce(json_agg(row_to_json(j) ORDER BY j.id), '[]') FROM jobs j WHERE j.tenant_id = ?),"
        + "'schedules', (SELECT coalesce(json_agg(row_to_json(s) ORDER BY s.id), '[]') FROM schedules s WHERE s.tenant_id = ?),"
        + "'fires', (SELECT coalesce(json_agg(row_to_json(f) ORDER BY f.schedule_id, f.planned_at), '[]')"
        + " FROM schedule_fires f WHERE f.tenant_id = ?))::text";
    try (Connection c = DriverManager.getConnection(args[0]); PreparedStatement p = c.prepareStatement(sql)) {
      c.setReadOnly(true);
      for (int i = 1; i <= 3; i++) {
        p.setLong(i, Long.parseLong(args[1]));
      }
      try (ResultSet r = p.executeQuery()) {
        r.next();
        System.out.println(r.getString(1));
      }
    }
  }
}
JAVA
# db_snapshot DATA_DIR TENANT_ID OUT: the embedded cluster's port is line 4 of postmaster.pid
db_snapshot() {
  local port
  port=$(sed -n 4p "$1/postgres/postmaster.pid" 2>/dev/null || true)
  [ -n "$port" ] || fail "the embedded PostgreSQL's port" "line 4 of $1/postgres/postmaster.pid" "no such file or line"
  (cd "$work" && java -cp "$root/modules/app/target/orchestrator.jar" DbSnapshot.java \
    "jdbc:postgresql://127.0.0.1:$port/postgres?user=postgres" "$2") >"$3" 2>"$3.err" \
    || fail "a snapshot of the database (port $port)" "the tenant's jobs, schedules and fires" "$(head -c 600 "$3.err")"
}

# ---------------------------------------------------------------------------------------------
# HTTP: bodies land in $work/body; passwords and tokens go on stdin or in files, never in argv.
# sign_in URL PASSWORD_FILE USER [TENANT] > token file
sign_in() {
  local token
  token=$(python3 -c 'import sys, urllib.parse
password = open(sys.argv[1]).read().strip()
fields = {"grant_type": "password", "username": sys.argv[2], "password": password}
if len(sys.argv) > 3:
    fields["tenant"] = sys.argv[3]
sys.stdout.write(urllib.parse.urlencode(fields))' "$2" "$3" ${4:+"$4"} \
    | curl -s --max-time 30 "$1/identity/connect/token" -d @- \
    | python3 -c 'import json, sys; print(json.load(sys.stdin).get("access_token", ""))' 2>/dev/null || true)
  [ -n "$token" ] || fail "sign-in of $3 (tenant ${4:-host}) at $1" "a token" "none"
  printf '%s' "$token"
}
# call METHOD URL TOKEN_FILE [BODY_FILE|-] : prints the status code, the body is in $work/body
call() {
  local args=(-s --max-time 30 -o "$work/body" -w '%{http_code}' -X "$1" -H @"$work/auth-$(basename "$3")")
  printf 'Authorization: Bearer %s\n' "$(cat "$3")" >"$work/auth-$(basename "$3")"
  if [ -n "${4:-}" ]; then args+=(-H 'Content-Type: application/json' --data-binary @"$4"); fi
  local code
  code=$(curl "${args[@]}" "$2") || true
  echo "${code:-000}"
}
# expect CODE METHOD URL TOKEN_FILE [BODY_FILE|-] : the call answers CODE, or the test fails
expect() {
  local code want=$1
  shift
  code=$(call "$@")
  [ "$code" = "$want" ] || fail "$1 ${2#http://127.0.0.1:*/}" "$want" "$code $(head -c 400 "$work/body")"
}
# poll TIMEOUT_SECONDS COMMAND...: until the command succeeds (checked twice a second)
poll() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

# start_node NAME TREE DATA_DIR HTTP_PORT BRIDGE_PORT [VAR=VALUE...]: the node's scripts/run.sh
declare -A node_pid node_url node_log node_release
start_node() {
  local name=$1 tree=$2 data=$3 http=$4 bridge=$5
  shift 5
  mkdir -p "$data"
  node_log[$name]=$logs/$name.log
  node_url[$name]=http://127.0.0.1:$http
  if [ "$tree" = "$prev_tree" ]; then node_release[$name]=prev; else node_release[$name]=this; fi
  env ORCH_DATA_DIR="$data" ORCH_HTTP_PORT="$http" ORCH_BRIDGE_PORT="$bridge" "$@" \
    "$tree/scripts/run.sh" >>"${node_log[$name]}" 2>&1 &
  node_pid[$name]=$!
  pids+=("$!")
  [ -n "${ORCH_PG_URL_FOR_NODE:-}" ] || clusters+=("$data/postgres")
}
ready() { curl -s -o /dev/null --max-time 5 -w '%{http_code}' "$1/health/ready" 2>/dev/null | grep -qx 200; }
wait_ready() {
  local name=$1 url=${node_url[$1]} pid=${node_pid[$1]} deadline=$((SECONDS + 180))
  until ready "$url"; do
    kill -0 "$pid" 2>/dev/null || fail "node $name to start" "/health/ready 200 at $url" "the process exited"
    [ "$SECONDS" -lt "$deadline" ] || fail "node $name to start" "/health/ready 200 within 180 s" "not ready"
    sleep 0.5
  done
  curl -s --max-time 10 "$url/health/ready" >"$work/health-$name.json"
  step "node $name ready at $url ($(check health "$work/health-$name.json"))"
}
stop_pid() {  # stop_pid PID WHAT: SIGTERM, then wait (60 s) until it has exited
  local pid=$1 deadline=$((SECONDS + 60))
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || fail "$2 to exit after SIGTERM" "exit within 60 s" "still running"
    sleep 0.2
  done
  wait "$pid" 2>/dev/null || true
}
stop_node() {
  stop_pid "${node_pid[$1]}" "node $1"
  step "node $1 stopped"
}
# simulate NAME URL STATE_DIR ROBOTS: this tree's simulator, long jobs, push channel; runs on
simulate() {
  scripts/simulate.sh --url "$2" --tenant "$tenant" --state-dir "$3" --robots "$4" --job-seconds 600 \
    --stop-grace-seconds 1 --heartbeat-ms 500 --push >>"$logs/simulator-$1.log" 2>&1 &
  pids+=("$!")
  eval "sim_$1=\$!"
}
# robots URL TOKEN_FILE COUNT STATE_DIR PREFIX: registers robots (their secrets go only into the
# simulator's state file, mode 0600, as the simulator writes it itself) and prints their ids
robots() {
  local out
  mkdir -p "$4"
  out=$(umask 077 && check robots "$1" "$2" "$3" "$5" "$tenant" "$4/$tenant.json") \
    || fail "registering $3 robots at $1" "201 for each" "$out"
  echo "$out"
}
# tenant_with_admin URL HOST_TOKEN_FILE: creates $tenant and its administrator 'ops'; sets tenant_id
tenant_with_admin() {
  printf '{"name":"%s"}' "$tenant" >"$work/tenant-body.json"
  expect 201 POST "$1/api/Tenants" "$2" "$work/tenant-body.json"
  tenant_id=$(check jget "$work/body" 'd["id"]')
  (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(24))' >"$work/ops-password-$tenant")
  (umask 077 && python3 -c 'import json, sys
print(json.dumps({"username": "ops", "password": open(sys.argv[1]).read().strip(), "role": "Administrator",
                  "tenantId": int(sys.argv[2])}))' "$work/ops-password-$tenant" "$tenant_id" >"$work/user-body.json")
  expect 201 POST "$1/api/Users" "$2" "$work/user-body.json"
  rm -f "$work/user-body.json"
}
schedule() {  # schedule URL TOKEN_FILE NAME CRON POLICY: prints the schedule's id
  printf '{"name":"%s","processName":"Scheduled-%s","cron":"%s","missedFirePolicy":"%s"}' "$3" "$3" "$4" "$5" \
    >"$work/schedule-body.json"
  expect 201 POST "$1/api/Schedules" "$2" "$work/schedule-body.json"
  check jget "$work/body" 'd["id"]'
}
get_to() {  # get_to OUT URL TOKEN_FILE: a 200 answer saved as OUT
  expect 200 GET "$2" "$3"
  cp "$work/body" "$1"
}
phase_is() {  # phase_is URL TOKEN_FILE STATE
  [ "$(call GET "$1/api/Maintenance/Get" "$2")" = 200 ] && [ "$(check jget "$work/body" 'd["state"]')" = "$3" ]
}
refused_503() { [ "$(call POST "$1/api/Jobs" "$2" "$work/job-body.json")" = 503 ]; }
accepted_201() { [ "$(call POST "$1/api/Jobs" "$2" "$work/job-body.json")" = 201 ]; }
count_at_least() {  # count_at_least MIN URL TOKEN_FILE WHAT [ARG]
  local n
  n=$(check count "${@:2}" 2>/dev/null) || return 1
  [ "$n" -ge "$1" ]
}
node_field() { python3 -c 'import json, sys
d = json.load(open(sys.argv[1])); print(d.get(sys.argv[2], "") if isinstance(d, dict) else "")' "$1" "$2"; }

# Every node says which release it runs: a node of this tree its version and commit in
# /health/ready (the commit with "-dirty" when built from uncommitted changes), a node of the
# previous release nothing or its own version; GET /api/Maintenance/Get of a node of this tree lists
# exactly the live nodes of this tree (nodes of 0.1.0 write no heartbeat).
# version_checks WHERE NODE...
version_checks() {
  local where=$1 name v c this_nodes=0 asked= listed
  shift
  for name in "$@"; do
    curl -s --max-time 10 "${node_url[$name]}/health/ready" >"$work/health-$name.json" || true
    v=$(node_field "$work/health-$name.json" version)
    c=$(node_field "$work/health-$name.json" commit)
    if [ "${node_release[$name]}" = this ]; then
      [ "$v" = "$this_version" ] || fail "node $name's version ($where)" "/health/ready version $this_version" "${v:-none}"
      # the jar's commit: this one, or (a jar not rebuilt since, the sources unchanged) one before it
      [[ $c =~ ^[0-9a-f]{40}(-dirty)?$ ]] && git merge-base --is-ancestor "${c%-dirty}" "$this_commit" 2>/dev/null \
        || fail "node $name's commit ($where)" "/health/ready commit $this_commit or one of its ancestors" "${c:-none}"
      this_nodes=$((this_nodes + 1))
      asked=${asked:-$name}
    else
      [ -z "$v" ] || [ "$v" = "$prev_version" ] || fail "node $name's version ($where)" "none or $prev_version" "$v"
    fi
    step "version ($where): node $name says ${v:-no version}${c:+, commit $c}"
  done
  if [ -n "$asked" ]; then
    expect 200 GET "${node_url[$asked]}/api/Maintenance/Get" "$work/host.token"
    listed=$(check jget "$work/body" 'sum(1 for n in d.get("nodes", []) if n.get("version") == "'"$this_version"'")')
    [ "$listed" = "$this_nodes" ] || fail "Get's live nodes ($where)" "$this_nodes node(s) of $this_version" \
      "$(check jget "$work/body" 'json.dumps(d.get("nodes"))')"
    step "version ($where): Get on node $asked lists $listed live node(s) of $this_version"
  fi
}

# ---------------------------------------------------------------------------------------------
# 1. The previous release, built from this repository's history; this tree, built when stale.
git rev-parse --git-dir >/dev/null 2>&1 \
  || { failed=0; echo "upgrade-test.sh: SKIPPED (not a git checkout: the previous release is built from its history)"; exit 0; }
read -r prev_version prev_commit _ < <(awk -F'\t' 'NR > 1 && NF >= 2 {last = $0} END {print last}' releases.tsv)
[ -n "${prev_version:-}" ] && [ -n "${prev_commit:-}" ] \
  || { failed=0; echo "upgrade-test.sh: SKIPPED (releases.tsv names no previous release)"; exit 0; }
this_version=$(python3 -c 'import xml.etree.ElementTree as t
ns = {"m": "http://maven.apache.org/POM/4.0.0"}
print(t.parse("pom.xml").getroot().find("m:version", ns).text)')
this_commit=$(git rev-parse HEAD)
if ! git cat-file -e "$prev_commit^{commit}" 2>/dev/null; then
  git fetch -q origin "$prev_commit" >/dev/null 2>&1 || true
  if ! git cat-file -e "$prev_commit^{commit}" 2>/dev/null; then
    failed=0
    echo "upgrade-test.sh: SKIPPED (the previous release's commit $prev_commit is not in this clone)"
    exit 0
  fi
fi
step "previous release $prev_version ($prev_commit), this tree $this_version ($this_commit); work in $work"

git worktree add -q --detach "$prev_tree" "$prev_commit" >"$logs/build-prev.log" 2>&1 \
  || fail "a worktree of $prev_commit" "git worktree add to succeed" "$(tail -n 3 "$logs/build-prev.log")"
build_started=$SECONDS
# shellcheck disable=SC2086
(cd "$prev_tree" && "$root/mvnw" -B -ntp -q ${MVN_FLAGS:-} -DskipTests package) >>"$logs/build-prev.log" 2>&1 \
  || { current_logs=("$logs/build-prev.log"); fail "the build of $prev_version" "mvn package to succeed" "it failed"; }
step "built $prev_version in $((SECONDS - build_started)) s"

stale() {  # the checks of scripts/run.sh, simulate.sh and maintenance.sh
  local jar=modules/app/target/orchestrator.jar
  [ ! -f "$jar" ] || [ -n "$(find pom.xml modules -newer "$jar" -type f -not -path '*/target/*' -print -quit)" ] \
    || [ ! -f modules/cli/target/maintenance-cli.jar ] || [ ! -f modules/simulator/target/robot-simulator.jar ] \
    || [ -n "$(find modules/cli -newer modules/cli/target/maintenance-cli.jar -type f -not -path '*/target/*' -print -quit)" ] \
    || [ -n "$(find modules/simulator -newer modules/simulator/target/robot-simulator.jar -type f -not -path '*/target/*' -print -quit)" ]
}
if stale; then
  build_started=$SECONDS
  # shellcheck disable=SC2086
  ./mvnw -B -ntp -q ${MVN_FLAGS:-} -DskipTests package >"$logs/build-this.log" 2>&1 \
    || { current_logs=("$logs/build-this.log"); fail "the build of this tree" "mvn package to succeed" "it failed"; }
  step "built this tree in $((SECONDS - build_started)) s"
else
  step "this tree's jars are up to date"
fi

echo '{"processName":"UpgradeTest"}' >"$work/job-body.json"
tenant=upgrade

# ---------------------------------------------------------------------------------------------
# 2. Window upgrade: previous release -> Draining -> Suspended -> stop -> this tree -> End.
data=$work/window
http=$(free_port)
bridge=$(free_port)
start_node old "$prev_tree" "$data" "$http" "$bridge"
current_logs=("${node_log[old]}")
wait_ready old
url=${node_url[old]}
version_checks "window, previous node" old
sign_in "$url" "$data/initial-admin-password" admin >"$work/host.token"
tenant_with_admin "$url" "$work/host.token"
sign_in "$url" "$work/ops-password-$tenant" ops "$tenant" >"$work/tenant.token"
T=$work/tenant.token H=$work/host.token
window_robots=$(robots "$url" "$T" 12 "$work/sim-window" robot)
simulate window "$url" "$work/sim-window" 12
current_logs+=("$logs/simulator-window.log")
# S1 every 3 s, missed fires skipped (UiPath's way); S2 every 4 s, one catch-up after a window
s1=$(schedule "$url" "$T" every3s '0/3 * * * * ?' Skip)
s2=$(schedule "$url" "$T" every4s-runonce '1/4 * * * * ?' RunOnce)
expect 201 POST "$url/api/Jobs" "$T" "$work/job-body.json"
expect 201 POST "$url/api/Jobs" "$T" "$work/job-body.json"
# The rolling run's node A (step 3) starts now: its new cluster's initdb and its start overlap the
# waits of this step instead of adding to the test's time. Nothing here talks to it until step 3.
data_a=$work/rolling-a
http_a=$(free_port)
bridge_a=$(free_port)
start_node a "$prev_tree" "$data_a" "$http_a" "$bridge_a"
step "tenant $tenant ($tenant_id): admin ops, robots $window_robots, schedules $s1 (0/3 s, Skip) and $s2 (1/4 s, RunOnce), 2 jobs"

poll 60 count_at_least 3 "$url" "$T" created-fires "$s1" \
  || fail "schedule $s1 to fire" "3 Created fires within 60 s" "$(check count "$url" "$T" created-fires "$s1")"
poll 60 count_at_least 1 "$url" "$T" created-fires "$s2" \
  || fail "schedule $s2 to fire" "a Created fire within 60 s" "$(check count "$url" "$T" created-fires "$s2")"
poll 60 count_at_least 3 "$url" "$T" running-jobs \
  || fail "robots to run jobs" "3 Running jobs within 60 s" "$(check count "$url" "$T" running-jobs)"
# Jobs waiting for a robot wait through the window and go first after End: keep two of them (the
# oldest), stop the others, so that a fire after End finds a free robot however slow this machine is
trimmed=$(check trim-pending "$url" "$T" 2) || fail "stopping Pending jobs beyond two" "200 for each Stop" "$trimmed"
check snapshot-api "$url" "$T" "$work/api-before.json"
step "fires happened, robots run jobs: $(check jget "$work/api-before.json" \
  '", ".join("%s %s" % (s, sum(1 for j in d["jobs"] if j["state"] == s)) for s in ("Pending", "Running", "Stopped"))') (Pending jobs stopped: ${trimmed:-none})"

prev_cli() { "$prev_tree/scripts/maintenance.sh" --url "$url" --bridge "127.0.0.1:$bridge" \
  --password-file "$data/initial-admin-password" "$@" >>"$logs/cli.log" 2>&1; }
this_cli() { scripts/maintenance.sh --url "$url" --bridge "127.0.0.1:$bridge" \
  --password-file "$data/initial-admin-password" "$@" >>"$logs/cli.log" 2>&1; }
current_logs+=("$logs/cli.log")
prev_cli start --phase draining --kill-after 30m --reason "upgrade test" \
  || fail "Draining through $prev_version's CLI" "exit 0" "exit $?"
step "Draining through $prev_version's CLI"
prev_cli wait --until drained --timeout 2m || fail "the drain" "drained within 2 minutes (exit 0)" "exit $?"
prev_cli suspend || fail "Suspended through $prev_version's CLI" "exit 0" "exit $?"
step "Draining, drained, Suspended through $prev_version's CLI"

# Recorded while Suspended: the API that stays open (the phase, the tenant's log), and from the
# database what the API closes in maintenance (jobs, schedules, fires: human routes, 503)
record_suspended() {  # record_suspended SUFFIX URL
  get_to "$work/get-host-$1.json" "$2/api/Maintenance/Get" "$H"
  get_to "$work/get-host-tenant-$1.json" "$2/api/Maintenance/Get?tenantId=$tenant_id" "$H"
  get_to "$work/get-tenant-$1.json" "$2/api/Maintenance/Get" "$T"
  get_to "$work/history-host-tenant-$1.json" "$2/api/Maintenance/History?tenantId=$tenant_id" "$H"
  get_to "$work/history-tenant-$1.json" "$2/api/Maintenance/History" "$T"
  expect 503 GET "$2/api/Jobs" "$T"
  expect 503 GET "$2/api/Schedules" "$T"
  db_snapshot "$data" "$tenant_id" "$work/db-$1.json"
}
record_suspended before "$url"
[ "$(check jget "$work/get-host-before.json" 'd["state"]')" = Suspended ] \
  || fail "the phase on the previous node" Suspended "$(check jget "$work/get-host-before.json" 'd["state"]')"
window_id=$(check jget "$work/get-host-before.json" 'd["windowId"]')
step "recorded in Suspended: window $window_id, $(check jget "$work/db-before.json" \
  '"%d jobs, %d schedules, %d fires" % (len(d["jobs"]), len(d["schedules"]), len(d["fires"]))')"

stop_node old
start_node new "$root" "$data" "$http" "$bridge"
current_logs=("${node_log[new]}" "$logs/simulator-window.log" "$logs/cli.log")
wait_ready new
url=${node_url[new]}
version_checks "window, this tree's node" new
# the tokens issued by the previous node stay valid (same data directory, same signing key)
record_suspended after "$url"
[ "$(check jget "$work/get-host-after.json" 'd["state"]')" = Suspended ] \
  || fail "the phase after the upgrade" Suspended "$(check jget "$work/get-host-after.json" 'd["state"]')"
for view in host host-tenant tenant; do
  out=$(check same-maintenance "Maintenance/Get ($view)" "$work/get-$view-before.json" "$work/get-$view-after.json") \
    || fail "Maintenance/Get ($view view) unchanged by the upgrade" "the same phase, window and tenant log" "$out"
done
for view in host-tenant tenant; do
  out=$(check same-maintenance "Maintenance/History ($view)" "$work/history-$view-before.json" "$work/history-$view-after.json") \
    || fail "Maintenance/History ($view view) unchanged by the upgrade" "the same records" "$out"
done
out=$(check same-db "$work/db-before.json" "$work/db-after.json" "$window_id") \
  || fail "jobs, schedules and fires unchanged by the upgrade" "the same rows" "$out"
step "after the upgrade: still Suspended, the same window and tenant log; $out"

this_cli end || fail "End through this tree's CLI" "exit 0" "exit $?"
get_to "$work/history-tenant-end.json" "$url/api/Maintenance/History" "$T"
ended_at=$(check jget "$work/history-tenant-end.json" \
  '[r for r in d["items"] if r["windowId"] == '"$window_id"'][0]["endedAt"]')
step "End through this tree's CLI at $ended_at"
poll 90 check ran-after "$url" "$T" "$s1" "$ended_at" >"$work/resumed.txt" \
  || fail "work to resume after End" "a fire of schedule $s1 after $ended_at whose job a robot runs, within 90 s" \
    "$(check count "$url" "$T" created-fires "$s1") Created fires in all; $(tail -n 1 "$logs/simulator-window.log")"
step "work resumes: $(cat "$work/resumed.txt")"
catch_up_one() { [ "$(check catch-ups "$url" "$T" "$s2")" -ge 1 ]; }
poll 90 catch_up_one || fail "the RunOnce schedule's catch-up after End" "1 job within 90 s" "$(check catch-ups "$url" "$T" "$s2")"
check snapshot-api "$url" "$T" "$work/api-end.json"
out=$(check same-api "$work/api-before.json" "$work/api-end.json") \
  || fail "the tenant's schedules, ended jobs and fires through the API ($prev_version before Draining, $this_version after End)" \
    "the same" "$out"
out=$(check fires-once "$url" "$T" 3 0 "$s1") || fail "each fire of schedule $s1 once" "every 3 s, each once" "$out"
fires_s1=$out
out=$(check fires-once "$url" "$T" 4 1 "$s2") || fail "each fire of schedule $s2 once" "every 4 s, each once, 1 catch-up" "$out"
step "no fire twice, none lost: $fires_s1; $out"
out=$(check tenant-log "$work/history-tenant-end.json" "$work/get-tenant-after.json" "$work/api-end.json") \
  || fail "the tenant's record of the window after End" "the log it showed while Suspended" "$out"
step "the tenant's record: $out"
stop_pid "$sim_window" "the window's simulator"
stop_node new

# ---------------------------------------------------------------------------------------------
# 3. Rolling run: A (previous release, embedded PostgreSQL) and B (this tree, A's database and key).
data_b=$work/rolling-b
current_logs=("${node_log[a]}")
wait_ready a
url_a=${node_url[a]}
tenant=rolling
sign_in "$url_a" "$data_a/initial-admin-password" admin >"$work/host.token"
tenant_with_admin "$url_a" "$work/host.token"
sign_in "$url_a" "$work/ops-password-$tenant" ops "$tenant" >"$work/tenant.token"
robots_a=$(robots "$url_a" "$T" 2 "$work/sim-a" robot-a)
robots_b=$(robots "$url_a" "$T" 2 "$work/sim-b" robot-b)
s3=$(schedule "$url_a" "$T" every2s '0/2 * * * * ?' Skip)
simulate a "$url_a" "$work/sim-a" 2
current_logs+=("$logs/simulator-a.log")

pg_port=$(sed -n 4p "$data_a/postgres/postmaster.pid")
http_b=$(free_port)
bridge_b=$(free_port)
ORCH_PG_URL_FOR_NODE=1 start_node b "$root" "$data_b" "$http_b" "$bridge_b" \
  ORCH_PG_URL="postgresql://postgres@localhost:$pg_port/postgres" ORCH_KEY_DIR="$data_a/jwt"
current_logs+=("${node_log[b]}")
url_b=${node_url[b]}
# A serves while B starts and migrates: every answer of A in that time is a 200
a_answers=0 a_refusals=0
deadline=$((SECONDS + 180))
until ready "$url_b"; do
  kill -0 "${node_pid[b]}" 2>/dev/null || fail "node b to start on A's database" "/health/ready 200" "the process exited"
  [ "$SECONDS" -lt "$deadline" ] || fail "node b to start on A's database" "/health/ready 200 within 180 s" "not ready"
  for probe in health jobs; do
    if [ $probe = health ]; then code=$(curl -s -o /dev/null --max-time 10 -w '%{http_code}' "$url_a/health/ready") || true
    else code=$(call GET "$url_a/api/Jobs?size=1" "$T"); fi
    if [ "$code" = 200 ]; then a_answers=$((a_answers + 1)); else a_refusals=$((a_refusals + 1)); fi
  done
  sleep 0.2
done
wait_ready b
[ "$a_refusals" = 0 ] || fail "node a to serve while b started" "every answer 200" "$a_refusals of $((a_answers + a_refusals)) not 200"
step "node b started on A's database (postgresql://postgres@localhost:$pg_port/postgres); A answered $a_answers requests meanwhile, all 200"
version_checks "rolling, both nodes" a b
# one signing key: a token from A is accepted by B
expect 200 GET "$url_b/api/Jobs?size=1" "$T"
simulate b "$url_b" "$work/sim-b" 2
current_logs+=("$logs/simulator-b.log")
expect 201 POST "$url_a/api/Jobs" "$T" "$work/job-body.json"
expect 201 POST "$url_b/api/Jobs" "$T" "$work/job-body.json"
poll 60 check ran-on "$url_b" "$T" "$robots_a" "$robots_b" \
  || fail "robots of both nodes to run jobs" "a job started by a robot of A ($robots_a) and one of B ($robots_b)" \
    "$(tail -n 1 "$logs/simulator-a.log") / $(tail -n 1 "$logs/simulator-b.log")"
step "robots on A ($robots_a) and on B ($robots_b) run jobs; schedule $s3 fires every 2 s on both nodes"

cli_b() { scripts/maintenance.sh --url "$url_b" --bridge "127.0.0.1:$bridge_b" \
  --password-file "$data_a/initial-admin-password" "$@" >>"$logs/cli.log" 2>&1; }
cli_a() { "$prev_tree/scripts/maintenance.sh" --url "$url_a" --bridge "127.0.0.1:$bridge_a" \
  --password-file "$data_a/initial-admin-password" "$@" >>"$logs/cli.log" 2>&1; }
current_logs+=("$logs/cli.log")
cli_b start --phase draining --reason "rolling upgrade test" || fail "Draining through B's CLI" "exit 0" "exit $?"
poll 30 phase_is "$url_a" "$H" Draining \
  || fail "node a to report Draining" "Draining within 30 s" "$(check jget "$work/body" 'd.get("state")' 2>/dev/null || head -c 300 "$work/body")"
poll 30 refused_503 "$url_a" "$T" || fail "node a's gate in Draining (POST /api/Jobs)" 503 "$(call POST "$url_a/api/Jobs" "$T" "$work/job-body.json")"
expect 503 POST "$url_b/api/Jobs" "$T" "$work/job-body.json"
step "Draining through B's CLI: A reports Draining and refuses a job creation with 503"
cli_a end || fail "End through A's CLI ($prev_version)" "exit 0" "exit $?"
poll 30 phase_is "$url_b" "$H" None \
  || fail "node b to report None" "None within 30 s" "$(check jget "$work/body" 'd.get("state")' 2>/dev/null || head -c 300 "$work/body")"
poll 30 accepted_201 "$url_b" "$T" || fail "node b's gate after End (POST /api/Jobs)" 201 "$(call POST "$url_b/api/Jobs" "$T" "$work/job-body.json")"
step "End through A's CLI: B reports None and accepts a job again"
get_to "$work/history-rolling.json" "$url_b/api/Maintenance/History" "$H"
ended_at=$(check jget "$work/history-rolling.json" 'd["items"][0]["endedAt"]')
# (4 robots and a fire every 2 s: the jobs waiting since before the window go first)
poll 60 check resumed "$url_b" "$T" "$s3" "$ended_at" >"$work/resumed.txt" \
  || fail "work to resume after End" "a fire of schedule $s3 after $ended_at creating a job, and a job started since, within 60 s" \
    "$(tail -n 1 "$logs/simulator-a.log") / $(tail -n 1 "$logs/simulator-b.log")"
out=$(check fires-once "$url_a" "$T" 2 0 "$s3") || fail "each fire of schedule $s3 once, two nodes of two versions" "every 2 s, each once" "$out"
step "after End: $(cat "$work/resumed.txt"); $out"
version_checks "rolling, before stopping" a b
stop_pid "$sim_b" "B's simulator"
stop_pid "$sim_a" "A's simulator"
stop_node b
version_checks "rolling, B stopped" a
stop_node a

failed=0
step "done in $SECONDS s"
echo "upgrade-test.sh: passed ($prev_version -> $this_version: window upgrade in Suspended, rolling run)"
