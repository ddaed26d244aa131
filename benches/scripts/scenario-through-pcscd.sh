#!/usr/bin/env bash
# What one conformance flow costs through the real PC/SC stack: the happy-path scenario run
# REPS times by `rutoken-lab run --target pcsc --control` against `rutoken-lab sim` behind a
# private pcscd + vsmartcard's vpcd, next to the same scenario on the in-process emulator target.
#
# Two figures per target:
#   flow   the scenario itself (the report's duration: connect, steps, assertions);
#   run    a whole `rutoken-lab run` invocation, wall clock: process start, and on pcsc the fresh
#          start token (`load` through the control socket: the card pulled, pcscd seen to lose
#          it, the token replaced, pcscd seen to find it again).
# (`cargo bench --bench scenario` measures the in-process flow with criterion: about 1 ms.)
#
# Runs pcscd in a private mount namespace (root, util-linux unshare) on its own port; never
# touches the machine's pcscd. Needs pcscd, vsmartcard-vpcd.
#   benches/scripts/scenario-through-pcscd.sh            # release build with --features pcsc
#   REPS=5 PORT=36200 BIN=target/debug/rutoken-lab benches/scripts/scenario-through-pcscd.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

REPS=${REPS:-20}
BIN=${BIN:-target/release/rutoken-lab}
SCENARIO=${SCENARIO:-scenarios/reissue-happy-path.yaml}
READER="Virtual PCD 00 00"

# shellcheck source=private-pcscd.sh
. benches/scripts/private-pcscd.sh
PORT=${PORT:-$(free_vpcd_port)}
require_private_pcscd python3
if [ "$BIN" = target/release/rutoken-lab ]; then
  cargo build --release -q -p rutoken-lab --features pcsc
fi
BIN=$(realpath "$BIN")
SCENARIO=$(realpath "$SCENARIO")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
write_vpcd_reader_conf "$work" "$PORT"

# Prints "<flow ms> <run ms>" for one run; fails unless the scenario passed.
cat > "$work/once.sh" <<'ONCE'
set -euo pipefail
json=$1; shift
start=$(date +%s%N)
"$@" --json "$json" > /dev/null
end=$(date +%s%N)
python3 - "$json" "$start" "$end" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["scenarios"][0]
if s["outcome"]["status"] != "passed":
    raise SystemExit("scenario %s: %s" % (s["name"], s["outcome"]))
print(s["duration_ms"], (int(sys.argv[3]) - int(sys.argv[2])) / 1e6)
PY
ONCE

cat > "$work/inside.sh" <<INSIDE
set -euo pipefail
if [ -d /run/pcscd ]; then mount -t tmpfs tmpfs /run/pcscd; else mount -t tmpfs tmpfs /run; mkdir /run/pcscd; fi
pcscd -f -c "$work/reader.conf" > "$work/pcscd.log" 2>&1 &
pcscd_pid=\$!
for _ in \$(seq 100); do [ -S /run/pcscd/pcscd.comm ] && break; sleep 0.1; done
"$BIN" sim --vpcd "127.0.0.1:$PORT" --fixture personalised --control "$work/ctl.sock" > "$work/sim.log" 2>&1 &
sim_pid=\$!
for _ in \$(seq 100); do grep -q "the card is in" "$work/sim.log" && break; sleep 0.1; done
for i in \$(seq $REPS); do
  echo "emulator \$(bash "$work/once.sh" "$work/e\$i.json" "$BIN" run --seed \$i "$SCENARIO")"
  echo "pcsc \$(bash "$work/once.sh" "$work/p\$i.json" "$BIN" run --seed \$i --target pcsc \
    --reader "$READER" --control "$work/ctl.sock" "$SCENARIO")"
done
kill \$sim_pid; wait \$sim_pid || true
kill \$pcscd_pid; wait \$pcscd_pid || true
INSIDE

results=$(unshare -m --propagation private bash "$work/inside.sh")
echo "$(basename "$SCENARIO"), $REPS runs per target (median; flows/s from the median flow):"
echo "  (reports give whole milliseconds: for the in-process flow see cargo bench --bench scenario)"
for target in emulator pcsc; do
  awk -v t="$target" '$1==t {print $2, $3}' <<<"$results" | python3 -c '
import sys, statistics
rows = [tuple(map(float, l.split())) for l in sys.stdin if l.strip()]
flow = statistics.median(r[0] for r in rows)
run = statistics.median(r[1] for r in rows)
name = sys.argv[1]
print("  %-9s flow %6.1f ms (%6.1f flows/s, min %.0f, max %.0f ms)   whole run %6.1f ms (%5.2f runs/s)"
      % (name, flow, 1000 / max(flow, 0.5), min(r[0] for r in rows), max(r[0] for r in rows),
         run, 1000 / run))
' "$target"
done
