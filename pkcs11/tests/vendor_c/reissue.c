/*
 * A certificate reissue written the way bank code and Aktiv's SDK samples are written against
 * librtpkcs11ecp.so: the library is loaded by the vendor's file name with dlopen, then
 * C_GetFunctionList, then C_EX_GetFunctionListExtended; every call goes through those two lists.
 * Built and driven by pkcs11/tests/vendor_c.rs, one step per run (the test issues the
 * certificate and presses the SafeTouch's buttons between steps):
 *
 *   reissue probe                      which optional parts the library has
 *   reissue keygen ID                  a GOST R 34.10-2012-256 key pair under CKA_ID = ID (hex)
 *   reissue sign ID FILE               C_Sign with on-token Streebog-256 by the key found by ID
 *   reissue csr ID OUT                 C_EX_CreateCSR for that key pair (DER PKCS#10 to OUT)
 *   reissue import ID CERT             the issued certificate (DER) under the same CKA_ID
 *   reissue pkcs7 ID FILE OUT [detached]   C_EX_PKCS7Sign with USE_HARDWARE_HASH
 *   reissue tokeninfo                  C_EX_GetTokenInfoExtended
 *   reissue gost28147                  GOST 28147-89 key, ECB / CFB / MAC round trips
 *   reissue events                     C_WaitForSlotEvent on a pull, then on an insert
 *   reissue inittoken SOPIN USERPIN LABEL   C_EX_InitToken keeping the token's PIN policy
 *                                      (LABEL "-": none), then checks the token is empty
 *
 * Every call's result is printed as "rv <call> 0x<hex>"; values as "<name> <hex>". The exit
 * status is 0 when the step did what it should, 1 when a call failed, 2 on usage errors and 3
 * when the library has no C_EX_GetFunctionListExtended.
 * The user PIN comes from the environment (USER_PIN): never printed.
 */
/* clock_gettime and CLOCK_MONOTONIC are POSIX, not C99. */
#define _POSIX_C_SOURCE 200809L

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rtpkcs11.h"

#define arraysize(a) (sizeof(a) / sizeof((a)[0]))

static CK_FUNCTION_LIST_PTR functionList;
static CK_FUNCTION_LIST_EXTENDED_PTR functionListEx;
static CK_SLOT_ID slot;

static CK_OBJECT_CLASS ocPubKey = CKO_PUBLIC_KEY;
static CK_OBJECT_CLASS ocPrivKey = CKO_PRIVATE_KEY;
static CK_OBJECT_CLASS ocCert = CKO_CERTIFICATE;
static CK_OBJECT_CLASS ocSecretKey = CKO_SECRET_KEY;
static CK_KEY_TYPE ktGost2012_256 = CKK_GOSTR3410;
static CK_KEY_TYPE ktGost28147 = CKK_GOST28147;
static CK_CERTIFICATE_TYPE ctX509 = CKC_X_509;
static CK_ULONG certCategoryUser = 1; /* PKCS#11 v2.40 §4.6.2: 1 = token user */
static CK_BBOOL bTrue = CK_TRUE;
static CK_BBOOL bFalse = CK_FALSE;

/* DER of id-tc26-gost-3410-12-256-paramSetB (= CryptoPro-A, 1.2.643.2.2.35.1, RFC 9215 §3.2)
 * and of id-tc26-gost3411-12-256 (1.2.643.7.1.1.2.2, RFC 9215 §3.3): what Aktiv's samples put
 * in a 2012-256 key's template. */
static CK_BYTE gost3410_2012_256_params[] = {0x06, 0x07, 0x2a, 0x85, 0x03, 0x02, 0x02, 0x23, 0x01};
static CK_BYTE gost3411_2012_256_params[] = {0x06, 0x08, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x02};
/* DER of id-Gost28147-89-CryptoPro-A-ParamSet (1.2.643.2.2.31.1, RFC 4357 §11.2). */
static CK_BYTE gost28147_params[] = {0x06, 0x07, 0x2a, 0x85, 0x03, 0x02, 0x02, 0x1f, 0x01};

/* Microseconds on the monotonic clock: the bench in benches/ reads the "elapsed-us" lines. */
static long long nowUs(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long) t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void showRv(const char* call, CK_RV rv)
{
	printf("rv %s 0x%lx\n", call, (unsigned long) rv);
}

static void showHex(const char* name, const CK_BYTE* data, CK_ULONG length)
{
	CK_ULONG i;
	printf("%s ", name);
	for (i = 0; i < length; i++)
		printf("%02x", data[i]);
	printf("\n");
}

