#!/usr/bin/env python3
"""The second half of scripts/aktiv-demo.sh: checks the artefacts the demo page produced (in
WORK/report.json, written by plugin/tests/browser/aktiv-demo.mjs) with OpenSSL's gost engine and
prints the table step → output → OK / expected-error / FAIL. Exit status 1 on a FAIL.

    aktiv-demo-check.py WORK FIXTURES
"""
import base64
import json
import subprocess
import sys

work, fixtures = sys.argv[1], sys.argv[2]
report = json.load(open(f"{work}/report.json"))
# The token fixture's certificate is valid 2019-06-04 to 2020-09-04 (fixtures/README.md): its
# chain is checked at the demo bank's date, 2020-02-04 12:00 UTC.
ATTIME = "1580817600"
CA = f"{fixtures}/ca.crt.pem"


def openssl(*args, stdin=None):
    p = subprocess.run(["openssl", *args], cwd=work, input=stdin, capture_output=True)
    return p.returncode == 0, (p.stdout + p.stderr).decode(errors="replace")


def der_file(name, text):
    """A base64 answer of the plugin (no PEM armour) as a DER file."""
    with open(f"{work}/{name}", "wb") as f:
        f.write(base64.b64decode("".join(text.split())))
    return name


def text_file(name, text):
    with open(f"{work}/{name}", "w") as f:
        f.write(text)
    return name


def cms_verify(name, result, content=None, signer=None):
    args = ["cms", "-verify", "-engine", "gost", "-binary", "-inform", "DER",
            "-in", der_file(name, result), "-CAfile", CA, "-attime", ATTIME, "-out", "/dev/null"]
    if signer is not None:
        args += ["-certfile", text_file(name + ".signer.pem", signer)]
    if content is not None:
        args += ["-content", text_file(name + ".content", content)]
    ok, out = openssl(*args)
    return None if ok and "Verification successful" in out else "openssl cms -verify: " + out.strip()[-200:]


def cms_decrypt(name, result, key, cert, want):
    ok, out = openssl("cms", "-decrypt", "-engine", "gost", "-binary", "-inform", "DER",
                      "-in", der_file(name, result), "-inkey", key, "-recip", cert,
                      "-out", name + ".plain")
    if not ok:
        return "openssl cms -decrypt: " + out.strip()[-200:]
    got = open(f"{work}/{name}.plain", encoding="utf-8", errors="replace").read()
    return None if got == want else "openssl cms -decrypt gives other text"


def check_pkcs10(r):
    ok, out = openssl("req", "-engine", "gost", "-verify", "-noout", "-in", text_file("req.pem", r))
    return None if ok and "verify OK" in out.replace("Certificate request self-signature ", "") else "openssl req -verify: " + out.strip()[-200:]


def check_certificate(r):
    ok, out = openssl("verify", "-engine", "gost", "-attime", ATTIME, "-CAfile", CA,
                      text_file("user.pem", r))
    return None if ok else "openssl verify: " + out.strip()[-200:]


def check_ts_request(r):
    ok, out = openssl("ts", "-query", "-in", der_file("req.tsq", r), "-text")
    return None if ok and "Message data" in out else "openssl ts -query: " + out.strip()[-200:]


def check_hash(algorithm):
    def check(r):
        text = "Текст для вычисления хеша"
        ok, out = openssl("dgst", "-engine", "gost", algorithm, "-r", stdin=text.encode())
        want = out.split()[0] if ok else "?"
        got = r.replace(":", "").strip().lower()
        return None if got == want else f"openssl dgst {algorithm} gives {want}"
    return check


def check_parses(r):
    ok, out = openssl("cms", "-cmsout", "-print", "-inform", "DER", "-in", der_file("any.p7m", r))
    return None if ok and "envelopedData" in out else "openssl cms -cmsout: " + out.strip()[-200:]


