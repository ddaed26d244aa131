//! The assertions after the steps, through the same client (so they are APDUs in the
//! transcript too).

use rutoken_client::driver::{PinCounter, PressPlan};
use rutoken_client::{PinRole, PinStatus};

use crate::report::StepKind;
use crate::scenario::Assertion;
use crate::scenario::assertion::CertificateAssertion;
use crate::scenario::step::PressAction;

use super::certificate;
use super::flow::{Flow, StepFailure, StepResult, fail, role, verify};
use super::pki::Ca;

/// Text signed by `key_signs` (UTF-8): not a TLV document, so the SafeTouch shows its
/// "sign a hash" screen (safetouch.md "What it shows", last case).
pub const PROBE_TEXT: &str = "Проверка подписи ключом";

impl Flow<'_, '_> {
    /// Runs one assertion.
    pub fn check(&mut self, assertion: &Assertion) -> StepResult {
        self.client
            .set_step(StepKind::Assert, format!("assert {}", assertion.name()));
        match assertion {
            Assertion::Objects(o) => {
                let objects = self.driver().objects()?;
                if let Some(n) = o.keys.filter(|&n| n != objects.keys.len()) {
                    let references: Vec<String> = objects
                        .keys
                        .iter()
                        .map(|k| match (k.reference, &k.id) {
                            (Some(kk), _) => format!("{kk:02X}"),
                            (None, Some(id)) => hex::encode_upper(id),
                            (None, None) => "?".to_owned(),
                        })
                        .collect();
                    return Err(fail(
                        format!("{n} keys"),
                        format!(
                            "{} keys (references {})",
                            objects.keys.len(),
                            references.join(", ")
                        ),
                    ));
                }
                if let Some(n) = o.certificates.filter(|&n| n != objects.certificates.len()) {
                    return Err(fail(
                        format!("{n} certificates"),
                        format!("{} certificates", objects.certificates.len()),
                    ));
                }
                Ok(())
            }
            Assertion::KeyPresent(k) | Assertion::KeyAbsent(k) => {
                let key = self.key(&k.key)?;
                let present = self.driver().key_present(&key.token_key())?;
                let want = matches!(assertion, Assertion::KeyPresent(_));
                if present == want {
                    Ok(())
                } else {
                    Err(fail(
                        format!(
                            "key {}{} {}",
                            k.key,
                            key.reference
                                .map(|kk| format!(" (ref {kk:02X})"))
                                .unwrap_or_default(),
                            if want { "present" } else { "absent" }
                        ),
                        if present { "present" } else { "absent" },
                    ))
                }
            }
            Assertion::Certificate(c) => {
                let key = self.key(&c.key)?;
                let q = key
                    .public_key
                    .clone()
                    .ok_or_else(|| fail("the key's public key", "unknown"))?;
                let objects = self.driver().objects()?;
                let stored = objects
                    .certificates
                    .iter()
                    .find(|e| certificate::parse(&e.der).is_some_and(|i| i.public_key == q))
                    .map(|e| rutoken_client::certificate::trim(&e.der).to_vec());
                let found = stored
                    .as_deref()
                    .and_then(certificate::parse)
                    .ok_or_else(|| {
                        fail(
                            format!("a certificate for key {} on the token", c.key),
                            "none",
                        )
                    })?;
                let stored = stored.unwrap_or_default();
                if c.paired == Some(true) {
                    paired_by_id(&objects, &c.key, &key, &q)?;
                }
                let wanted = expand_certificate(c, &|t| self.expand(t))?;
                let issued = self.issued.as_deref();
                check_stored_certificate(c, &wanted, &found, &stored, issued, &mut self.ca)
            }
            Assertion::PinTriesLeft(p) => {
                // Logout first: VERIFY without data answers 9000 for a verified PIN, which
                // would hide the counter (rutoken-ecp-apdu.md §7).
                self.driver().logout()?;
                match self.driver().pin_counter(role(p.which.reference()))? {
                    PinCounter::Exact(PinStatus::TriesLeft(n)) if n == p.expect => Ok(()),
                    PinCounter::Exact(PinStatus::Blocked) if p.expect == 0 => Ok(()),
                    PinCounter::Exact(s) => Err(fail(format!("{} tries left", p.expect), s)),
                    // PKCS#11 tells a counter only as COUNT_LOW, FINAL_TRY and LOCKED.
                    PinCounter::Flags {
                        count_low,
                        final_try,
                        locked,
                    } => {
                        let max = if p.which.reference() == PinRole::Admin.reference() {
                            None
                        } else {
                            self.fresh_tries
                        };
                        super::flow::flags_agree(p.expect, max, (count_low, final_try, locked))
                    }
                }
            }
            Assertion::KeySigns(k) => self.key_signs(&k.key, &k.certificate),
            Assertion::Screens(sc) => {
                let shown: Vec<String> = self.client.screens
                    [..self.screens_in_steps.min(self.client.screens.len())]
                    .iter()
                    .map(|s| super::flow::normalise(s))
                    .collect();
                if let Some(n) = sc.count.filter(|&n| n != shown.len()) {
                    return Err(fail(
                        format!("{n} screens shown"),
                        format!("{}: {}", shown.len(), shown.join(" / ")),
                    ));
                }
                for text in &sc.contains {
                    let text = self.expand(text)?;
                    if !shown
                        .iter()
                        .any(|s| s.contains(&super::flow::normalise(&text)))
                    {
                        return Err(fail(
                            format!("a screen showing «{text}»"),
                            shown.join(" / "),
                        ));
                    }
                }
                for text in &sc.lacks {
                    let text = self.expand(text)?;
                    if let Some(s) = shown
                        .iter()
                        .find(|s| s.contains(&super::flow::normalise(&text)))
                    {
                        return Err(fail(format!("no screen showing «{text}»"), s));
                    }
                }
                if sc.pages.is_empty() {
                    return Ok(());
                }
                let pages = sc
                    .pages
                    .iter()
                    .map(|page| page.iter().map(|l| self.expand(l)).collect())
                    .collect::<Result<Vec<Vec<String>>, _>>()?;
                let raw =
                    &self.client.screens[..self.screens_in_steps.min(self.client.screens.len())];
                pages_shown(raw, &pages)
            }
            Assertion::Atr(a) => {
                let atr = self.driver().atr()?;
                let pattern = self.expand(&a.expect)?;
                if super::pattern::data_matches(&pattern, &atr)
                    .map_err(|e| fail("a valid ATR pattern", e))?
                {
                    Ok(())
                } else {
                    Err(fail(
                        format!("ATR {pattern}"),
                        format!("ATR {}", hex::encode_upper(&atr)),
                    ))
                }
            }
            Assertion::LoggedIn(l) => {
                let verified = self.driver().logged_in(role(l.which.reference()))?;
                if verified == l.expect {
                    Ok(())
                } else {
                    Err(fail(
                        if l.expect {
                            "the PIN verified"
                        } else {
                            "the PIN not verified"
                        },
                        if verified {
                            "it is verified"
                        } else {
                            "it is not verified"
                        },
                    ))
                }
            }
            Assertion::Ca(c) => {
                if let Some(n) = c.requests.filter(|&n| n != self.ca.requests) {
                    return Err(fail(format!("{n} requests at the CA"), self.ca.requests));
                }
                if let Some(n) = c.issued.filter(|&n| n != self.ca.issued) {
                    return Err(fail(format!("{n} certificates issued"), self.ca.issued));
                }
                Ok(())
            }
        }
    }