static int parseHex(const char* text, CK_BYTE* out, CK_ULONG max, CK_ULONG* length)
{
	size_t n = strlen(text);
	size_t i;
	if (n % 2 != 0 || n / 2 > max)
		return 0;
	for (i = 0; i < n / 2; i++) {
		unsigned int byte;
		if (sscanf(text + 2 * i, "%2x", &byte) != 1)
			return 0;
		out[i] = (CK_BYTE) byte;
	}
	*length = (CK_ULONG) (n / 2);
	return 1;
}

static CK_BYTE_PTR readFile(const char* path, CK_ULONG* length)
{
	FILE* f = fopen(path, "rb");
	CK_BYTE_PTR data;
	long size;
	if (f == NULL)
		return NULL_PTR;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	data = (CK_BYTE_PTR) malloc(size > 0 ? (size_t) size : 1);
	if (data != NULL && fread(data, 1, (size_t) size, f) != (size_t) size) {
		free(data);
		data = NULL;
	}
	fclose(f);
	*length = (CK_ULONG) size;
	return data;
}

static int writeFile(const char* path, const CK_BYTE* data, CK_ULONG length)
{
	FILE* f = fopen(path, "wb");
	int ok;
	if (f == NULL)
		return 0;
	ok = fwrite(data, 1, length, f) == length;
	return fclose(f) == 0 && ok;
}

/* Step 1 of every Aktiv sample: load the library by its file name, take both function lists,
 * initialise, find the first slot with a token. */
static int initialize(void)
{
	void* module;
	CK_C_GetFunctionList pfGetFunctionList;
	CK_C_EX_GetFunctionListExtended pfGetFunctionListEx;
	CK_SLOT_ID slots[16];
	CK_ULONG slotCount = arraysize(slots);
	CK_RV rv;

	module = dlopen(PKCS11ECP_LIBRARY_NAME, RTLD_NOW);
	if (module == NULL) {
		printf("dlopen %s failed: %s\n", PKCS11ECP_LIBRARY_NAME, dlerror());
		return 1;
	}
	pfGetFunctionList = (CK_C_GetFunctionList) dlsym(module, "C_GetFunctionList");
	pfGetFunctionListEx = (CK_C_EX_GetFunctionListExtended) dlsym(module, "C_EX_GetFunctionListExtended");
	if (pfGetFunctionList == NULL) {
		printf("no C_GetFunctionList\n");
		return 1;
	}
	rv = pfGetFunctionList(&functionList);
	showRv("C_GetFunctionList", rv);
	if (rv != CKR_OK)
		return 1;
	if (pfGetFunctionListEx != NULL) {
		rv = pfGetFunctionListEx(&functionListEx);
		showRv("C_EX_GetFunctionListExtended", rv);
		if (rv != CKR_OK)
			return 1;
	}
	rv = functionList->C_Initialize(NULL_PTR);
	showRv("C_Initialize", rv);
	if (rv != CKR_OK)
		return 1;
	rv = functionList->C_GetSlotList(CK_TRUE, slots, &slotCount);
	showRv("C_GetSlotList", rv);
	if (rv != CKR_OK || slotCount == 0) {
		printf("no token\n");
		return 1;
	}
	slot = slots[0];
	return 0;
}

static int requireExtended(void)
{
	if (functionListEx == NULL_PTR) {
		printf("the library has no C_EX_GetFunctionListExtended\n");
		return 0;
	}
	return 1;
}

static CK_RV openUserSession(CK_SESSION_HANDLE* session)
{
	const char* pin = getenv("USER_PIN");
	CK_RV rv = functionList->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL_PTR,
					       NULL_PTR, session);
	showRv("C_OpenSession", rv);
	if (rv != CKR_OK)
		return rv;
	if (pin == NULL)
		return CKR_PIN_INCORRECT;
	rv = functionList->C_Login(*session, CKU_USER, (CK_UTF8CHAR_PTR) pin, (CK_ULONG) strlen(pin));
	showRv("C_Login", rv);
	return rv;
}

/* The one object of class `objectClass` under CKA_ID = id, or CK_INVALID_HANDLE; prints how many
 * there were as "found <class> <count>". */
static CK_OBJECT_HANDLE findById(CK_SESSION_HANDLE session, CK_OBJECT_CLASS objectClass,
				 const CK_BYTE* id, CK_ULONG idLength)
{
	CK_ATTRIBUTE tmpl[] = {
		{CKA_CLASS, &objectClass, sizeof(objectClass)},
		{CKA_ID, (CK_VOID_PTR) id, idLength},
	};
	CK_OBJECT_HANDLE objects[4];
	CK_ULONG count = 0;
	CK_RV rv = functionList->C_FindObjectsInit(session, tmpl, arraysize(tmpl));
	if (rv == CKR_OK)
		rv = functionList->C_FindObjects(session, objects, arraysize(objects), &count);
	functionList->C_FindObjectsFinal(session);
	showRv("C_FindObjects", rv);
	printf("found %lu %lu\n", (unsigned long) objectClass, (unsigned long) count);
	return (rv == CKR_OK && count == 1) ? objects[0] : CK_INVALID_HANDLE;
}

