//! The single home of every byte-order conversion (`shared/spec/gost-vectors.md` §0).