    /// Signs [`PROBE_TEXT`] with the key (user PIN `${user_pin}`, Confirm) and verifies the
    /// signature under the chosen certificate.
    fn key_signs(&mut self, key_name: &str, which: &str) -> StepResult {
        let key = self.key(key_name)?;
        let der = match which {
            "current" => self.current_certificate.clone(),
            "issued" => self.issued.clone(),
            _ => {
                let q = key
                    .public_key
                    .clone()
                    .ok_or_else(|| fail("the key's public key", "unknown"))?;
                let objects = self.driver().objects()?;
                objects
                    .certificates
                    .into_iter()
                    .map(|e| e.der)
                    .find(|d| certificate::parse(d).is_some_and(|i| i.public_key == q))
            }
        }
        .ok_or_else(|| fail(format!("a {which} certificate for key {key_name}"), "none"))?;
        let info =
            certificate::parse(&der).ok_or_else(|| fail("a certificate", "unparsable DER"))?;
        let pin = self
            .vars
            .get("user_pin")
            .cloned()
            .ok_or_else(|| fail("vars.user_pin", "undefined"))?;
        let answer = verify(self.driver(), PinRole::User, &pin)?;
        if answer.status != Some(PinStatus::Verified) {
            return Err(fail("the user PIN accepted", answer));
        }
        let plan = PressPlan {
            press: crate::session::press(PressAction::Confirm),
            expected_screen: Vec::new(),
        };
        let signed = self
            .driver()
            .sign_document(&key.token_key(), PROBE_TEXT.as_bytes(), Some(&plan))
            .map_err(|e| fail("a signature", e));
        // The screens the probe showed belong to the report too.
        self.client.collect_screens();
        let signature = signed?;
        let (algorithm, vk) =
            gost::spki::from_spki_der(&info.spki_der).map_err(|e| fail("a GOST public key", e))?;
        let digest = algorithm.digest().digest(PROBE_TEXT.as_bytes());
        vk.verify_digest(&digest, &signature).map_err(|e| {
            fail(
                format!("the signature to verify under {which} certificate"),
                e,
            )
        })
    }
}

