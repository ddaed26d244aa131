//! `rutoken-lab plugin install-extension --dir DIR`: writes the adapter extension (docs/plugin.md
//! "The adapter extension") for a bridge on this machine and says how to load it.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use rutoken_plugin_bridge::extension;

use crate::error::CliError;

/// Arguments of `plugin install-extension`.
#[derive(Debug, clap::Args)]
pub struct InstallExtensionArgs {
    /// The directory to write the unpacked extension to (created; its files replaced).
    #[arg(long, value_name = "DIR")]
    dir: PathBuf,
    /// The port the bridge listens on (`rutoken-lab plugin --port`).
    #[arg(long, default_value_t = 24734)]
    port: u16,
    /// The bridge's loopback address (`rutoken-lab plugin --bind`).
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
}

pub fn run(args: &InstallExtensionArgs) -> Result<ExitCode, CliError> {
    let bridge = SocketAddr::new(args.bind, args.port);
    rutoken_plugin_bridge::server::check_loopback(args.bind)
        .map_err(|e| CliError::invalid("bad --bind", e))?;
    extension::write(&args.dir, bridge).map_err(|e| {
        CliError::failed(
            format!("cannot write the extension to {}", args.dir.display()),
            e,
        )
    })?;
    let dir = std::fs::canonicalize(&args.dir).unwrap_or_else(|_| args.dir.clone());
    let dir = dir.display();
    println!("rutoken-lab adapter extension written to {dir}");
    println!(
        "  id {}, talks to ws://{bridge}/ws",
        extension::EXTENSION_ID
    );
    println!();
    println!("Load it (unpacked, once per browser profile):");
    println!(
        "  Chromium, Google Chrome: chrome://extensions → Developer mode → Load unpacked → {dir}"
    );
    println!("  Yandex Browser: browser://extensions → Developer mode → Load unpacked → {dir}");
    println!("  Chromium from the command line or in CI: chromium --load-extension={dir}");
    println!("    (Google Chrome 137 and later ignore --load-extension; use the page above)");
    println!();
    println!(
        "Then run the bridge: rutoken-lab plugin --port {} [--allow-origin https://your.bank]",
        args.port
    );
    println!(
        "Pages from the bridge's own origin and each --allow-origin get the plugin; others are refused."
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_extension_for_the_port_and_refuses_other_hosts() {
        let dir = tempfile::tempdir().expect("tempdir");
        let args = InstallExtensionArgs {
            dir: dir.path().join("ext"),
            port: 9123,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
        };
        assert!(run(&args).is_ok());
        let background =
            std::fs::read_to_string(dir.path().join("ext/background.js")).expect("background.js");
        assert!(
            background.contains("\"ws://127.0.0.1:9123/ws\""),
            "{background}"
        );
        for file in ["manifest.json", "page.js", "relay.js"] {
            assert!(dir.path().join("ext").join(file).exists(), "{file}");
        }
        let elsewhere = InstallExtensionArgs {
            dir: dir.path().join("other"),
            port: 9123,
            bind: "192.168.1.2".parse().expect("address"),
        };
        assert!(matches!(run(&elsewhere), Err(CliError::Invalid { .. })));
        assert!(!dir.path().join("other").exists());
    }
}
