#!/usr/bin/env bash
# SpikeApp benchmark: what the local-slice design buys, measured in one run on this machine.
# Starts its own redis-server, API processes (Release), a bare Kestrel baseline, the front-door candidates (nginx,
# HAProxy, the YARP gateway) and finally the real AppHost as the README starts it, all on 127.0.0.1;
# runs every scenario REPEAT times; stops everything it started; prints one table. See bench/README.md.
#
#   bench/run.sh                       # REPEAT=3 DURATION=10 (seconds per wrk run)
#   REPEAT=5 DURATION=20 bench/run.sh
#   REDIS_FSYNC=everysec bench/run.sh   # Redis without an fsync per sale, for comparison
set -euo pipefail
cd "$(dirname "$0")/.."

REPEAT=${REPEAT:-3}
DURATION=${DURATION:-10}
REDIS_FSYNC=${REDIS_FSYNC:-always}
CONCURRENCY=100
SEED_REQUESTS=20000
SEED_STOCK=2000
OUT=bench/out
WORK=$(mktemp -d /tmp/spikeapp-bench-XXXXXX)
ADMIN_KEY=bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
PIDS=()
APPHOST_RUN=
PUBLIC=http://127.0.0.1:5080

cleanup() {
  if [ -n "$APPHOST_RUN" ]; then stop_apphost; fi
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

require() {
  local missing=()
  for tool in redis-server redis-cli redis-benchmark nginx haproxy ab curl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  if ((${#missing[@]})); then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      log "installing redis-server, nginx, haproxy, apache2-utils, curl, wrk"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server nginx-light haproxy apache2-utils curl wrk >/dev/null \
        || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server nginx haproxy apache2-utils curl wrk >/dev/null
    else
      echo "missing: ${missing[*]} (Debian: apt-get install redis-server nginx haproxy apache2-utils curl wrk)" >&2; exit 2
    fi
  fi
  HAVE_WRK=$(command -v wrk >/dev/null && echo yes || echo no)
}

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    ss -ltn "( sport = :$port )" 2>/dev/null | grep -q ":$port" || { echo "$port"; return; }
  done
}

wait_http() { for _ in $(seq 1 300); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; echo "not ready: $1" >&2; exit 1; }

publish() {
  log "publishing Release builds into $OUT"
  dotnet publish SpikeApp.Api -c Release -o "$OUT/api" --nologo -v q >/dev/null
  dotnet publish SpikeApp.Gateway -c Release -o "$OUT/gateway" --nologo -v q >/dev/null
  dotnet publish SpikeApp.LoadGen -c Release -o "$OUT/loadgen" --nologo -v q >/dev/null
  dotnet publish bench/SpikeApp.Bench.Baseline -c Release -o "$OUT/baseline" --nologo -v q >/dev/null
}

start_redis() {
  REDIS_PORT=$(free_port)
  # As the AppHost's local mode runs it: AOF fsynced on every write (REDIS_FSYNC=everysec to see what that costs).
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$WORK" --save "" --appendonly yes --appendfsync "$REDIS_FSYNC" \
    --logfile "$WORK/redis.log" &
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
    ConnectionStrings__redis="127.0.0.1:$REDIS_PORT" Spike__Replicas=3 Spike__BufferRatio=0.2 \
    Spike__DefaultSale__Id=default Spike__DefaultSale__Total=$SEED_STOCK Spike__ReplicaId="$1" Spike__AdminKey="$ADMIN_KEY" \
    "${telemetry[@]}" dotnet "$OUT/api/SpikeApp.Api.dll" --urls "http://127.0.0.1:$2" >"$WORK/$1.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$2/health"
  echo $! >"$WORK/$1.pid"
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

start_gateway() { # the YARP gateway (SpikeApp.Gateway) over the 3 API processes, telemetry on as under the AppHost
  GATEWAY_PORT=$(free_port)
  local destinations=() i
  for i in 0 1 2; do destinations+=("ReverseProxy__Clusters__api__Destinations__bench-${i}__Address=http://127.0.0.1:${API_PORTS[$i]}"); done
  env ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning "${destinations[@]}" \
    OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$SINK_PORT" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf OTEL_SERVICE_NAME=gateway \
    dotnet "$OUT/gateway/SpikeApp.Gateway.dll" --contentRoot "$PWD/$OUT/gateway" --urls "http://127.0.0.1:$GATEWAY_PORT" >"$WORK/gateway.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$GATEWAY_PORT/health"
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

# The real AppHost, started as the README says (Release; gateway + 3 replicas + dashboard, local Redis), with a known
# admin key so the sale can be reset between runs. Returns 1 (rows skipped) when its fixed ports are taken.
start_apphost() {
  local port
  for port in 5080 15080 19080 20080; do
    if ss -ltn "( sport = :$port )" 2>/dev/null | grep -q ":$port"; then log "port $port is taken (another AppHost?): AppHost rows skipped"; return 1; fi
  done
  log "starting the AppHost: dotnet run --project SpikeApp.AppHost -c Release"
  setsid dotnet run --project SpikeApp.AppHost -c Release -- --Parameters:admin-key="$ADMIN_KEY" --Redis:Mode=local >"$WORK/apphost.log" 2>&1 &
  APPHOST_RUN=$!
  # The gateway waits for every replica to be healthy, so its health answering means all three are up.
  for _ in $(seq 1 1800); do curl -sf -o /dev/null "$PUBLIC/health" && return 0; sleep 0.2; done
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

reset_sale() { # total
  curl -sf -X PUT -H "X-Admin-Key: $ADMIN_KEY" -H 'content-type: application/json' -d "{\"total\":$1}" \
    "http://127.0.0.1:${API_PORTS[0]}/api/sales/default" >/dev/null
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

wrk_rps() { # url -> requests/s
  wrk -t2 -c"$CONCURRENCY" -d"${DURATION}s" --latency "$1" >"$WORK/wrk.txt"
  awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk.txt"
}

stats() { # values... -> "min median max"
  printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {printf "%.0f %.0f %.0f", v[1], v[int((NR+1)/2)], v[NR]}'
}

row() { printf '| %-44s | %-26s | %9s | %9s | %9s |\n' "$1" "$2" $3; }

require
publish
start_redis
SINK_PORT=$(free_port); start_baseline otlp-sink "$SINK_PORT"
BASE_PORT=$(free_port); start_baseline baseline "$BASE_PORT"
API_PORTS=("$(free_port)" "$(free_port)" "$(free_port)")
for i in 0 1 2; do start_api "bench-$i" "${API_PORTS[$i]}" on; done
QUIET_PORT=$(free_port); start_api bench-quiet "$QUIET_PORT" off
API_PID=$(cat "$WORK/bench-0.pid"); QUIET_PID=$(cat "$WORK/bench-quiet.pid")
start_nginx
start_haproxy
start_gateway
log "redis :$REDIS_PORT, api :${API_PORTS[*]} (+ telemetry off :$QUIET_PORT), nginx :$NGINX_PORT, haproxy :$HAPROXY_PORT, gateway :$GATEWAY_PORT, baseline :$BASE_PORT, otlp sink :$SINK_PORT"

# 0. Front-door candidates over the same 3 API processes: the seed's ab (stock 2,000, sold exactly 2,000 each run) and
#    wrk on the sold-out path, through nginx, HAProxy and the YARP gateway; bare Kestrel with ab for the ratio.
declare -A FRONT_PORT=([nginx]=$NGINX_PORT [haproxy]=$HAPROXY_PORT [yarp]=$GATEWAY_PORT)
declare -A FRONT_AB=() FRONT_WRK=() FRONT_SOLD=() FRONT_FAILURES=()
BASE_AB=()
# Warm-up: .NET compiles the hot path in tiers over the first seconds of load; the rows measure the steady state.
for port in "$BASE_PORT" "${FRONT_PORT[@]}"; do
  ab -q -n 5000 -c $CONCURRENCY "http://127.0.0.1:$port/buy/skill" >/dev/null 2>&1
  if [ "$HAVE_WRK" = yes ]; then wrk -t2 -c"$CONCURRENCY" -d5s "http://127.0.0.1:$port/buy/skill" >/dev/null; fi
done
for rep in $(seq 1 "$REPEAT"); do
  BASE_AB+=("$(ab_rps "http://127.0.0.1:$BASE_PORT/buy/skill")")
  for front in nginx haproxy yarp; do
    reset_sale $SEED_STOCK
    FRONT_AB[$front]+=" $(ab_rps "http://127.0.0.1:${FRONT_PORT[$front]}/buy/skill")"
    FRONT_SOLD[$front]+=" $(sold_in_redis)"
    FRONT_FAILURES[$front]="$(cat "$WORK/ab-failures.txt")"
    if [ "$HAVE_WRK" = yes ]; then FRONT_WRK[$front]+=" $(wrk_rps "http://127.0.0.1:${FRONT_PORT[$front]}/buy/skill")"; fi
  done
  log "front doors rep $rep: baseline ab ${BASE_AB[-1]}; ab nginx/haproxy/yarp ${FRONT_AB[nginx]##* }/${FRONT_AB[haproxy]##* }/${FRONT_AB[yarp]##* }; wrk ${FRONT_WRK[nginx]##* }/${FRONT_WRK[haproxy]##* }/${FRONT_WRK[yarp]##* }"
done

# 1. Seed scenario: 3 API processes behind nginx, stock 2,000, 20,000 requests at c=100 on /buy/skill.
SEED_LOADGEN=(); SEED_AB=(); SEED_SOLD=(); SEED_CALLS=(); SEED_EXIT=()
for rep in $(seq 1 "$REPEAT"); do
  reset_sale $SEED_STOCK; before=$(evalsha_calls)
  set +e
  dotnet "$OUT/loadgen/SpikeApp.LoadGen.dll" --url "http://127.0.0.1:$NGINX_PORT" --mode seed --requests $SEED_REQUESTS \
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

SOLD_OUT=(); SOLD_OUT_QUIET=(); REMOTE=(); REMOTE_QUIET=(); BASE=(); RSS_RUNS=()
if [ "$HAVE_WRK" = yes ]; then
  # 2. Sold-out path: the sale above is sold out; one API process answers from memory.
  curl -sf "http://127.0.0.1:$QUIET_PORT/api/sales/default" >/dev/null # the quiet replica learns the sale is sold out
  for rep in $(seq 1 "$REPEAT"); do
    SOLD_OUT+=("$(wrk_rps "http://127.0.0.1:${API_PORTS[0]}/buy/skill")")
    SOLD_OUT_QUIET+=("$(wrk_rps "http://127.0.0.1:$QUIET_PORT/buy/skill")")
    log "sold-out rep $rep: ${SOLD_OUT[-1]} req/s (telemetry off: ${SOLD_OUT_QUIET[-1]})"
  done
  # 4. Baseline: bare Kestrel, same body size, same client and concurrency.
  for rep in $(seq 1 "$REPEAT"); do BASE+=("$(wrk_rps "http://127.0.0.1:$BASE_PORT/buy/skill")"); log "baseline rep $rep: ${BASE[-1]} req/s"; done
  # 3. Remote path: stock that never runs out, so every request reaches Redis.
  reset_sale 100000000
  for rep in $(seq 1 "$REPEAT"); do
    REMOTE+=("$(wrk_rps "http://127.0.0.1:${API_PORTS[0]}/buy/skill")")
    REMOTE_QUIET+=("$(wrk_rps "http://127.0.0.1:$QUIET_PORT/buy/skill")")
    log "remote rep $rep: ${REMOTE[-1]} req/s (telemetry off: ${REMOTE_QUIET[-1]})"
  done
  # RSS under c=100: five back-to-back remote-path runs on one replica.
  for run in 1 2 3 4 5; do wrk_rps "http://127.0.0.1:${API_PORTS[0]}/buy/skill" >/dev/null; RSS_RUNS+=("$(rss_mb "$API_PID" VmRSS)"); done
  log "RSS after each of 5 runs (MB): ${RSS_RUNS[*]}"
else
  log "wrk not installed: sold-out, remote and baseline throughput skipped"
fi

# 6. The real AppHost as the README starts it: ab and wrk on the public URL (the gateway at :5080).
PUBLIC_AB=(); PUBLIC_WRK=(); PUBLIC_SOLD=(); PUBLIC_FAILURES=n/a; PUBLIC_REPLICAS=n/a
if start_apphost; then
  # Warm-up, as above: the first seconds after a start run code that is not yet fully compiled.
  ab -q -n $SEED_REQUESTS -c $CONCURRENCY "$PUBLIC/buy/skill" >/dev/null 2>&1
  if [ "$HAVE_WRK" = yes ]; then wrk -t2 -c"$CONCURRENCY" -d10s "$PUBLIC/buy/skill" >/dev/null; fi
  for rep in $(seq 1 "$REPEAT"); do
    curl -sf -X PUT -H "X-Admin-Key: $ADMIN_KEY" -H 'content-type: application/json' -d "{\"total\":$SEED_STOCK}" "$PUBLIC/api/sales/default" >/dev/null
    sleep 0.5 # the reset reaches the other replicas over pub/sub
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
timeout 5 redis-cli -p "$REDIS_PORT" monitor >"$WORK/monitor.txt" 2>/dev/null &
MONITOR=$!; sleep 0.3
curl -sf -X POST -H 'content-type: application/json' -d '{"userId":"sha-probe"}' "http://127.0.0.1:${API_PORTS[0]}/api/sales/default/purchases" >/dev/null
sleep 0.3; kill $MONITOR 2>/dev/null || true
# The probe's own EVALSHA: replicas also run their sync script every few seconds.
SHA=$(grep -i 'sha-probe' "$WORK/monitor.txt" | grep -io '"evalsha" "[0-9a-f]*"' | head -1 | grep -o '[0-9a-f]\{40\}')
EPOCH=$(redis-cli -p "$REDIS_PORT" hget 'spike:{default}:sale' epoch | tr -d '\r')
REDIS_RPS=()
for rep in $(seq 1 "$REPEAT"); do
  REDIS_RPS+=("$(redis-benchmark -p "$REDIS_PORT" -c $CONCURRENCY -n 100000 -r 100000000 -q \
    EVALSHA "$SHA" 6 'spike:{default}:sale' 'spike:{default}:buyers' 'spike:{default}:orders' 'spike:{default}:stream' \
    'spike:{default}:sold-by-replica' 'spike:{default}:deadlines' \
    'bench-user-__rand_int__' bench-redis "$EPOCH" 'bench-order-__rand_int__' 900000 '-' | tr '\r' '\n' | grep -o '[0-9.]* requests per second' | tail -1 | awk '{print $1}')")
  log "redis-benchmark rep $rep: ${REDIS_RPS[-1]} EVALSHA/s"
done

PEAK_RSS=$(rss_mb "$API_PID" VmHWM)
median() { stats "$@" | awk '{print $2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

echo
echo "SpikeApp benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
echo "API: Release, tracing and metrics on, exporting OTLP/HTTP to a local sink (as under the AppHost); 'telemetry off' = OTEL_SDK_DISABLED=true."
echo "Redis: redis-server $(redis-server --version | grep -o 'v=[0-9.]*' | cut -c3-), AOF appendfsync $REDIS_FSYNC. c=$CONCURRENCY, wrk runs of ${DURATION}s, $REPEAT repeats."
echo
printf '| %-44s | %-26s | %9s | %9s | %9s |\n' scenario client min median max
printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..46})" "$(printf -- '-%.0s' {1..28})" ----------- ----------- -----------
for front in nginx haproxy yarp; do
  row "0. seed via $front, 3 APIs, stock 2,000, req/s" "ab -n 20000 -c 100" "$(stats ${FRONT_AB[$front]})"
  row "0. same, units sold per run (must be 2,000)" "Redis sold" "$(stats ${FRONT_SOLD[$front]})"
  if [ "$HAVE_WRK" = yes ]; then row "0. sold-out path via $front, req/s" "wrk" "$(stats ${FRONT_WRK[$front]})"; fi
done
row "0. baseline: bare Kestrel, same body, req/s" "ab -n 20000 -c 100" "$(stats "${BASE_AB[@]}")"
if ((${#PUBLIC_AB[@]})); then
  row "6. AppHost public URL :5080 (seed), req/s" "ab -n 20000 -c 100" "$(stats "${PUBLIC_AB[@]}")"
  row "6. same, units sold per run (must be 2,000)" "GET /api/sales/default" "$(stats "${PUBLIC_SOLD[@]}")"
  if [ "$HAVE_WRK" = yes ]; then row "6. AppHost public URL, sold-out path, req/s" "wrk" "$(stats "${PUBLIC_WRK[@]}")"; fi
fi
row "1. seed: 3 APIs behind nginx, stock 2,000, req/s" "LoadGen seed, n=20,000" "$(stats "${SEED_LOADGEN[@]}")"
row "1. seed: same, req/s" "ab -n 20000 -c 100" "$(stats "${SEED_AB[@]}")"
row "1. seed: units sold per run (must be 2,000)" "LoadGen invariant check" "$(stats "${SEED_SOLD[@]}")"
row "1. seed: Redis EVALSHA calls per run" "INFO commandstats" "$(stats "${SEED_CALLS[@]}")"
if [ "$HAVE_WRK" = yes ]; then
  row "2. sold-out path, 1 API, req/s" "wrk" "$(stats "${SOLD_OUT[@]}")"
  row "2. sold-out path, telemetry off, req/s" "wrk" "$(stats "${SOLD_OUT_QUIET[@]}")"
  row "3. remote path (every request EVALSHA), req/s" "wrk" "$(stats "${REMOTE[@]}")"
  row "3. remote path, telemetry off, req/s" "wrk" "$(stats "${REMOTE_QUIET[@]}")"
  row "4. baseline: bare Kestrel, same body, req/s" "wrk" "$(stats "${BASE[@]}")"
fi
row "5. Redis alone: EVALSHA of the script, /s" "redis-benchmark -c 100" "$(stats "${REDIS_RPS[@]}")"
echo
echo "LoadGen exit codes (0 = every invariant held): ${SEED_EXIT[*]}; ab's last run: ${AB_UNANSWERED:-n/a}"
for front in nginx haproxy yarp; do echo "ab via $front, last run: ${FRONT_FAILURES[$front]}"; done
echo "ab on the AppHost's public URL, last run: $PUBLIC_FAILURES; sold by replica: $PUBLIC_REPLICAS"
for front in nginx haproxy yarp; do
  echo "ab via $front / ab baseline:     $(ratio "$(median ${FRONT_AB[$front]})" "$(median "${BASE_AB[@]}")")"
  if [ "$HAVE_WRK" = yes ]; then echo "wrk via $front / wrk baseline:   $(ratio "$(median ${FRONT_WRK[$front]})" "$(median "${BASE[@]}")")"; fi
done
if ((${#PUBLIC_AB[@]})); then
  echo "public URL ab / baseline ab:     $(ratio "$(median "${PUBLIC_AB[@]}")" "$(median "${BASE_AB[@]}")")   (target >= 0.8)"
  if [ "$HAVE_WRK" = yes ]; then echo "public URL wrk / baseline wrk:   $(ratio "$(median "${PUBLIC_WRK[@]}")" "$(median "${BASE[@]}")")   (target >= 0.6)"; fi
fi
if [ "$HAVE_WRK" = yes ]; then
  echo "sold-out path / baseline:        $(ratio "$(median "${SOLD_OUT[@]}")" "$(median "${BASE[@]}")")   (target >= 0.8)"
  echo "sold-out telemetry on / off:     $(ratio "$(median "${SOLD_OUT[@]}")" "$(median "${SOLD_OUT_QUIET[@]}")")   (target >= 0.9)"
  echo "remote path / baseline:          $(ratio "$(median "${REMOTE[@]}")" "$(median "${BASE[@]}")")   (target >= 0.3)"
  echo "API RSS after 5 runs (MB):       ${RSS_RUNS[*]}   (target <= 150, no growth)"
fi
echo "Redis EVALSHA calls per sale:    $(ratio "$(median "${SEED_CALLS[@]}")" $SEED_STOCK)   (target <= 1.2 = 1 + buffer)"
echo "API peak RSS (MB, VmHWM):        $PEAK_RSS"
