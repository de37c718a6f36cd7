#!/usr/bin/env bash
# SpikeApp benchmark: what the local-slice design buys, measured in one run on this machine.
# Starts its own redis-server, API processes (Release), a bare Kestrel baseline, the front-door candidates (nginx,
# HAProxy, the YARP gateway), the order processor over a local PostgreSQL, and finally the real AppHost as the README
# starts it, all on 127.0.0.1; runs every scenario REPEAT times; stops everything it started; prints one table.
# See bench/README.md.
#
#   bench/run.sh                       # REPEAT=3 DURATION=10 (seconds per wrk run)
#   REPEAT=5 DURATION=20 bench/run.sh
#   REDIS_FSYNC=everysec bench/run.sh   # Redis without an fsync per sale, for comparison
#   ONLY=orders bench/run.sh           # the order processor's rows (7) and rows 1-3 without it, nothing else: ~4 minutes
#   ONLY=opening bench/run.sh          # the opening stampede (row 8) and the AppHost's cold and warm ab (row 6): ~8 minutes
#   ORDERS_BACKLOG=50000               # orders queued in the stream before the processor starts (row 7, throughput)
#   REMOTE_BUYERS=100000               # requests (distinct buyers) per LoadGen run on the remote path (row 3, tokens)
#   BELL_BUYERS=20000 BELL_LEAD=15     # the opening stampede (row 8): buyers waiting, and seconds from the sale's PUT to T0
set -euo pipefail
cd "$(dirname "$0")/.."

REPEAT=${REPEAT:-3}
DURATION=${DURATION:-10}
REDIS_FSYNC=${REDIS_FSYNC:-always}
ONLY=${ONLY:-}
ORDERS_BACKLOG=${ORDERS_BACKLOG:-50000}
REMOTE_BUYERS=${REMOTE_BUYERS:-100000}
BELL_BUYERS=${BELL_BUYERS:-20000}
BELL_LEAD=${BELL_LEAD:-15}
case "$ONLY" in '' | orders | opening) ;; *) echo "ONLY must be empty (every row), 'orders' or 'opening', not '$ONLY'" >&2; exit 2 ;; esac
CONCURRENCY=100
SEED_REQUESTS=20000
SEED_STOCK=2000
OUT=bench/out
WORK=$(mktemp -d /tmp/spikeapp-bench-XXXXXX)
ADMIN_KEY=bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
# The run's dev buyer signing key (48 random bytes, base64), as the AppHost generates one: the API processes accept tokens
# signed with it; the LoadGen and mint_token sign with it. The names are BuyerAuthentication.DevSettings'.
BUYER_KEY=$(head -c 48 /dev/urandom | base64 -w0)
BUYER_ENV=(
  "Authentication__Schemes__Bearer__ValidIssuers__spikeapp-dev=spikeapp-dev"
  "Authentication__Schemes__Bearer__ValidAudiences__spikeapp-dev=spikeapp"
  "Authentication__Schemes__Bearer__SigningKeys__spikeapp-dev__Issuer=spikeapp-dev"
  "Authentication__Schemes__Bearer__SigningKeys__spikeapp-dev__Value=$BUYER_KEY"
)
PIDS=()
declare -A FRONT_PORT=()
FRONTS="nginx haproxy yarp gateway" # front-door candidates (rows 0); "gateway" is SpikeApp.Gateway as shipped
APPHOST_RUN=
ORDERS_PID=
PG_PID=
PUBLIC=http://127.0.0.1:5080
ADMIN=http://127.0.0.1:5081 # the AppHost's gateway admin endpoint (Gateway:AdminPort): health and the admin routes

cleanup() {
  if [ -n "$APPHOST_RUN" ]; then stop_apphost; fi
  if [ -n "$ORDERS_PID" ]; then stop_orders; fi
  if [ -n "$PG_PID" ]; then stop_postgres; fi
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
every_row() { [ -z "$ONLY" ]; }
runs() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; } # a group of rows runs: every row, or ONLY names it

