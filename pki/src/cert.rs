//! X.509 certificates with GOST keys: parsing, verifying against an issuer, reading the fields
//! the CA and the token need.

use der::Encode;
use gost::{KeyAlgorithm, VerifyingKey};
use spki::SubjectPublicKeyInfoOwned;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time as TimeOfDay};
use x509_cert::Certificate;
use x509_cert::ext::pkix::SubjectKeyIdentifier;
use x509_cert::name::Name;
use x509_cert::time::Time;

use crate::verify::{raw_tbs, verify_tbs};
use crate::{Error, Result, encoding};

/// A parsed certificate, with its DER as received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cert {
    cert: Certificate,
    der: Vec<u8>,
}

impl Cert {
    /// Parses PEM (`CERTIFICATE`) or DER.
    pub fn parse(input: &[u8]) -> Result<Self> {
        let (cert, der) = encoding::decode::<Certificate>(input)?;
        Ok(Cert { cert, der })
    }

    /// Wraps a certificate.
    pub fn from_certificate(cert: Certificate) -> Result<Self> {
        let der = cert.to_der()?;
        Ok(Cert { cert, der })
    }

    /// The structure.
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    /// DER.
    pub fn to_der(&self) -> &[u8] {
        &self.der
    }

    /// PEM.
    pub fn to_pem(&self) -> Result<String> {
        encoding::to_pem(&self.cert)
    }

    /// The subject.
    pub fn subject(&self) -> &Name {
        self.cert.tbs_certificate().subject()
    }

    /// The issuer.
    pub fn issuer(&self) -> &Name {
        self.cert.tbs_certificate().issuer()
    }

    /// The serial number as upper-case hex of its content octets (`010101D1010201B6`).
    pub fn serial_hex(&self) -> String {
        hex::encode_upper(self.cert.tbs_certificate().serial_number().as_bytes())
    }

    /// The SubjectPublicKeyInfo.
    pub fn spki(&self) -> &SubjectPublicKeyInfoOwned {
        self.cert.tbs_certificate().subject_public_key_info()
    }

    /// The public key.
    pub fn public_key(&self) -> Result<(KeyAlgorithm, VerifyingKey)> {
        Ok(gost::spki::from_spki(self.spki())?)
    }

    /// notBefore.
    pub fn not_before(&self) -> Result<OffsetDateTime> {
        to_offset_date_time(&self.cert.tbs_certificate().validity().not_before)
    }

    /// notAfter.
    pub fn not_after(&self) -> Result<OffsetDateTime> {
        to_offset_date_time(&self.cert.tbs_certificate().validity().not_after)
    }

    /// True if `at` is within [notBefore, notAfter] (RFC 5280 §4.1.2.5: both inclusive).
    pub fn is_valid_at(&self, at: OffsetDateTime) -> Result<bool> {
        Ok(self.not_before()? <= at && at <= self.not_after()?)
    }

    /// The subjectKeyIdentifier, if present.
    pub fn subject_key_id(&self) -> Result<Option<Vec<u8>>> {
        Ok(self
            .cert
            .tbs_certificate()
            .get_extension::<SubjectKeyIdentifier>()?
            .map(|(_, ski)| ski.0.as_bytes().to_vec()))
    }

    /// Verifies this certificate's signature with `issuer`'s key (and the names chain).
    pub fn verify_issued_by(&self, issuer: &Cert) -> Result<()> {
        if self.issuer() != issuer.subject() {
            return Err(Error::IssuerMismatch);
        }
        self.verify_signature(issuer.spki()).map(|_| ())
    }

    /// Verifies this certificate's signature with the key in `issuer_spki`.
    pub fn verify_signature(
        &self,
        issuer_spki: &SubjectPublicKeyInfoOwned,
    ) -> Result<KeyAlgorithm> {
        let tbs = raw_tbs(&self.der)?;
        let (algorithm, _) = verify_tbs(
            &tbs,
            self.cert.signature_algorithm(),
            self.cert.signature(),
            issuer_spki,
        )?;
        Ok(algorithm)
    }
}

/// A certificate `Time` as a UTC date-time.
pub fn to_offset_date_time(time: &Time) -> Result<OffsetDateTime> {
    let dt = time.to_date_time();
    let month = Month::try_from(dt.month()).map_err(|e| Error::InvalidTime(e.to_string()))?;
    let date = Date::from_calendar_date(i32::from(dt.year()), month, dt.day())
        .map_err(|e| Error::InvalidTime(e.to_string()))?;
    let time = TimeOfDay::from_hms(dt.hour(), dt.minutes(), dt.seconds())
        .map_err(|e| Error::InvalidTime(e.to_string()))?;
    Ok(PrimitiveDateTime::new(date, time).assume_utc())
}

/// A UTC date-time as a certificate `Time` (UTCTime through 2049, GeneralizedTime after, RFC
/// 5280 §4.1.2.5).
pub fn to_x509_time(at: OffsetDateTime) -> Result<Time> {
    let at = at.to_offset(time::UtcOffset::UTC);
    let year = u16::try_from(at.year()).map_err(|e| Error::InvalidTime(e.to_string()))?;
    let dt = der::DateTime::new(
        year,
        at.month().into(),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
    )?;
    if year < 2050 {
        Ok(Time::UtcTime(der::asn1::UtcTime::from_date_time(dt)?))
    } else {
        Ok(Time::GeneralTime(
            der::asn1::GeneralizedTime::from_date_time(dt),
        ))
    }
}

/// `at` plus `months` calendar months, the day clamped to the target month's length.
pub fn add_months(at: OffsetDateTime, months: u32) -> Result<OffsetDateTime> {
    let total = i64::from(at.year()) * 12 + i64::from(u8::from(at.month())) - 1 + i64::from(months);
    let year = i32::try_from(total / 12).map_err(|e| Error::InvalidTime(e.to_string()))?;
    let month_number =
        u8::try_from(total % 12 + 1).map_err(|e| Error::InvalidTime(e.to_string()))?;
    let month = Month::try_from(month_number).map_err(|e| Error::InvalidTime(e.to_string()))?;
    let day = at.day().min(time::util::days_in_month(month, year));
    let date = Date::from_calendar_date(year, month, day)
        .map_err(|e| Error::InvalidTime(e.to_string()))?;
    Ok(at.replace_date(date))
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn months_are_calendar_months() {
        assert_eq!(
            add_months(datetime!(2020-02-04 0:00 UTC), 15).unwrap(),
            datetime!(2021-05-04 0:00 UTC)
        );
        assert_eq!(
            add_months(datetime!(2019-11-30 12:00 UTC), 3).unwrap(),
            datetime!(2020-02-29 12:00 UTC)
        );
    }

    #[test]
    fn times_round_trip() {
        for at in [
            datetime!(2020-02-04 6:51:00 UTC),
            datetime!(2050-12-31 0:00 UTC),
        ] {
            let t = to_x509_time(at).unwrap();
            assert_eq!(to_offset_date_time(&t).unwrap(), at);
        }
        assert!(matches!(
            to_x509_time(datetime!(2020-01-01 0:00 UTC)).unwrap(),
            Time::UtcTime(_)
        ));
        assert!(matches!(
            to_x509_time(datetime!(2050-01-01 0:00 UTC)).unwrap(),
            Time::GeneralTime(_)
        ));
    }
}
