//! `rutoken-lab safetouch screen|events|next-page|confirm|reject|time-out --control PATH`: the SafeTouch of a
//! running `sim`, through its control socket (`docs/pcsc.md`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rutoken_sim::control::{self, Request, Response};

use crate::error::CliError;

/// SafeTouch control commands.
#[derive(Debug, clap::Subcommand)]
pub enum SafetouchCommand {
    /// Print the screen (all pages) and whether it waits for a press.
    Screen(ControlArgs),
    /// Print the event log (screens and presses, with time stamps) as JSON lines.
    Events(ControlArgs),
    /// Show the next page of a long screen, then print the screen.
    NextPage(ControlArgs),
    /// Press Confirm («Подтвердить») on the screen that waits.
    Confirm(ControlArgs),
    /// Press Reject («Отказать») on the screen that waits.
    Reject(ControlArgs),
    /// Let the screen that waits time out now, as if nobody pressed (no waiting the profile's
    /// time-out).
    TimeOut(ControlArgs),
}

/// Where the running `sim` listens.
#[derive(Debug, clap::Args)]
pub struct ControlArgs {
    /// The control socket of the running `sim` (its `--control PATH`).
    #[arg(long, env = "RUTOKEN_LAB_CONTROL")]
    pub control: PathBuf,
}

/// Sends one request to a running `sim`; a refusal becomes an error.
pub fn send(path: &Path, request: Request) -> Result<Response, CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failed("cannot start the async runtime", e))?;
    let reply = runtime
        .block_on(control::request(path, request))
        .map_err(|e| CliError::failed(format!("cannot reach the sim at {}", path.display()), e))?;
    if reply.ok {
        Ok(reply)
    } else {
        Err(CliError::failed_msg(
            reply.error.unwrap_or_else(|| "refused".to_owned()),
        ))
    }
}

fn print_screen(reply: Response) -> Result<(), CliError> {
    let screen = reply
        .screen
        .ok_or_else(|| CliError::failed_msg("no screen in reply"))?;
    if screen.lines.is_empty() {
        println!("(blank)");
    }
    let pages = screen.page_count();
    for (page, lines) in screen.lines.chunks(screen.rows.max(1)).enumerate() {
        if pages > 1 {
            let shown = if page == screen.page {
                ", on display"
            } else {
                ""
            };
            println!("-- page {}/{pages}{shown} --", page + 1);
        }
        for line in lines {
            println!("{line}");
        }
    }
    println!(
        "{}",
        if screen.waiting {
            "[waits for a press]"
        } else {
            "[idle]"
        }
    );
    Ok(())
}

pub fn run(cmd: SafetouchCommand) -> Result<ExitCode, CliError> {
    match cmd {
        SafetouchCommand::Screen(args) => print_screen(send(&args.control, Request::Screen)?)?,
        SafetouchCommand::NextPage(args) => {
            print_screen(send(&args.control, Request::NextPage)?)?;
        }
        SafetouchCommand::Events(args) => {
            let reply = send(&args.control, Request::Events)?;
            for event in reply.events.unwrap_or_default() {
                let line = serde_json::to_string(&event)
                    .map_err(|e| CliError::failed("cannot encode an event", e))?;
                println!("{line}");
            }
        }
        SafetouchCommand::Confirm(args) => {
            send(&args.control, Request::Confirm)?;
            println!("pressed Confirm");
        }
        SafetouchCommand::Reject(args) => {
            send(&args.control, Request::Reject)?;
            println!("pressed Reject");
        }
        SafetouchCommand::TimeOut(args) => {
            send(&args.control, Request::TimeOut)?;
            println!("timed out the waiting screen");
        }
    }
    Ok(ExitCode::SUCCESS)
}
