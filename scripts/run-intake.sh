#!/usr/bin/env bash
# `make run-intake`: the helpline intake on a demo database made anew each time
# (target/intake-demo.db), with a demo admin (password printed) and an API token, on
# http://127.0.0.1:8720 until Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release/sentinelle-intake
db=target/intake-demo.db
rm -f "$db" "$db-wal" "$db-shm"
url="sqlite://$db"
echo "Demo intake database: $db (made anew by every make run-intake)"
"$bin" user add admin --role admin --generate-password --database "$url"
token=$("$bin" token add demo --role admin --database "$url")
cat <<TEXT
Case workers' pages: http://127.0.0.1:8720/ (sign in as admin with the password above)
API token (admin): $token
Try:
  curl -s -X POST http://127.0.0.1:8720/v1/reports -H 'content-type: application/json' \\
    -d '{"format":"sentinelle-report-1","helpline":"demo","situation":"own-image","minor":false,"country":"FR","language":"fr","page":{"url":"https://host.example/a","title":"A"},"captured_at":"2026-12-01T10:00:00Z","images":[],"evidence":null,"software":{"name":"curl","version":"1"}}'
  curl -s http://127.0.0.1:8720/v1/cases -H "authorization: Bearer $token"
TEXT
exec "$bin" serve --listen 127.0.0.1:8720 --database "$url"
