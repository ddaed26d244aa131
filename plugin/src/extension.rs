//! The adapter extension the project ships (`plugin/extension`): Manifest V3, a content script in
//! every page's world that provides the plugin object where Aktiv's loaders look for it (the
//! served `rutoken-plugin.js` itself, switched to the extension's channel), a content script that
//! relays to the service worker, and the service worker's WebSocket to the bridge. Pages need no
//! change. `rutoken-lab plugin install-extension` writes it out with the bridge's port.

use std::net::SocketAddr;
use std::path::Path;

use crate::error::BridgeError;

/// The extension's id, fixed by the public key in its manifest (`key`): the first 128 bits of
/// the SHA-256 of that key's DER, each hex digit written `a`…`p` (how Chromium derives the id of
/// an extension with a `key`; the test in `tests/extension.rs` loads it and the bridge accepts
/// only this origin). No private key exists in the project: an unpacked extension needs none.
pub const EXTENSION_ID: &str = "cmfkenjmbeiplbfickkinocnmlogfocp";

/// The origin the extension's service worker connects from.
pub fn extension_origin() -> String {
    format!("chrome-extension://{EXTENSION_ID}")
}

const MANIFEST: &str = include_str!("../extension/manifest.json");
const RELAY_JS: &str = include_str!("../extension/relay.js");
const BACKGROUND_JS: &str = include_str!("../extension/background.js");
const PLUGIN_JS: &str = include_str!("../assets/rutoken-plugin.js");

/// The plugin script as the bridge serves it (`via_extension` false) or as the extension runs
/// it in every page (true): the constants and methods filled in.
pub fn plugin_script(via_extension: bool) -> String {
    PLUGIN_JS
        .replace("/*CONSTANTS*/{}", &crate::codes::constants().to_string())
        .replace(
            "/*VIA_EXTENSION*/false",
            if via_extension { "true" } else { "false" },
        )
}

/// The extension's files for a bridge at `bridge` (name, contents).
pub fn files(bridge: SocketAddr) -> Vec<(&'static str, String)> {
    let url = format!("ws://{bridge}/ws");
    let background = BACKGROUND_JS.replace(
        "/*BRIDGE*/\"ws://127.0.0.1:24734/ws\"",
        &serde_json::Value::String(url).to_string(),
    );
    vec![
        ("manifest.json", MANIFEST.to_owned()),
        ("page.js", plugin_script(true)),
        ("relay.js", RELAY_JS.to_owned()),
        ("background.js", background),
    ]
}

/// Writes the unpacked extension into `dir` (created if missing; the four files replaced).
pub fn write(dir: &Path, bridge: SocketAddr) -> Result<(), BridgeError> {
    crate::server::check_loopback(bridge.ip())?;
    std::fs::create_dir_all(dir).map_err(|source| BridgeError::Write {
        path: dir.to_owned(),
        source,
    })?;
    for (name, text) in files(bridge) {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|source| BridgeError::Write { path, source })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bridge_address_and_the_constants_are_filled_in() {
        let files = files("127.0.0.1:9000".parse().unwrap());
        let get = |n: &str| files.iter().find(|(name, _)| *name == n).unwrap().1.clone();
        assert!(get("background.js").contains("var BRIDGE = \"ws://127.0.0.1:9000/ws\";"));
        let page = get("page.js");
        assert!(page.contains("var VIA_EXTENSION = true;"));
        assert!(
            page.contains("\"FUNCTION_REJECTED\":30"),
            "constants filled in"
        );
        let manifest: serde_json::Value = serde_json::from_str(&get("manifest.json")).unwrap();
        assert_eq!(manifest["manifest_version"], 3);
        assert_eq!(manifest["content_scripts"][0]["world"], "MAIN");
        assert_eq!(manifest["content_scripts"][0]["run_at"], "document_start");
    }

    #[test]
    fn the_id_is_the_manifest_keys() {
        use base64ct::Encoding;
        use sha2::Digest;
        let manifest: serde_json::Value = serde_json::from_str(MANIFEST).unwrap();
        let key = manifest["key"].as_str().unwrap();
        let der = base64ct::Base64::decode_vec(key).unwrap();
        let hash = sha2::Sha256::digest(&der);
        let id: String = hash[..16]
            .iter()
            .flat_map(|b| [b >> 4, b & 15])
            .map(|n| char::from(b'a' + n))
            .collect();
        assert_eq!(id, EXTENSION_ID);
    }

    #[test]
    fn only_loopback_bridges() {
        let dir = tempfile::tempdir().unwrap();
        assert!(write(dir.path(), "10.0.0.1:9000".parse().unwrap()).is_err());
        write(dir.path(), "127.0.0.1:9000".parse().unwrap()).unwrap();
        assert!(dir.path().join("manifest.json").exists());
    }
}