def check_tst(r):
    why = cms_verify("tst.p7s", r)
    if why:
        return why
    ok, out = openssl("cms", "-cmsout", "-print", "-inform", "DER", "-in", "tst.p7s")
    return None if ok and "id-smime-aa-timeStampToken" in out else "no timeStampToken attribute in the CMS"


message = report.get("message", "")
sign_text = report.get("signText", "")
checks = {
    "CreatePkcs10 (new key)": ("openssl req -verify", check_pkcs10),
    "GetCertificate (user)": ("openssl verify -CAfile", check_certificate),
    "SignMessage (attached, with certificate)": ("openssl cms -verify", lambda r: cms_verify("sig.p7s", r)),
    "SignMessage (detached, CAdES-BES attributes)": (
        "openssl cms -verify -content", lambda r: cms_verify("det.p7s", r, sign_text)),
    # The page asks for no signer certificate in the CMC request: the token's, read by
    # GetCertificate, is given to OpenSSL.
    "CmcRequest (page's PKCS#10)": ("openssl cms -verify -certfile (token's certificate)",
                                    lambda r: cms_verify("cmc.p7s", r, signer=report.get("tokenCert", ""))),
    "SignMessageSafeTouch": ("openssl cms -verify", lambda r: cms_verify("st.p7s", r)),
    "Authenticate": ("openssl cms -verify", lambda r: cms_verify("auth.p7s", r)),
    "TsRequest (SignMessage's CMS)": ("openssl ts -query", check_ts_request),
    "AddTstToCms (OpenSSL TSA's response to TsRequest)": (
        "openssl cms -verify, timeStampToken attribute present", check_tst),
    "CalcHash (page's default, GOST R 34.11-94)": ("openssl dgst -md_gost94", check_hash("-md_gost94")),
    "CalcHash (GOST R 34.11-2012 256)": ("openssl dgst -md_gost12_256", check_hash("-md_gost12_256")),
    "EncryptMessage (page's CryptoPro 2001 recipient)": (
        "openssl cms -cmsout (no key to decrypt)", check_parses),
    "EncryptMessage (token's certificate)": ("openssl cms -decrypt (fixture key)", lambda r: cms_decrypt(
        "tok.p7m", r, f"{fixtures}/owner-current.key.pem", f"{fixtures}/owner-current.crt.pem", message)),
    "EncryptMessage (OpenSSL's GOST 2001 recipient, one-line PEM)": ("openssl cms -decrypt", lambda r: cms_decrypt(
        "r2001.p7m", r, "r2001.key", "r2001.crt", message)),
}

failed = 0
rows = []
for step in report.get("steps", []):
    status, note = step["status"], step.get("note", "")
    if status == "OK" and step["name"] in checks:
        what, check = checks[step["name"]]
        why = check(step.get("result", ""))
        note = why or what + ": OK"
        if why:
            status = "FAIL"
    failed += status == "FAIL"
    lines = [l for l in step.get("output", "").splitlines()[1:] if l.strip()]
    first = (lines[0] if lines else "").strip()
    rows.append((step["name"], first[:60] + ("…" if len(first) > 60 else ""), status, note))

if report.get("error"):
    rows.append(("driver", report["error"].splitlines()[0][:60], "FAIL", ""))
    failed += 1
w = max(len(r[0]) for r in rows) if rows else 10
print(f"{'step':<{w}}  {'status':<14}  output / check")
for name, first, status, note in rows:
    print(f"{name:<{w}}  {status:<14}  {first}")
    if note:
        print(f"{'':<{w}}  {'':<14}  ↳ {note}")
ok = sum(r[2] == "OK" for r in rows)
expected = sum(r[2] == "expected-error" for r in rows)
print(f"\n{len(rows)} steps: {ok} OK, {expected} expected-error, {failed} FAIL; "
      f"SafeTouch screens confirmed: {len(report.get('screens', []))}")
sys.exit(1 if failed else 0)
