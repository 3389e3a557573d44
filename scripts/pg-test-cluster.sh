#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for phigate's PostgreSQL vault tests and benchmarks.
#
#   scripts/pg-test-cluster.sh [start]      create and start one; prints PHIGATE_TEST_PG_URL=…
#   scripts/pg-test-cluster.sh stop DIR     stop the cluster in DIR and remove DIR
#
# Uses Debian's PostgreSQL (installed with apt-get if missing), runs it as a non-root user
# (`postgres` when started as root: initdb refuses root), on 127.0.0.1 and a free port, in a
# temporary directory, with TLS on (a throwaway CA and a certificate for localhost/127.0.0.1,
# made with the openssl tool). Creates the role `phigate` (password auth, CREATEDB so tests can
# make one database each) and the database `phigate`.
#
# The URL is also written to $PHIGATE_PG_ENV_FILE (default: target/pg-test-cluster.env) as
# `export PHIGATE_TEST_PG_URL=…`, so `source target/pg-test-cluster.env && cargo test` works.
# Environment: PHIGATE_PG_DIR (cluster directory), PHIGATE_PG_PORT (port).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-start}" == stop ]]; then
  dir=${2:?usage: $0 stop DIR}
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  if [[ $(id -u) == 0 ]]; then
    runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m fast stop || true
  else
    "$bin/pg_ctl" -D "$dir/data" -m fast stop || true
  fi
  rm -rf "$dir"
  exit 0
fi

if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  if [[ $(id -u) != 0 ]]; then
    echo "PostgreSQL is not installed: run 'sudo apt-get install -y postgresql'" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q postgresql openssl >/dev/null
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

# Who runs the server: initdb refuses root.
if [[ $(id -u) == 0 ]]; then
  as() { runuser -u postgres -- "$@"; }
  owner=postgres
else
  as() { "$@"; }
  owner=$(id -un)
fi

dir=${PHIGATE_PG_DIR:-$(mktemp -d /tmp/phigate-pg.XXXXXX)}
mkdir -p "$dir"
chmod 755 "$dir"

port=${PHIGATE_PG_PORT:-}
if [[ -z $port ]]; then
  for p in $(seq 55432 55532); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      port=$p
      break
    fi
  done
fi
[[ -n $port ]] || { echo "no free port in 55432-55532" >&2; exit 1; }

# TLS: a throwaway CA (the tests trust it: sslmode=verify-full&sslrootcert=ca.crt) and a
# server certificate for localhost and 127.0.0.1 (webpki refuses a CA certificate as a
# server's own, so a bare self-signed one will not do).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
  -subj "/CN=phigate test CA" -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -subj "/CN=localhost" -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$dir/server.ext"
openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
  -days 30 -extfile "$dir/server.ext" -out "$dir/server.crt" 2>/dev/null
rm -f "$dir/ca.key" "$dir/server.csr" "$dir/server.ext" "$dir/ca.srl"
chmod 600 "$dir/server.key"
chmod 644 "$dir/server.crt" "$dir/ca.crt"
chown "$owner" "$dir" "$dir/server.key" "$dir/server.crt"

password=$(openssl rand -hex 16)
printf '%s\n' "$password" >"$dir/password"
chmod 644 "$dir/password"

as "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
  -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 300
ssl = on
ssl_cert_file = '$dir/server.crt'
ssl_key_file = '$dir/server.key'
EOF
cat >"$dir/data/pg_hba.conf" <<EOF
local all all trust
hostssl all all 127.0.0.1/32 scram-sha-256
host all all 127.0.0.1/32 scram-sha-256
EOF
as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
  || { cat "$dir/server.log" >&2; exit 1; }

psql=("$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres)
as "${psql[@]}" -d postgres -c "CREATE ROLE phigate LOGIN CREATEDB PASSWORD '$password'"
as "${psql[@]}" -d postgres -c "CREATE DATABASE phigate OWNER phigate"

url="postgres://phigate:$password@127.0.0.1:$port/phigate?sslmode=verify-full&sslrootcert=$dir/ca.crt"
env_file=${PHIGATE_PG_ENV_FILE:-target/pg-test-cluster.env}
mkdir -p "$(dirname "$env_file")"
{
  echo "export PHIGATE_TEST_PG_URL='$url'"
  echo "export PHIGATE_TEST_PG_DIR='$dir'"
} >"$env_file"
echo "PHIGATE_TEST_PG_URL=$url"
echo "# cluster in $dir (log: $dir/server.log); stop it with: $0 stop $dir" >&2
echo "# written to $env_file" >&2
