//! PKCS#10 requests, the test CA «УЦ НотариПро (TEST)» and certificates for GOST keys.
#![forbid(unsafe_code)]
