# Sourced by .ci/run (and by developers: `source .ci/services.sh`): installs the
# system packages the tests use when missing (Debian's chromium for the headless
# browser tests, PostgreSQL for the hotline/store tests), starts a throwaway
# PostgreSQL server and exports ORBWATCH_TEST_POSTGRES_URL / ORBWATCH_TEST_CHROMIUM.
# --- system packages (root on CI; skipped when already present) -------------
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=(postgresql)
if [ "${#need[@]}" -gt 0 ]; then
    echo "CI: installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# --- a throwaway PostgreSQL server on a unix socket + localhost -------------
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGROOT=$(mktemp -d /tmp/orbwatch-pg.XXXXXX)
chown postgres "$PGROOT" 2>/dev/null || true
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
as_pg "$PGBIN/initdb" -D "$PGROOT/data" -A trust -U orbwatch >/dev/null
PGPORT=55432
as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -o "-p $PGPORT -k $PGROOT -c listen_addresses=127.0.0.1" -l "$PGROOT/log" -w start >/dev/null
ORBWATCH_PG_STOP="as_pg $PGBIN/pg_ctl -D $PGROOT/data -m immediate stop"
trap 'as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -m immediate stop >/dev/null 2>&1 || true' EXIT
as_pg "$PGBIN/createdb" -h 127.0.0.1 -p $PGPORT -U orbwatch orbwatch_test
export ORBWATCH_TEST_POSTGRES_URL="postgresql+psycopg://orbwatch@127.0.0.1:$PGPORT/orbwatch_test"
export ORBWATCH_TEST_CHROMIUM=/usr/bin/chromium

