"""GOST 28147-89 through python-pkcs11 (the C ABI of librutoken_pkcs11.so) for
pkcs11/tests/gost28147.rs: an imported key (CKA_VALUE) encrypts plain.bin with CKM_GOST28147
into token.bin and decrypts OpenSSL's ciphertext back to plain.bin; a generated key
round-trips single- and multi-part, MACs and verifies, wraps and unwraps another key.
A GOST R 34.10-2001 key pair derives (CKM_GOSTR3410_DERIVE, CK_GOSTR3410_DERIVE_PARAMS packed
by hand: the C ABI's struct path) a KEK with the peer key EPHEMERAL_HEX and UKM_HEX, which wraps
the imported key; the test checks the wrap with the host's VKO.
Usage: gost28147.py MODULE PIN KEY_HEX IV_HEX plain.bin openssl.bin token.bin EPHEMERAL_HEX UKM_HEX"""
import ctypes
import struct
import sys

import pkcs11
from pkcs11 import Attribute, KeyType, Mechanism, MechanismFlag, ObjectClass

module, pin, key_hex, iv_hex, plain_path, openssl_path, token_path = sys.argv[1:8]
ephemeral_hex, ukm_hex = sys.argv[8:10]
CRYPTOPRO_A = bytes.fromhex("06072a850302022301")
GOST94_PARAMS = bytes.fromhex("06072a850302021e01")
iv = bytes.fromhex(iv_hex)
plain = open(plain_path, "rb").read()
openssl = open(openssl_path, "rb").read()
CAPS = (MechanismFlag.ENCRYPT | MechanismFlag.DECRYPT | MechanismFlag.SIGN
        | MechanismFlag.VERIFY | MechanismFlag.WRAP | MechanismFlag.UNWRAP)

lib = pkcs11.lib(module)
token = next(iter(lib.get_slots(token_present=True))).get_token()
with token.open(user_pin=pin, rw=True) as s:
    mechanisms = token.slot.get_mechanisms()
    for m in (Mechanism.GOST28147_KEY_GEN, Mechanism.GOST28147_ECB, Mechanism.GOST28147,
              Mechanism.GOST28147_MAC, Mechanism.GOST28147_KEY_WRAP):
        assert m in mechanisms, m
    key = s.create_object({
        Attribute.CLASS: ObjectClass.SECRET_KEY,
        Attribute.KEY_TYPE: KeyType.GOST28147,
        Attribute.TOKEN: False,
        Attribute.VALUE: bytes.fromhex(key_hex),
        Attribute.ENCRYPT: True,
        Attribute.DECRYPT: True,
    })
    ct = key.encrypt(plain, mechanism=Mechanism.GOST28147, mechanism_param=iv)
    open(token_path, "wb").write(ct)
    back = key.decrypt(openssl, mechanism=Mechanism.GOST28147, mechanism_param=iv)
    assert back == plain, "OpenSSL's ciphertext decrypted on the token"
    print("imported ok")

    gen = s.generate_key(KeyType.GOST28147, 256, capabilities=CAPS,
                         mechanism=Mechanism.GOST28147_KEY_GEN,
                         template={Attribute.EXTRACTABLE: False})
    single = gen.encrypt(plain, mechanism=Mechanism.GOST28147, mechanism_param=iv)
    parts = b"".join(gen.encrypt([plain[:1000], plain[1000:1001], plain[1001:]],
                                 mechanism=Mechanism.GOST28147, mechanism_param=iv))
    assert parts == single, "multi-part equals single-part"
    assert gen.decrypt(single, mechanism=Mechanism.GOST28147, mechanism_param=iv) == plain
    ecb = gen.encrypt(plain[:2992], mechanism=Mechanism.GOST28147_ECB)
    assert gen.decrypt(ecb, mechanism=Mechanism.GOST28147_ECB) == plain[:2992]
    mac = gen.sign(plain, mechanism=Mechanism.GOST28147_MAC)
    assert len(mac) == 4
    assert gen.verify(plain, mac, mechanism=Mechanism.GOST28147_MAC)
    assert not gen.verify(plain + b"x", mac, mechanism=Mechanism.GOST28147_MAC)
    try:
        gen[Attribute.VALUE]
        raise SystemExit("a secret key's value was readable")
    except pkcs11.exceptions.AttributeSensitive:
        print("value AttributeSensitive")
    wrapped = gen.wrap_key(key, mechanism=Mechanism.GOST28147_KEY_WRAP,
                           mechanism_param=b"\x01" * 8)
    assert len(wrapped) == 44
    copy = gen.unwrap_key(ObjectClass.SECRET_KEY, KeyType.GOST28147, wrapped,
                          mechanism=Mechanism.GOST28147_KEY_WRAP,
                          capabilities=MechanismFlag.ENCRYPT | MechanismFlag.DECRYPT,
                          template={Attribute.EXTRACTABLE: False})
    assert copy.encrypt(plain, mechanism=Mechanism.GOST28147, mechanism_param=iv) == ct

    # VKO 2001 through C_DeriveKey's CK_GOSTR3410_DERIVE_PARAMS {kdf, pPublicData,
    # ulPublicDataLen, pUKM, ulUKMLen}: CK_ULONGs and pointers, native layout.
    public, private = s.generate_keypair(
        KeyType.GOSTR3410, mechanism=Mechanism.GOSTR3410_KEY_PAIR_GEN, label="vko2001",
        store=True, capabilities=MechanismFlag.SIGN | MechanismFlag.VERIFY | MechanismFlag.DERIVE,
        public_template={Attribute.GOSTR3410_PARAMS: CRYPTOPRO_A,
                         Attribute.GOSTR3411_PARAMS: GOST94_PARAMS},
        private_template={Attribute.GOSTR3410_PARAMS: CRYPTOPRO_A,
                          Attribute.GOSTR3411_PARAMS: GOST94_PARAMS})
    peer = ctypes.create_string_buffer(bytes.fromhex(ephemeral_hex), len(ephemeral_hex) // 2)
    ukm = ctypes.create_string_buffer(bytes.fromhex(ukm_hex), len(ukm_hex) // 2)
    CKD_NULL = 1
    params = struct.pack("@LPLPL", CKD_NULL, ctypes.addressof(peer), len(peer.raw),
                         ctypes.addressof(ukm), len(ukm.raw))
    kek = private.derive_key(KeyType.GOST28147, 256, mechanism=Mechanism.GOSTR3410_DERIVE,
                             mechanism_param=params, capabilities=CAPS,
                             template={Attribute.EXTRACTABLE: False})
    short = struct.pack("@LPLPL", CKD_NULL, ctypes.addressof(peer), 10,
                        ctypes.addressof(ukm), len(ukm.raw))
    try:
        private.derive_key(KeyType.GOST28147, 256, mechanism=Mechanism.GOSTR3410_DERIVE,
                           mechanism_param=short, capabilities=CAPS,
                           template={Attribute.EXTRACTABLE: False})
        raise SystemExit("a 10-byte peer key derived")
    except pkcs11.exceptions.MechanismParamInvalid:
        print("short-peer MechanismParamInvalid")
    wrapped = kek.wrap_key(key, mechanism=Mechanism.GOST28147_KEY_WRAP,
                           mechanism_param=bytes.fromhex(ukm_hex))
    print("token-public", public[Attribute.VALUE].hex())
    print("kek-wrapped", wrapped.hex())
    print("done")
