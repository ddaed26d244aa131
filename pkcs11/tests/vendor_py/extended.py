# Aktiv's PKCS#11 extensions from Python with ctypes only (the standard library), the way a
# bank's Python tooling would call librtpkcs11ecp.so: the library loaded by the vendor's file
# name, the standard calls through its exported C_* symbols, the extended ones through the
# CK_FUNCTION_LIST_EXTENDED that C_EX_GetFunctionListExtended returns (member order of Aktiv's
# rtpkcs11f.h as AktivCo/pkcs11jna declares it).
# Run by pkcs11/tests/vendor_c.rs inside the lab's namespace after the C program has generated
# the key pair under ID and imported its certificate; every SafeTouch screen is confirmed by the
# test. Usage: extended.py ID_HEX DOCUMENT (user PIN in $USER_PIN). Writes py-csr.der and
# py-cms.der for OpenSSL; prints "name value" lines, "unsupported <call>" for an extended call
# that answers CKR_FUNCTION_NOT_SUPPORTED; exits non-zero on a failed expectation.
import ctypes
import os
import sys
from ctypes import POINTER, byref, c_char_p, c_ubyte, c_ulong, c_void_p

CK_ULONG = c_ulong
CK_RV = c_ulong
CK_BYTE_PTR = POINTER(c_ubyte)

# OASIS PKCS#11 v2.40 values.
CKR_OK = 0
CKR_FUNCTION_NOT_SUPPORTED = 0x54
CKF_SERIAL_SESSION, CKF_RW_SESSION = 0x4, 0x2
CKU_USER = 1
CKA_CLASS, CKA_ID = 0x0, 0x102
CKO_CERTIFICATE, CKO_PUBLIC_KEY, CKO_PRIVATE_KEY = 1, 2, 3
# rtpkcs11t.h values.
USE_HARDWARE_HASH = 0x02
TOKEN_TYPE_RUTOKEN_ECP = 0x01
TOKEN_CLASS_ECP = 0x01


class CK_VERSION(ctypes.Structure):
    _fields_ = [("major", c_ubyte), ("minor", c_ubyte)]


class CK_ATTRIBUTE(ctypes.Structure):
    _fields_ = [("type", CK_ULONG), ("pValue", c_void_p), ("ulValueLen", CK_ULONG)]


class CK_TOKEN_INFO_EXTENDED(ctypes.Structure):
    _fields_ = [(name, CK_ULONG) for name in (
        "ulSizeofThisStructure", "ulTokenType", "ulProtocolNumber", "ulMicrocodeNumber",
        "ulOrderNumber", "flags", "ulMaxAdminPinLen", "ulMinAdminPinLen", "ulMaxUserPinLen",
        "ulMinUserPinLen", "ulMaxAdminRetryCount", "ulAdminRetryCountLeft",
        "ulMaxUserRetryCount", "ulUserRetryCountLeft")] + [
        ("serialNumber", c_ubyte * 8), ("ulTotalMemory", CK_ULONG), ("ulFreeMemory", CK_ULONG),
        ("ATR", c_ubyte * 64)] + [(name, CK_ULONG) for name in (
            "ulATRLen", "ulTokenClass", "ulBatteryVoltage", "ulBodyColor", "ulFirmwareChecksum",
            "ulBatteryPercentage", "ulBatteryFlags")]


GetTokenInfoExtended = ctypes.CFUNCTYPE(CK_RV, CK_ULONG, POINTER(CK_TOKEN_INFO_EXTENDED))
PKCS7Sign = ctypes.CFUNCTYPE(CK_RV, CK_ULONG, CK_BYTE_PTR, CK_ULONG, CK_ULONG,
                             POINTER(CK_BYTE_PTR), POINTER(CK_ULONG), CK_ULONG,
                             POINTER(CK_ULONG), CK_ULONG, CK_ULONG)
CreateCSR = ctypes.CFUNCTYPE(CK_RV, CK_ULONG, CK_ULONG, POINTER(c_char_p), CK_ULONG,
                             POINTER(CK_BYTE_PTR), POINTER(CK_ULONG), CK_ULONG,
                             POINTER(c_char_p), CK_ULONG, POINTER(c_char_p), CK_ULONG)
