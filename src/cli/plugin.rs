//! `rutoken-lab plugin`: the Rutoken Plugin bridge for web pages (docs/plugin.md).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use rutoken_plugin_bridge::backend::{self, TokenSource};
use rutoken_plugin_bridge::bank::Bank;
use rutoken_plugin_bridge::server::{Bridge, Config};
use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::token::Fixture;

use crate::error::CliError;

mod extension;

/// Arguments of `plugin`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct PluginArgs {
    /// Instead of serving: set up the browser side.
    #[command(subcommand)]
    command: Option<PluginCommand>,
    /// The TCP port (on loopback).
    #[arg(long, default_value_t = 24734)]
    port: u16,
    /// The loopback address to listen on; any other address is refused.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// A token image (changes are saved to it).
    #[arg(long, conflicts_with_all = ["fixture", "reader"])]
    image: Option<PathBuf>,
    /// An in-memory token from a fixture: `factory` or `personalised` (the default).
    #[arg(long, conflicts_with = "reader")]
    fixture: Option<Fixture>,
    /// A token behind PC/SC in this reader (e.g. `rutoken-lab sim` behind vpcd) instead of the
    /// in-process emulator.
    #[arg(long)]
    reader: Option<String>,
    /// Seed of the in-memory fixture.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The device profile (YAML).
    #[arg(long)]
    profile: Option<PathBuf>,
    /// Serve the demo page (the bank's reissue flow with a SafeTouch panel) at `/`.
    #[arg(long)]
    demo: bool,
    /// The demo bank's date, DD.MM.YYYY (the CA's clock and the request's date).
    #[arg(long, default_value = "04.02.2020", requires = "demo")]
    bank_date: String,
    /// Also allow pages from this origin (`https://bank.example:8443`); repeatable. The
    /// bridge's own origin is always allowed.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    allow_origins: Vec<String>,
    /// Aktiv's loader (`rutoken.min.js` of the `rutoken` npm package) to serve at
    /// `/vendor/rutoken.js` and use on the demo page.
    #[arg(long, value_name = "FILE")]
    rutoken_js: Option<PathBuf>,
}

/// What `plugin` does besides serving.
#[derive(Debug, clap::Subcommand)]
enum PluginCommand {
    /// Write the adapter extension (Manifest V3) that gives every page the plugin object with no
    /// change to the page, and print how to load it in Chromium, Chrome and Yandex Browser.
    InstallExtension(extension::InstallExtensionArgs),
}

pub fn run(args: PluginArgs) -> Result<ExitCode, CliError> {
    if let Some(PluginCommand::InstallExtension(install)) = &args.command {
        return extension::run(install);
    }
    let profile = match &args.profile {
        Some(path) => DeviceProfile::load(path)
            .map_err(|e| CliError::invalid(format!("bad --profile {}", path.display()), e))?,
        None => DeviceProfile::default(),
    };
    let source = match (&args.image, &args.reader) {
        (Some(path), _) => TokenSource::Image(path.clone()),
        (None, Some(reader)) => TokenSource::Reader(reader.clone()),
        (None, None) => TokenSource::Fixture(args.fixture.unwrap_or(Fixture::Personalised)),
    };
    let demo = if args.demo {
        let date = rutoken_pki::reissue::parse_date(&args.bank_date)
            .map_err(|e| CliError::invalid(format!("bad --bank-date {}", args.bank_date), e))?;
        // Noon UTC: the day's date whatever the time zone of the reader.
        let now = date
            .with_hms(12, 0, 0)
            .map_err(|e| CliError::invalid("bad --bank-date", e))?
            .assume_utc();
        Some(
            Bank::new(now, args.seed)
                .map_err(|e| CliError::failed("cannot start the demo bank", e))?,
        )
    } else {
        None
    };
    let rutoken_js = match &args.rutoken_js {
        Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
            CliError::invalid(format!("cannot read --rutoken-js {}", path.display()), e)
        })?),
        None => None,
    };
    let config = Config {
        addr: SocketAddr::new(args.bind, args.port),
        allowed_origins: args.allow_origins.clone(),
        demo,
        rutoken_js,
    };
    rutoken_plugin_bridge::server::check_loopback(args.bind)
        .map_err(|e| CliError::invalid("bad --bind", e))?;
    for origin in &config.allowed_origins {
        rutoken_plugin_bridge::server::check_origin_form(origin)
            .map_err(|e| CliError::invalid("bad --allow-origin", e))?;
    }
    let token = backend::open(&source, args.seed, &profile)
        .map_err(|e| CliError::failed("cannot set up the token", e))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::failed("cannot start the async runtime", e))?;
    runtime.block_on(async {
        let bridge = Bridge::bind(config, token)
            .await
            .map_err(|e| CliError::failed("cannot start the bridge", e))?;
        let addr = bridge
            .local_addr()
            .map_err(|e| CliError::failed("cannot read the bound address", e))?;
        println!("plugin script: http://{addr}/rutoken-plugin.js");
        if args.demo {
            println!("demo page: http://{addr}/");
        }
        bridge
            .serve()
            .await
            .map_err(|e| CliError::failed("the bridge stopped", e))
    })?;
    Ok(ExitCode::SUCCESS)
}
