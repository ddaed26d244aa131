//! Subject and issuer names with the attributes Russian CAs use, each in its ASN.1 string type.
//!
//! String types follow the Russian qualified-certificate profile (Приказ ФСБ России от 27.12.2011
//! № 795, «Требования к форме квалифицированного сертификата», section II): INN, INNLE, OGRN,
//! OGRNIP and SNILS are `NumericString` of fixed size; countryName is `PrintableString` (RFC 5280
//! App. A.1, 2 letters); emailAddress is `IA5String` (RFC 5280 App. A.1); every other text
//! attribute is `UTF8String` (RFC 5280 §4.1.2.6: "UTF8String … for all certificates issued after
//! December 31, 2003"), so Cyrillic round-trips as UTF-8. The sizes and types are from our
//! reading of № 795 and of certificates issued under it (CryptoPro, OpenSSL's gost engine
//! names these OIDs the same way); the search tool found № 795 only in a garbled copy, so the
//! text itself was not re-checked here.

use const_oid::ObjectIdentifier;
use const_oid::db::rfc4519;
use der::asn1::{Any, SetOfVec};
use der::{Tag, Tagged};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};

use crate::{Error, Result};

/// One subject attribute this crate knows, with its OID and string type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Attribute {
    /// commonName, 2.5.4.3 (RFC 4519 §2.3).
    CommonName,
    /// surname (SN), 2.5.4.4 (RFC 4519 §2.32).
    Surname,
    /// givenName (G), 2.5.4.42 (RFC 4519 §2.12): first name and patronymic in Russian profiles.
    GivenName,
    /// title (T), 2.5.4.12 (RFC 4519 §2.38): the position, e.g. «Директор».
    Title,
    /// organizationName (O), 2.5.4.10.
    Organization,
    /// organizationalUnitName (OU), 2.5.4.11.
    OrganizationalUnit,
    /// localityName (L), 2.5.4.7.
    Locality,
    /// stateOrProvinceName (ST), 2.5.4.8.
    State,
    /// streetAddress (street), 2.5.4.9.
    Street,
    /// countryName (C), 2.5.4.6: two letters, PrintableString.
    Country,
    /// emailAddress (E), 1.2.840.113549.1.9.1 (RFC 2985 §5.2.1): IA5String.
    Email,
    /// INN of a person, 1.2.643.3.131.1.1: NumericString, 12 digits (10 accepted for
    /// organisations, as pre-2021 certificates carried).
    Inn,
    /// INN of a legal entity (ИНН ЮЛ), 1.2.643.100.4: NumericString, 10 digits.
    InnLe,
    /// OGRN, 1.2.643.100.1: NumericString, 13 digits.
    Ogrn,
    /// OGRNIP, 1.2.643.100.5: NumericString, 15 digits.
    Ogrnip,
    /// SNILS, 1.2.643.100.3: NumericString, 11 digits.
    Snils,
}

/// OID of INN (Приказ ФСБ № 795; the FNS arc 1.2.643.3.131).
pub const OID_INN: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.3.131.1.1");
/// OID of OGRN (Приказ ФСБ № 795).
pub const OID_OGRN: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.100.1");
/// OID of SNILS (Приказ ФСБ № 795).
pub const OID_SNILS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.100.3");
/// OID of INN of a legal entity (Приказ ФСБ № 795 as amended by № 31 of 2021).
pub const OID_INNLE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.100.4");
/// OID of OGRNIP (Приказ ФСБ № 795).
pub const OID_OGRNIP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.100.5");
/// emailAddress (RFC 2985 §5.2.1).
pub const OID_EMAIL: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1");

impl Attribute {
    /// Every attribute, in the order [`NameBuilder`] documents.
    pub const ALL: [Attribute; 16] = [
        Attribute::CommonName,
        Attribute::Surname,
        Attribute::GivenName,
        Attribute::Title,
        Attribute::Organization,
        Attribute::OrganizationalUnit,
        Attribute::Locality,
        Attribute::State,
        Attribute::Street,
        Attribute::Country,
        Attribute::Email,
        Attribute::Inn,
        Attribute::InnLe,
        Attribute::Ogrn,
        Attribute::Ogrnip,
        Attribute::Snils,
    ];

