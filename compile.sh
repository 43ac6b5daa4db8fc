#!/usr/bin/env bash
# Builds dist/drover: one self-contained binary with every worker included.
# Each worker file must be listed here as an extra entry point (Bun resolves
# `new Worker(new URL("./x_worker.ts", import.meta.url))` against them).
set -euo pipefail
cd "$(dirname "$0")"
[ -x node_modules/.bin/bun ] || npm ci --no-audit --no-fund
mkdir -p dist
./node_modules/.bin/bun build --compile --minify --sourcemap \
  main.ts \
  workers/parse_worker.ts \
  workers/send_worker.ts \
  --outfile dist/drover
echo "built dist/drover"
