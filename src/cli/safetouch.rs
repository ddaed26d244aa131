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
    Confirm(PressArgs),
    /// Press Reject («Отказать») on the screen that waits.
    Reject(PressArgs),
    /// Let the screen that waits time out now, as if nobody pressed (no waiting the profile's
    /// time-out).
    TimeOut(PressArgs),
}

/// Where the running `sim` listens, and which screen the press answers.
#[derive(Debug, clap::Args)]
pub struct PressArgs {
    #[command(flatten)]
    pub control: ControlArgs,
    /// The screen the press answers (its `id`, as `safetouch screen` prints it); refused if
    /// another screen is shown by then. Default: the screen waiting now.
    #[arg(long, value_name = "ID")]
    pub screen: Option<u64>,
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
    if screen.waiting {
        println!("[screen {} waits for a press]", screen.id);
    } else {
        println!("[idle]");
    }
    Ok(())
}

/// Presses `name` on the screen named by `args`, or on the one waiting now.
fn press(args: &PressArgs, name: &str, request: fn(u64) -> Request) -> Result<(), CliError> {
    let id = match args.screen {
        Some(id) => id,
        None => {
            let screen = send(&args.control.control, Request::Screen)?
                .screen
                .ok_or_else(|| CliError::failed_msg("no screen in reply"))?;
            if !screen.waiting {
                return Err(CliError::failed_msg("no screen waits for a press"));
            }
            screen.id
        }
    };
    send(&args.control.control, request(id))?;
    println!("{name} on screen {id}");
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
            press(&args, "pressed Confirm", |id| Request::Confirm { id })?;
        }
        SafetouchCommand::Reject(args) => {
            press(&args, "pressed Reject", |id| Request::Reject { id })?;
        }
        SafetouchCommand::TimeOut(args) => {
            press(&args, "timed out", |id| Request::TimeOut { id })?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