static int stepKeygen(CK_SESSION_HANDLE session, const CK_BYTE* id, CK_ULONG idLength)
{
	CK_MECHANISM mechanism = {CKM_GOSTR3410_KEY_PAIR_GEN, NULL_PTR, 0};
	/* Each half its own label, as Aktiv's samples name them. */
	CK_UTF8CHAR pubLabel[] = "Bank key Public Key";
	CK_UTF8CHAR privLabel[] = "Bank key Private Key";
	CK_ATTRIBUTE publicKeyTmpl[] = {
		{CKA_CLASS, &ocPubKey, sizeof(ocPubKey)},
		{CKA_LABEL, pubLabel, sizeof(pubLabel) - 1},
		{CKA_ID, (CK_VOID_PTR) id, idLength},
		{CKA_KEY_TYPE, &ktGost2012_256, sizeof(ktGost2012_256)},
		{CKA_TOKEN, &bTrue, sizeof(bTrue)},
		{CKA_PRIVATE, &bFalse, sizeof(bFalse)},
		{CKA_VERIFY, &bTrue, sizeof(bTrue)},
		{CKA_GOSTR3410_PARAMS, gost3410_2012_256_params, sizeof(gost3410_2012_256_params)},
		{CKA_GOSTR3411_PARAMS, gost3411_2012_256_params, sizeof(gost3411_2012_256_params)},
	};
	CK_ATTRIBUTE privateKeyTmpl[] = {
		{CKA_CLASS, &ocPrivKey, sizeof(ocPrivKey)},
		{CKA_LABEL, privLabel, sizeof(privLabel) - 1},
		{CKA_ID, (CK_VOID_PTR) id, idLength},
		{CKA_KEY_TYPE, &ktGost2012_256, sizeof(ktGost2012_256)},
		{CKA_TOKEN, &bTrue, sizeof(bTrue)},
		{CKA_PRIVATE, &bTrue, sizeof(bTrue)},
		{CKA_SIGN, &bTrue, sizeof(bTrue)},
		{CKA_GOSTR3410_PARAMS, gost3410_2012_256_params, sizeof(gost3410_2012_256_params)},
		{CKA_GOSTR3411_PARAMS, gost3411_2012_256_params, sizeof(gost3411_2012_256_params)},
	};
	CK_OBJECT_HANDLE hPubKey, hPrvKey;
	CK_BYTE value[128];
	CK_ATTRIBUTE valueAttr = {CKA_VALUE, value, sizeof(value)};
	CK_RV rv;

	rv = functionList->C_GenerateKeyPair(session, &mechanism, publicKeyTmpl, arraysize(publicKeyTmpl),
					     privateKeyTmpl, arraysize(privateKeyTmpl), &hPubKey, &hPrvKey);
	showRv("C_GenerateKeyPair", rv);
	if (rv != CKR_OK)
		return 1;
	/* Bank code finds its key again by the ID it chose. */
	hPrvKey = findById(session, CKO_PRIVATE_KEY, id, idLength);
	if (hPrvKey == CK_INVALID_HANDLE)
		return 1;
	hPubKey = findById(session, CKO_PUBLIC_KEY, id, idLength);
	if (hPubKey == CK_INVALID_HANDLE)
		return 1;
	/* Each half kept the label it was given. */
	for (int half = 0; half < 2; ++half) {
		CK_UTF8CHAR label[64];
		CK_ATTRIBUTE labelAttr = {CKA_LABEL, label, sizeof(label)};
		rv = functionList->C_GetAttributeValue(session, half ? hPrvKey : hPubKey, &labelAttr, 1);
		showRv("C_GetAttributeValue", rv);
		if (rv != CKR_OK)
			return 1;
		printf("label-%s %.*s\n", half ? "private" : "public", (int) labelAttr.ulValueLen,
		       (const char*) label);
	}
	rv = functionList->C_GetAttributeValue(session, hPubKey, &valueAttr, 1);
	showRv("C_GetAttributeValue", rv);
	if (rv != CKR_OK)
		return 1;
	showHex("public", value, valueAttr.ulValueLen);
	return 0;
}

