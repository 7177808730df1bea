# Sourced by bin/test: a throwaway PostgreSQL server on loopback for the test suite.
# pg_start sets PG_URL (or returns 1 with a reason in PG_WHY); pg_stop stops and removes it.

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$dir" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing PostgreSQL (Debian package) ..." >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2 \
      || true
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  fi
  echo "$dir"
}

pg_start() {
  local bin port
  bin=$(pg_bin)
  if [ -z "$bin" ]; then
    PG_WHY="PostgreSQL is not installed and could not be installed (needs root and apt-get)"
    return 1
  fi
  PG_DIR=$(mktemp -d /tmp/warmup-coach-pg.XXXXXX)
  port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  local run=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$PG_DIR"
    run=(runuser -u postgres --)
  fi
  if ! "${run[@]}" "$bin/initdb" -D "$PG_DIR/data" -A trust -U postgres >"$PG_DIR/initdb.log" 2>&1; then
    PG_WHY="initdb failed: $(tail -n 3 "$PG_DIR/initdb.log")"
    return 1
  fi
  if ! "${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -w -t 60 -l "$PG_DIR/log" \
      -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
      start >/dev/null 2>&1; then
    PG_WHY="pg_ctl start failed: $(tail -n 3 "$PG_DIR/log")"
    return 1
  fi
  PG_BIN=$bin
  PG_RUN=("${run[@]}")
  PG_URL="postgresql+asyncpg://postgres@127.0.0.1:$port/postgres"
}

pg_stop() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
  fi
  [ -n "${PG_DIR:-}" ] && rm -rf "$PG_DIR"
  PG_DIR=
}
