#!/usr/bin/env bash
# GOST 28147-89 and VKO speed of our `gost` crate and of OpenSSL's gost engine, in one run:
# ECB / CFB (CryptoPro meshing) / counter mode / MAC throughput over the same 1 MiB message with
# the param-Z S-box, and VKO_GOSTR3410_2012_256 agreements per second on 256-A, 256-B, 512-A,
# 512-C.
#
# Ours: the criterion bench `benches/benches/gost28147.rs` (wall clock, criterion's mean). The
# engine: in-process through Python ctypes over libcrypto (EVP_EncryptUpdate on 1 MiB buffers
# with `gost89` / `gost89-cnt-12` / `gost89-cbc`, EVP_DigestUpdate with `gost-mac-12`,
# EVP_PKEY_derive with `ukmhex`), also wall clock, right after ours. The engine has no ECB on
# the EVP level, so its CBC (the same block cipher plus one XOR per block) stands beside our ECB.
# The load average is printed before and after: on a shared machine, say so with the figures.
#
# Usage: benches/scripts/gost28147-vs-openssl.sh [seconds per engine figure, default 2]
#        PROFILE=dev benches/scripts/gost28147-vs-openssl.sh   # the dev profile: `gost` is built
#        with opt-level 3 there too (Cargo.toml), the rest unoptimised; no release build of the
#        whole dependency tree (minutes on a 2-core machine)
#        CRITERION_BIN=target/debug/deps/gost28147-<hash> ...   # a bench binary already built
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER=${1:-2}
PROFILE=${PROFILE:-bench}

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

cat > "$TMP/engine.py" <<'PY'
import ctypes, sys, time
lib = ctypes.CDLL(sys.argv[1])
budget = float(sys.argv[2])
P, I, S = ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t
lib.OPENSSL_init_crypto.argtypes = [ctypes.c_uint64, P]
lib.OPENSSL_init_crypto(0x40, None)  # OPENSSL_INIT_LOAD_CONFIG: loads the gost engine
for name, res, args in (
    ("EVP_get_cipherbyname", P, [ctypes.c_char_p]), ("EVP_get_digestbyname", P, [ctypes.c_char_p]),
    ("EVP_CIPHER_CTX_new", P, []), ("EVP_EncryptInit_ex", I, [P, P, P, ctypes.c_char_p, ctypes.c_char_p]),
    ("EVP_EncryptUpdate", I, [P, ctypes.c_char_p, ctypes.POINTER(I), ctypes.c_char_p, I]),
    ("EVP_MD_CTX_new", P, []), ("EVP_DigestInit_ex", I, [P, P, P]),
    ("EVP_MD_CTX_ctrl", I, [P, I, I, ctypes.c_char_p]), ("EVP_DigestUpdate", I, [P, ctypes.c_char_p, S]),
    ("EVP_DigestFinal_ex", I, [P, ctypes.c_char_p, P]), ("OBJ_txt2nid", I, [ctypes.c_char_p]),
    ("EVP_PKEY_CTX_new_id", P, [I, P]), ("EVP_PKEY_CTX_new", P, [P, P]),
    ("EVP_PKEY_keygen_init", I, [P]), ("EVP_PKEY_keygen", I, [P, ctypes.POINTER(P)]),
    ("EVP_PKEY_CTX_ctrl_str", I, [P, ctypes.c_char_p, ctypes.c_char_p]),
    ("EVP_PKEY_derive_init", I, [P]), ("EVP_PKEY_derive_set_peer", I, [P, P]),
    ("EVP_PKEY_derive", I, [P, ctypes.c_char_p, ctypes.POINTER(S)]),
):
    getattr(lib, name).restype, getattr(lib, name).argtypes = res, args

def rate(fn):
    fn()
    n, start = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= budget:
            return n / elapsed

data = bytes(i % 251 for i in range(1 << 20))
out = ctypes.create_string_buffer(len(data) + 8)
outl = I()
key, iv = b"\x42" * 32, b"\x07" * 8
for label, name in (("ecb", b"gost89-cbc"), ("cfb", b"gost89"), ("cnt", b"gost89-cnt-12")):
    cipher = lib.EVP_get_cipherbyname(name)
    assert cipher, "the gost engine is not loaded"
    ctx = lib.EVP_CIPHER_CTX_new()
    assert lib.EVP_EncryptInit_ex(ctx, cipher, None, key, iv) == 1
    def run():
        assert lib.EVP_EncryptUpdate(ctx, out, ctypes.byref(outl), data, len(data)) == 1
    print(f"{label} {rate(run):.2f}", flush=True)