static int stepSign(CK_SESSION_HANDLE session, const CK_BYTE* id, CK_ULONG idLength, const char* path)
{
	CK_MECHANISM mechanism = {CKM_GOSTR3410_WITH_GOSTR3411_12_256, NULL_PTR, 0};
	CK_BYTE signature[128];
	CK_ULONG signatureLength = sizeof(signature);
	CK_ULONG dataLength;
	CK_BYTE_PTR data = readFile(path, &dataLength);
	CK_OBJECT_HANDLE hPrvKey = findById(session, CKO_PRIVATE_KEY, id, idLength);
	CK_RV rv;

	if (data == NULL_PTR || hPrvKey == CK_INVALID_HANDLE)
		return 1;
	rv = functionList->C_SignInit(session, &mechanism, hPrvKey);
	showRv("C_SignInit", rv);
	if (rv == CKR_OK) {
		/* The SafeTouch shows what is signed and waits for the owner's press. */
		long long start = nowUs();
		rv = functionList->C_Sign(session, data, dataLength, signature, &signatureLength);
		printf("elapsed-us %lld\n", nowUs() - start);
		showRv("C_Sign", rv);
		if (rv == CKR_OK)
			showHex("signature", signature, signatureLength);
	}
	free(data);
	/* A rejected signature is an answer, not a failure of this program. */
	return (rv == CKR_OK || rv == CKR_FUNCTION_REJECTED) ? 0 : 1;
}

static int stepCsr(CK_SESSION_HANDLE session, const CK_BYTE* id, CK_ULONG idLength, const char* out)
{
	/* DN and extensions as type/value string pairs, the vendor's format (Aktiv's CreateCSR
	 * sample): short names or dotted OIDs; values UTF-8. */
	CK_CHAR_PTR dn[] = {
		(CK_CHAR_PTR) "C", (CK_CHAR_PTR) "RU",
		(CK_CHAR_PTR) "L", (CK_CHAR_PTR) "Тюмень",
		(CK_CHAR_PTR) "O", (CK_CHAR_PTR) "ООО «Тест»",
		(CK_CHAR_PTR) "CN", (CK_CHAR_PTR) "Иванов Иван Иванович",
		(CK_CHAR_PTR) "1.2.643.3.131.1.1", (CK_CHAR_PTR) "386700000000",
	};
	CK_CHAR_PTR exts[] = {
		(CK_CHAR_PTR) "keyUsage", (CK_CHAR_PTR) "digitalSignature,nonRepudiation",
		(CK_CHAR_PTR) "extendedKeyUsage", (CK_CHAR_PTR) "1.3.6.1.5.5.7.3.2,1.3.6.1.5.5.7.3.4",
	};
	CK_OBJECT_HANDLE hPubKey, hPrvKey;
	CK_BYTE_PTR csr = NULL_PTR;
	CK_ULONG csrLength = 0;
	CK_RV rv;

	if (!requireExtended())
		return 3;
	hPubKey = findById(session, CKO_PUBLIC_KEY, id, idLength);
	hPrvKey = findById(session, CKO_PRIVATE_KEY, id, idLength);
	if (hPubKey == CK_INVALID_HANDLE || hPrvKey == CK_INVALID_HANDLE)
		return 1;
	rv = functionListEx->C_EX_CreateCSR(session, hPubKey, dn, arraysize(dn), &csr, &csrLength, hPrvKey,
					    NULL_PTR, 0, exts, arraysize(exts));
	showRv("C_EX_CreateCSR", rv);
	if (rv != CKR_OK)
		return 1;
	if (!writeFile(out, csr, csrLength)) {
		printf("cannot write %s\n", out);
		return 1;
	}
	printf("csr %lu bytes\n", (unsigned long) csrLength);
	rv = functionListEx->C_EX_FreeBuffer(csr);
	showRv("C_EX_FreeBuffer", rv);
	return rv == CKR_OK ? 0 : 1;
}

static int stepImport(CK_SESSION_HANDLE session, const CK_BYTE* id, CK_ULONG idLength, const char* path)
{
	CK_UTF8CHAR label[] = "Bank certificate";
	CK_ULONG certLength;
	CK_BYTE_PTR cert = readFile(path, &certLength);
	CK_OBJECT_HANDLE hCert;
	CK_RV rv;
	if (cert == NULL_PTR)
		return 1;
	{
		CK_ATTRIBUTE certTmpl[] = {
			{CKA_CLASS, &ocCert, sizeof(ocCert)},
			{CKA_CERTIFICATE_TYPE, &ctX509, sizeof(ctX509)},
			{CKA_ID, (CK_VOID_PTR) id, idLength},
			{CKA_LABEL, label, sizeof(label) - 1},
			{CKA_TOKEN, &bTrue, sizeof(bTrue)},
			{CKA_PRIVATE, &bFalse, sizeof(bFalse)},
			{CKA_CERTIFICATE_CATEGORY, &certCategoryUser, sizeof(certCategoryUser)},
			{CKA_VALUE, cert, certLength},
		};
		rv = functionList->C_CreateObject(session, certTmpl, arraysize(certTmpl), &hCert);
	}
	showRv("C_CreateObject", rv);
	free(cert);
	if (rv != CKR_OK)
		return 1;
	return findById(session, CKO_CERTIFICATE, id, idLength) == CK_INVALID_HANDLE ? 1 : 0;
}

