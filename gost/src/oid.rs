//! Every GOST OID the workspace uses, each with its source (RFC 4357 §10-11, RFC 7836, RFC 9215).
