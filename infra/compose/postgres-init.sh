#!/usr/bin/env bash
# Compose mode (docs/deploying.md): each service's login role and the database it owns, from
# ORDO_DATABASES (`name:password` entries), as local mode's supervisor makes them
# (infra/cli/src/databases.ts): nobody else may connect to the database or use its public
# schema. The postgres image runs this once, when its data volume is new.
set -euo pipefail
: "${ORDO_DATABASES:?ORDO_DATABASES is not set: name:password entries, comma-separated}"
PSQL=(psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --username "${POSTGRES_USER:-postgres}")

IFS=',' read -ra entries <<< "$ORDO_DATABASES"
for entry in "${entries[@]}"; do
  name="${entry%%:*}"
  password="${entry#*:}"
  # psql quotes the values (:"identifier", :'literal'): no password or name is pasted into SQL.
  "${PSQL[@]}" --dbname postgres -v name="$name" -v password="$password" <<'SQL'
create role :"name" login password :'password';
create database :"name" owner :"name";
revoke connect on database :"name" from public;
SQL
  "${PSQL[@]}" --dbname "$name" -c 'revoke all on schema public from public'
  echo "ordo: role and database $name"
done
