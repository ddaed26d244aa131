#!/usr/bin/env bash
# APDUs per second through the real PC/SC stack (pcscd + vsmartcard's vpcd + pyscard): the
# emulated token against an INDEPENDENT reference card in the same run, interleaved.
#
#   reference  benches/scripts/echo-card.py: a minimal Python vpcd client answering 90 00, written
#              from vpcd's wire protocol alone (no code shared with our transport);
#   token      `rutoken-lab sim --fixture personalised --no-safetouch`, the real APDU engine;
#   echo       `rutoken-lab sim --echo-card` (our transport with a 90 00 card), for information:
#              token/echo says what the APDU engine costs, echo/reference what our transport costs;
#   c          benches/scripts/echo-card.c, the same reference card in C (when `cc` is there), for
#              information: the floor without an interpreter.
#
# Rounds alternate reference, token, echo (and c); each round's token/reference ratio is taken, and the
# MEDIAN ratio is the figure (bar: 0.95), so that a burst of load from other processes on the
# machine moves one round, not the result.
#
# Runs pcscd in a private mount namespace (root, util-linux unshare) on its own port; never
# touches the machine's pcscd. Needs pcscd, vsmartcard-vpcd, python3-pyscard.
#   benches/scripts/vpcd-throughput.sh            # release build, 9 rounds of 3 s per card
#   ROUNDS=9 SECONDS_PER_CARD=2 PORT=36100 BIN=target/debug/rutoken-lab benches/scripts/vpcd-throughput.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

SECONDS_PER_CARD=${SECONDS_PER_CARD:-3}
ROUNDS=${ROUNDS:-9}
BIN=${BIN:-target/release/rutoken-lab}
BAR=${BAR:-0.95}
# GET DATA (serial), rutoken-ecp-apdu.md: a short read-only command the token really executes.
APDU=${APDU:-00CA018100}

# shellcheck source=private-pcscd.sh
. benches/scripts/private-pcscd.sh
PORT=${PORT:-$(free_vpcd_port)}
require_private_pcscd /usr/bin/python3
if [ "$BIN" = target/release/rutoken-lab ]; then cargo build --release -q -p rutoken-lab; fi
BIN=$(realpath "$BIN")
REFERENCE=$(realpath benches/scripts/echo-card.py)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
write_vpcd_reader_conf "$work" "$PORT"
C_CARD=""
if command -v cc >/dev/null && cc -O2 -o "$work/echo-card" benches/scripts/echo-card.c; then
  C_CARD="$work/echo-card"
else
  echo "skipped: the C reference card (no working cc); the Python one is the reference"
fi

cat > "$work/client.py" <<'PY'
import sys, time
from smartcard.System import readers
from smartcard.util import toBytes
seconds, apdu = float(sys.argv[1]), toBytes(sys.argv[2])
reader = [r for r in readers() if 'Virtual PCD' in str(r)][0]
deadline = time.time() + 15
while True:
    try:
        c = reader.createConnection(); c.connect(); break
    except Exception:
        if time.time() > deadline: raise
        time.sleep(0.1)
for _ in range(200):  # warm-up
    c.transmit(apdu)
n, start = 0, time.perf_counter()
while time.perf_counter() - start < seconds:
    data, sw1, sw2 = c.transmit(apdu)
    if (sw1, sw2) != (0x90, 0x00): raise SystemExit('status %02X%02X' % (sw1, sw2))
    n += 1
print('%.0f' % (n / (time.perf_counter() - start)))
c.disconnect()
PY

cat > "$work/inside.sh" <<INSIDE
set -euo pipefail
if [ -d /run/pcscd ]; then mount -t tmpfs tmpfs /run/pcscd; else mount -t tmpfs tmpfs /run; mkdir /run/pcscd; fi
pcscd -f -c "$work/reader.conf" > "$work/pcscd.log" 2>&1 &
pcscd_pid=\$!
for _ in \$(seq 100); do [ -S /run/pcscd/pcscd.comm ] && break; sleep 0.1; done
# Starts the card (command line in "\$@"), measures, stops it, waits until pcscd saw it go.
measure() {
  "\$@" > "$work/card.log" 2>&1 &
  local card=\$!
  /usr/bin/python3 "$work/client.py" "$SECONDS_PER_CARD" "$APDU"
  kill \$card; wait \$card || true
  sleep 1
}
for _ in \$(seq $ROUNDS); do
  echo "reference \$(measure /usr/bin/python3 "$REFERENCE" "127.0.0.1:$PORT")"
  echo "token \$(measure "$BIN" sim --vpcd "127.0.0.1:$PORT" --no-safetouch --fixture personalised)"
  echo "echo \$(measure "$BIN" sim --vpcd "127.0.0.1:$PORT" --no-safetouch --echo-card)"
  if [ -n "$C_CARD" ]; then echo "c \$(measure "$C_CARD" 127.0.0.1 "$PORT")"; fi
done
kill \$pcscd_pid; wait \$pcscd_pid || true
INSIDE

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
results=$(unshare -m --propagation private bash "$work/inside.sh")
python3 - "$BAR" "$APDU" "$SECONDS_PER_CARD" <<PY
import statistics, sys
bar, apdu, seconds = float(sys.argv[1]), sys.argv[2], sys.argv[3]
rounds = []
for line in """$results""".splitlines():
    card, rate = line.split()
    if card == "reference":
        rounds.append({})
    rounds[-1][card] = float(rate)
has_c = all("c" in r for r in rounds)
print(f"APDU {apdu} through pcscd + vpcd + pyscard, {len(rounds)} interleaved rounds of {seconds} s per card (APDU/s):")
print("  round  reference    token     echo" + ("   C card" if has_c else "") + "   token/ref  echo/ref" + ("  token/C" if has_c else ""))
def row(label, r, ratio, echo_ratio, c_ratio):
    c = f" {r['c']:>8.0f}" if has_c else ""
    cr = f" {c_ratio:>8.2f}" if has_c else ""
    print(f"  {label:>5} {r['reference']:>10.0f} {r['token']:>8.0f} {r['echo']:>8.0f}{c} {ratio:>10.2f} {echo_ratio:>9.2f}{cr}")
for i, r in enumerate(rounds, 1):
    row(str(i), r, r["token"] / r["reference"], r["echo"] / r["reference"], r["token"] / r["c"] if has_c else 0)
med = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
ratio = statistics.median(r["token"] / r["reference"] for r in rounds)
echo_ratio = statistics.median(r["echo"] / r["reference"] for r in rounds)
c_ratio = statistics.median(r["token"] / r["c"] for r in rounds) if has_c else 0
row("median", med, ratio, echo_ratio, c_ratio)
if has_c:
    print(f"  token / the C reference card: {c_ratio:.2f} (median of rounds; for information)")
verdict = "PASS" if ratio >= bar else "FAIL"
print(f"  token / independent reference card: {ratio:.2f} (median of rounds; bar {bar:.2f}) {verdict}")
sys.exit(0 if ratio >= bar else 1)
PY