    /// The short name OpenSSL and CryptoPro print (`CN`, `SN`, `G`, `INN`, …).
    pub fn short_name(self) -> &'static str {
        match self {
            Attribute::CommonName => "CN",
            Attribute::Surname => "SN",
            Attribute::GivenName => "G",
            Attribute::Title => "T",
            Attribute::Organization => "O",
            Attribute::OrganizationalUnit => "OU",
            Attribute::Locality => "L",
            Attribute::State => "ST",
            Attribute::Street => "street",
            Attribute::Country => "C",
            Attribute::Email => "E",
            Attribute::Inn => "INN",
            Attribute::InnLe => "INNLE",
            Attribute::Ogrn => "OGRN",
            Attribute::Ogrnip => "OGRNIP",
            Attribute::Snils => "SNILS",
        }
    }

    /// The attribute with this short name or alias (case-insensitive): `CN`, `SN`, `G`/`GN`/
    /// `givenName`, `T`/`title`, `O`, `OU`, `L`, `ST`/`S`, `street`, `C`, `E`/`emailAddress`,
    /// `INN`, `INNLE`, `OGRN`, `OGRNIP`, `SNILS`.
    pub fn from_short_name(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        let alias = match lower.as_str() {
            "gn" | "givenname" => Some(Attribute::GivenName),
            "title" => Some(Attribute::Title),
            "s" => Some(Attribute::State),
            "emailaddress" => Some(Attribute::Email),
            _ => None,
        };
        alias.or_else(|| {
            Attribute::ALL
                .into_iter()
                .find(|a| a.short_name().eq_ignore_ascii_case(name))
        })
    }

    /// The attribute type OID.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Attribute::CommonName => rfc4519::CN,
            Attribute::Surname => rfc4519::SN,
            Attribute::GivenName => rfc4519::GIVEN_NAME,
            Attribute::Title => rfc4519::TITLE,
            Attribute::Organization => rfc4519::O,
            Attribute::OrganizationalUnit => rfc4519::OU,
            Attribute::Locality => rfc4519::L,
            Attribute::State => rfc4519::ST,
            Attribute::Street => rfc4519::STREET,
            Attribute::Country => rfc4519::C,
            Attribute::Email => OID_EMAIL,
            Attribute::Inn => OID_INN,
            Attribute::InnLe => OID_INNLE,
            Attribute::Ogrn => OID_OGRN,
            Attribute::Ogrnip => OID_OGRNIP,
            Attribute::Snils => OID_SNILS,
        }
    }

    /// The attribute with this OID, if this crate knows it.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        Attribute::ALL.into_iter().find(|a| a.oid() == *oid)
    }

    /// The ASN.1 string type the value is encoded with.
    pub fn string_tag(self) -> Tag {
        match self {
            Attribute::Country => Tag::PrintableString,
            Attribute::Email => Tag::Ia5String,
            Attribute::Inn
            | Attribute::InnLe
            | Attribute::Ogrn
            | Attribute::Ogrnip
            | Attribute::Snils => Tag::NumericString,
            _ => Tag::Utf8String,
        }
    }

    /// Allowed numbers of digits for the numeric attributes.
    fn digit_counts(self) -> &'static [usize] {
        match self {
            Attribute::Inn => &[10, 12],
            Attribute::InnLe => &[10],
            Attribute::Ogrn => &[13],
            Attribute::Ogrnip => &[15],
            Attribute::Snils => &[11],
            _ => &[],
        }
    }

    /// Checks that `value` fits this attribute's string type and size.
    pub fn validate(self, value: &str) -> Result<()> {
        let invalid = |reason| Error::InvalidAttributeValue {
            attribute: self.short_name(),
            reason,
        };
        if value.is_empty() {
            return Err(invalid("empty value"));
        }
        match self.string_tag() {
            Tag::NumericString => {
                if !value.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(invalid("NumericString: digits only"));
                }
                if !self.digit_counts().contains(&value.len()) {
                    return Err(invalid("wrong number of digits"));
                }
            }
            Tag::PrintableString
                if value.len() != 2 || !value.bytes().all(|b| b.is_ascii_uppercase()) =>
            {
                return Err(invalid("countryName: two upper-case letters (ISO 3166)"));
            }
            Tag::Ia5String if !value.is_ascii() => return Err(invalid("IA5String: ASCII only")),
            _ => {}
        }
        Ok(())
    }

    /// The attribute value as DER `ANY` in its string type.
    pub fn encode_value(self, value: &str) -> Result<Any> {
        self.validate(value)?;
        Ok(Any::new(self.string_tag(), value.as_bytes())?)
    }
}

