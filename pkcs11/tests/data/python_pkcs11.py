# python-pkcs11 (PyPI) against librutoken_pkcs11.so: the module as a Python application sees it.
# Run by pkcs11/tests/python.rs inside the lab's namespace; every SafeTouch screen is confirmed
# by the test through the control socket. Prints "name value" lines the test checks with
# OpenSSL; exits non-zero (with a traceback) on any failed expectation.
import sys

import pkcs11
from pkcs11 import Attribute, KeyType, Mechanism, MechanismFlag, ObjectClass
from pkcs11 import exceptions as e

module, user_pin, data_path = sys.argv[1], sys.argv[2], sys.argv[3]



def vendor(name, value):
    """A Mechanism for a code python-pkcs11 has no name for (it takes Mechanism members only)."""
    m = int.__new__(Mechanism, value)
    m._name_, m._value_ = name, value
    return m


# TC26 vendor codes (NSSCK_VENDOR_PKCS11_RU_TEAM | n): python-pkcs11 has no names for them.
CKM_GOSTR3410_512_KEY_PAIR_GEN = vendor("GOSTR3410_512_KEY_PAIR_GEN", 0xD4321005)
CKM_GOSTR3410_WITH_GOSTR3411_12_256 = vendor("GOSTR3410_WITH_GOSTR3411_12_256", 0xD4321008)
CKM_GOSTR3411_12_256 = vendor("GOSTR3411_12_256", 0xD4321012)
CKM_GOSTR3411_12_512 = vendor("GOSTR3411_12_512", 0xD4321013)
# DER OIDs: id-tc26-gost-3410-12-256-paramSetB = CryptoPro-A, and Streebog-256.
CRYPTOPRO_A = bytes.fromhex("06072a850302022301")
STREEBOG_256 = bytes.fromhex("06082a85030701010202")

lib = pkcs11.lib(module)
slots = lib.get_slots(token_present=True)
assert len(slots) == 1, slots
token = slots[0].get_token()
assert token.label.startswith("Rutoken ECP"), token.label
print("token", token.label)
mechanisms = {int(m) for m in slots[0].get_mechanisms()}
for m in (0x1200, 0x1201, CKM_GOSTR3410_512_KEY_PAIR_GEN, CKM_GOSTR3410_WITH_GOSTR3411_12_256):
    assert m in mechanisms, hex(m)

data = open(data_path, "rb").read()

# A wrong PIN is PinIncorrect and changes nothing else.
try:
    token.open(user_pin="00000000")
    raise AssertionError("a wrong PIN was accepted")
except e.PinIncorrect:
    print("wrong-pin PinIncorrect")

with token.open(rw=True, user_pin=user_pin) as session:
    # Digests on the host: Streebog-256 and -512.
    print("streebog256", session.digest(data, mechanism=CKM_GOSTR3411_12_256).hex())
    print("streebog512", session.digest(data, mechanism=CKM_GOSTR3411_12_512).hex())

    random = session.generate_random(256)
    assert len(random) == 32 and random != bytes(32)

    # A 2012-256 key pair on paramSetB (the CryptoPro-A curve), as Aktiv's samples make it.
    public, private = session.generate_keypair(
        KeyType.GOSTR3410,
        mechanism=Mechanism.GOSTR3410_KEY_PAIR_GEN,
        label="py256",
        store=True,
        capabilities=MechanismFlag.SIGN | MechanismFlag.VERIFY,
        public_template={Attribute.GOSTR3410_PARAMS: CRYPTOPRO_A,
                         Attribute.GOSTR3411_PARAMS: STREEBOG_256},
        private_template={Attribute.GOSTR3410_PARAMS: CRYPTOPRO_A,
                          Attribute.GOSTR3411_PARAMS: STREEBOG_256},
    )
    assert public[Attribute.GOSTR3410_PARAMS] == CRYPTOPRO_A
    assert public[Attribute.GOSTR3411_PARAMS] == STREEBOG_256
    value = public[Attribute.VALUE]
    assert len(value) == 64, len(value)
    print("public", value.hex())
    try:
        private[Attribute.VALUE]
        raise AssertionError("the private value was readable")
    except e.AttributeSensitive:
        print("private-value AttributeSensitive")

    # Sign with on-token hashing (SafeTouch screen 1), verify with C_Verify.
    signature = private.sign(data, mechanism=CKM_GOSTR3410_WITH_GOSTR3411_12_256)
    assert len(signature) == 64
    assert public.verify(data, signature, mechanism=CKM_GOSTR3410_WITH_GOSTR3411_12_256)
    assert not public.verify(data + b"!", signature, mechanism=CKM_GOSTR3410_WITH_GOSTR3411_12_256)
    print("signature", signature.hex())

    # Sign a host digest with CKM_GOSTR3410 (SafeTouch screen 2).
    digest = session.digest(data, mechanism=CKM_GOSTR3411_12_256)
    signature = private.sign(digest, mechanism=Mechanism.GOSTR3410)
    assert public.verify(digest, signature, mechanism=Mechanism.GOSTR3410)
    print("digest-signature", signature.hex())

    # A session data object: create, find, read, change, destroy.
    obj = session.create_object({
        Attribute.CLASS: ObjectClass.DATA,
        Attribute.TOKEN: False,
        Attribute.LABEL: "note",
        Attribute.APPLICATION: "rutoken-lab",
        Attribute.VALUE: b"hello",
    })
    found = list(session.get_objects({Attribute.CLASS: ObjectClass.DATA, Attribute.LABEL: "note"}))
    assert len(found) == 1 and found[0][Attribute.VALUE] == b"hello"
    found[0][Attribute.VALUE] = b"bye"
    assert obj[Attribute.VALUE] == b"bye"
    obj.destroy()
    assert not list(session.get_objects({Attribute.CLASS: ObjectClass.DATA}))

    # The key pair is a token object: another session finds it by label; destroy removes it.
    keys = list(session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.LABEL: "py256"}))
    assert len(keys) == 1
    keys[0].destroy()
    assert not list(session.get_objects({Attribute.LABEL: "py256"}))
    print("destroyed py256")

print("done")
