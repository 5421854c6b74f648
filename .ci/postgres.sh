# Installs Debian's PostgreSQL if needed and starts a throw-away server on 127.0.0.1.
# Sourced by .ci/run; sets POSTGRES_URL and stops the server when the shell exits.

start_postgres() {
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    local bin port=54329
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    PGDATA_DIR=$(mktemp -d /tmp/portfolio-pg.XXXXXX)
    local as_owner=()
    if [ "$(id -u)" = 0 ]; then
        chown postgres: "$PGDATA_DIR"
        as_owner=(runuser -u postgres --)
    fi
    "${as_owner[@]}" "$bin/initdb" -D "$PGDATA_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    "${as_owner[@]}" "$bin/pg_ctl" -D "$PGDATA_DIR/data" -l "$PGDATA_DIR/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $PGDATA_DIR" start >/dev/null
    PG_STOP=("${as_owner[@]}" "$bin/pg_ctl" -D "$PGDATA_DIR/data" -m fast stop)
    trap 'stop_postgres' EXIT
    "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -q -c "CREATE DATABASE portfolio_test"
    POSTGRES_URL="postgresql://postgres@127.0.0.1:$port/portfolio_test"
    echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

stop_postgres() {
    "${PG_STOP[@]}" >/dev/null 2>&1 || true
    rm -rf "$PGDATA_DIR"
}
