#!/usr/bin/env bash
# Mutation testing with the conformance scenarios as the only test (issue #10, docs/mutation.md):
# cargo-mutants plants one change at a time in the token engine, the SafeTouch and the test CA,
# and runs only `every_scenario_passes_on_the_emulator` (the in-process scenario run), never the
# crates' unit tests. A mutant the scenarios do not notice is a firmware bug a lab would pass.
#
# A report a person runs (about 75 min on 2 cores, shared), not part of scripts/test.sh.
#   scripts/mutants.sh                 # every mutant
#   scripts/mutants.sh --shard 3/40    # a sample: one shard of 40 (round-robin)
#   scripts/mutants.sh --list          # only list the mutants
# Extra arguments go to cargo-mutants. Results: mutants.out/ (caught.txt, missed.txt,
# unviable.txt, timeout.txt, outcomes.json).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v cargo-mutants >/dev/null || cargo install --locked cargo-mutants

# Files the scenarios exercise: the token, the SafeTouch, the test CA, and the parts of
# rutoken-device the two devices are made of (the SafeTouch's screen, buttons and events, the
# token's and the SafeTouch's profile values; they lived in rutoken-sim until issue 22 moved
# them). Left out, with the reason:
# - token/shell.rs, token/summary.rs: the `apdu` shell and `token show` output — no scenario
#   reaches them through APDUs;
# - token/fixture/**: builds the starting images; a change there changes the token every
#   scenario starts from, which is the fixtures' own tests' business.
files=(
  -f 'simulator/src/token.rs' -f 'simulator/src/token/**'
  -f 'simulator/src/safetouch.rs' -f 'simulator/src/safetouch/**'
  -f 'pki/src/ca.rs' -f 'pki/src/ca/**'
  -f 'device/src/safetouch.rs' -f 'device/src/safetouch/**'
  -f 'device/src/profile/token.rs' -f 'device/src/profile/safetouch.rs'
  -e 'simulator/src/token/shell.rs' -e 'simulator/src/token/summary.rs'
  -e 'simulator/src/token/fixture/**'
)