static int stepPkcs7(CK_SESSION_HANDLE session, const CK_BYTE* id, CK_ULONG idLength, const char* path,
		     const char* out, int detached)
{
	CK_ULONG dataLength;
	CK_BYTE_PTR data;
	CK_OBJECT_HANDLE hCert, hPrvKey;
	CK_BYTE_PTR envelope = NULL_PTR;
	CK_ULONG envelopeLength = 0;
	CK_ULONG flags = USE_HARDWARE_HASH | (detached ? PKCS7_DETACHED_SIGNATURE : 0);
	long long start;
	CK_RV rv;

	if (!requireExtended())
		return 3;
	data = readFile(path, &dataLength);
	hCert = findById(session, CKO_CERTIFICATE, id, idLength);
	hPrvKey = findById(session, CKO_PRIVATE_KEY, id, idLength);
	if (data == NULL_PTR || hCert == CK_INVALID_HANDLE || hPrvKey == CK_INVALID_HANDLE)
		return 1;
	/* The SafeTouch shows the document and waits for the owner's press. */
	start = nowUs();
	rv = functionListEx->C_EX_PKCS7Sign(session, data, dataLength, hCert, &envelope, &envelopeLength,
					    hPrvKey, NULL_PTR, 0, flags);
	printf("elapsed-us %lld\n", nowUs() - start);
	showRv("C_EX_PKCS7Sign", rv);
	free(data);
	if (rv == CKR_FUNCTION_REJECTED)
		return 0;
	if (rv != CKR_OK)
		return 1;
	if (!writeFile(out, envelope, envelopeLength)) {
		printf("cannot write %s\n", out);
		return 1;
	}
	printf("cms %lu bytes\n", (unsigned long) envelopeLength);
	rv = functionListEx->C_EX_FreeBuffer(envelope);
	showRv("C_EX_FreeBuffer", rv);
	return rv == CKR_OK ? 0 : 1;
}

static int stepTokenInfo(void)
{
	CK_TOKEN_INFO_EXTENDED info;
	CK_RV rv;
	if (!requireExtended())
		return 3;
	memset(&info, 0, sizeof(info));
	info.ulSizeofThisStructure = sizeof(info);
	rv = functionListEx->C_EX_GetTokenInfoExtended(slot, &info);
	showRv("C_EX_GetTokenInfoExtended", rv);
	if (rv != CKR_OK)
		return 1;
	printf("type %lu\n", (unsigned long) info.ulTokenType);
	printf("class %lu\n", (unsigned long) info.ulTokenClass);
	printf("flags 0x%lx\n", (unsigned long) info.flags);
	printf("user-retries %lu of %lu\n", (unsigned long) info.ulUserRetryCountLeft,
	       (unsigned long) info.ulMaxUserRetryCount);
	printf("admin-retries %lu of %lu\n", (unsigned long) info.ulAdminRetryCountLeft,
	       (unsigned long) info.ulMaxAdminRetryCount);
	showHex("serial", info.serialNumber, sizeof(info.serialNumber));
	showHex("atr", info.ATR, info.ulATRLen <= sizeof(info.ATR) ? info.ulATRLen : 0);
	return 0;
}

static int hasMechanism(CK_MECHANISM_TYPE wanted)
{
	CK_MECHANISM_TYPE mechanisms[128];
	CK_ULONG count = arraysize(mechanisms);
	CK_ULONG i;
	if (functionList->C_GetMechanismList(slot, mechanisms, &count) != CKR_OK)
		return 0;
	for (i = 0; i < count; i++)
		if (mechanisms[i] == wanted)
			return 1;
	return 0;
}