FreeBuffer = ctypes.CFUNCTYPE(CK_RV, CK_BYTE_PTR)
Untyped = c_void_p

# CK_FUNCTION_LIST_EXTENDED: the version, then 31 function pointers in the vendor's order.
MEMBERS = [
    ("C_EX_GetFunctionListExtended", Untyped), ("C_EX_InitToken", Untyped),
    ("C_EX_GetTokenInfoExtended", GetTokenInfoExtended), ("C_EX_UnblockUserPIN", Untyped),
    ("C_EX_SetTokenName", Untyped), ("C_EX_SetLicense", Untyped), ("C_EX_GetLicense", Untyped),
    ("C_EX_GetCertificateInfoText", Untyped), ("C_EX_PKCS7Sign", PKCS7Sign),
    ("C_EX_CreateCSR", CreateCSR), ("C_EX_FreeBuffer", FreeBuffer),
    ("C_EX_GetTokenName", Untyped), ("C_EX_SetLocalPIN", Untyped),
    ("C_EX_LoadActivationKey", Untyped), ("C_EX_SetActivationPassword", Untyped),
    ("C_EX_GetVolumesInfo", Untyped), ("C_EX_GetDriveSize", Untyped),
    ("C_EX_ChangeVolumeAttributes", Untyped), ("C_EX_FormatDrive", Untyped),
    ("C_EX_TokenManage", Untyped), ("C_EX_GenerateActivationPassword", Untyped),
    ("C_EX_GetJournal", Untyped), ("C_EX_SignInvisibleInit", Untyped),
    ("C_EX_SignInvisible", Untyped), ("C_EX_SlotManage", Untyped), ("C_EX_WrapKey", Untyped),
    ("C_EX_UnwrapKey", Untyped), ("C_EX_PKCS7VerifyInit", Untyped),
    ("C_EX_PKCS7Verify", Untyped), ("C_EX_PKCS7VerifyUpdate", Untyped),
    ("C_EX_PKCS7VerifyFinal", Untyped),
]


class CK_FUNCTION_LIST_EXTENDED(ctypes.Structure):
    _fields_ = [("version", CK_VERSION)] + MEMBERS


def check(call, rv):
    print("rv", call, hex(rv))
    if rv != CKR_OK:
        raise SystemExit(f"{call} returned {hex(rv)}")


def supported(call, rv):
    """False (saying so) when an extended call answers CKR_FUNCTION_NOT_SUPPORTED: the test
    skips what depends on it; any other failure ends the script."""
    if rv == CKR_FUNCTION_NOT_SUPPORTED:
        print("unsupported", call)
        return False
    check(call, rv)
    return True


def find(lib, session, object_class, key_id):
    cls = CK_ULONG(object_class)
    id_buf = ctypes.create_string_buffer(key_id, len(key_id))
    template = (CK_ATTRIBUTE * 2)(
        CK_ATTRIBUTE(CKA_CLASS, ctypes.cast(byref(cls), c_void_p), ctypes.sizeof(cls)),
        CK_ATTRIBUTE(CKA_ID, ctypes.cast(id_buf, c_void_p), len(key_id)))
    handles = (CK_ULONG * 4)()
    count = CK_ULONG(0)
    check("C_FindObjectsInit", lib.C_FindObjectsInit(session, template, 2))
    check("C_FindObjects", lib.C_FindObjects(session, handles, 4, byref(count)))
    check("C_FindObjectsFinal", lib.C_FindObjectsFinal(session))
    assert count.value == 1, (object_class, count.value)
    return handles[0]


def take(functions, pointer, length, path):
    """Copies a buffer the library allocated, frees it with C_EX_FreeBuffer, writes it out."""
    data = ctypes.string_at(pointer, length.value)
    check("C_EX_FreeBuffer", functions.C_EX_FreeBuffer(pointer))
    with open(path, "wb") as f:
        f.write(data)
    return data


