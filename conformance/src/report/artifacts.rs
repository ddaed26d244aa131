//! `--artifacts DIR`: per scenario `DIR/<name>/transcript.txt` (decoded, with the screens and
//! presses at their APDU), `screens.txt` (the steps' screens in display pages, the assertions'
//! apart), and where the flow produced them `request.pem`, `certificate.pem`, `ca.pem`.

use std::path::Path;

use super::ScenarioReport;
use crate::Error;

/// Writes one scenario's artifacts under `dir/<name>/`; `rows` is the SafeTouch display's
/// height (its pages).
pub fn write(dir: &Path, s: &ScenarioReport, rows: usize) -> Result<(), Error> {
    let sub = dir.join(&s.name);
    std::fs::create_dir_all(&sub).map_err(|e| Error::io(&sub, e))?;
    let put = |file: &str, text: &str| {
        let path = sub.join(file);
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))
    };
    put("transcript.txt", &super::timeline::render_text(s, rows))?;
    put("screens.txt", &super::timeline::render_screens(s, rows))?;
    if let Some(pem) = &s.produced.request_pem {
        put("request.pem", pem)?;
    }
    if let Some(pem) = &s.produced.certificate_pem {
        put("certificate.pem", pem)?;
    }
    if let Some(pem) = &s.produced.ca_pem {
        put("ca.pem", pem)?;
    }
    Ok(())
}