/* One GOST 28147-89 mechanism's encrypt-then-decrypt round trip; prints the ciphertext. */
static int roundTrip(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE hKey, CK_MECHANISM* mechanism,
		     const char* name, const CK_BYTE* plain, CK_ULONG plainLength)
{
	CK_BYTE cipher[64], back[64];
	CK_ULONG cipherLength = sizeof(cipher), backLength = sizeof(back);
	CK_RV rv = functionList->C_EncryptInit(session, mechanism, hKey);
	if (rv == CKR_OK)
		rv = functionList->C_Encrypt(session, (CK_BYTE_PTR) plain, plainLength, cipher, &cipherLength);
	showRv("C_Encrypt", rv);
	if (rv != CKR_OK)
		return 0;
	showHex(name, cipher, cipherLength);
	rv = functionList->C_DecryptInit(session, mechanism, hKey);
	if (rv == CKR_OK)
		rv = functionList->C_Decrypt(session, cipher, cipherLength, back, &backLength);
	showRv("C_Decrypt", rv);
	if (rv != CKR_OK || backLength != plainLength || memcmp(back, plain, plainLength) != 0) {
		printf("%s round trip differs\n", name);
		return 0;
	}
	return cipherLength == plainLength && memcmp(cipher, plain, plainLength) != 0;
}