# Mutants no client can observe through APDUs, the SafeTouch's screens and buttons or the CA's
# answers (a rule per line, decided before measuring; docs/mutation.md "Excluded"). Nothing a
# real token's behaviour depends on is here.
excluded=(
  # Debug output: never shown to a client (Secret and RsaPrivate print `**` by design).
  -E 'impl .*Debug for '
  # The words for a status word in messages; scenarios compare the status word itself.
  -E 'Sw::meaning' -E 'impl fmt::Display for Sw>'
  # fsync of the image file and its directory: only a machine crash shows them (the
  # simulator's crash-injection tests do); the write and the rename stay measured.
  -E 'FileStorage>::sync_aside' -E 'FileStorage>::sync_dir'
  # The image file's CRC: one function writes and checks it, so any deterministic change is
  # consistent; only an image written by another build notices (the image tests pin it).
  -E 'in crc32$' -E 'replace crc32 ' -E 'in crc_tables$' -E 'replace crc_tables '
  # The serial the emulator derives from a seed: a real token has whatever serial it has, and
  # scenarios compare the serial with the PIN dialog's number, never with a constant.
  -E 'serial_for_seed'
  # Accessors for `token show` and the control socket that no APDU reaches (GET DATA reads the
  # state itself).
  -E 'Token::serial ' -E 'Token::summary '
  # The control socket's view of the SafeTouch: screen ids, paging, event subscription and the
  # press channel of `sim`. In process the runner reads the event log and scripts the presses;
  # simulator/tests/vpcd_control.rs covers these.
  -E 'replace \+= with .* in SafeTouch<C>::on_sign' -E 'delete field id from struct Screen'
  -E 'SafeTouchMonitor::' -E 'SafeTouch<C>::set_screen' -E 'Screen::page_' -E 'Screen::current_page'
  -E 'ChannelButtons' -E 'PressSender::'
  # A helper for tests and benches that encodes SafeTouch TLV; no token path calls it.
  -E 'encode_tlv'
  # --- Added 2026-12-04 after shard 2/3 (docs/mutation.md says which mutants each took out) ---
  # How the fixture CA is built (`rutoken-lab fixtures regenerate`; like token/fixture/** above):
  # the CA certificate's extensions and the policy accessor only the fixture generator reads.
  # Scenarios load the CA from fixtures/.
  -E 'replace ca -> Result<Vec<Extension>>' -E ' in ca$' -E 'TestCa::policy '
  # The control socket again: its `load`/`restart` take a snapshot of the token; the SafeTouch's
  # time-out is waited for only by the buttons of `sim` (in process a time-out is scripted).
  -E 'Token::snapshot ' -E 'SafeTouchProfile::timeout '
  # A test double's accessor (tests count the presses it has left); no token path calls it.
  -E 'ScriptedButtons::pending '
  # The profile name of a key spec: only `token show` (token/summary.rs, left out above) prints it.
  -E 'KeySpec::name( |$)'
  # --- Added 2026-12-04 after the final sample's first 117 mutants (docs/mutation.md) ---
  # The image file's checks on loading (token/image.rs `decode`, `validate`): only a damaged or
  # hand-made image file reaches them, as only another build notices the CRC (rule above); no
  # client can damage a token's storage. `encode` and the restart path stay measured.
  -E ' in decode$' -E 'replace decode -> ' -E ' in validate$' -E 'replace validate -> '
  # --- Added 2026-12-05: the in-process target keeps its token's image in memory ---
  # The image file layer (FileStorage) is reached only through `sim`'s image files, which
  # simulator/tests/token_image.rs and the pcscd tests cover; in process `MemoryStorage` runs the
  # same steps (write aside, replace, read back on restart) and stays measured.
  -E 'for FileStorage>::' -E 'FileStorage::new'
  # --- Added 2026-12-07 after the whole-list run of that evening (docs/mutation.md says which
  # mutants each took out of that run's figure; the figure itself stays as run) ---
  # Since the in-process image keeps the state it is given (`MemoryStorage::store`, issue 25's
  # speed work), the four-step write (`write_atomic` and the storage's write aside / sync /
  # rename, `ImageStorage::store`'s default) is FileStorage's path only: `sim`'s image files,
  # which simulator/tests/token_image.rs and the pcscd tests cover. `MemoryStorage::store` and
  # `read` stay measured.
  -E 'ImageStorage::store ' -E 'replace write_atomic ' -E ' in write_atomic$'
  -E 'for MemoryStorage>::(write_aside|sync_aside|rename_over) '
  # Reached only by the image file's load checks (`validate`, excluded above) and `token show`
  # (token/summary.rs, left out).
  -E 'replace walk with'
  # Only the CLI's relay calls it, to mark records whose time includes the person; no APDU
  # answer depends on it (simulator/tests/safetouch_gating.rs pins it).
  -E 'waits_for_press'
)

# The mutated crates' own tests are not run (--test-package; --test-workspace would override it): the
# scenario run in rutoken-conformance is the only judge.
# --baseline skip: cargo-mutants 27.1 runs its baseline on the mutated packages whatever
# --test-package says (lab.rs `run_baseline`), where `--test it` does not exist; so the baseline
# is checked first, here, by the same test on the unmutated tree.
# --profile mutants (root Cargo.toml): no debug info, dependencies and the simulator at
# opt-level 1 (in debug the scenario run spends most of its time in the image CRC and copies).
# --cargo-arg --test=it: build only the scenario test binary, not every test target of the
# conformance crate. CARGO_TARGET_DIR: this tree's target/, so the copy reuses dependencies
# built in the same profile (only the workspace crates are rebuilt in the copy).
if [[ "${MUTANTS_SKIP_BASELINE:-}" != 1 && " $* " != *" --list "* ]]; then
  cargo test --profile mutants -p rutoken-conformance --test it \
    scenarios::every_scenario_passes_on_the_emulator
fi
sharding=()
if [[ " $* " == *" --shard "* || " $* " == *" --shard="* ]]; then
  sharding=(--sharding round-robin)
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
exec cargo mutants --workspace "${files[@]}" "${excluded[@]}" \
  --test-package rutoken-conformance \
  "${sharding[@]}" \
  --baseline skip \
  --profile mutants --cargo-arg=--test=it \
  --timeout 60 --build-timeout 1500 \
  "$@" \
  -- scenarios::every_scenario_passes_on_the_emulator
