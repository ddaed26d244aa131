//! `--artifacts DIR`: per scenario `DIR/<name>/transcript.txt`, `screens.txt`, and where the
//! flow produced them `request.pem`, `certificate.pem`, `ca.pem`.

use std::path::Path;

use super::ScenarioReport;
use crate::Error;

/// Writes one scenario's artifacts under `dir/<name>/`.
pub fn write(dir: &Path, s: &ScenarioReport) -> Result<(), Error> {
    let sub = dir.join(&s.name);
    std::fs::create_dir_all(&sub).map_err(|e| Error::io(&sub, e))?;
    let put = |file: &str, text: &str| {
        let path = sub.join(file);
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))
    };
    put("transcript.txt", &s.transcript.render())?;
    let mut screens = String::new();
    for (i, screen) in s.screens.iter().enumerate() {
        screens.push_str(&format!("--- screen {}\n{screen}\n", i + 1));
    }
    put("screens.txt", &screens)?;
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