static int stepGost28147(CK_SESSION_HANDLE session)
{
	CK_MECHANISM keyGen = {CKM_GOST28147_KEY_GEN, NULL_PTR, 0};
	CK_BYTE iv[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	CK_MECHANISM ecb = {CKM_GOST28147_ECB, NULL_PTR, 0};
	CK_MECHANISM cfb = {CKM_GOST28147, iv, sizeof(iv)};
	CK_MECHANISM mac = {CKM_GOST28147_MAC, NULL_PTR, 0};
	CK_UTF8CHAR label[] = "Bank session key";
	CK_ATTRIBUTE keyTmpl[] = {
		{CKA_CLASS, &ocSecretKey, sizeof(ocSecretKey)},
		{CKA_KEY_TYPE, &ktGost28147, sizeof(ktGost28147)},
		{CKA_LABEL, label, sizeof(label) - 1},
		{CKA_TOKEN, &bFalse, sizeof(bFalse)},
		{CKA_PRIVATE, &bTrue, sizeof(bTrue)},
		{CKA_ENCRYPT, &bTrue, sizeof(bTrue)},
		{CKA_DECRYPT, &bTrue, sizeof(bTrue)},
		{CKA_SIGN, &bTrue, sizeof(bTrue)},
		{CKA_VERIFY, &bTrue, sizeof(bTrue)},
		{CKA_GOST28147_PARAMS, gost28147_params, sizeof(gost28147_params)},
	};
	/* 32 bytes (the terminating NUL is not used): four 64-bit blocks, as ECB needs whole blocks. */
	static const CK_BYTE plainText[] = "Payment order 0001: 1000.00 RUB.";
	const CK_BYTE* plain = plainText;
	const CK_ULONG plainLength = sizeof(plainText) - 1;
	CK_OBJECT_HANDLE hKey;
	CK_BYTE tag[8];
	CK_ULONG tagLength = sizeof(tag);
	CK_BYTE altered[64];
	CK_RV rv;

	if (!hasMechanism(CKM_GOST28147_KEY_GEN)) {
		printf("gost28147 not offered\n");
		return 0;
	}
	rv = functionList->C_GenerateKey(session, &keyGen, keyTmpl, arraysize(keyTmpl), &hKey);
	showRv("C_GenerateKey", rv);
	if (rv != CKR_OK)
		return 1;
	if (!roundTrip(session, hKey, &ecb, "ecb", plain, plainLength))
		return 1;
	if (!roundTrip(session, hKey, &cfb, "cfb", plain, plainLength - 3))
		return 1;
	rv = functionList->C_SignInit(session, &mac, hKey);
	if (rv == CKR_OK)
		rv = functionList->C_Sign(session, (CK_BYTE_PTR) plain, plainLength, tag, &tagLength);
	showRv("C_Sign(MAC)", rv);
	if (rv != CKR_OK)
		return 1;
	showHex("mac", tag, tagLength);
	rv = functionList->C_VerifyInit(session, &mac, hKey);
	if (rv == CKR_OK)
		rv = functionList->C_Verify(session, (CK_BYTE_PTR) plain, plainLength, tag, tagLength);
	showRv("C_Verify(MAC)", rv);
	if (rv != CKR_OK)
		return 1;
	memcpy(altered, plain, plainLength);
	altered[0] ^= 1;
	rv = functionList->C_VerifyInit(session, &mac, hKey);
	if (rv == CKR_OK)
		rv = functionList->C_Verify(session, altered, plainLength, tag, tagLength);
	showRv("C_Verify(MAC, altered)", rv);
	return rv == CKR_SIGNATURE_INVALID ? 0 : 1;
}

static int touch(const char* path)
{
	return writeFile(path, (const CK_BYTE*) "", 0);
}

static CK_BBOOL tokenPresent(CK_SLOT_ID id)
{
	CK_SLOT_INFO info;
	if (functionList->C_GetSlotInfo(id, &info) != CKR_OK)
		return CK_FALSE;
	return (info.flags & CKF_TOKEN_PRESENT) ? CK_TRUE : CK_FALSE;
}

/* Bank clients wait for the token in a thread: here in the main one. The test pulls the token
 * once "events.ready" exists and inserts it once "events.pulled" exists. */
static int stepEvents(void)
{
	CK_SLOT_ID eventSlot = 0;
	CK_RV rv = functionList->C_WaitForSlotEvent(CKF_DONT_BLOCK, &eventSlot, NULL_PTR);
	showRv("C_WaitForSlotEvent(CKF_DONT_BLOCK)", rv);
	if (rv != CKR_NO_EVENT)
		return 1;
	if (!touch("events.ready"))
		return 1;
	rv = functionList->C_WaitForSlotEvent(0, &eventSlot, NULL_PTR);
	showRv("C_WaitForSlotEvent", rv);
	if (rv != CKR_OK || eventSlot != slot)
		return 1;
	printf("pulled present %d\n", (int) tokenPresent(eventSlot));
	if (!touch("events.pulled"))
		return 1;
	rv = functionList->C_WaitForSlotEvent(0, &eventSlot, NULL_PTR);
	showRv("C_WaitForSlotEvent", rv);
	if (rv != CKR_OK || eventSlot != slot)
		return 1;
	printf("inserted present %d\n", (int) tokenPresent(eventSlot));
	return 0;
}

static int stepInitToken(const char* soPin, const char* userPin, const char* label)
{
	CK_RUTOKEN_INIT_PARAM initInfo;
	CK_TOKEN_INFO_EXTENDED extended;
	CK_TOKEN_INFO tokenInfo;
	CK_SESSION_HANDLE session;
	CK_OBJECT_CLASS classes[] = {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY, CKO_CERTIFICATE};
	CK_ATTRIBUTE tmpl[1];
	CK_OBJECT_HANDLE objects[4];
	CK_ULONG count, i;
	CK_BYTE name[256];
	CK_ULONG nameLength;
	CK_RV rv;

	if (!requireExtended())
		return 3;
	/* The format keeps the token's PIN policy: read it first, as bank tools do. */
	memset(&extended, 0, sizeof(extended));
	extended.ulSizeofThisStructure = sizeof(extended);
	rv = functionListEx->C_EX_GetTokenInfoExtended(slot, &extended);
	showRv("C_EX_GetTokenInfoExtended", rv);
	if (rv != CKR_OK)
		return 1;
	printf("policy min-admin %lu min-user %lu tries-admin %lu tries-user %lu\n",
	       (unsigned long) extended.ulMinAdminPinLen, (unsigned long) extended.ulMinUserPinLen,
	       (unsigned long) extended.ulMaxAdminRetryCount, (unsigned long) extended.ulMaxUserRetryCount);
	memset(&initInfo, 0, sizeof(initInfo));
	initInfo.ulSizeofThisStructure = sizeof(initInfo);
	initInfo.UseRepairMode = 0;
	initInfo.pNewAdminPin = (CK_BYTE_PTR) soPin;
	initInfo.ulNewAdminPinLen = (CK_ULONG) strlen(soPin);
	initInfo.pNewUserPin = (CK_BYTE_PTR) userPin;
	initInfo.ulNewUserPinLen = (CK_ULONG) strlen(userPin);
	initInfo.ChangeUserPINPolicy = TOKEN_FLAGS_ADMIN_CHANGE_USER_PIN | TOKEN_FLAGS_USER_CHANGE_USER_PIN;
	initInfo.ulMinAdminPinLen = extended.ulMinAdminPinLen;
	initInfo.ulMinUserPinLen = extended.ulMinUserPinLen;
	initInfo.ulMaxAdminRetryCount = extended.ulMaxAdminRetryCount;
	initInfo.ulMaxUserRetryCount = extended.ulMaxUserRetryCount;
	/* "-": no label (pTokenLabel NULL: the vendor keeps the token's name). */
	if (strcmp(label, "-") != 0) {
		initInfo.pTokenLabel = (CK_BYTE_PTR) label;
		initInfo.ulLabelLen = (CK_ULONG) strlen(label);
	}
	rv = functionListEx->C_EX_InitToken(slot, (CK_UTF8CHAR_PTR) soPin, (CK_ULONG) strlen(soPin), &initInfo);
	showRv("C_EX_InitToken", rv);
	if (rv != CKR_OK)
		return 1;
	rv = functionList->C_GetTokenInfo(slot, &tokenInfo);
	showRv("C_GetTokenInfo", rv);
	if (rv != CKR_OK)
		return 1;
	printf("label %.32s\n", (const char*) tokenInfo.label);
	/* The new user PIN opens the token, which holds no key or certificate any more. */
	rv = functionList->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL_PTR, NULL_PTR, &session);
	showRv("C_OpenSession", rv);
	if (rv != CKR_OK)
		return 1;
	rv = functionList->C_Login(session, CKU_USER, (CK_UTF8CHAR_PTR) userPin, (CK_ULONG) strlen(userPin));
	showRv("C_Login", rv);
	if (rv != CKR_OK)
		return 1;
	/* The token's name as the vendor's API reads it: the size first, then the name. */
	nameLength = 0;
	rv = functionListEx->C_EX_GetTokenName(session, NULL_PTR, &nameLength);
	if (rv == CKR_OK && nameLength < sizeof(name))
		rv = functionListEx->C_EX_GetTokenName(session, name, &nameLength);
	showRv("C_EX_GetTokenName", rv);
	if (rv != CKR_OK || nameLength >= sizeof(name))
		return 1;
	printf("token-name %.*s\n", (int) nameLength, (const char*) name);
	for (i = 0; i < arraysize(classes); i++) {
		tmpl[0].type = CKA_CLASS;
		tmpl[0].pValue = &classes[i];
		tmpl[0].ulValueLen = sizeof(classes[i]);
		count = 0;
		rv = functionList->C_FindObjectsInit(session, tmpl, 1);
		if (rv == CKR_OK)
			rv = functionList->C_FindObjects(session, objects, arraysize(objects), &count);
		functionList->C_FindObjectsFinal(session);
		showRv("C_FindObjects", rv);
		printf("after-format %lu %lu\n", (unsigned long) classes[i], (unsigned long) count);
	}
	functionList->C_Logout(session);
	functionList->C_CloseSession(session);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: reissue probe|keygen ID|sign ID FILE|csr ID OUT|import ID CERT|"
			"pkcs7 ID FILE OUT [detached]|tokeninfo|gost28147|events|"
			"inittoken SOPIN USERPIN LABEL\n");
	return 2;
}

