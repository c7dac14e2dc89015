#!/bin/sh
# Starts Debian's Chromium in a private mount namespace where /etc/chromium holds, besides its own
# files, only the test's managed policy ($SENTINELLE_POLICY_FILE). The machine's real policy folder
# is never touched: the tmpfs exists only inside this namespace and goes away with the browser.
# Needs root (or user namespaces); the test skips itself when `unshare` is refused.
set -eu
: "${SENTINELLE_POLICY_FILE:?set SENTINELLE_POLICY_FILE}"
exec unshare --mount --propagation private /bin/sh -c '
  set -eu
  keep=$(mktemp -d)
  cp -a /etc/chromium/. "$keep"/ 2>/dev/null || true
  mount -t tmpfs tmpfs /etc/chromium
  cp -a "$keep"/. /etc/chromium/
  mkdir -p /etc/chromium/policies/managed
  cp "$SENTINELLE_POLICY_FILE" /etc/chromium/policies/managed/sentinelle-test.json
  exec /usr/bin/chromium "$@"
' sh "$@"
