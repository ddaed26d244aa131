#!/usr/bin/env bash
# Mutation testing with the conformance scenarios as the only test (issue #10, docs/mutation.md):
# cargo-mutants plants one change at a time in the token engine, the SafeTouch and the test CA,
# and runs only `every_scenario_passes_on_the_emulator` (the in-process scenario run), never the
# crates' unit tests. A mutant the scenarios do not notice is a firmware bug a lab would pass.
#
# A report a person runs (hours on 2 cores), not part of scripts/test.sh.
#   scripts/mutants.sh                 # every mutant
#   scripts/mutants.sh --shard 3/40    # a sample: one shard of 40 (round-robin)
#   scripts/mutants.sh --list          # only list the mutants
# Extra arguments go to cargo-mutants. Results: mutants.out/ (caught.txt, missed.txt,
# unviable.txt, timeout.txt, outcomes.json).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v cargo-mutants >/dev/null || cargo install --locked cargo-mutants

# Files the scenarios exercise. Left out, with the reason:
# - token/shell.rs, token/summary.rs: the `apdu` shell and `token show` output — no scenario
#   reaches them through APDUs;
# - token/fixture/**: builds the starting images; a change there changes the token every
#   scenario starts from, which is the fixtures' own tests' business.
files=(
  -f 'simulator/src/token.rs' -f 'simulator/src/token/**'
  -f 'simulator/src/safetouch.rs' -f 'simulator/src/safetouch/**'
  -f 'pki/src/ca.rs' -f 'pki/src/ca/**'
  -e 'simulator/src/token/shell.rs' -e 'simulator/src/token/summary.rs'
  -e 'simulator/src/token/fixture/**'
)

# The mutated crates' own tests are not run (--test-package; --test-workspace would override it): the
# scenario run in rutoken-conformance is the only judge.
# --baseline skip: cargo-mutants 27.1 runs its baseline on the mutated packages whatever
# --test-package says (lab.rs `run_baseline`), where `--test it` does not exist; so the baseline
# is checked first, here, by the same test on the unmutated tree.
if [[ "${MUTANTS_SKIP_BASELINE:-}" != 1 && " $* " != *" --list "* ]]; then
  cargo test -p rutoken-conformance --test it scenarios::every_scenario_passes_on_the_emulator
fi
exec cargo mutants --workspace "${files[@]}" \
  --test-package rutoken-conformance \
  --sharding round-robin \
  --baseline skip \
  --timeout 240 --build-timeout 1500 \
  "$@" \
  -- --test it scenarios::every_scenario_passes_on_the_emulator
