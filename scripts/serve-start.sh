# Sourced by scripts/serve-load.sh and scripts/serve-attack.sh:
#   start_server NNN RUNDIR LIMIT_SECONDS WORKDIR NAME
# starts `NNN serve RUNDIR` on a free port of 127.0.0.1 that stops by itself
# after LIMIT_SECONDS, waits until it says it is serving, and sets `server`
# (its pid) and `port`; exits 1 with its stderr when it does not start.
start_server() {
  local nnn="$1" run="$2" limit="$3" work="$4" name="$5"
  "$nnn" serve "$run" --port 0 --exit-after-seconds "$limit" >"$work/serve.out" \
    2>"$work/serve.err" &
  server=$!
  for _ in $(seq 300); do
    grep -q serving "$work/serve.out" 2>/dev/null && break
    sleep 0.1
  done
  port="$(grep -o '127.0.0.1:[0-9]*' "$work/serve.out" | cut -d: -f2)"
  [[ -n "$port" ]] || { echo "$name: nnn serve did not start"; cat "$work/serve.err"; exit 1; }
}
