#!/bin/sh
# Check, and where possible install, what building and testing sqlite-tpe
# needs on Debian: a C compiler, make, SQLite's headers and shell, cmocka,
# and Debian's python3 (whose sqlite3 module can load extensions).
#
#   tools/deps.sh build   what `make` needs
#   tools/deps.sh test    what `make test` and `make demo` need
set -eu

want=${1:-test}
pkgs=""
need() {   # need PACKAGE TEST-COMMAND...
  pkg=$1; shift
  if ! "$@" >/dev/null 2>&1; then pkgs="$pkgs $pkg"; fi
}

need gcc command -v cc
need make command -v make
need libsqlite3-dev test -f /usr/include/sqlite3.h
if [ "$want" = test ]; then
  need sqlite3 command -v sqlite3
  need libcmocka-dev test -f /usr/include/cmocka.h
  need python3 test -x /usr/bin/python3
fi

[ -z "$pkgs" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing:$pkgs" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # shellcheck disable=SC2086
  apt-get install -y -qq $pkgs >&2
else
  echo "missing packages:$pkgs" >&2
  echo "run: sudo apt-get install -y$pkgs" >&2
  exit 1
fi
