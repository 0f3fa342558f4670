#!/usr/bin/env bash
# Installs what the koji hub emulator (test/koji-hub) needs on a fresh machine, idempotently:
#   - Debian's PostgreSQL server (initdb/postgres are run by hub.ts as the postgres OS user);
#   - a Python venv outside the repo with the pinned koji library/CLI from PyPI and psycopg.
# Prints what it did; exits non-zero with a message when something cannot be installed.
# The venv path is printed on the last line (hub.ts finds it the same way: KOJI_HUB_VENV or
# ${XDG_CACHE_HOME:-$HOME/.cache}/koji-hub-venv).
set -euo pipefail

KOJI_VERSION=1.36.1
# koji's own requirements, pinned, minus requests-gssapi: it pulls in gssapi, which builds from
# source against krb5 headers, and koji imports it only for Kerberos logins (optional there).
KOJI_DEPS=(defusedxml==0.7.1 python-dateutil==2.9.0.post0 requests==2.32.5 six==1.17.0)
PSYCOPG_VERSION=3.3.9
VENV="${KOJI_HUB_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/koji-hub-venv}"
say() { printf '[koji-hub setup] %s\n' "$*" >&2; }
fail() { printf '[koji-hub setup] FATAL: %s\n' "$*" >&2; exit 1; }

pg_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/postgres" ]; then echo "$d"; return 0; fi
  done
  return 1
}

apt_packages=()
pg_bindir >/dev/null || apt_packages+=(postgresql)
command -v openssl >/dev/null || apt_packages+=(openssl)
command -v runuser >/dev/null || apt_packages+=(util-linux)
command -v python3 >/dev/null || apt_packages+=(python3)
if command -v python3 >/dev/null && ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  apt_packages+=(python3-venv)
fi
if [ ${#apt_packages[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || fail "need Debian packages ${apt_packages[*]} but not running as root; install them with apt-get"
  say "installing Debian packages: ${apt_packages[*]}"
  apt-get update -qq || fail "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}" >/dev/null \
    || fail "apt-get install ${apt_packages[*]} failed"
  # The Debian package starts a cluster of its own on port 5432; the emulator does not use it.
else
  say "Debian packages present (postgresql, openssl, runuser, python3)"
fi
bindir=$(pg_bindir) || fail "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin after install"
say "PostgreSQL: $("$bindir/postgres" --version)"
id postgres >/dev/null 2>&1 || fail "the postgres OS user does not exist (the postgresql package creates it)"

want="koji==${KOJI_VERSION} ${KOJI_DEPS[*]} psycopg==${PSYCOPG_VERSION}"
if [ -x "$VENV/bin/python" ] && [ -f "$VENV/.installed" ] && [ "$(cat "$VENV/.installed")" = "$want" ] \
  && "$VENV/bin/python" -c 'import koji, koji.xmlrpcplus, psycopg' 2>/dev/null; then
  say "venv $VENV already has $want"
else
  say "creating venv $VENV with $want"
  python3 -m venv "$VENV" || fail "python3 -m venv $VENV failed (is python3-venv installed?)"
  pip=("$VENV/bin/python" -m pip install --quiet --disable-pip-version-check)
  "${pip[@]}" "${KOJI_DEPS[@]}" "psycopg[binary]==${PSYCOPG_VERSION}" \
    || fail "pip could not install ${KOJI_DEPS[*]} psycopg[binary]==${PSYCOPG_VERSION} from PyPI"
  "${pip[@]}" --no-deps "koji==${KOJI_VERSION}" || fail "pip could not install koji==${KOJI_VERSION} from PyPI"
  "$VENV/bin/python" -c 'import koji, koji.xmlrpcplus, psycopg' || fail "the venv cannot import koji/psycopg"
  [ -x "$VENV/bin/koji" ] || fail "the koji CLI is missing from $VENV/bin"
  echo "$want" >"$VENV/.installed"
fi
say "koji CLI: $VENV/bin/koji ($("$VENV/bin/python" -c "import importlib.metadata as m; print(m.version(\"koji\"))"))"
echo "$VENV"