/// The `certificate` assertion's profile fields against a stored certificate: `issuer` is the
/// CA certificate's subjectKeyIdentifier (read when `key_ids` is asked), `dates` the expanded
/// notBefore and notAfter.
fn check_profile(
    c: &CertificateAssertion,
    stored: &[u8],
    issuer: Option<Vec<u8>>,
    dates: (&Option<String>, &Option<String>),
) -> StepResult {
    let wanted = c.key_usage.is_some()
        || c.extended_key_usage.is_some()
        || c.policies.is_some()
        || c.ca.is_some()
        || c.key_ids.is_some()
        || dates.0.is_some()
        || dates.1.is_some();
    if !wanted {
        return Ok(());
    }
    let got = certificate::profile_fields(stored)
        .map_err(|e| fail("the stored certificate's extensions", e))?;
    let set = |v: &[String]| -> Vec<String> {
        let mut v = v.to_vec();
        v.sort();
        v.dedup();
        v
    };
    if let Some(ku) = &c.key_usage {
        let mut got_ku = got.key_usage.clone();
        got_ku.sort();
        if set(ku) != got_ku {
            return Err(fail(
                format!("key usage {}", ku.join(", ")),
                format!("key usage {}", got.key_usage.join(", ")),
            ));
        }
    }
    if let Some(eku) = &c.extended_key_usage
        && set(eku) != got.extended_key_usage
    {
        return Err(fail(
            format!("extended key usage {}", eku.join(", ")),
            format!("extended key usage {}", got.extended_key_usage.join(", ")),
        ));
    }
    if let Some(policies) = &c.policies
        && set(policies) != got.policies
    {
        return Err(fail(
            format!("certificate policies {}", policies.join(", ")),
            format!("certificate policies {}", got.policies.join(", ")),
        ));
    }
    if let Some(ca) = c.ca
        && ca != got.ca
    {
        return Err(fail(format!("basic constraints cA {ca}"), got.ca));
    }
    if c.key_ids == Some(true) {
        let hex = |v: &Option<Vec<u8>>| v.as_deref().map_or("none".into(), hex::encode_upper);
        if got.subject_key_id.as_deref() != Some(got.public_key_sha1.as_slice()) {
            return Err(fail(
                format!(
                    "subjectKeyIdentifier {} (SHA-1 of the public key)",
                    hex::encode_upper(&got.public_key_sha1)
                ),
                format!("subjectKeyIdentifier {}", hex(&got.subject_key_id)),
            ));
        }
        if issuer.is_none() || got.authority_key_id != issuer {
            return Err(fail(
                format!("authorityKeyIdentifier {} (the CA's SKI)", hex(&issuer)),
                format!("authorityKeyIdentifier {}", hex(&got.authority_key_id)),
            ));
        }
    }
    for (name, want, have) in [
        ("notBefore", dates.0, &got.not_before),
        ("notAfter", dates.1, &got.not_after),
    ] {
        if let Some(want) = want
            && want != have
        {
            return Err(fail(format!("{name} {want}"), format!("{name} {have}")));
        }
    }
    Ok(())
}

