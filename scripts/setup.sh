#!/usr/bin/env bash
# Installs what `make build`, `make run` and `make test` need on a Debian machine, and skips
# whatever is already there. Safe to run again. Versions are pinned where the build depends on
# them (wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock, or wasm-pack downloads one).
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/,""); print; exit}' Cargo.lock 2>/dev/null || true)
WASM_BINDGEN_VERSION=${WASM_BINDGEN_VERSION:-0.2.130}
WASM_PACK_VERSION=0.15.1

say() { printf '[setup] %s\n' "$*"; }
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

# --- Debian packages ---------------------------------------------------------------------------
need_apt=()
command -v chromium     >/dev/null || need_apt+=(chromium)
command -v chromedriver >/dev/null || need_apt+=(chromium-driver)
command -v firefox-esr  >/dev/null || need_apt+=(firefox-esr)
command -v exiftool     >/dev/null || need_apt+=(libimage-exiftool-perl)
command -v xvfb-run     >/dev/null || need_apt+=(xvfb)
command -v zip          >/dev/null || need_apt+=(zip)
command -v python3      >/dev/null || need_apt+=(python3)
# The helpline intake's tests run on PostgreSQL too (a cluster of their own, not a service).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ]; then
  say "apt-get install ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# --- Rust toolchain pieces ---------------------------------------------------------------------
if ! command -v cargo >/dev/null; then
  say "Rust is missing: install it with rustup (https://rustup.rs) and run again"; exit 1
fi
export PATH="$HOME/.cargo/bin:$PATH"
for component in clippy rustfmt; do
  rustup component list --installed 2>/dev/null | grep -q "^$component" || rustup component add "$component"
done
rustup target list --installed | grep -q '^wasm32-unknown-unknown$' || { say "rustup target add wasm32-unknown-unknown"; rustup target add wasm32-unknown-unknown; }

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
  # --locked first (reproducible); its lock file names a webpki-roots release that the registry no
  # longer serves, so fall back to resolving afresh within the same wasm-bindgen-cli version.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked --force \
    || cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi
if [ "$(wasm-pack --version 2>/dev/null | awk '{print $2}')" != "$WASM_PACK_VERSION" ]; then
  say "cargo install wasm-pack $WASM_PACK_VERSION (a few minutes, once)"
  cargo install wasm-pack --version "$WASM_PACK_VERSION" --locked --force \
    || cargo install wasm-pack --version "$WASM_PACK_VERSION" --force
fi

# --- npm packages (test drivers, linters); lockfile makes it reproducible ------------------------
if [ -f package.json ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
  fi
fi
say "ready"
