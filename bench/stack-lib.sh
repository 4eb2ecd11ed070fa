# Helpers the bench scripts share about a running local stack; source it after setting CALIBRA_STATE_DIR.

# The pid of one of the stack's services (registry, calibration, compression, evaluation).
service_pid() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["services"][sys.argv[2]]["pid"])' \
    "$CALIBRA_STATE_DIR/stack.json" "$1"
}

# The embedded PostgreSQL's postmaster pid; empty when the stack uses an external database.
database_pid() {
  head -n 1 "$CALIBRA_STATE_DIR/postgres/postmaster.pid" 2> /dev/null || true
}

# CPU seconds used so far by a process and its children (PostgreSQL: the postmaster and its backends); 0 for no pid.
cpu_seconds() {
  [ -n "$1" ] || { echo 0; return; }
  local ticks=0
  for pid in $1 $(pgrep -P "$1" | tr '\n' ' '); do
    ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2> /dev/null || echo 0)))
  done
  python3 -c "print($ticks / $(getconf CLK_TCK))"
}