/// The `certificate` assertion's texts with the scenario's variables expanded.
pub(crate) struct ExpandedCertificate {
    pub subject_cn: Option<String>,
    pub issuer_cn: Option<String>,
    /// `issued` stays as it is (the serial of the certificate issued in the scenario).
    pub serial: Option<String>,
    pub not_before: Option<String>,
    pub not_after: Option<String>,
}

/// Expands the assertion's texts (shared by the APDU and PKCS#11 runs).
pub(crate) fn expand_certificate(
    c: &CertificateAssertion,
    expand: &dyn Fn(&str) -> Result<String, StepFailure>,
) -> Result<ExpandedCertificate, StepFailure> {
    let opt = |v: &Option<String>| v.as_deref().map(expand).transpose();
    Ok(ExpandedCertificate {
        subject_cn: opt(&c.subject_cn)?,
        issuer_cn: opt(&c.issuer_cn)?,
        serial: match c.serial.as_deref() {
            Some("issued") => Some("issued".to_owned()),
            Some(s) => Some(expand(s)?.to_ascii_uppercase()),
            None => None,
        },
        not_before: opt(&c.not_before)?,
        not_after: opt(&c.not_after)?,
    })
}

/// A stored certificate against the `certificate` assertion: names, serial, bytes, the
/// verification under the test CA and the profile fields. Shared by the APDU and PKCS#11 runs.
/// `issued` is the certificate the CA issued in this scenario.
pub(crate) fn check_stored_certificate(
    c: &CertificateAssertion,
    wanted: &ExpandedCertificate,
    found: &certificate::CertificateInfo,
    stored: &[u8],
    issued: Option<&[u8]>,
    ca: &mut Ca,
) -> StepResult {
    if let Some(cn) = &wanted.subject_cn
        && found.subject_cn.as_deref() != Some(cn.as_str())
    {
        return Err(fail(
            format!("subject CN {cn}"),
            found.subject_cn.as_deref().unwrap_or("no CN"),
        ));
    }
    if let Some(cn) = &wanted.issuer_cn
        && found.issuer_cn.as_deref() != Some(cn.as_str())
    {
        return Err(fail(
            format!("issuer CN {cn}"),
            found.issuer_cn.as_deref().unwrap_or("no CN"),
        ));
    }
    if let Some(serial) = &wanted.serial {
        let want = if serial == "issued" {
            issued
                .and_then(certificate::parse)
                .map(|i| i.serial_hex)
                .unwrap_or_default()
        } else {
            serial.clone()
        };
        if found.serial_hex != want {
            return Err(fail(format!("serial {want}"), &found.serial_hex));
        }
    }
    match c.bytes.as_deref() {
        None => {}
        Some("issued") => {
            let issued =
                issued.ok_or_else(|| fail("a certificate issued in this scenario", "none"))?;
            if stored != issued {
                let at = stored
                    .iter()
                    .zip(issued)
                    .position(|(a, b)| a != b)
                    .unwrap_or(stored.len().min(issued.len()));
                return Err(fail(
                    format!("the issued certificate, {} bytes", issued.len()),
                    format!(
                        "{} bytes on the token, first difference at byte {at}",
                        stored.len()
                    ),
                ));
            }
        }
        Some(other) => return Err(fail("bytes: issued", other)),
    }
    match c.verifies_under.as_deref() {
        None => {}
        Some("ca") => ca
            .verifies(stored)
            .map_err(|e| fail("the certificate to verify under the test CA", e))?,
        Some(other) => return Err(fail("verifies_under: ca", other)),
    }
    let issuer = if c.key_ids == Some(true) {
        ca.issuer_key_id()
            .map_err(|e| fail("the CA certificate's subjectKeyIdentifier", e))?
    } else {
        None
    };
    check_profile(c, stored, issuer, (&wanted.not_before, &wanted.not_after))
}

