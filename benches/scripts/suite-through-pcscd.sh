#!/usr/bin/env bash
# The whole scenario suite through the real PC/SC stack, timed, and the emulator's memory:
# `rutoken-lab run --target pcsc --control` over scenarios/ against `rutoken-lab sim` behind a
# private pcscd + vsmartcard's vpcd (each scenario's fresh start token is a `load` through the
# control socket: the token swapped in place and the card reset, no removal to poll for).
#
# Figures (one run each, RUNS times; the median counts):
#   suite  wall clock of one `rutoken-lab run` over every scenario (bar: issue #12's "the 28
#          scenarios in at most 5 s", kept as a rate as the suite grows: 5 s x N / 28);
#   RSS    the emulator's VmRSS (/proc/PID/status) while attached: idle before the first run,
#          and after the last (bar: 10 MiB after). The emulator is `rutoken-sim` (the emulator-only
#          binary, what the bar is for); SIM=lab measures `rutoken-lab sim` instead.
#
# Runs pcscd in a private mount namespace (root, util-linux unshare) on its own port; never
# touches the machine's pcscd. Needs pcscd, vsmartcard-vpcd.
#   benches/scripts/suite-through-pcscd.sh             # release build with --features pcsc
#   RUNS=1 PORT=36300 BIN=target/debug/rutoken-lab benches/scripts/suite-through-pcscd.sh
#   SIM=lab benches/scripts/suite-through-pcscd.sh      # the emulator as `rutoken-lab sim`
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS=${RUNS:-3}
BIN=${BIN:-target/release/rutoken-lab}
# Issue #12's goal was set when the suite had 28 scenarios: 5 s for those, the same rate now.
SUITE_BAR_S_PER_28=${SUITE_BAR_S_PER_28:-5}
RSS_BAR_KIB=${RSS_BAR_KIB:-10240}
READER="Virtual PCD 00 00"

# shellcheck source=private-pcscd.sh
. benches/scripts/private-pcscd.sh
PORT=${PORT:-$(free_vpcd_port)}
require_private_pcscd python3
if [ "$BIN" = target/release/rutoken-lab ]; then
  cargo build --release -q -p rutoken-lab --features pcsc --bins
fi
BIN=$(realpath "$BIN")
case "${SIM:-sim}" in
  sim) SIM_CMD="$(dirname "$BIN")/rutoken-sim" ;;
  lab) SIM_CMD="$BIN sim" ;;
  *) echo "SIM must be sim or lab" >&2; exit 2 ;;
esac
SCENARIOS=$(realpath scenarios)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
write_vpcd_reader_conf "$work" "$PORT"

cat > "$work/inside.sh" <<INSIDE
set -euo pipefail
if [ -d /run/pcscd ]; then mount -t tmpfs tmpfs /run/pcscd; else mount -t tmpfs tmpfs /run; mkdir /run/pcscd; fi
pcscd -f -c "$work/reader.conf" > "$work/pcscd.log" 2>&1 &
pcscd_pid=\$!
for _ in \$(seq 100); do [ -S /run/pcscd/pcscd.comm ] && break; sleep 0.1; done
$SIM_CMD --vpcd "127.0.0.1:$PORT" --fixture personalised --control "$work/ctl.sock" > "$work/sim.log" 2>&1 &
sim_pid=\$!
# A failed run must not leave its pcscd and emulator behind (they hold the vpcd port).
trap 'kill \$sim_pid \$pcscd_pid 2>/dev/null || true' EXIT
for _ in \$(seq 100); do grep -q "the card is in" "$work/sim.log" && break; sleep 0.1; done
rss() { awk '/^VmRSS/ {print \$2}' /proc/\$sim_pid/status; }
echo "rss_idle \$(rss)"
for i in \$(seq $RUNS); do
  start=\$(date +%s%N)
  "$BIN" run --seed \$i --target pcsc --reader "$READER" --control "$work/ctl.sock" \
    --json "$work/r\$i.json" "$SCENARIOS" > "$work/run\$i.log" 2>&1 || { cat "$work/run\$i.log" >&2; exit 1; }
  end=\$(date +%s%N)
  python3 - "$work/r\$i.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
bad = [s["name"] for s in r["scenarios"] if s["outcome"]["status"] != "passed"]
if bad: raise SystemExit("not passed: %s" % bad)
print("scenarios", len(r["scenarios"]))
PY
  echo "suite_ms \$(( (end - start) / 1000000 ))"
done
echo "rss_after \$(rss)"
kill \$sim_pid; wait \$sim_pid || true
kill \$pcscd_pid; wait \$pcscd_pid || true
INSIDE

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
results=$(unshare -m --propagation private bash "$work/inside.sh")
python3 - "$SUITE_BAR_S_PER_28" "$RSS_BAR_KIB" "${SIM_CMD#"$(dirname "$BIN")/"}" <<PY
import statistics, sys
bar_per_28, rss_bar, sim = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rows = [l.split() for l in """$results""".splitlines()]
suite = [int(v) / 1000 for k, v in rows if k == "suite_ms"]
count = [int(v) for k, v in rows if k == "scenarios"][0]
idle = [int(v) for k, v in rows if k == "rss_idle"][0]
after = [int(v) for k, v in rows if k == "rss_after"][0]
med = statistics.median(suite)
suite_bar = bar_per_28 * count / 28
print(f"{count} scenarios through pcscd + vpcd, {len(suite)} runs: " + ", ".join(f"{s:.2f}" for s in suite) + " s")
ok_suite, ok_rss = med <= suite_bar, after <= rss_bar
print(f"  suite (median): {med:.2f} s, {1000 * med / count:.0f} ms a scenario (bar {suite_bar:.1f} s: {bar_per_28:.0f} s per 28 scenarios) {'PASS' if ok_suite else 'FAIL'}")
print(f"  {sim} VmRSS attached: idle {idle / 1024:.1f} MiB, after the runs {after / 1024:.1f} MiB (bar {rss_bar / 1024:.0f} MiB) {'PASS' if ok_rss else 'FAIL'}")
sys.exit(0 if ok_suite and ok_rss else 1)
PY