md = lib.EVP_get_digestbyname(b"gost-mac-12")
mctx = lib.EVP_MD_CTX_new()
mac = ctypes.create_string_buffer(8)
def run_mac():
    assert lib.EVP_DigestInit_ex(mctx, md, None) == 1
    assert lib.EVP_MD_CTX_ctrl(mctx, 0x1004, 32, key) == 1  # EVP_MD_CTRL_SET_KEY of the engine
    assert lib.EVP_DigestUpdate(mctx, data, len(data)) == 1
    assert lib.EVP_DigestFinal_ex(mctx, mac, None) == 1
print(f"mac {rate(run_mac):.2f}", flush=True)
for alg, paramset, ours in (("gost2012_256", b"TCA", "256-A"), ("gost2012_256", b"A", "256-B"),
                            ("gost2012_512", b"A", "512-A"), ("gost2012_512", b"C", "512-C")):
    kctx = lib.EVP_PKEY_CTX_new_id(lib.OBJ_txt2nid(alg.encode()), None)
    assert lib.EVP_PKEY_keygen_init(kctx) == 1 and lib.EVP_PKEY_CTX_ctrl_str(kctx, b"paramset", paramset) > 0
    a, b = P(), P()
    assert lib.EVP_PKEY_keygen(kctx, ctypes.byref(a)) == 1 and lib.EVP_PKEY_keygen(kctx, ctypes.byref(b)) == 1
    dctx = lib.EVP_PKEY_CTX_new(a, None)
    assert lib.EVP_PKEY_derive_init(dctx) == 1 and lib.EVP_PKEY_derive_set_peer(dctx, b) == 1
    assert lib.EVP_PKEY_CTX_ctrl_str(dctx, b"ukmhex", b"1d80603c8544c727") > 0
    kek = ctypes.create_string_buffer(64)
    klen = S()
    def derive():
        klen.value = 64
        assert lib.EVP_PKEY_derive(dctx, kek, ctypes.byref(klen)) == 1
    print(f"vko/{ours} {rate(derive):.0f}", flush=True)
PY

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $(openssl version)"
echo "our criterion bench (gost28147/..., vko/...)..."
if [ -n "${CRITERION_BIN:-}" ]; then
    # Without cargo around it, criterion is told where cargo would have it write.
    CRITERION_HOME="$PWD/target/criterion" "$CRITERION_BIN" --bench --warm-up-time 1 --measurement-time 3 \
        >"$TMP/criterion.log" 2>&1 || { tail -20 "$TMP/criterion.log"; exit 1; }
else
    cargo bench --profile "$PROFILE" -p rutoken-benches --bench gost28147 -- --warm-up-time 1 --measurement-time 3 \
        >"$TMP/criterion.log" 2>&1 || { tail -20 "$TMP/criterion.log"; exit 1; }
fi
echo "OpenSSL's gost engine (${SECONDS_PER}s per figure)..."
OPENSSL_CONF="$TMP/gost.cnf" python3 "$TMP/engine.py" "$LIBCRYPTO" "$SECONDS_PER" > "$TMP/openssl.txt"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$TMP/openssl.txt" target/criterion <<'PY'
import json, os, sys
theirs = dict(line.split() for line in open(sys.argv[1]))
def ours(dirname):
    path = os.path.join(sys.argv[2], dirname, "new", "estimates.json")
    return 1e9 / json.load(open(path))["mean"]["point_estimate"]
print(f"{'operation':<22}{'OpenSSL gost':>14}{'ours':>12}{'ratio':>8}")
for op in ("ecb", "cfb", "cnt", "mac"):
    mine = ours(os.path.join("gost28147", f"{op}_1MiB"))
    other = float(theirs[op])
    note = "  (engine: CBC)" if op == "ecb" else ""
    print(f"{op + ' MiB/s':<22}{other:>14.1f}{mine:>12.1f}{mine / other:>7.2f}x{note}")
for p in ("256-A", "256-B", "512-A", "512-C"):
    mine = ours(os.path.join("vko", p))
    other = float(theirs["vko/" + p])
    print(f"{'vko/' + p + ' ops/s':<22}{other:>14.0f}{mine:>12.0f}{mine / other:>7.2f}x")
print("wall clock: ours criterion's mean, the engine in-process via ctypes; same run, 1 MiB messages")
PY
