#!/bin/sh
# Starts Debian's Firefox ESR in a private mount namespace where its distribution folder holds the
# test's policies.json ($SENTINELLE_POLICY_FILE). The machine's real folder is never touched: the
# tmpfs exists only inside this namespace and goes away with the browser.
set -eu
: "${SENTINELLE_POLICY_FILE:?set SENTINELLE_POLICY_FILE}"
exec unshare --mount --propagation private /bin/sh -c '
  set -eu
  dist=/usr/share/firefox-esr/distribution
  keep=$(mktemp -d)
  cp -a "$dist"/. "$keep"/ 2>/dev/null || true
  mount -t tmpfs tmpfs "$dist"
  cp -a "$keep"/. "$dist"/
  cp "$SENTINELLE_POLICY_FILE" "$dist"/policies.json
  exec /usr/bin/firefox-esr "$@"
' sh "$@"
