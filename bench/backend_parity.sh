#!/usr/bin/env bash
# Backend parity: import every public dataset folder into the embedded store and into
# PostgreSQL, import it again, and compare the accepted/rejected counts and `data stats`.
#
# Usage: bash bench/backend_parity.sh [postgresql://postgres@127.0.0.1:5432/test]
# Uses a throw-away schema `llm4retail_parity` and a temporary data directory.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cli=${LLM4RETAIL_CLI:-$here/.venv/bin/llm4retail}
datasets=${DATASETS:-$here/../shared/datasets}
server=${1:-postgresql://postgres@127.0.0.1:5432/test}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
schema=llm4retail_parity
psql "$server" -qc "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" 2>/dev/null
pg="$server?options=-csearch_path%3D$schema"
tables() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps(d.get("tables", d), sort_keys=True))'; }
status=0
for folder in "$datasets"/*/; do
  name=$(basename "$folder")
  embedded=$("$cli" --data-dir "$work/$name" data import "$folder" --json | tables)
  server_side=$("$cli" --data-dir "$work/pg" --database-url "$pg" data import "$folder" --json | tables)
  again=$("$cli" --data-dir "$work/$name" data import "$folder" --json | tables)
  verdict="same on postgresql and on re-import"
  if [ "$embedded" != "$server_side" ] || [ "$embedded" != "$again" ]; then verdict="DIFFERENT: $server_side / $again"; status=1; fi
  echo "$name $embedded: $verdict"
  "$cli" --data-dir "$work/all" data import "$folder" --json > /dev/null
done
a=$("$cli" --data-dir "$work/all" data stats --json | tables)
b=$("$cli" --database-url "$pg" data stats --json | tables)
echo "data stats embedded:   $a"
echo "data stats postgresql: $b"
[ "$a" = "$b" ] || status=1
psql "$server" -qc "DROP SCHEMA $schema CASCADE" 2>/dev/null
exit $status