/// `screens.pages`: some screen, its lines cut into pages as long as the first expected page
/// (the display's rows), is exactly the expected pages, the last one possibly partial. Shared
/// by the APDU and PKCS#11 runs.
pub(crate) fn pages_shown(raw: &[String], want: &[Vec<String>]) -> StepResult {
    let rows = want.first().map_or(0, Vec::len);
    let last = want.len().saturating_sub(1);
    let well_formed = rows > 0
        && want.iter().enumerate().all(|(i, page)| {
            !page.is_empty() && (page.len() == rows || (i == last && page.len() < rows))
        });
    if !well_formed {
        return Err(fail(
            "pages as long as the first, the last one shorter or as long, none empty",
            format!("pages of {} lines", lengths(want)),
        ));
    }
    let cut = |screen: &str| -> Vec<Vec<String>> {
        // split, not lines(): a blank last line (a padded page) must count.
        let lines: Vec<String> = screen.split('\n').map(|l| l.trim().to_owned()).collect();
        lines.chunks(rows).map(<[String]>::to_vec).collect()
    };
    if raw.iter().any(|s| cut(s) == want) {
        return Ok(());
    }
    let show = |pages: &[Vec<String>]| {
        pages
            .iter()
            .map(|p| format!("«{}»", p.join(" | ")))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let actual = raw
        .iter()
        .map(|s| show(&cut(s)))
        .collect::<Vec<_>>()
        .join(" / ");
    Err(fail(
        format!("a screen with the pages {}", show(want)),
        if actual.is_empty() {
            "no screen".to_owned()
        } else {
            actual
        },
    ))
}

fn lengths(pages: &[Vec<String>]) -> String {
    pages
        .iter()
        .map(|p| p.len().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `certificate.paired`: the certificate for public key `q` is listed under the key's ID (the
/// CDF iD, PKCS#11 `CKA_ID`). A key found by reference (over APDUs): its PrKDF iD when the token
/// lists one; a key found by ID (PKCS#11): the `CKA_ID` it was generated or found with; else the
/// SHA-1 of its public-key value (`object_id`, the ID the client gives a key it generated).
fn paired_by_id(
    objects: &rutoken_client::driver::TokenObjects,
    name: &str,
    key: &super::flow::KeyState,
    q: &[u8],
) -> StepResult {
    let entry = objects
        .certificates
        .iter()
        .find(|e| certificate::parse(&e.der).is_some_and(|i| i.public_key == q))
        .ok_or_else(|| fail(format!("a certificate for key {name} on the token"), "none"))?;
    let listed = key
        .reference
        .and_then(|kk| objects.keys.iter().find(|k| k.reference == Some(kk)));
    let known = match listed {
        Some(k) => k.id.clone(),
        None => key.id.clone(),
    };
    let want = match known {
        Some(id) => id,
        None => rutoken_client::layout::pkcs15::object_id(q)
            .map_err(|e| fail("a public key", e))?
            .to_vec(),
    };
    if entry.id == want {
        Ok(())
    } else {
        Err(fail(
            format!(
                "the certificate's CDF entry under key {name}'s ID {}",
                hex::encode_upper(&want)
            ),
            format!("ID {}", hex::encode_upper(&entry.id)),
        ))
    }
}
