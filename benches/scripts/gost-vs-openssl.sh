#!/usr/bin/env bash
# Side-by-side speed of our `gost` crate and OpenSSL's gost engine: keygen, sign and verify on
# tc26-256-A, tc26-256-B (= CryptoPro-A), tc26-512-A and tc26-512-C.
#
# `openssl speed` in OpenSSL 3.0 knows no GOST signature algorithm and the gost engine does not
# add one, and a loop of `openssl pkeyutl` processes would time process start-up, not GOST. So
# the engine is timed in-process: a short Python script calls libcrypto's EVP_PKEY_keygen /
# EVP_PKEY_sign / EVP_PKEY_verify through ctypes in a loop (one foreign call per operation,
# about a microsecond of overhead against 50-700 µs operations, so OpenSSL is if anything
# slightly under-rated). Both sides are timed by **process CPU time** over loops of a few
# seconds (ours by `cargo run --release -p gost --example speed`), so that the ratio means
# something on a machine shared with other work; wall-clock criterion figures for the same
# operations (`gost/{keygen,sign,verify}/...`) are added when RUN_CRITERION=1.
#
# Usage: benches/scripts/gost-vs-openssl.sh [seconds per figure, default 2]
#        RUN_CRITERION=1 benches/scripts/gost-vs-openssl.sh   # also runs `cargo bench --bench gost`
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER=${1:-2}

command -v openssl >/dev/null || { echo "skipped: no openssl binary"; exit 0; }
ENGINES=$(openssl version -e | sed -n 's/^ENGINESDIR: "\(.*\)"$/\1/p')
[ -f "$ENGINES/gost.so" ] || { echo "skipped: $ENGINES/gost.so missing (Debian: libengine-gost-openssl)"; exit 0; }
LIBCRYPTO=$(ldd "$(command -v openssl)" | awk '/libcrypto/ {print $3}')

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cat > "$TMP/gost.cnf" <<CNF
openssl_conf = openssl_def
[openssl_def]
engines = engine_section
[engine_section]
gost = gost_section
[gost_section]
engine_id = gost
dynamic_path = $ENGINES/gost.so
default_algorithms = ALL
CNF

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $(openssl version)"
echo "timing OpenSSL's gost engine (${SECONDS_PER}s per figure)..."
OPENSSL_CONF="$TMP/gost.cnf" python3 - "$LIBCRYPTO" "$SECONDS_PER" > "$TMP/openssl.txt" <<'PY'
import ctypes, sys, time
lib = ctypes.CDLL(sys.argv[1])
budget = float(sys.argv[2])
P = ctypes.c_void_p
lib.OPENSSL_init_crypto.argtypes = [ctypes.c_uint64, P]
lib.OPENSSL_init_crypto(0x40, None)  # OPENSSL_INIT_LOAD_CONFIG: loads the gost engine
lib.OBJ_txt2nid.argtypes = [ctypes.c_char_p]
lib.EVP_PKEY_CTX_new_id.restype = P
lib.EVP_PKEY_CTX_new_id.argtypes = [ctypes.c_int, P]
lib.EVP_PKEY_CTX_new.restype = P
lib.EVP_PKEY_CTX_new.argtypes = [P, P]
for f in ("EVP_PKEY_keygen_init", "EVP_PKEY_sign_init", "EVP_PKEY_verify_init"):
    getattr(lib, f).argtypes = [P]
lib.EVP_PKEY_CTX_ctrl_str.argtypes = [P, ctypes.c_char_p, ctypes.c_char_p]
lib.EVP_PKEY_keygen.argtypes = [P, ctypes.POINTER(P)]
lib.EVP_PKEY_free.argtypes = [P]
lib.EVP_PKEY_sign.argtypes = [P, ctypes.c_char_p, ctypes.POINTER(ctypes.c_size_t), ctypes.c_char_p, ctypes.c_size_t]
lib.EVP_PKEY_verify.argtypes = [P, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t]

