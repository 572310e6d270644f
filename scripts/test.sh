#!/usr/bin/env bash
# Runs every test suite: the .NET suites (engine fixtures, runtime verification, protocol, server,
# workspace, CLI) and the client's node tests. Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p artifacts
log=artifacts/test-output.txt
: > "$log"

[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error >>"$log" 2>&1

passed=0; failed=0

# .NET: one summary line per test assembly ("Passed!  - Failed: 0, Passed: 9, ...").
projects=$(dotnet sln server.sln list | grep -E 'test/.*\.Tests\.csproj$' | wc -l)
# -m:1: assemblies run one at a time, so the runtime-verification tier measures an idle machine.
dotnet test server.sln --nologo -m:1 2>&1 | tee -a "$log" | grep -E '^(Passed|Failed)!|error|runtime agreement' || true
# A failed test is named, with the first lines of its message, so a red CI log says which one.
grep -E -A8 '^ +Failed [A-Za-z_][A-Za-z0-9_.]+' "$log" | head -60 || true
summaries=$(grep -E '^(Passed|Failed)! +- ' "$log" || true)
while read -r line; do
  [ -z "$line" ] && continue
  p=$(sed -E 's/.*Passed: +([0-9]+).*/\1/' <<<"$line")
  f=$(sed -E 's/.*Failed: +([0-9]+),.*/\1/' <<<"$line")
  passed=$((passed + p)); failed=$((failed + f))
done <<<"$summaries"
seen=$(grep -cE '^(Passed|Failed)! +- ' "$log" || true)
if [ "$seen" -lt "$projects" ]; then
  echo "only $seen of $projects .NET test assemblies reported a summary (build failure or crash): counting each missing one as a failure"
  failed=$((failed + projects - seen))
fi
[ -f artifacts/runtime-agreement.txt ] && grep "^runtime agreement" artifacts/runtime-agreement.txt

# Verified budgets on the bundled sample, as a user's CI would run them: the hot methods of
# samples/OrderPipeline/.allocationlens.json, judged by the JIT's verdicts where it has them
# (`analyze --verify --fail-on budget`, exit 3 on a violation), with the SARIF a code-scanning upload takes.
cli=server/AllocationLens.Cli/bin/Debug/net10.0/allocation-lens.dll
if [ -f "$cli" ] && dotnet "$cli" analyze samples/ --verify --fail-on budget --format sarif >artifacts/sample-budgets.sarif 2>>"$log" \
   && grep -q '"AL-BUDGET"' artifacts/sample-budgets.sarif && ! grep -q '"ruleId": "AL-BUDGET"' artifacts/sample-budgets.sarif; then
  echo "verified budgets on samples/: within budget (artifacts/sample-budgets.sarif)"; passed=$((passed + 1))
else
  echo "verified budgets on samples/: FAILED (exit code or SARIF: see artifacts/sample-budgets.sarif and $log)"; failed=$((failed + 1))
fi

# Client: pure modules under node --test.
client_out=$(npm run --silent test:client 2>&1)
echo "$client_out" >>"$log"
cp=$(sed -nE 's/^# pass ([0-9]+)$/\1/p' <<<"$client_out" | tail -1)
cf=$(sed -nE 's/^# fail ([0-9]+)$/\1/p' <<<"$client_out" | tail -1)
if [ -z "$cp" ]; then echo "client tests did not run:"; tail -20 <<<"$client_out"; failed=$((failed + 1)); else passed=$((passed + cp)); failed=$((failed + ${cf:-0})); fi
echo "client: ${cp:-0} passed, ${cf:-?} failed"

# The extension in a real VS Code (code-server + headless Chromium). Installs are cached outside the
# checkout by setup.sh; the suite packages the .vsix and prints its own "N passed, N failed".
if [ "${ALLOCATION_LENS_SKIP_E2E:-}" = "1" ]; then
  echo "e2e: skipped (ALLOCATION_LENS_SKIP_E2E=1)"
else
  if cache=$(bash test/client/e2e/setup.sh 2>>"$log" | tail -n 1) && [ -d "$cache" ]; then
    rm -f allocation-lens.vsix
    # This machine's package only: every platform's (npm run test:packages) takes several minutes more.
    if ALLOCATION_LENS_PLATFORMS=host npm run --silent package >>"$log" 2>&1; then
      e2e_out=$(node test/client/e2e/run.mjs "$cache" 2>&1)
      echo "$e2e_out" >>"$log"
      grep -E '^(ok|FAILED) ' <<<"$e2e_out" || true
      line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' <<<"$e2e_out" | tail -1)
      if [ -n "$line" ]; then
        passed=$((passed + $(cut -d' ' -f1 <<<"$line"))); failed=$((failed + $(cut -d' ' -f3 <<<"$line")))
        echo "e2e: $line"
      else
        echo "e2e: the suite did not report"; tail -20 <<<"$e2e_out"; failed=$((failed + 1))
      fi
    else
      echo "e2e: npm run package failed (see $log)"; failed=$((failed + 1))
    fi
  else
    echo "e2e: setup failed (see $log)"; failed=$((failed + 1))
  fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
