//! Unit tests of `name`.
use der::{Decode, Encode};

use super::*;

#[test]
fn cyrillic_round_trips_as_utf8() {
    let name = NameBuilder::new()
        .with(Attribute::CommonName, "Иванов Иван Иванович")
        .with(Attribute::Title, "Директор")
        .with(Attribute::Locality, "Тюмень")
        .build()
        .unwrap();
    let der = name.to_der().unwrap();
    let back = Name::from_der(&der).unwrap();
    assert_eq!(
        get(&back, Attribute::CommonName).as_deref(),
        Some("Иванов Иван Иванович")
    );
    assert_eq!(get(&back, Attribute::Title).as_deref(), Some("Директор"));
    let cn = back.iter().next().unwrap();
    assert_eq!(cn.value.tag(), Tag::Utf8String);
}

#[test]
fn string_types_follow_the_profile() {
    let name = NameBuilder::new()
        .with(Attribute::Country, "RU")
        .with(Attribute::Email, "sturdy@yandex.ru")
        .with(Attribute::Inn, "386700000001")
        .with(Attribute::InnLe, "3867000001")
        .with(Attribute::Ogrn, "1027700000001")
        .with(Attribute::Ogrnip, "304386700000001")
        .with(Attribute::Snils, "12345678901")
        .build()
        .unwrap();
    let tags: Vec<Tag> = name.iter().map(|atv| atv.value.tag()).collect();
    assert_eq!(
        tags,
        [
            Tag::PrintableString,
            Tag::Ia5String,
            Tag::NumericString,
            Tag::NumericString,
            Tag::NumericString,
            Tag::NumericString,
            Tag::NumericString
        ]
    );
    let oids: Vec<String> = name.iter().map(|atv| atv.oid.to_string()).collect();
    assert_eq!(oids[2], "1.2.643.3.131.1.1");
    assert_eq!(oids[3], "1.2.643.100.4");
    assert_eq!(oids[4], "1.2.643.100.1");
    assert_eq!(oids[5], "1.2.643.100.5");
    assert_eq!(oids[6], "1.2.643.100.3");
}

#[test]
fn bad_values_are_named_errors() {
    for (attr, value) in [
        (Attribute::Inn, "3867XXXXXXXXXX"),
        (Attribute::Inn, "123"),
        (Attribute::Snils, "1234567890"),
        (Attribute::Country, "Russia"),
        (Attribute::Email, "иван@пример.рф"),
        (Attribute::CommonName, ""),
    ] {
        let err = NameBuilder::new().with(attr, value).build().unwrap_err();
        assert!(
            matches!(err, Error::InvalidAttributeValue { .. }),
            "{attr:?} {value}: {err}"
        );
    }
}

#[test]
fn canonical_ignores_order_and_string_type() {
    let a = NameBuilder::new()
        .with(Attribute::CommonName, "Тест")
        .with(Attribute::Country, "RU")
        .build()
        .unwrap();
    let b = NameBuilder::new()
        .with(Attribute::Country, "RU")
        .with(Attribute::CommonName, "Тест")
        .build()
        .unwrap();
    assert_eq!(canonical(&a), canonical(&b));
    let c = NameBuilder::new()
        .with(Attribute::CommonName, "Другой")
        .build()
        .unwrap();
    assert_ne!(canonical(&a), canonical(&c));
    assert_eq!(display(&a), "CN=Тест, C=RU");
}

#[test]
fn short_names_and_aliases() {
    for a in Attribute::ALL {
        assert_eq!(Attribute::from_short_name(a.short_name()), Some(a));
    }
    assert_eq!(
        Attribute::from_short_name("givenName"),
        Some(Attribute::GivenName)
    );
    assert_eq!(Attribute::from_short_name("inn"), Some(Attribute::Inn));
    assert_eq!(Attribute::from_short_name("XX"), None);
    assert!(NameBuilder::new().with_short_name("XX", "v").is_err());
}
