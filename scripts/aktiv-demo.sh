#!/usr/bin/env bash
# Aktiv's public demo page (github AktivCo/rutoken-plugin-demo), unmodified, against the
# emulator: builds the page from YOUR clone (npm + gulp, in a temporary directory, never in this
# tree), starts a private bridge (`rutoken-lab plugin`, the in-process emulator in its SafeTouch)
# on free loopback ports, installs our adapter extension, runs every test group in headless
# chromium (plugin/tests/browser/aktiv-demo.mjs), checks the artefacts with OpenSSL's gost engine
# and prints a table group → output → OK / expected-error / FAIL. Exits non-zero on a FAIL.
#
#   scripts/aktiv-demo.sh [CHECKOUT]      CHECKOUT: a clone of AktivCo/rutoken-plugin-demo
#                                         (default: $AKTIV_DEMO)
# Environment: AKTIV_DEMO_BUILD=DIR uses a page built already (its build/ directory) instead of
# building; RUTOKEN_LAB=BIN uses that binary instead of `cargo build`; CHROMIUM=path;
# KEEP=1 keeps the temporary directory (the report, the artefacts) and prints where.
#
# Not in scripts/test.sh: the page is in no package registry and must not be committed here.
# Needs: node + npm, chromium, python3, openssl with libengine-gost-openssl, git.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
checkout="${1:-${AKTIV_DEMO:-}}"

work="$(mktemp -d "${TMPDIR:-/tmp}/aktiv-demo.XXXXXX")"
pids=()
cleanup() {
  # Only the processes this script started, by PID.
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "${KEEP:-0}" = 1 ]; then echo "kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

for tool in node npm python3 openssl; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 2; }
done
openssl engine gost >/dev/null 2>&1 || { echo "missing: OpenSSL's gost engine (libengine-gost-openssl)" >&2; exit 2; }

# 1. The page, built as published.
if [ -n "${AKTIV_DEMO_BUILD:-}" ]; then
  site="$AKTIV_DEMO_BUILD"
else
  [ -n "$checkout" ] || { echo "usage: $0 CHECKOUT (a clone of AktivCo/rutoken-plugin-demo)" >&2; exit 2; }
  mkdir -p "$work/demo"
  if git -C "$checkout" rev-parse --git-dir >/dev/null 2>&1; then
    git -C "$checkout" archive HEAD | tar -x -C "$work/demo"
    echo "demo commit: $(git -C "$checkout" rev-parse --short HEAD)"
  else
    cp -r "$checkout/." "$work/demo/"
    rm -rf "$work/demo/node_modules" "$work/demo/build"
  fi
  echo "== building the demo page (npm install, gulp) in $work/demo"
  (cd "$work/demo" && npm install --no-audit --no-fund --loglevel=error >/dev/null && npx gulp >/dev/null)
  site="$work/demo/build"
fi
[ -f "$site/index.html" ] || { echo "no index.html in $site" >&2; exit 2; }

# 2. Our binary and the driver's modules.
if [ -n "${RUTOKEN_LAB:-}" ]; then
  bin="$RUTOKEN_LAB"
else
  (cd "$root" && cargo build -q --bin rutoken-lab)
  bin="$root/target/debug/rutoken-lab"
fi
if [ ! -d "$root/plugin/tests/browser/node_modules/puppeteer-core" ]; then
  npm ci --prefix "$root/plugin/tests/browser" --no-audit --no-fund --loglevel=error >/dev/null
fi

# 3. Free loopback ports (bound and released by the kernel's choice), extension, bridge, page.
read -r bridge_port page_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
wait_port() {
  for _ in $(seq 100); do
    python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), 0.2)" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on 127.0.0.1:$1" >&2
  return 1
}
"$bin" plugin install-extension --dir "$work/extension" --port "$bridge_port" >/dev/null
"$bin" plugin --port "$bridge_port" --allow-origin "http://127.0.0.1:$page_port" >"$work/bridge.log" 2>&1 &
pids+=($!)
python3 -m http.server "$page_port" --bind 127.0.0.1 --directory "$site" >"$work/http.log" 2>&1 &
pids+=($!)
wait_port "$bridge_port"
wait_port "$page_port"

# 4. Inputs a person would have: the CA of the token's certificate (the test fixture CA), and a
# GOST 2001 recipient whose key OpenSSL holds, pasted as one line of base64 as the page's is.
(cd "$work" && openssl req -x509 -engine gost -newkey gost2001 -pkeyopt paramset:A -nodes \
  -keyout r2001.key -out r2001.crt -subj "/CN=aktiv-demo 2001 recipient" -days 1 >/dev/null 2>&1)
# A GOST time-stamp authority for `openssl ts -reply` (the page has none; TsRequest's request
# goes to it, its response to AddTstToCms).
mkdir "$work/tsa"
(cd "$work/tsa" && openssl req -x509 -engine gost -newkey gost2012_256 -pkeyopt paramset:A -nodes \
  -keyout tsa.key -out tsa.crt -subj "/CN=aktiv-demo TSA" \
  -addext "extendedKeyUsage=critical,timeStamping" -days 1 >/dev/null 2>&1 && echo 01 >serial)
cat >"$work/tsa/ts.cnf" <<'EOF'
[ tsa ]
default_tsa = tsa_config1
[ tsa_config1 ]
serial = ./serial
signer_digest = md_gost12_256
default_policy = 1.2.643.2.2.38.4
digests = md_gost12_256, md_gost12_512, sha256
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
EOF
python3 - "$work" "$root/fixtures/ca.crt.pem" <<'EOF'
import json, sys
work, ca = sys.argv[1], sys.argv[2]
body = "".join(l for l in open(f"{work}/r2001.crt").read().splitlines() if not l.startswith("-----"))
json.dump({"ca": open(ca).read(),
           "recipient2001": f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----",
           "userPin": "12345678", "adminPin": "87654321",
           "tsa": {"dir": f"{work}/tsa", "config": f"{work}/tsa/ts.cnf"}},
          open(f"{work}/inputs.json", "w"))
EOF

# 5. Every group.
echo "== running every group (bridge 127.0.0.1:$bridge_port, page 127.0.0.1:$page_port)"
node "$root/plugin/tests/browser/aktiv-demo.mjs" "http://127.0.0.1:$bridge_port/" \
  "http://127.0.0.1:$page_port/index.html" "$work/extension" "$work/inputs.json" "$work/report.json"

# 6. The artefacts through OpenSSL, and the table.
python3 "$root/scripts/aktiv-demo-check.py" "$work" "$root/fixtures"