def rate(fn):
    fn()
    n, start = 0, time.process_time()
    while True:
        for _ in range(20):
            fn()
        n += 20
        elapsed = time.process_time() - start
        if elapsed >= budget:
            return n / elapsed

for alg, paramset, ours in (("gost2012_256", b"TCA", "256-A"), ("gost2012_256", b"A", "256-B"),
                            ("gost2012_512", b"A", "512-A"), ("gost2012_512", b"C", "512-C")):
    nid = lib.OBJ_txt2nid(alg.encode())
    kctx = lib.EVP_PKEY_CTX_new_id(nid, None)
    assert kctx and lib.EVP_PKEY_keygen_init(kctx) == 1, "gost engine not loaded"
    assert lib.EVP_PKEY_CTX_ctrl_str(kctx, b"paramset", paramset) > 0
    def keygen():
        pkey = P()
        assert lib.EVP_PKEY_keygen(kctx, ctypes.byref(pkey)) == 1
        lib.EVP_PKEY_free(pkey)
    pkey = P()
    assert lib.EVP_PKEY_keygen(kctx, ctypes.byref(pkey)) == 1
    size = 32 if alg.endswith("256") else 64
    digest = bytes(range(1, size + 1))
    sctx = lib.EVP_PKEY_CTX_new(pkey, None)
    assert lib.EVP_PKEY_sign_init(sctx) == 1
    sig = ctypes.create_string_buffer(2 * size)
    siglen = ctypes.c_size_t(2 * size)
    def sign():
        siglen.value = 2 * size
        assert lib.EVP_PKEY_sign(sctx, sig, ctypes.byref(siglen), digest, size) == 1
    sign()
    vctx = lib.EVP_PKEY_CTX_new(pkey, None)
    assert lib.EVP_PKEY_verify_init(vctx) == 1
    signature = sig.raw[: siglen.value]
    def verify():
        assert lib.EVP_PKEY_verify(vctx, signature, len(signature), digest, size) == 1
    for op, fn in (("keygen", keygen), ("sign", sign), ("verify", verify)):
        print(f"{op} {ours} {rate(fn):.0f}", flush=True)
PY

echo "timing ours (${SECONDS_PER}s per figure)..."
cargo run --quiet --release -p gost --example speed -- "$SECONDS_PER" > "$TMP/ours.txt"

if [ -n "${RUN_CRITERION:-}" ]; then
    echo "running our criterion bench (gost/...)..."
    cargo bench -p rutoken-benches --bench gost -- --warm-up-time 1 --measurement-time 3 'gost/' \
        >"$TMP/criterion.log" 2>&1 || { tail -20 "$TMP/criterion.log"; exit 1; }
fi

python3 - "$TMP/openssl.txt" "$TMP/ours.txt" target/criterion <<'PY'
import json, os, sys
def load(path):
    table = {}
    for line in open(path):
        op, param, ops = line.split()
        table[(op, param)] = float(ops)
    return table
openssl, ours = load(sys.argv[1]), load(sys.argv[2])
print(f"{'operation':<16}{'OpenSSL ops/s':>14}{'ours ops/s':>12}{'ratio':>8}{'criterion ops/s':>17}")
for key, theirs in openssl.items():
    op, param = key
    mine = ours.get(key, 0.0)
    # criterion stores the id "gost/keygen/256-A" under the directory "gost_keygen_256-A".
    path = os.path.join(sys.argv[3], f"gost_{op}_{param}", "new", "estimates.json")
    try:
        wall = f"{1e9 / json.load(open(path))['mean']['point_estimate']:.0f}"
    except (OSError, KeyError, ValueError):
        wall = "-"
    print(f"{op + '/' + param:<16}{theirs:>14.0f}{mine:>12.0f}{mine / theirs:>7.2f}x{wall:>17}")
print("ops/s by process CPU time; criterion column: wall clock (last `cargo bench --bench gost`)")
PY