def main():
    key_id = bytes.fromhex(sys.argv[1])
    document = open(sys.argv[2], "rb").read()
    pin = os.environ["USER_PIN"].encode()

    lib = ctypes.CDLL("librtpkcs11ecp.so")
    # Argument types as OASIS pkcs11.h declares them (ctypes would pass a Python int as int).
    signatures = {
        "C_Initialize": [c_void_p],
        "C_GetSlotList": [c_ubyte, POINTER(CK_ULONG), POINTER(CK_ULONG)],
        "C_OpenSession": [CK_ULONG, CK_ULONG, c_void_p, c_void_p, POINTER(CK_ULONG)],
        "C_Login": [CK_ULONG, CK_ULONG, c_char_p, CK_ULONG],
        "C_FindObjectsInit": [CK_ULONG, POINTER(CK_ATTRIBUTE), CK_ULONG],
        "C_FindObjects": [CK_ULONG, POINTER(CK_ULONG), CK_ULONG, POINTER(CK_ULONG)],
        "C_FindObjectsFinal": [CK_ULONG],
        "C_Logout": [CK_ULONG],
        "C_CloseSession": [CK_ULONG],
        "C_Finalize": [c_void_p],
    }
    for name, argtypes in signatures.items():
        getattr(lib, name).restype = CK_RV
        getattr(lib, name).argtypes = argtypes
    pointer = POINTER(CK_FUNCTION_LIST_EXTENDED)()
    get_list = lib.C_EX_GetFunctionListExtended
    get_list.restype = CK_RV
    check("C_EX_GetFunctionListExtended", get_list(byref(pointer)))
    functions = pointer.contents
    for name, kind in MEMBERS:
        member = getattr(functions, name)
        address = member if kind is Untyped else ctypes.cast(member, c_void_p).value
        assert address, f"{name} is NULL"

    check("C_Initialize", lib.C_Initialize(None))
    slots = (CK_ULONG * 8)()
    count = CK_ULONG(8)
    check("C_GetSlotList", lib.C_GetSlotList(1, slots, byref(count)))
    assert count.value >= 1
    slot = slots[0]

    info = CK_TOKEN_INFO_EXTENDED()
    info.ulSizeofThisStructure = ctypes.sizeof(info)
    if supported("C_EX_GetTokenInfoExtended",
                 functions.C_EX_GetTokenInfoExtended(slot, byref(info))):
        print("type", info.ulTokenType)
        print("class", info.ulTokenClass)
        print("user-retries", info.ulUserRetryCountLeft, "of", info.ulMaxUserRetryCount)
        assert info.ulTokenType == TOKEN_TYPE_RUTOKEN_ECP, info.ulTokenType
        assert info.ulTokenClass == TOKEN_CLASS_ECP, info.ulTokenClass
        assert 0 < info.ulATRLen <= 64, info.ulATRLen

    session = CK_ULONG(0)
    check("C_OpenSession", lib.C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, None,
                                             None, byref(session)))
    check("C_Login", lib.C_Login(session, CKU_USER, pin, len(pin)))
    public = find(lib, session, CKO_PUBLIC_KEY, key_id)
    private = find(lib, session, CKO_PRIVATE_KEY, key_id)
    cert = find(lib, session, CKO_CERTIFICATE, key_id)

    pairs = ["C", "RU", "CN", "Иванов Иван Иванович", "O", "ООО «Тест»"]
    dn = (c_char_p * len(pairs))(*[p.encode() for p in pairs])
    exts_list = ["keyUsage", "digitalSignature,nonRepudiation"]
    exts = (c_char_p * len(exts_list))(*[e.encode() for e in exts_list])
    csr = CK_BYTE_PTR()
    csr_len = CK_ULONG(0)
    if supported("C_EX_CreateCSR", functions.C_EX_CreateCSR(
            session, public, dn, len(pairs), byref(csr), byref(csr_len), private, None, 0, exts,
            len(exts_list))):
        print("csr", len(take(functions, csr, csr_len, "py-csr.der")))

    data = (c_ubyte * len(document)).from_buffer_copy(document)
    cms = CK_BYTE_PTR()
    cms_len = CK_ULONG(0)
    if supported("C_EX_PKCS7Sign", functions.C_EX_PKCS7Sign(
            session, data, len(document), cert, byref(cms), byref(cms_len), private, None, 0,
            USE_HARDWARE_HASH)):
        print("cms", len(take(functions, cms, cms_len, "py-cms.der")))

    check("C_Logout", lib.C_Logout(session))
    check("C_CloseSession", lib.C_CloseSession(session))
    check("C_Finalize", lib.C_Finalize(None))
    print("done")


if __name__ == "__main__":
    main()
