#!/usr/bin/env bash
# `npm test`: format check, lint, typecheck, then every unit/integration test with node:test + tsx.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== prettier"; npx prettier --check . --log-level warn
echo "== eslint"; npx eslint . --max-warnings 0
echo "== tsc"; npx tsc -p .
echo "== node:test"
shopt -s nullglob globstar
files=(protocol/test/**/*.test.ts captures/test/**/*.test.ts captures/fixtures/make/*.test.ts bench/**/test/*.test.ts harness/test/**/*.test.ts mvs-reference/test/**/*.test.ts test/**/*.test.ts)
node --import tsx --test --test-concurrency=2 --test-reporter=spec --test-reporter-destination=stdout "${files[@]}"
echo "== playwright (HTML report in Debian Chromium)"
if [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  npx playwright test
else
  echo "skipped: no Chromium at ${CHROMIUM_PATH:-/usr/bin/chromium} (apt-get install chromium, as root)"
fi
