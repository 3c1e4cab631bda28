#!/bin/sh
# Run each tests/sql/NAME.sql in the sqlite3 shell with sqlite-tpe loaded
# and compare everything it prints, errors included, with NAME.expected.
# Usage: tests/run_sql.sh [SQLITE3-COMMAND]   (from the project root)
# Set TPE_UPDATE=1 to rewrite the expected files from the current output.
set -u
shell=${1:-sqlite3}
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for sql in tests/sql/*.sql; do
  name=$(basename "$sql" .sql)
  want=tests/sql/$name.expected
  got=$tmp/$name.out
  (cd "$tmp" && $shell -cmd ".load $OLDPWD/tpe" :memory: \
      < "$OLDPWD/$sql" > "$got" 2>&1)
  if [ "${TPE_UPDATE:-0}" = 1 ]; then
    cp "$got" "$want"
  fi
  if diff -u "$want" "$got" > "$tmp/$name.diff" 2>&1; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $sql"
    cat "$tmp/$name.diff"
  fi
done
echo "sql: $pass passed, $fail failed"
[ "$fail" = 0 ]
