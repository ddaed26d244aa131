#!/usr/bin/env bash
# The whole test run: installs the Debian packages the tests use, then format, lint and tests.
# Works on a fresh Debian machine with only Rust (root, or a user with sudo).
# RUTOKEN_LAB_SKIP_APT=1 skips the installation (for machines set up already).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  pcscd vsmartcard-vpcd opensc pcsc-tools libpcsclite-dev pkg-config
  libengine-gost-openssl openssl python3-pyscard libxml2-utils util-linux procps
  python3-jsonschema python3-yaml python3-venv
  gcc libp11-kit-dev
  chromium
)
if [ "${RUTOKEN_LAB_SKIP_APT:-0}" != 1 ]; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # Node.js and npm for the plugin's browser tests: the machine image may ship its own (not
  # Debian's, whose npm package then conflicts with it), so Debian's only when there is none.
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then missing+=(nodejs npm); fi
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "== installing: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

# PyPI tools of the PKCS#11 module's tests (pkcs11/tests/), each in a venv under target/:
# python-pkcs11, and the conformance checker pkcs11-check, which needs Python >= 3.12 (Debian
# bookworm has 3.11: its test then skips, saying so). A failed install only makes them skip.
echo "== python venvs for pkcs11/tests"
mkdir -p target
if ! target/pkcs11-venv/bin/python -c 'import pkcs11' 2>/dev/null; then
  python3 -m venv target/pkcs11-venv &&
    target/pkcs11-venv/bin/pip install -q --disable-pip-version-check python-pkcs11 ||
    echo "python-pkcs11 could not be installed; its tests will skip"
fi
if [ ! -x target/pkcs11-check-venv/bin/pkcs11-check ]; then
  py312=""
  for py in python3.13 python3.12 "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3; do
    if "$py" -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null; then
      py312=$py
      break
    fi
  done
  if [ -n "$py312" ]; then
    "$py312" -m venv target/pkcs11-check-venv &&
      target/pkcs11-check-venv/bin/pip install -q --disable-pip-version-check "pkcs11-check==0.2.3" ||
      echo "pkcs11-check could not be installed; its test will skip"
  else
    echo "no Python >= 3.12 for pkcs11-check; its test will skip"
  fi
fi

echo "== npm ci (plugin browser tests: puppeteer-core, Aktiv's loaders and rutoken-plugin-bootstrap, esbuild; no browser download)"
PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix plugin/tests/browser --ignore-scripts --no-audit --no-fund

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --all-features -- -D warnings
echo "== cargo doc (broken intra-doc links are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc -q --workspace --all-features --no-deps
echo "== cargo test"
# --show-output keeps what passing tests printed, so a test that skipped (a missing tool, not
# root) says why in the log; the summary below repeats every such reason.
mkdir -p target
cargo test --workspace --all-features -- --show-output 2>&1 | tee target/test-output.log
echo "== pkcs11-check (PyPI) through OpenSC against the emulator: RSA"
scripts/pkcs11-check-opensc.sh 2>&1 | tee -a target/test-output.log
skips=$(grep -h 'skipped:' target/test-output.log | sed 's/^[[:space:]]*//' | sort | uniq -c || true)
if [ -n "$skips" ]; then
  echo "== skipped tests (count, reason)"
  echo "$skips"
else
  echo "== no test skipped"
fi
passed=$(grep -Eo '^test result: [a-zA-Z]+\. [0-9]+ passed' target/test-output.log | awk '{s+=$4} END {print s+0}')
failed=$(grep -Eo '; [0-9]+ failed' target/test-output.log | awk '{s+=$2} END {print s+0}')
skipped=$(grep -hc 'skipped:' target/test-output.log || true)
echo "total: $passed passed, $failed failed, $skipped skipped"
