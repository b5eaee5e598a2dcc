#!/bin/sh
# Minimal take on the official postgres image's entrypoint: initialise PGDATA on
# first start (user, password, database from POSTGRES_*), then run postgres in the
# foreground as PID 1 so `docker stop` shuts it down cleanly.
set -eu
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
: "${PGDATA:=/var/lib/postgresql/data}"
user="${POSTGRES_USER:-korrigo}"
db="${POSTGRES_DB:-korrigo}"
password="${POSTGRES_PASSWORD:-korrigo}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=$(mktemp)
  printf '%s\n' "$password" > "$pwfile"
  "$bindir/initdb" -D "$PGDATA" -U "$user" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  # Create the application database with a private server on the unix socket only.
  "$bindir/pg_ctl" -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
  if [ "$db" != "postgres" ]; then
    "$bindir/createdb" -U "$user" "$db"
  fi
  "$bindir/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
  echo "db-entrypoint: initialised $PGDATA (user $user, database $db)"
fi
exec "$bindir/postgres" -D "$PGDATA" -c listen_addresses='*' "$@"