pg_bin() { # the newest PostgreSQL server: /usr/lib/postgresql/<version>/bin (Debian, Ubuntu), else the one on PATH
  local bin
  bin=$(for dir in /usr/lib/postgresql/*/bin; do if [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ]; then echo "$dir"; fi; done | sort -V | tail -1)
  if [ -z "$bin" ] && command -v initdb >/dev/null && command -v postgres >/dev/null; then bin=$(dirname "$(command -v initdb)"); fi
  echo "$bin"
}

require() {
  local missing=()
  for tool in redis-server redis-cli redis-benchmark nginx haproxy ab curl psql python3; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  if [ -z "$(pg_bin)" ]; then missing+=(initdb postgres); fi
  if ((${#missing[@]})); then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      log "installing redis-server, nginx, haproxy, apache2-utils, curl, wrk, postgresql, python3"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server nginx-light haproxy apache2-utils curl wrk postgresql python3 >/dev/null \
        || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server nginx haproxy apache2-utils curl wrk postgresql python3 >/dev/null
    else
      echo "missing: ${missing[*]} (Debian: apt-get install redis-server nginx haproxy apache2-utils curl wrk postgresql python3)" >&2; exit 2
    fi
  fi
  HAVE_WRK=$(command -v wrk >/dev/null && echo yes || echo no)
}

# A port below the kernel's ephemeral range that no socket uses: under load, a port in that range may be the local end
# of a client connection (nginx to a replica, wrk), which a server cannot bind even though nothing listens on it.
free_port() {
  local port low
  low=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  if ((low < 21000)); then low=32768; fi
  while :; do
    port=$((20000 + RANDOM % (low - 20000)))
    ss -tan "( sport = :$port )" 2>/dev/null | grep -q ":$port" || { echo "$port"; return; }
  done
}

# A dev buyer token for buyer id $1, as an identity provider would issue one: HS256 with the run's key, issuer
# spikeapp-dev, audience spikeapp, valid for an hour. The key reaches python through its environment, not its argv.
mint_token() { # buyer id -> JWT
  BUYER_KEY=$BUYER_KEY python3 - "$1" <<'PY'
import base64, hashlib, hmac, json, os, sys, time

def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

def part(value):
    return b64url(json.dumps(value, separators=(",", ":")).encode())

now = int(time.time())
signed = part({"alg": "HS256", "kid": "spikeapp-dev", "typ": "JWT"}) + "." + part(
    {"iss": "spikeapp-dev", "aud": "spikeapp", "sub": sys.argv[1], "iat": now, "nbf": now, "exp": now + 3600})
signature = hmac.new(base64.b64decode(os.environ["BUYER_KEY"]), signed.encode(), hashlib.sha256).digest()
print(signed + "." + b64url(signature))
PY
}

wait_http() { for _ in $(seq 1 300); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; echo "not ready: $1" >&2; exit 1; }

publish() {
  log "publishing Release builds into $OUT"
  dotnet publish SpikeApp.Api -c Release -o "$OUT/api" --nologo -v q >/dev/null
  if runs opening; then dotnet publish SpikeApp.Gateway -c Release -o "$OUT/gateway" --nologo -v q >/dev/null; fi
  dotnet publish SpikeApp.LoadGen -c Release -o "$OUT/loadgen" --nologo -v q >/dev/null
  if runs orders; then dotnet publish SpikeApp.Orders -c Release -o "$OUT/orders" --nologo -v q >/dev/null; fi
  dotnet publish bench/SpikeApp.Bench.Baseline -c Release -o "$OUT/baseline" --nologo -v q >/dev/null
}

start_redis() { # [data folder, the run's by default]: sets REDIS_PORT
  local dir=${1:-$WORK}
  mkdir -p "$dir"
  REDIS_PORT=$(free_port)
  # As the AppHost's local mode runs it: AOF fsynced on every write (REDIS_FSYNC=everysec to see what that costs).
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$dir" --save "" --appendonly yes --appendfsync "$REDIS_FSYNC" \
    --logfile "$dir/redis.log" &
  PIDS+=($!)
  for _ in $(seq 1 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && return; sleep 0.1; done
}

start_baseline() { # name port
  ASPNETCORE_ENVIRONMENT=Production dotnet "$OUT/baseline/SpikeApp.Bench.Baseline.dll" --urls "http://127.0.0.1:$2" >"$WORK/$1.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$2/buy/skill"
}

start_api() { # replica-id port telemetry(on|off); prints the pid
  local telemetry=()
  if [ "$3" = off ]; then telemetry=(OTEL_SDK_DISABLED=true); else
    telemetry=(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$SINK_PORT" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf OTEL_SERVICE_NAME=api); fi
  env ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
    ConnectionStrings__redis="127.0.0.1:$REDIS_PORT" Spike__BufferRatio=0.2 \
    Spike__DefaultSale__Id=default Spike__DefaultSale__Total=$SEED_STOCK Spike__ReplicaId="$1" Spike__AdminKey="$ADMIN_KEY" \
    "${BUYER_ENV[@]}" "${telemetry[@]}" dotnet "$OUT/api/SpikeApp.Api.dll" --urls "http://127.0.0.1:$2" >"$WORK/$1.log" 2>&1 &
  PIDS+=($!)
  # Up, not yet ready: replicas never create a sale (the order processor does); create_sale does it as an operator.
  wait_http "http://127.0.0.1:$2/alive"
  echo $! >"$WORK/$1.pid"
}

create_sale() { # total, through the first replica; then waits until every replica given is ready
  local total=$1; shift
  curl -sf -X PUT -H "X-Admin-Key: $ADMIN_KEY" -H 'content-type: application/json' -d "{\"total\":$total}" \
    "http://127.0.0.1:$1/api/sales/default" >/dev/null
  for port in "$@"; do wait_http "http://127.0.0.1:$port/health"; done
}

etag_of() { # base url -> the default sale's ETag (its epoch), which a reset must name
  # Waits out a 503: after a slow reset the replica's Redis breaker may be open for a moment.
  local etag
  for _ in $(seq 1 50); do
    if etag=$(curl -sf -D - -o /dev/null "$1/api/sales/default" | awk -F': ' 'tolower($1) == "etag" {print $2}' | tr -d '\r') && [ -n "$etag" ]; then
      echo "$etag"; return 0
    fi
    sleep 0.2
  done
  echo "etag_of: $1 gave no ETag within 10 s" >&2
  return 1
}

start_nginx() {
  NGINX_PORT=$(free_port)
  mkdir -p "$WORK/nginx/logs"
  cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
error_log $WORK/nginx/logs/error.log warn;
pid $WORK/nginx/nginx.pid;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  upstream api { server 127.0.0.1:${API_PORTS[0]}; server 127.0.0.1:${API_PORTS[1]}; server 127.0.0.1:${API_PORTS[2]}; keepalive 128; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { proxy_pass http://api; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
EOF
  nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$NGINX_PORT/health"
}

start_gateway() { # name max-shared-answer-age [API ports, the 3 API processes by default]: SpikeApp.Gateway (YARP), telemetry on as under the AppHost
  local port admin_port destinations=() i ports=("${@:3}")
  if ((${#ports[@]} == 0)); then ports=("${API_PORTS[@]}"); fi
  port=$(free_port); admin_port=$(free_port)
  for i in "${!ports[@]}"; do destinations+=("ReverseProxy__Clusters__api__Destinations__bench-${i}__Address=http://127.0.0.1:${ports[$i]}"); done
  env ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning "${destinations[@]}" Gateway__MaxSharedAnswerAge="$2" Gateway__AdminPort="$admin_port" \
    OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$SINK_PORT" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf OTEL_SERVICE_NAME=gateway \
    dotnet "$OUT/gateway/SpikeApp.Gateway.dll" --contentRoot "$PWD/$OUT/gateway" --urls "http://127.0.0.1:$port;http://127.0.0.1:$admin_port" >"$WORK/$1.log" 2>&1 &
  PIDS+=($!)
  echo $! >"$WORK/$1.pid"
  wait_http "http://127.0.0.1:$admin_port/health"
  FRONT_PORT[$1]=$port
}

start_haproxy() { # the third candidate: HAProxy with what the issue asks of a front door (checks, resend, limits)
  HAPROXY_PORT=$(free_port)
  cat >"$WORK/haproxy.cfg" <<EOF
global
  maxconn 8000
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  timeout queue 5s
  retries 2
  option redispatch 1
frontend public
  bind 127.0.0.1:$HAPROXY_PORT
  default_backend api
backend api
  balance roundrobin
  http-reuse always
  option httpchk GET /health
  default-server check inter 1s fall 1 rise 1 maxconn 256 observe layer4 error-limit 1 on-error mark-down
  server bench-0 127.0.0.1:${API_PORTS[0]}
  server bench-1 127.0.0.1:${API_PORTS[1]}
  server bench-2 127.0.0.1:${API_PORTS[2]}
EOF
  haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$HAPROXY_PORT/health"
}

# PostgreSQL as the AppHost's local mode runs it: 127.0.0.1 only, a free port, a generated password (scram-sha-256),
# fsync and synchronous commit on. It refuses to run as root, so as root it runs as the package's postgres user on a
# folder that user owns.
start_postgres() {
  local bin as_server=()
  bin=$(pg_bin)
  PG_PORT=$(free_port)
  PG_PASSWORD=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
  PG_DIR=$WORK/postgres
  mkdir -m 700 "$PG_DIR"
  (umask 077; printf '%s' "$PG_PASSWORD" >"$PG_DIR/password")
  if [ "$(id -u)" = 0 ]; then
    as_server=(runuser -u postgres --)
    chmod 711 "$WORK" # postgres may pass through the run's folder (not list it) to reach its own
    chown -R postgres: "$PG_DIR"
  fi
  # The password reaches initdb in a file only its owner reads, never on a command line.
  if ! (cd "$PG_DIR" && "${as_server[@]}" "$bin/initdb" -D "$PG_DIR/data" -U postgres --pwfile="$PG_DIR/password" \
    --auth=scram-sha-256 --encoding=UTF8 --locale=C --no-sync) >"$WORK/initdb.log" 2>&1; then
    echo "initdb failed:" >&2; cat "$WORK/initdb.log" >&2; exit 1
  fi
  rm -f "$PG_DIR/password"
  (cd "$PG_DIR" && exec "${as_server[@]}" "$bin/postgres" -D "$PG_DIR/data" -p "$PG_PORT" -c listen_addresses=127.0.0.1 \
    -c unix_socket_directories= -c fsync=on -c synchronous_commit=on -c full_page_writes=on) >"$WORK/postgres.log" 2>&1 &
  PG_PID=$!
  for _ in $(seq 1 300); do pg_sql 'SELECT 1' postgres >/dev/null 2>&1 && break; sleep 0.1; done
  pg_sql 'CREATE DATABASE orders' postgres >/dev/null || { echo "PostgreSQL did not come up; its log:" >&2; tail -20 "$WORK/postgres.log" >&2; exit 1; }
}

stop_postgres() { # SIGINT, a fast shutdown: SIGTERM would wait for every client (a pooled connection) to leave
  local server
  server=$(head -1 "$PG_DIR/data/postmaster.pid" 2>/dev/null || echo "$PG_PID")
  kill -INT "$server" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$PG_PID" 2>/dev/null || break; sleep 0.1; done
  wait "$PG_PID" 2>/dev/null || true
  PG_PID=
}

pg_sql() { # statement [database] -> its rows, unaligned
  PGPASSWORD=$PG_PASSWORD PGCONNECT_TIMEOUT=5 psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "${2:-orders}" -XAtq -v ON_ERROR_STOP=1 -c "$1"
}

orders_in_postgres() { pg_sql "SELECT count(*) FROM orders WHERE sale_id = 'default'"; }

# The order processor (SpikeApp.Orders) in Release, telemetry on as under the AppHost; returns once /health answers
# (the schema is migrated and both stores answer).
start_orders() {
  ORDERS_PORT=$(free_port)
  env ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning Orders__ConsumerName=bench-orders \
    ConnectionStrings__redis="127.0.0.1:$REDIS_PORT" \
    ConnectionStrings__ordersdb="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Password=$PG_PASSWORD;Database=orders" \
    OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$SINK_PORT" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf OTEL_SERVICE_NAME=orders \
    dotnet "$OUT/orders/SpikeApp.Orders.dll" --urls "http://127.0.0.1:$ORDERS_PORT" >>"$WORK/orders.log" 2>&1 &
  ORDERS_PID=$!
  wait_http "http://127.0.0.1:$ORDERS_PORT/health"
}

stop_orders() {
  kill -TERM "$ORDERS_PID" 2>/dev/null || true
  wait "$ORDERS_PID" 2>/dev/null || true
  ORDERS_PID=
}

# Entries of the default sale's stream the processor has not acknowledged (XINFO GROUPS: pending + lag); "-" while the
# group does not exist (the processor creates it on its first read after a reset).
orders_backlog() {
  local info pending lag last
  info=$(redis-cli -p "$REDIS_PORT" xinfo groups 'spike:{default}:stream' 2>/dev/null | tr -d '\r')
  pending=$(awk 'field == "pending" {print; exit} {field = $0}' <<<"$info")
  if [ -z "$pending" ]; then echo -; return; fi
  lag=$(awk 'field == "lag" {print; exit} {field = $0}' <<<"$info")
  if [ -z "$lag" ]; then # Redis cannot tell the lag after some deletions: is anything past the last delivered entry?
    last=$(awk 'field == "last-delivered-id" {print; exit} {field = $0}' <<<"$info")
    lag=$(redis-cli -p "$REDIS_PORT" xrange 'spike:{default}:stream' "($last" + count 1 | grep -c . || true)
  fi
  echo $((pending + lag))
}

wait_orders_stored() { # timeout-seconds -> 0 once the processor has acknowledged every entry, 1 at the timeout
  local deadline=$((SECONDS + $1))
  while ((SECONDS < deadline)); do
    [ "$(orders_backlog)" = 0 ] && return 0
    sleep 0.1
  done
  return 1
}

seconds_since() { awk -v from="${1/,/.}" -v to="${EPOCHREALTIME/,/.}" 'BEGIN { printf "%.2f", to - from }'; }

# The real AppHost, started as the README says (Release; gateway + 3 replicas + dashboard, local Redis), with a known
# admin key so the sale can be reset between runs. Returns 1 (rows skipped) when its fixed ports are taken.
start_apphost() {
  local port
  for port in 5080 5081 15080 19080 20080; do
    if ss -ltn "( sport = :$port )" 2>/dev/null | grep -q ":$port"; then log "port $port is taken (another AppHost?): AppHost rows skipped"; return 1; fi
  done
  log "starting the AppHost: dotnet run --project SpikeApp.AppHost -c Release"
  setsid dotnet run --project SpikeApp.AppHost -c Release -- --Parameters:admin-key="$ADMIN_KEY" --Parameters:buyer-signing-key="$BUYER_KEY" \
    --Redis:Mode=local --Gateway:AdminPort=5081 >"$WORK/apphost.log" 2>&1 &
  APPHOST_RUN=$!
  # The gateway waits for every replica to be healthy, so its health answering means all three are up.
  for _ in $(seq 1 1800); do curl -sf -o /dev/null "$ADMIN/health" && return 0; sleep 0.2; done
  echo "the AppHost did not come up; its log:" >&2; tail -20 "$WORK/apphost.log" >&2; exit 1
}

stop_apphost() { # SIGTERM to the AppHost (dotnet run's child); DCP then stops the replicas and the gateway
  local apphost
  apphost=$(pgrep -P "$APPHOST_RUN" | head -1 || true)
  if [ -n "$apphost" ]; then kill -TERM "$apphost" 2>/dev/null || true; fi
  for _ in $(seq 1 120); do kill -0 "$APPHOST_RUN" 2>/dev/null || break; sleep 0.5; done
  kill -TERM "$APPHOST_RUN" 2>/dev/null || true
  for _ in $(seq 1 120); do ss -ltn "( sport = :5080 )" 2>/dev/null | grep -q ":5080" || break; sleep 0.5; done
  APPHOST_RUN=
}

reset_sale() { # total; [base url] (the first replica by default)
  local base=${2:-http://127.0.0.1:${API_PORTS[0]}} etag started=$EPOCHREALTIME
  etag=$(etag_of "$base")
  until curl -sf -X PUT -H "X-Admin-Key: $ADMIN_KEY" -H "If-Match: $etag" -H 'content-type: application/json' \
    -d "{\"total\":$1}" "$base/api/sales/default" >/dev/null; do
    # Voiding a round's pending orders is one script: after the remote rows (a huge total) it outlasts the replica's
    # Redis timeout (503) and still completes. A new ETag says it did; the same one, that it must be asked again.
    sleep 1
    if [ "$(etag_of "$base")" != "$etag" ]; then break; fi
    if (($(seconds_since "$started" | cut -d. -f1) > 60)); then echo "reset_sale: the sale was not reset within 60 s" >&2; exit 1; fi
  done
  if (($(seconds_since "$started" | cut -d. -f1) >= 1)); then log "reset to $1 took $(seconds_since "$started") s"; fi
  sleep 0.5 # the reset reaches the other replicas over pub/sub
}

evalsha_calls() { redis-cli -p "$REDIS_PORT" info commandstats | awk -F'[:=,]' '/^cmdstat_evalsha:/ {print $3} END {}' | tr -d '\r' | grep . || echo 0; }
rss_mb() { awk '/^'"$2"':/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }

ab_rps() { # url -> requests/s (20,000 requests at c=100, the seed's command); ab's failure counts go to $WORK/ab-failures.txt
  ab -q -n $SEED_REQUESTS -c $CONCURRENCY "$1" >"$WORK/ab.txt" 2>&1
  grep -o '(Connect:[^)]*)' "$WORK/ab.txt" >"$WORK/ab-failures.txt" || echo "(no failures)" >"$WORK/ab-failures.txt"
  awk '/^Requests per second:/ {print $4}' "$WORK/ab.txt"
}

sold_in_redis() { redis-cli -p "$REDIS_PORT" hget 'spike:{default}:sale' sold | tr -d '\r'; }
drop_stream() { redis-cli -p "$REDIS_PORT" del 'spike:{default}:stream' >/dev/null; }

wrk_rps() { # url [lua script] -> requests/s
  local script=()
  if [ -n "${2:-}" ]; then script=(-s "$2"); fi
  wrk -t2 -c"$CONCURRENCY" -d"${DURATION}s" --latency "${script[@]}" "$1" >"$WORK/wrk.txt"
  awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk.txt"
}

json_number() { # LoadGen JSON report, field -> the field's first number; nothing when it is absent or null
  grep -o "\"$2\": *-\?[0-9][0-9.eE+-]*" "$1" 2>/dev/null | head -1 | sed 's/.*: *//' || true
}

json_numbers() { # LoadGen JSON report, field of numbers -> them, space-separated
  tr -d ' \n' <"$1" 2>/dev/null | grep -o "\"$2\":\[[^]]*\]" | head -1 | sed 's/.*\[//; s/\]//; s/,/ /g' || true
}

stop_pids() { # pids...: SIGTERM, wait for each, and leave them out of the cleanup
  local pid kept=()
  for pid in "$@"; do kill "$pid" 2>/dev/null || true; done
  for pid in "$@"; do wait "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do [[ " $* " == *" $pid "* ]] || kept+=("$pid"); done
  PIDS=("${kept[@]}")
}

sleep_until_ms() { # epoch milliseconds
  local ms=$(($1 - $(date +%s%3N)))
  if ((ms > 0)); then sleep "$(awk -v ms="$ms" 'BEGIN { printf "%.3f", ms / 1000 }')"; fi
}

# The clients' commands in a MONITOR capture (commands a script runs, "[0 lua]", left out): "all syncs purchases others",
# a sync being the replicas' Sync script (the only one given the sale's replicas key), a purchase any script call that
# names a LoadGen buyer ("lg-..."), and the others counted by command ("hgetall:2,sadd:9"; "-" for none).
monitor_calls() {
  awk '$1 ~ /^[0-9]+\.[0-9]+$/ && $3 != "lua]" {
    all++; command = tolower($4); gsub(/"/, "", command)
    if (command == "evalsha" && index($0, "\"lg-")) purchases++
    else if (command == "evalsha" && index($0, ":replicas\"")) syncs++
    else other[command]++
  } END {
    for (command in other) list = list (list == "" ? "" : ",") command ":" other[command]
    printf "%d %d %d %s\n", all, syncs, purchases, list == "" ? "-" : list
  }' "$1"
}

# One opening stampede on sale $1 through the gateway at $2: MONITOR on the bell Redis from just before the sale's PUT
# (through the first bell replica; it opens BELL_LEAD s ahead, at T0) until 50 ms before T0; the LoadGen started right
# after the PUT with --wait-open (it mints its buyers' tokens, opens its connections and waits). Leaves $WORK/$1.json,
# $WORK/$1.calls (monitor_calls, then INFO commandstats' EVALSHA delta over the same window) and BELL_CODE.
bell_stampede() {
  local sale=$1 url=$2 opens_ms opens_at monitor loadgen evalsha_before
  evalsha_before=$(evalsha_calls)
  timeout $((BELL_LEAD + 5)) redis-cli -p "$REDIS_PORT" monitor >"$WORK/$sale.monitor" 2>/dev/null &
  monitor=$!; sleep 0.3
  opens_ms=$(($(date +%s%3N) + BELL_LEAD * 1000))
  opens_at=$(date -u -d "@$((opens_ms / 1000)).$(printf '%03d' $((opens_ms % 1000)))" +%Y-%m-%dT%H:%M:%S.%3NZ)
  curl -sf -X PUT -H "X-Admin-Key: $ADMIN_KEY" -H 'content-type: application/json' -d "{\"total\":$SEED_STOCK,\"opensAt\":\"$opens_at\"}" \
    "http://127.0.0.1:${BELL_PORTS[0]}/api/sales/$sale" >/dev/null
  env "${BUYER_ENV[@]}" dotnet "$OUT/loadgen/SpikeApp.LoadGen.dll" --url "$url" --sale "$sale" --requests "$BELL_BUYERS" \
    --concurrency $CONCURRENCY --wait-open --json "$WORK/$sale.json" >"$WORK/$sale.txt" 2>&1 &
  loadgen=$!
  sleep_until_ms $((opens_ms - 50))
  kill "$monitor" 2>/dev/null || true; wait "$monitor" 2>/dev/null || true
  echo "$(monitor_calls "$WORK/$sale.monitor") $(($(evalsha_calls) - evalsha_before))" >"$WORK/$sale.calls"
  BELL_CODE=0; wait "$loadgen" || BELL_CODE=$?
}

stats() { # values... -> "min median max" (STATS_FORMAT, default %.0f); nothing for no values
  (($#)) || return 0
  printf '%s\n' "$@" | sort -g | awk -v f="${STATS_FORMAT:-%.0f}" '{v[NR]=$1} END {printf f " " f " " f, v[1], v[int((NR+1)/2)], v[NR]}'
}

median() { stats "$@" | awk '{print $2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
row() { if [ -n "$3" ]; then printf '| %-44s | %-26s | %9s | %9s | %9s |\n' "$1" "$2" $3; fi; } # a row not measured is left out

require
publish
start_redis
SINK_PORT=$(free_port); start_baseline otlp-sink "$SINK_PORT"
if every_row; then BASE_PORT=$(free_port); start_baseline baseline "$BASE_PORT"; fi
if runs orders; then
  API_PORTS=("$(free_port)" "$(free_port)" "$(free_port)")
  for i in 0 1 2; do start_api "bench-$i" "${API_PORTS[$i]}" on; done
  if every_row; then QUIET_PORT=$(free_port); start_api bench-quiet "$QUIET_PORT" off; QUIET_PID=$(cat "$WORK/bench-quiet.pid"); fi
  create_sale "$SEED_STOCK" "${API_PORTS[@]}" ${QUIET_PORT:-}
  API_PID=$(cat "$WORK/bench-0.pid")
  start_nginx
  if every_row; then
    start_haproxy
    # The candidates forward every request: YARP as the gateway runs it with shared answers off. "gateway" is the gateway
    # as shipped, which answers a known "sold out" itself (README: the front door).
    start_gateway yarp 00:00:00
    start_gateway gateway 00:00:00.500
    log "redis :$REDIS_PORT, api :${API_PORTS[*]} (+ telemetry off :$QUIET_PORT), nginx :$NGINX_PORT, haproxy :$HAPROXY_PORT, yarp :${FRONT_PORT[yarp]}, gateway :${FRONT_PORT[gateway]}, baseline :$BASE_PORT, otlp sink :$SINK_PORT"
  else
    log "ONLY=$ONLY: redis :$REDIS_PORT, api :${API_PORTS[*]}, nginx :$NGINX_PORT, otlp sink :$SINK_PORT"
  fi
else
  log "ONLY=$ONLY: otlp sink :$SINK_PORT"
fi

if runs orders; then
  # 0. Front-door candidates over the same 3 API processes: the seed's ab (stock 2,000, sold exactly 2,000 each run) and
  #    wrk on the sold-out path, through nginx, HAProxy and the YARP gateway; bare Kestrel with ab for the ratio.
  declare -A FRONT_AB=() FRONT_WRK=() FRONT_SOLD=() FRONT_FAILURES=()
  BASE_AB=()
  if every_row; then
    FRONT_PORT[nginx]=$NGINX_PORT; FRONT_PORT[haproxy]=$HAPROXY_PORT
    WARM_PORTS=("$BASE_PORT" "${FRONT_PORT[@]}")
  else
    WARM_PORTS=("$NGINX_PORT")
  fi
  # Warm-up: .NET compiles the hot path in tiers over the first seconds of load; the rows measure the steady state.
  for port in "${WARM_PORTS[@]}"; do
    ab -q -n 5000 -c $CONCURRENCY "http://127.0.0.1:$port/buy/skill" >/dev/null 2>&1
    if [ "$HAVE_WRK" = yes ]; then wrk -t2 -c"$CONCURRENCY" -d5s "http://127.0.0.1:$port/buy/skill" >/dev/null; fi
  done
  if every_row; then
    for rep in $(seq 1 "$REPEAT"); do
      BASE_AB+=("$(ab_rps "http://127.0.0.1:$BASE_PORT/buy/skill")")
      for front in $FRONTS; do
        reset_sale $SEED_STOCK
        FRONT_AB[$front]+=" $(ab_rps "http://127.0.0.1:${FRONT_PORT[$front]}/buy/skill")"
        FRONT_SOLD[$front]+=" $(sold_in_redis)"
        FRONT_FAILURES[$front]="$(cat "$WORK/ab-failures.txt")"
        if [ "$HAVE_WRK" = yes ]; then FRONT_WRK[$front]+=" $(wrk_rps "http://127.0.0.1:${FRONT_PORT[$front]}/buy/skill")"; fi
      done
      log "front doors rep $rep: baseline ab ${BASE_AB[-1]}; ab $FRONTS: $(for f in $FRONTS; do printf '%s ' "${FRONT_AB[$f]##* }"; done); wrk: $(for f in $FRONTS; do printf '%s ' "${FRONT_WRK[$f]##* }"; done)"
    done
  fi

  # 1. Seed scenario: 3 API processes behind nginx, stock 2,000, 20,000 requests at c=100 on /buy/skill.
  SEED_LOADGEN=(); SEED_AB=(); SEED_SOLD=(); SEED_CALLS=(); SEED_EXIT=()
  for rep in $(seq 1 "$REPEAT"); do
    reset_sale $SEED_STOCK; before=$(evalsha_calls)
    set +e
    env "${BUYER_ENV[@]}" dotnet "$OUT/loadgen/SpikeApp.LoadGen.dll" --url "http://127.0.0.1:$NGINX_PORT" --mode seed --requests $SEED_REQUESTS \
      --concurrency $CONCURRENCY --json "$WORK/seed.json" >"$WORK/loadgen.txt" 2>&1
    SEED_EXIT+=($?)
    set -e
    SEED_CALLS+=($(( $(evalsha_calls) - before )))
    SEED_LOADGEN+=("$(grep -o '"requestsPerSecond": *[0-9.]*' "$WORK/seed.json" | head -1 | grep -o '[0-9.]*$')")
    SEED_SOLD+=("$(grep -o '"success": *[0-9]*' "$WORK/seed.json" | head -1 | grep -o '[0-9]*$')")
    reset_sale $SEED_STOCK
    ab -q -n $SEED_REQUESTS -c $CONCURRENCY "http://127.0.0.1:$NGINX_PORT/buy/skill" >"$WORK/ab.txt" 2>&1
    SEED_AB+=("$(awk '/^Requests per second:/ {print $4}' "$WORK/ab.txt")")
    log "seed rep $rep: loadgen ${SEED_LOADGEN[-1]} req/s (exit ${SEED_EXIT[-1]}, ${SEED_SOLD[-1]} sold, ${SEED_CALLS[-1]} EVALSHA), ab ${SEED_AB[-1]} req/s"
  done
  AB_UNANSWERED="$(grep -E '^(Complete requests|Failed requests)' "$WORK/ab.txt" | tr -s ' ' | paste -sd ';'; grep -o '(Connect:[^)]*)' "$WORK/ab.txt")"

  SOLD_OUT=(); SOLD_OUT_QUIET=(); SOLD_OUT_POST=(); SOLD_OUT_TOKEN=(); REMOTE=(); REMOTE_QUIET=(); BASE=(); RSS_RUNS=()
  SOLD_OUT_POST_STATUS=n/a
  if [ "$HAVE_WRK" = yes ]; then
    # 2. Sold-out path: the sale above is sold out; one API process answers from memory. Beside the seed's GET, the
    #    purchase route as buyers send it: POST, no body, with one buyer's token, and without one. A known "sold out" is
    #    answered before authentication, so both are 409 from memory: what the token costs is carrying it.
    if every_row; then
      curl -sf "http://127.0.0.1:$QUIET_PORT/api/sales/default" >/dev/null # the quiet replica learns the sale is sold out
      purchases="http://127.0.0.1:${API_PORTS[0]}/api/sales/default/purchases"
      token=$(mint_token bench-sold-out)
      printf 'wrk.method = "POST"\n' >"$WORK/post.lua"
      printf 'wrk.method = "POST"\nwrk.headers["Authorization"] = "Bearer %s"\n' "$token" >"$WORK/post-token.lua"
      SOLD_OUT_POST_STATUS="no token $(curl -s -o /dev/null -w '%{http_code}' -X POST "$purchases"), with a token $(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $token" "$purchases")"
    fi
    for rep in $(seq 1 "$REPEAT"); do
      SOLD_OUT+=("$(wrk_rps "http://127.0.0.1:${API_PORTS[0]}/buy/skill")")
      if every_row; then
        SOLD_OUT_QUIET+=("$(wrk_rps "http://127.0.0.1:$QUIET_PORT/buy/skill")")
        SOLD_OUT_POST+=("$(wrk_rps "$purchases" "$WORK/post.lua")")
        SOLD_OUT_TOKEN+=("$(wrk_rps "$purchases" "$WORK/post-token.lua")")
      fi
      log "sold-out rep $rep: ${SOLD_OUT[-1]} req/s (telemetry off: $(every_row && echo "${SOLD_OUT_QUIET[-1]}" || echo skipped); POST without/with a token: $(every_row && echo "${SOLD_OUT_POST[-1]}/${SOLD_OUT_TOKEN[-1]}" || echo skipped))"
    done
    if every_row; then
      # 4. Baseline: bare Kestrel, same body size, same client and concurrency.
      for rep in $(seq 1 "$REPEAT"); do BASE+=("$(wrk_rps "http://127.0.0.1:$BASE_PORT/buy/skill")"); log "baseline rep $rep: ${BASE[-1]} req/s"; done
    fi
    # 3. Remote path: stock that never runs out, so every request reaches Redis.
    reset_sale 100000000
    for rep in $(seq 1 "$REPEAT"); do
      REMOTE+=("$(wrk_rps "http://127.0.0.1:${API_PORTS[0]}/buy/skill")")
      if every_row; then REMOTE_QUIET+=("$(wrk_rps "http://127.0.0.1:$QUIET_PORT/buy/skill")"); fi
      log "remote rep $rep: ${REMOTE[-1]} req/s (telemetry off: $(every_row && echo "${REMOTE_QUIET[-1]}" || echo skipped))"
    done
    if every_row; then
      # RSS under c=100: five back-to-back remote-path runs on one replica.
      for run in 1 2 3 4 5; do wrk_rps "http://127.0.0.1:${API_PORTS[0]}/buy/skill" >/dev/null; RSS_RUNS+=("$(rss_mb "$API_PID" VmRSS)"); done
      log "RSS after each of 5 runs (MB): ${RSS_RUNS[*]}"
    fi
  else
    log "wrk not installed: sold-out, remote and baseline throughput skipped"
  fi

  # 7. Orders: the order processor (SpikeApp.Orders) moving the default sale's stream into a local PostgreSQL. Started
  #    only now, so that every row above ran without it; stopped at the end of the group, before the rows below.
  PEAK_RSS=$(rss_mb "$API_PID" VmHWM) # before the remote path runs again below

  # 3b. Remote path as buyers send it (after the RSS runs, which it would change): REMOTE_BUYERS purchases by distinct
  #     buyers, each POSTing with their own token (the LoadGen mints them before its timed phase), beside the same
  #     LoadGen sending the seed's anonymous GET. Stock never runs out; the sale is reset before each run, so the LoadGen's
  #     invariant check is exact. Run now so that group 7 (its reset) stores none of these orders.
  REMOTE_SEED=(); REMOTE_TOKENS=(); REMOTE_EXIT=()
  if every_row; then
    for rep in $(seq 1 "$REPEAT"); do
      for mode in seed api; do
        reset_sale 100000000
        set +e
        env "${BUYER_ENV[@]}" dotnet "$OUT/loadgen/SpikeApp.LoadGen.dll" --url "http://127.0.0.1:${API_PORTS[0]}" --mode "$mode" \
          --requests "$REMOTE_BUYERS" --concurrency $CONCURRENCY --json "$WORK/remote-$mode.json" >"$WORK/loadgen-remote-$mode.txt" 2>&1
        REMOTE_EXIT+=("$mode:$?")
        set -e
        rps=$(grep -o '"requestsPerSecond": *[0-9.]*' "$WORK/remote-$mode.json" 2>/dev/null | head -1 | grep -o '[0-9.]*$' || true)
        if [ -z "$rps" ]; then log "remote LoadGen $mode rep $rep wrote no report; its output:"; tail -5 "$WORK/loadgen-remote-$mode.txt" >&2; continue; fi
        if [ "$mode" = seed ]; then REMOTE_SEED+=("$rps"); else REMOTE_TOKENS+=("$rps"); fi
      done
      log "remote LoadGen rep $rep: seed GET ${REMOTE_SEED[-1]:-n/a} req/s, POST with tokens ${REMOTE_TOKENS[-1]:-n/a} req/s (exit ${REMOTE_EXIT[*]: -2})"
    done
  fi
fi
# 8. Opening stampede: each repeat starts its own Redis, 3 API processes and a gateway over them, so that the first
#    stampede meets processes that have only just reported ready. A sale of SEED_STOCK units is PUT to open BELL_LEAD s
#    ahead (T0); BELL_BUYERS buyers (distinct, their tokens minted before T0) wait on CONCURRENCY connections through the
#    gateway (LoadGen --wait-open) and buy at T0. Then the same on a second sale, the processes now warm: the steady
#    state the first second is held against. Redis' calls from just before the PUT to T0 are read with MONITOR.
BELL_SOLD_OUT=(); BELL_CALLS=(); BELL_SYNCS=(); BELL_PURCHASES=(); BELL_COLD=(); BELL_WARM=(); BELL_RATIO=(); BELL_SPREAD=(); BELL_EXIT=()
BELL_OTHER=n/a
if runs opening; then
  main_redis=$REDIS_PORT
  for rep in $(seq 1 "$REPEAT"); do
    start_redis "$WORK/bell-redis-$rep"
    bell_pids=("${PIDS[-1]}")
    BELL_PORTS=("$(free_port)" "$(free_port)" "$(free_port)")
    for i in 0 1 2; do start_api "bell-$i" "${BELL_PORTS[$i]}" on; bell_pids+=("$(cat "$WORK/bell-$i.pid")"); done
    create_sale "$SEED_STOCK" "${BELL_PORTS[@]}" # the default sale: a replica reports ready only once it exists
    start_gateway bell 00:00:00.500 "${BELL_PORTS[@]}"
    bell_pids+=("$(cat "$WORK/bell.pid")")
    for round in cold warm; do
      bell_stampede "bell-$rep-$round" "http://127.0.0.1:${FRONT_PORT[bell]}"
      BELL_EXIT+=("$round:$BELL_CODE")
    done
    read -r calls syncs purchases others evalsha <"$WORK/bell-$rep-cold.calls"
    BELL_CALLS+=("$calls"); BELL_SYNCS+=("$syncs"); BELL_PURCHASES+=("$purchases"); BELL_OTHER="$others (EVALSHA in INFO commandstats: $evalsha)"
    cold=$(json_number "$WORK/bell-$rep-cold.json" firstSecondRequestsPerSecond)
    warm=$(json_number "$WORK/bell-$rep-warm.json" firstSecondRequestsPerSecond)
    sold_out=$(json_number "$WORK/bell-$rep-cold.json" soldOutSeconds)
    spread=$(json_number "$WORK/bell-$rep-cold.json" replicaSpreadMs)
    late=$(json_number "$WORK/bell-$rep-cold.json" startLateMs)
    tenths_cold=$(json_numbers "$WORK/bell-$rep-cold.json" answersByTenth); tenths_warm=$(json_numbers "$WORK/bell-$rep-warm.json" answersByTenth)
    if [ -n "$cold" ]; then BELL_COLD+=("$cold"); fi
    if [ -n "$warm" ]; then BELL_WARM+=("$warm"); fi
    if [ -n "$cold" ] && [ -n "$warm" ]; then BELL_RATIO+=("$(ratio "$cold" "$warm")"); fi
    if [ -n "$sold_out" ]; then BELL_SOLD_OUT+=("$sold_out"); fi
    if [ -n "$spread" ]; then BELL_SPREAD+=("$spread"); fi
    log "opening rep $rep: sold out ${sold_out:-never} s after T0 (buyers released ${late:-?} ms after it), first second ${cold:-n/a} req/s just ready, ${warm:-n/a} warm; before T0: $calls Redis calls, $syncs syncs, $purchases purchases, others $others; replicas' first sales spread ${spread:-n/a} ms (exit ${BELL_EXIT[*]: -2}); answers by tenth of a second, just ready: ${tenths_cold:-n/a}; warm: ${tenths_warm:-n/a}"
    stop_pids "${bell_pids[@]}"
  done
  REDIS_PORT=$main_redis
fi

ORDERS_QUEUED=(); ORDERS_STORED=(); ORDERS_RATE=(); ORDERS_SEED_AB=(); ORDERS_SEED_STORED=(); ORDERS_LAG=(); ORDERS_LAST=()
ORDERS_SOLD_OUT=(); ORDERS_REMOTE=(); ORDERS_REMOTE_RATE=(); ORDERS_REMOTE_BACKLOG=(); ORDERS_DRAIN=n/a
if runs orders; then
  start_postgres
  reset_sale $SEED_STOCK
  # A reset keeps the stream (it is the ledger's record), but the rows above ran without a processor: what they sold is not
  # this group's to store. Bench only: a real deployment never drops a stream.
  drop_stream
  start_orders; stop_orders # migrates the schema, so that PostgreSQL can be counted before the processor's first timed run
  log "postgres :$PG_PORT ($(basename "$(dirname "$(pg_bin)")")), order processor from $OUT/orders"
  # 7a. Throughput: ORDERS_BACKLOG orders queued through the purchase path (stock ORDERS_BACKLOG, 20% more requests)
  #     with the processor stopped, then the processor started on them: timed from its first healthy /health (orders
  #     stored by then are not counted) until the group has acknowledged every entry (an entry is acknowledged only
  #     after its order is committed).
  for rep in $(seq 1 "$REPEAT"); do
    reset_sale "$ORDERS_BACKLOG"; drop_stream # the previous repeat's entries are stored already
    ab -q -n $((ORDERS_BACKLOG * 6 / 5)) -c $CONCURRENCY "http://127.0.0.1:$NGINX_PORT/buy/skill" >/dev/null 2>&1
    ORDERS_QUEUED+=("$(sold_in_redis)")
    before=$(orders_in_postgres)
    start_orders
    started=$EPOCHREALTIME; at_start=$(orders_in_postgres)
    wait_orders_stored 120 || log "orders rep $rep: the processor had not acknowledged every entry after 120 s"
    elapsed=$(seconds_since "$started"); stored=$(orders_in_postgres)
    ORDERS_STORED+=($((stored - before)))
    ORDERS_RATE+=("$(awk -v n=$((stored - at_start)) -v s="$elapsed" 'BEGIN { printf "%.0f", n / s }')")
    log "orders rep $rep: ${ORDERS_QUEUED[-1]} queued, ${ORDERS_STORED[-1]} stored ($((at_start - before)) before /health), ${ORDERS_RATE[-1]} orders/s over $elapsed s"
    if ((rep < REPEAT)); then stop_orders; fi # the next repeat queues its backlog with the processor stopped
  done
  # 7b. Row 1's ab with the processor running, then XINFO GROUPS every 100 ms until the group's lag and pending are 0.
  #     The units sell in ab's first fraction of a second, so PostgreSQL's own clocks also tell how long after the last
  #     sale (created_at, Redis' clock) its batch was stored (updated_at, the transaction's start; same machine clock).
  for rep in $(seq 1 "$REPEAT"); do
    reset_sale $SEED_STOCK; before=$(orders_in_postgres); reset_at=$EPOCHREALTIME
    ORDERS_SEED_AB+=("$(ab_rps "http://127.0.0.1:$NGINX_PORT/buy/skill")")
    ended=$EPOCHREALTIME
    wait_orders_stored 60 || log "orders seed rep $rep: the processor had not acknowledged every entry after 60 s"
    ORDERS_LAG+=("$(seconds_since "$ended")")
    ORDERS_SEED_STORED+=($(($(orders_in_postgres) - before)))
    ORDERS_LAST+=("$(pg_sql "SELECT round(extract(epoch FROM max(updated_at) - max(created_at))::numeric, 3) FROM orders
      WHERE sale_id = 'default' AND created_at >= to_timestamp(${reset_at/,/.})")")
    log "orders seed rep $rep: ab ${ORDERS_SEED_AB[-1]} req/s, lag 0 ${ORDERS_LAG[-1]} s after ab's end, last sale stored after ${ORDERS_LAST[-1]} s, ${ORDERS_SEED_STORED[-1]} orders in PostgreSQL"
  done
  ORDERS_SEED_FAILURES=$(cat "$WORK/ab-failures.txt")
  if [ "$HAVE_WRK" = yes ]; then
    # 7c. Rows 2 and 3 with the processor running. Sold out, it has nothing to store; on the remote path every request
    #     creates an order, so it stores while wrk runs and the stream grows by what it cannot keep up with.
    for rep in $(seq 1 "$REPEAT"); do ORDERS_SOLD_OUT+=("$(wrk_rps "http://127.0.0.1:${API_PORTS[0]}/buy/skill")"); log "orders sold-out rep $rep: ${ORDERS_SOLD_OUT[-1]} req/s"; done
    reset_sale 100000000
    before=$(orders_in_postgres); counted=$before; since=$EPOCHREALTIME
    for rep in $(seq 1 "$REPEAT"); do
      ORDERS_REMOTE+=("$(wrk_rps "http://127.0.0.1:${API_PORTS[0]}/buy/skill")")
      stored=$(orders_in_postgres)
      ORDERS_REMOTE_RATE+=("$(awk -v n=$((stored - counted)) -v s="$(seconds_since "$since")" 'BEGIN { printf "%.0f", n / s }')")
      counted=$stored; since=$EPOCHREALTIME
      ORDERS_REMOTE_BACKLOG+=($(($(sold_in_redis) - (stored - before))))
      log "orders remote rep $rep: ${ORDERS_REMOTE[-1]} req/s, ${ORDERS_REMOTE_RATE[-1]} orders/s stored meanwhile, ${ORDERS_REMOTE_BACKLOG[-1]} not yet in PostgreSQL"
    done
    # What the remote runs left in the stream, stored with no purchase load (bounded: 120 s).
    started=$EPOCHREALTIME
    if wait_orders_stored 120; then
      elapsed=$(seconds_since "$started"); stored=$(orders_in_postgres)
      ORDERS_DRAIN="$((stored - counted)) more orders stored in $elapsed s; $((stored - before)) of $(sold_in_redis) sold in PostgreSQL"
    else
      ORDERS_DRAIN="not every order stored after 120 s: $(($(sold_in_redis) - ($(orders_in_postgres) - before))) left"
    fi
    log "orders after the remote runs: $ORDERS_DRAIN"
  fi
  stop_orders
  stop_postgres
fi

# 6. The real AppHost as the README starts it: ab and wrk on the public URL (the gateway at :5080).
PUBLIC_AB=(); PUBLIC_WRK=(); PUBLIC_SOLD=(); PUBLIC_FAILURES=n/a; PUBLIC_REPLICAS=n/a; PUBLIC_COLD=(); PUBLIC_COLD_FAILURES=n/a
if runs opening && start_apphost; then
  # Cold: the README's ab as a new user runs it, right after the start. The sale is reset first (one admin request), so
  # that it sells 2,000 and then answers "sold out" as in the warm runs below.
  reset_sale "$SEED_STOCK" "$ADMIN"
  PUBLIC_COLD+=("$(ab_rps "$PUBLIC/buy/skill")")
  PUBLIC_COLD_FAILURES="$(cat "$WORK/ab-failures.txt")"
  log "AppHost cold: ab ${PUBLIC_COLD[-1]} req/s right after the start ($PUBLIC_COLD_FAILURES)"
  # Warm-up, as above: the first seconds after a start run code that is not yet fully compiled.
  ab -q -n $SEED_REQUESTS -c $CONCURRENCY "$PUBLIC/buy/skill" >/dev/null 2>&1
  if [ "$HAVE_WRK" = yes ]; then wrk -t2 -c"$CONCURRENCY" -d10s "$PUBLIC/buy/skill" >/dev/null; fi
  for rep in $(seq 1 "$REPEAT"); do
    reset_sale "$SEED_STOCK" "$ADMIN"
    PUBLIC_AB+=("$(ab_rps "$PUBLIC/buy/skill")")
    PUBLIC_FAILURES="$(cat "$WORK/ab-failures.txt")"
    sale=$(curl -sf "$PUBLIC/api/sales/default")
    PUBLIC_SOLD+=("$(echo "$sale" | grep -o '"sold":[0-9]*' | head -1 | cut -d: -f2)")
    PUBLIC_REPLICAS=$(echo "$sale" | grep -o '"soldByReplica":{[^}]*}')
    if [ "$HAVE_WRK" = yes ]; then PUBLIC_WRK+=("$(wrk_rps "$PUBLIC/buy/skill")"); fi
    log "AppHost rep $rep: ab ${PUBLIC_AB[-1]} req/s (sold ${PUBLIC_SOLD[-1]}), wrk ${PUBLIC_WRK[-1]:-n/a} req/s"
  done
  stop_apphost
fi

# 5. Redis alone: redis-benchmark sending our deduction script by SHA, random buyers.
REDIS_RPS=()
if every_row; then
  timeout 5 redis-cli -p "$REDIS_PORT" monitor >"$WORK/monitor.txt" 2>/dev/null &
  MONITOR=$!; sleep 0.3
  curl -sf -X POST -H "Authorization: Bearer $(mint_token sha-probe)" "http://127.0.0.1:${API_PORTS[0]}/api/sales/default/purchases" >/dev/null
  sleep 0.3; kill $MONITOR 2>/dev/null || true
  # The probe's own EVALSHA: replicas also run their sync script every few seconds.
  SHA=$(grep -i 'sha-probe' "$WORK/monitor.txt" | grep -io '"evalsha" "[0-9a-f]*"' | head -1 | grep -o '[0-9a-f]\{40\}')
  EPOCH=$(redis-cli -p "$REDIS_PORT" hget 'spike:{default}:sale' epoch | tr -d '\r')
  for rep in $(seq 1 "$REPEAT"); do
    REDIS_RPS+=("$(redis-benchmark -p "$REDIS_PORT" -c $CONCURRENCY -n 100000 -r 100000000 -q \
      EVALSHA "$SHA" 6 'spike:{default}:sale' 'spike:{default}:buyers' 'spike:{default}:orders' 'spike:{default}:stream' \
      'spike:{default}:sold-by-replica' 'spike:{default}:deadlines' \
      'bench-user-__rand_int__' bench-redis "$EPOCH" 'bench-order-__rand_int__' 900000 '-' | tr '\r' '\n' | grep -o '[0-9.]* requests per second' | tail -1 | awk '{print $1}')")
    log "redis-benchmark rep $rep: ${REDIS_RPS[-1]} EVALSHA/s"
  done
fi


echo
echo "SpikeApp benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
echo "API: Release, tracing and metrics on, exporting OTLP/HTTP to a local sink (as under the AppHost); 'telemetry off' = OTEL_SDK_DISABLED=true."
echo "Redis: redis-server $(redis-server --version | grep -o 'v=[0-9.]*' | cut -c3-), AOF appendfsync $REDIS_FSYNC. c=$CONCURRENCY, wrk runs of ${DURATION}s, $REPEAT repeats."
echo "PostgreSQL $(basename "$(dirname "$(pg_bin)")") (fsync, synchronous commit); order processor: Release, telemetry on.${ONLY:+ ONLY=$ONLY: the other rows were not run.}"
echo
printf '| %-44s | %-26s | %9s | %9s | %9s |\n' scenario client min median max
printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..46})" "$(printf -- '-%.0s' {1..28})" ----------- ----------- -----------
if every_row; then
  for front in $FRONTS; do
    row "0. seed via $front, 3 APIs, stock 2,000, req/s" "ab -n 20000 -c 100" "$(stats ${FRONT_AB[$front]})"
    row "0. same, units sold per run (must be 2,000)" "Redis sold" "$(stats ${FRONT_SOLD[$front]})"
    if [ "$HAVE_WRK" = yes ]; then row "0. sold-out path via $front, req/s" "wrk" "$(stats ${FRONT_WRK[$front]})"; fi
  done
fi
row "0. baseline: bare Kestrel, same body, req/s" "ab -n 20000 -c 100" "$(stats "${BASE_AB[@]}")"
if ((${#PUBLIC_AB[@]})); then
  row "6. AppHost public URL :5080 (seed), req/s" "ab -n 20000 -c 100" "$(stats "${PUBLIC_AB[@]}")"
  row "6. same, units sold per run (must be 2,000)" "GET /api/sales/default" "$(stats "${PUBLIC_SOLD[@]}")"
  row "6. same, cold: right after the start, req/s" "ab -n 20000 -c 100, once" "$(stats "${PUBLIC_COLD[@]}")"
  if [ "$HAVE_WRK" = yes ]; then row "6. AppHost public URL, sold-out path, req/s" "wrk" "$(stats "${PUBLIC_WRK[@]}")"; fi
fi
row "1. seed: 3 APIs behind nginx, stock 2,000, req/s" "LoadGen seed, n=20,000" "$(stats "${SEED_LOADGEN[@]}")"
row "1. seed: same, req/s" "ab -n 20000 -c 100" "$(stats "${SEED_AB[@]}")"
row "7. seed: same, processor running, req/s" "ab -n 20000 -c 100" "$(stats "${ORDERS_SEED_AB[@]}")"
row "1. seed: units sold per run (must be 2,000)" "LoadGen invariant check" "$(stats "${SEED_SOLD[@]}")"
row "1. seed: Redis EVALSHA calls per run" "INFO commandstats" "$(stats "${SEED_CALLS[@]}")"
if [ "$HAVE_WRK" = yes ]; then
  row "2. sold-out path, 1 API, req/s" "wrk" "$(stats "${SOLD_OUT[@]}")"
  row "7. sold-out path, processor running, req/s" "wrk" "$(stats "${ORDERS_SOLD_OUT[@]}")"
  row "2. sold-out path, telemetry off, req/s" "wrk" "$(stats "${SOLD_OUT_QUIET[@]}")"
  row "2. sold-out path, POST, no token, req/s" "wrk -s, no body" "$(stats "${SOLD_OUT_POST[@]}")"
  row "2. sold-out path, POST with a token, req/s" "wrk -s, one bearer token" "$(stats "${SOLD_OUT_TOKEN[@]}")"
  row "3. remote path (every request EVALSHA), req/s" "wrk" "$(stats "${REMOTE[@]}")"
  row "7. remote path, processor running, req/s" "wrk" "$(stats "${ORDERS_REMOTE[@]}")"
  row "3. remote path, telemetry off, req/s" "wrk" "$(stats "${REMOTE_QUIET[@]}")"
  row "4. baseline: bare Kestrel, same body, req/s" "wrk" "$(stats "${BASE[@]}")"
fi
row "3. remote path, seed GET, anonymous, req/s" "LoadGen seed, n=$REMOTE_BUYERS" "$(stats "${REMOTE_SEED[@]}")"
row "3. remote path, POST, a token per buyer, req/s" "LoadGen api, n=$REMOTE_BUYERS" "$(stats "${REMOTE_TOKENS[@]}")"
row "5. Redis alone: EVALSHA of the script, /s" "redis-benchmark -c 100" "$(stats "${REDIS_RPS[@]}")"
row "8. opening: s from T0 to sold out" "LoadGen --wait-open, gateway" "$(STATS_FORMAT=%.3f stats "${BELL_SOLD_OUT[@]}")"
row "8. first second, processes just ready, req/s" "LoadGen, answers in 1st s" "$(stats "${BELL_COLD[@]}")"
row "8. first second, same processes warm, req/s" "LoadGen, answers in 1st s" "$(stats "${BELL_WARM[@]}")"
row "8. first second, just ready / warm" "per repeat" "$(STATS_FORMAT=%.2f stats "${BELL_RATIO[@]}")"
row "8. Redis calls from the PUT to T0" "MONITOR, clients' commands" "$(stats "${BELL_CALLS[@]}")"
row "8. same, the replicas' syncs" "MONITOR, Sync script" "$(stats "${BELL_SYNCS[@]}")"
row "8. same, purchases (must be 0)" "MONITOR, a buyer's script" "$(stats "${BELL_PURCHASES[@]}")"
row "8. first sales by replica: spread, ms" "orders' createdAt" "$(stats "${BELL_SPREAD[@]}")"
row "7. processor: $ORDERS_BACKLOG queued, orders/s" "psql count, XINFO GROUPS" "$(stats "${ORDERS_RATE[@]}")"
row "7. same, orders stored per run" "psql count(*)" "$(stats "${ORDERS_STORED[@]}")"
row "7. seed: s from ab's end to lag+pending 0" "XINFO GROUPS every 0.1 s" "$(STATS_FORMAT=%.2f stats "${ORDERS_LAG[@]}")"
row "7. seed: s from the last sale to it stored" "PostgreSQL timestamps" "$(STATS_FORMAT=%.2f stats "${ORDERS_LAST[@]}")"
row "7. seed: orders stored (must be 2,000)" "psql count(*)" "$(stats "${ORDERS_SEED_STORED[@]}")"
row "7. remote: orders stored while wrk ran, /s" "psql count(*)" "$(stats "${ORDERS_REMOTE_RATE[@]}")"
row "7. remote: orders not yet stored after a run" "Redis sold - psql count(*)" "$(stats "${ORDERS_REMOTE_BACKLOG[@]}")"
echo
if runs orders; then
  echo "LoadGen exit codes (0 = every invariant held): ${SEED_EXIT[*]}; ab's last run: ${AB_UNANSWERED:-n/a}"
  echo "Order processor: queued per run (XLEN) ${ORDERS_QUEUED[*]}; ab with the processor, last run: $ORDERS_SEED_FAILURES; after the remote runs: $ORDERS_DRAIN"
fi
if every_row; then
  for front in $FRONTS; do echo "ab via $front, last run: ${FRONT_FAILURES[$front]}"; done
  echo "ab on the AppHost's public URL, last run: $PUBLIC_FAILURES; sold by replica: $PUBLIC_REPLICAS"
  for front in $FRONTS; do
    echo "ab via $front / ab baseline:     $(ratio "$(median ${FRONT_AB[$front]})" "$(median "${BASE_AB[@]}")")"
    if [ "$HAVE_WRK" = yes ]; then echo "wrk via $front / wrk baseline:   $(ratio "$(median ${FRONT_WRK[$front]})" "$(median "${BASE[@]}")")"; fi
  done
fi
if ((${#PUBLIC_AB[@]})); then
  if every_row; then echo "public URL ab / baseline ab:     $(ratio "$(median "${PUBLIC_AB[@]}")" "$(median "${BASE_AB[@]}")")   (target >= 0.8)"; fi
  echo "public URL ab, cold / warm:      $(ratio "$(median "${PUBLIC_COLD[@]}")" "$(median "${PUBLIC_AB[@]}")")   (target >= 0.8; cold run: $PUBLIC_COLD_FAILURES)"
  if [ "$HAVE_WRK" = yes ] && every_row; then echo "public URL wrk / baseline wrk:   $(ratio "$(median "${PUBLIC_WRK[@]}")" "$(median "${BASE[@]}")")   (target >= 0.6)"; fi
fi
if [ "$HAVE_WRK" = yes ] && every_row; then
  echo "sold-out path / baseline:        $(ratio "$(median "${SOLD_OUT[@]}")" "$(median "${BASE[@]}")")   (target >= 0.8)"
  echo "sold-out telemetry on / off:     $(ratio "$(median "${SOLD_OUT[@]}")" "$(median "${SOLD_OUT_QUIET[@]}")")   (target >= 0.9)"
  echo "remote path / baseline:          $(ratio "$(median "${REMOTE[@]}")" "$(median "${BASE[@]}")")   (target >= 0.3)"
  echo "sold-out POST answers:           $SOLD_OUT_POST_STATUS   (must be 409 both)"
  echo "sold-out POST token / no token:  $(ratio "$(median "${SOLD_OUT_TOKEN[@]}")" "$(median "${SOLD_OUT_POST[@]}")")   (target >= 0.9)"
  echo "sold-out POST token / seed GET:  $(ratio "$(median "${SOLD_OUT_TOKEN[@]}")" "$(median "${SOLD_OUT[@]}")")"
  echo "API RSS after 5 runs (MB):       ${RSS_RUNS[*]}   (target <= 150, no growth)"
fi
if every_row; then
  echo "remote POST+tokens / seed GET:   $(ratio "$(median "${REMOTE_TOKENS[@]}")" "$(median "${REMOTE_SEED[@]}")")   (LoadGen both; exit codes ${REMOTE_EXIT[*]})"
fi
if runs orders; then
  echo "Redis EVALSHA calls per sale:    $(ratio "$(median "${SEED_CALLS[@]}")" $SEED_STOCK)   (target <= 1.2 = 1 + buffer)"
  echo "API peak RSS (MB, VmHWM):        $PEAK_RSS"
fi
if ((${#BELL_EXIT[@]})); then
  echo "opening, first s ready / warm:   $(STATS_FORMAT=%.2f median "${BELL_RATIO[@]}")   (target >= 0.9; LoadGen exit codes ${BELL_EXIT[*]})"
  echo "opening, other calls before T0:  $BELL_OTHER   (last repeat; purchases must be 0)"
fi
if runs orders; then
  echo "order processor, orders/s:       $(median "${ORDERS_RATE[@]}")   (target >= 5,000)"
  echo "seed: s to lag+pending 0:        $(STATS_FORMAT=%.2f median "${ORDERS_LAG[@]}")   (target <= 5)"
  echo "seed ab, processor running/not:  $(ratio "$(median "${ORDERS_SEED_AB[@]}")" "$(median "${SEED_AB[@]}")")   (target: within the run's noise)"
  if [ "$HAVE_WRK" = yes ]; then
    echo "sold-out, processor running/not: $(ratio "$(median "${ORDERS_SOLD_OUT[@]}")" "$(median "${SOLD_OUT[@]}")")   (target: within the run's noise)"
    echo "remote, processor running/not:   $(ratio "$(median "${ORDERS_REMOTE[@]}")" "$(median "${REMOTE[@]}")")   (target: within the run's noise)"
  fi
fi