int main(int argc, char** argv)
{
	CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
	CK_BYTE id[64];
	CK_ULONG idLength = 0;
	const char* step;
	int result;

	if (argc < 2)
		return usage();
	step = argv[1];
	if (argc >= 3 && strcmp(step, "inittoken") != 0 && !parseHex(argv[2], id, sizeof(id), &idLength))
		return usage();
	if (initialize() != 0)
		return 1;

	if (strcmp(step, "probe") == 0) {
		CK_TOKEN_INFO tokenInfo;
		printf("extended %s\n", functionListEx != NULL_PTR ? "yes" : "no");
		if (functionList->C_GetTokenInfo(slot, &tokenInfo) == CKR_OK)
			printf("label %.32s\n", (const char*) tokenInfo.label);
		printf("gost28147 %s\n", hasMechanism(CKM_GOST28147_KEY_GEN) ? "yes" : "no");
		result = 0;
	} else if (strcmp(step, "tokeninfo") == 0) {
		result = stepTokenInfo();
	} else if (strcmp(step, "events") == 0) {
		result = stepEvents();
	} else if (strcmp(step, "inittoken") == 0 && argc == 5) {
		result = stepInitToken(argv[2], argv[3], argv[4]);
	} else if (openUserSession(&session) != CKR_OK) {
		result = 1;
	} else if (strcmp(step, "keygen") == 0 && argc == 3) {
		result = stepKeygen(session, id, idLength);
	} else if (strcmp(step, "sign") == 0 && argc == 4) {
		result = stepSign(session, id, idLength, argv[3]);
	} else if (strcmp(step, "csr") == 0 && argc == 4) {
		result = stepCsr(session, id, idLength, argv[3]);
	} else if (strcmp(step, "import") == 0 && argc == 4) {
		result = stepImport(session, id, idLength, argv[3]);
	} else if (strcmp(step, "pkcs7") == 0 && (argc == 5 || argc == 6)) {
		result = stepPkcs7(session, id, idLength, argv[3], argv[4],
				   argc == 6 && strcmp(argv[5], "detached") == 0);
	} else if (strcmp(step, "gost28147") == 0) {
		result = stepGost28147(session);
	} else {
		result = usage();
	}

	if (session != CK_INVALID_HANDLE) {
		functionList->C_Logout(session);
		functionList->C_CloseSession(session);
	}
	showRv("C_Finalize", functionList->C_Finalize(NULL_PTR));
	return result;
}