/// Builds a `Name`, one attribute per RDN, in the order the attributes are added.
#[derive(Clone, Debug, Default)]
pub struct NameBuilder {
    rdns: Vec<(Attribute, String)>,
}

impl NameBuilder {
    /// An empty name.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an attribute (validated when the name is built).
    pub fn with(mut self, attribute: Attribute, value: impl Into<String>) -> Self {
        self.rdns.push((attribute, value.into()));
        self
    }

    /// Adds an attribute if `value` is `Some`.
    pub fn with_opt(self, attribute: Attribute, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.with(attribute, v),
            None => self,
        }
    }

    /// Adds an attribute by short name (see [`Attribute::from_short_name`]).
    pub fn with_short_name(self, short_name: &str, value: impl Into<String>) -> Result<Self> {
        let attribute =
            Attribute::from_short_name(short_name).ok_or(Error::InvalidAttributeValue {
                attribute: "?",
                reason: "unknown attribute short name",
            })?;
        Ok(self.with(attribute, value))
    }

    /// The DER name.
    pub fn build(&self) -> Result<Name> {
        let mut seq = RdnSequence::default();
        for (attribute, value) in &self.rdns {
            let atv = AttributeTypeAndValue {
                oid: attribute.oid(),
                value: attribute.encode_value(value)?,
            };
            let mut set = SetOfVec::new();
            set.insert(atv)?;
            seq.push(RelativeDistinguishedName::from(set));
        }
        Ok(Name::hazmat_from_rdn_sequence(seq))
    }
}

/// Decodes an attribute value of any DirectoryString-like type to text (UTF-8, PrintableString,
/// IA5String, NumericString; BMPString as UTF-16BE).
pub fn value_text(value: &Any) -> Option<String> {
    match value.tag() {
        Tag::Utf8String
        | Tag::PrintableString
        | Tag::Ia5String
        | Tag::NumericString
        | Tag::VisibleString
        | Tag::TeletexString => String::from_utf8(value.value().to_vec()).ok(),
        Tag::BmpString => {
            let bytes = value.value();
            if !bytes.len().is_multiple_of(2) {
                return None;
            }
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        _ => None,
    }
}

/// The first value of `attribute` in `name`, as text.
pub fn get(name: &Name, attribute: Attribute) -> Option<String> {
    name.iter()
        .find(|atv| atv.oid == attribute.oid())
        .and_then(|atv| value_text(&atv.value))
}

/// The name's attributes as (OID, text) pairs, sorted: two names are "the same subject" when
/// these agree, whatever the RDN order or the string types.
pub fn canonical(name: &Name) -> Vec<(ObjectIdentifier, Option<String>)> {
    let mut pairs: Vec<_> = name
        .iter()
        .map(|atv| (atv.oid, value_text(&atv.value)))
        .collect();
    pairs.sort_by(|a, b| (a.0.as_bytes(), &a.1).cmp(&(b.0.as_bytes(), &b.1)));
    pairs
}

/// A one-line rendering with our short names (`CN=Иванов Иван Иванович, T=Директор, …`),
/// for screens and messages.
pub fn display(name: &Name) -> String {
    name.iter()
        .map(|atv| {
            let key = Attribute::from_oid(&atv.oid)
                .map(|a| a.short_name().to_owned())
                .unwrap_or_else(|| atv.oid.to_string());
            let value = value_text(&atv.value).unwrap_or_else(|| "#…".to_owned());
            format!("{key}={value}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests;
