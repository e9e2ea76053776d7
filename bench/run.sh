#!/usr/bin/env bash
# The benchmark in one command: ohisama against Hugo + Pagefind on the same
# generated corpus (10,000 pages by default). See examples/bench.rs.
#
#   bash bench/run.sh            # full run (~10 minutes on 2 cores)
#   bash bench/run.sh --quick    # 1,000 pages, one run, no scaling series
#
# Installs what is missing: Hugo (Debian package `hugo`, needs root or sudo),
# Pagefind (npm package `pagefind`, into bench/node_modules), Chromium (Debian
# package `chromium`, for the search bytes). Results: target/bench/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
apt_install() {
  if ! command -v apt-get >/dev/null; then
    echo "bench: $1 is missing and there is no apt-get: install it yourself ($2)" >&2
    exit 2
  fi
  $SUDO apt-get update -qq || true
  $SUDO apt-get install -y -qq "$1" >/dev/null
}

if [ -z "${HUGO:-}" ] && ! command -v hugo >/dev/null; then
  echo "bench: installing Hugo (apt-get install hugo)" >&2
  apt_install hugo "https://gohugo.io/installation/"
fi
if [ -z "${PAGEFIND:-}" ] && [ ! -x bench/node_modules/@pagefind/linux-x64/bin/pagefind_extended ]; then
  if ! command -v npm >/dev/null; then
    echo "bench: npm is missing: install Node.js and npm, then run: npm install --prefix bench" >&2
    exit 2
  fi
  echo "bench: installing Pagefind (npm install --prefix bench)" >&2
  npm install --prefix bench --no-audit --no-fund --loglevel=error
fi
if [ -z "${OHISAMA_CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then
  echo "bench: installing Chromium (apt-get install chromium) to measure search bytes" >&2
  apt_install chromium "or run the benchmark with --no-browser"
fi

cargo build --release --bin ohisama --example bench
exec target/release/examples/bench "$@"
