//! The control socket of a running `sim`: a Unix domain socket (owner-only, 0600) speaking
//! line-delimited JSON ([`protocol`]): read the SafeTouch screen, press its buttons, pull and
//! insert the token, power-cycle it, put a fresh token in the reader (`load`), restart the
//! emulator (`restart`). A malformed request gets an error reply and changes nothing.

pub mod protocol;
pub mod slot;

use std::os::unix::fs::{DirBuilderExt, FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

pub use protocol::{Request, Response};
pub use slot::{TokenControl, TokenSlot};

use crate::safetouch::{Press, PressSender, SafeTouchMonitor};
use crate::token::TokenError;
use crate::vpcd::{CardHandle, LinkState, Presence};

/// How long to wait for the vpcd link to drop after a pull. Ours.
const LINK_DROP_WAIT: Duration = Duration::from_secs(2);

/// Longest request line accepted (a request is a few dozen bytes).
const MAX_LINE: usize = 4096;

/// What the control socket can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// Another `sim` answers on this path.
    #[error("the control socket {0} is in use by a running sim")]
    InUse(PathBuf),
    /// The path exists and is not a socket.
    #[error("{0} exists and is not a socket")]
    NotASocket(PathBuf),
    /// Socket I/O.
    #[error("control socket {path}")]
    Io {
        /// The socket.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The reply was not JSON of the expected shape.
    #[error("bad reply from the control socket: {0}")]
    BadReply(String),
    /// The request could not be encoded.
    #[error("cannot encode the control request")]
    Encode(#[source] serde_json::Error),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ControlError + '_ {
    move |source| ControlError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The SafeTouch as the control socket sees it.
#[derive(Debug, Clone)]
pub struct SafeTouchControl {
    /// The screen and the log.
    pub monitor: SafeTouchMonitor,
    /// The buttons, when a person presses them (policy `manual`); `None` for an unattended
    /// policy.
    pub presses: Option<PressSender>,
}

/// Everything the control socket acts on.
#[derive(Debug, Clone)]
pub struct ControlTarget {
    /// The SafeTouch, if there is one (`--no-safetouch`: none).
    pub safetouch: Option<SafeTouchControl>,
    /// The token's presence in the reader.
    pub presence: Presence,
    /// The card's thread, for power cycles.
    pub card: CardHandle,
    /// The token's slot, for `load` and `restart` (`None`: a card that is not a token).
    pub token: Option<TokenControl>,
    /// The vpcd link's state, to know when a pulled token's connection is closed (`None`: no
    /// link to wait for).
    pub link: Option<watch::Receiver<LinkState>>,
}

impl ControlTarget {
    /// Carries out one request.
    pub async fn handle(&self, request: Request) -> Response {
        match request {
            Request::Screen => match &self.safetouch {
                Some(st) => Response {
                    screen: Some(st.monitor.screen()),
                    ..Response::done()
                },
                None => Response::error("no SafeTouch (sim runs with --no-safetouch)"),
            },
            Request::Events => match &self.safetouch {
                Some(st) => Response {
                    events: Some(st.monitor.events()),
                    ..Response::done()
                },
                None => Response::error("no SafeTouch (sim runs with --no-safetouch)"),
            },
            Request::NextPage => match &self.safetouch {
                Some(st) => Response {
                    screen: Some(st.monitor.turn_page()),
                    ..Response::done()
                },
                None => Response::error("no SafeTouch (sim runs with --no-safetouch)"),
            },
            Request::Confirm { id } => self.press(id, Press::Confirm),
            Request::Reject { id } => self.press(id, Press::Reject),
            Request::TimeOut { id } => self.press(id, Press::Timeout),
            Request::Pull => {
                self.presence.pull();
                Response {
                    inserted: Some(false),
                    ..Response::done()
                }
            }
            Request::Insert => {
                self.presence.insert();
                Response {
                    inserted: Some(true),
                    ..Response::done()
                }
            }
            Request::PowerCycle => {
                let cycled = self
                    .card
                    .call(|card| {
                        card.power_off();
                        card.power_on();
                    })
                    .await;
                match cycled {
                    Ok(()) => Response::done(),
                    Err(err) => Response::error(err.to_string()),
                }
            }
            Request::Status => Response {
                inserted: Some(self.presence.is_inserted()),
                safetouch: Some(self.safetouch.is_some()),
                ..Response::done()
            },
            // Under the slot's lock, between two APDUs: a consistent view even while a bank
            // client talks to the token (a press wait holds no lock: the SafeTouch keeps the
            // command until the press).
            Request::Summary => match &self.token {
                Some(token) => Response {
                    summary: Some(token.slot.with(|t| t.summary().to_string())),
                    ..Response::done()
                },
                None => Response::error("the card in the reader is not a token"),
            },
            Request::Load { fixture, seed } => self.load(fixture, seed).await,
            Request::Restart => self.restart().await,
        }
    }

    /// `load`: the fresh token takes the old one's place in the reader, as after a reset (the
    /// reader keeps its card: no removal for pcscd to poll for). The SafeTouch forgets its
    /// screens and pending hash. A pulled token is inserted. On failure the token in the slot
    /// is unchanged.
    async fn load(&self, fixture: crate::token::Fixture, seed: u64) -> Response {
        let Some(token) = self.token.clone() else {
            return Response::error("no token to replace (sim runs the echo card)");
        };
        self.time_out_waiting_screen();
        let monitor = self.safetouch.as_ref().map(|st| st.monitor.clone());
        let swapped = self
            .card
            .call(move |card| -> Result<[u8; 8], TokenError> {
                let fresh = token.fresh(fixture, seed)?;
                let serial = fresh.serial();
                // Through the SafeTouch: its pending hash goes with the old token's power.
                card.power_off();
                token.slot.replace(fresh);
                if let Some(monitor) = monitor {
                    monitor.clear();
                }
                card.power_on();
                Ok(serial)
            })
            .await;
        match swapped {
            Ok(Ok(serial)) => {
                self.presence.insert();
                Response {
                    inserted: Some(true),
                    serial: Some(hex::encode_upper(serial)),
                    ..Response::done()
                }
            }
            Ok(Err(err)) => Response::error(err.to_string()),
            Err(err) => Response::error(err.to_string()),
        }
    }

    /// `restart`: the token leaves the reader, is read back from its image, and comes back, as
    /// an emulator restart. It is made again at once: if pcscd's poll misses the gap, the link
    /// sees the new connection probed and not powered up and stays away for a poll (`vpcd.rs`,
    /// "Reattach"), so pcscd always sees a removal and an insertion. On failure the token in
    /// the slot is unchanged and back in the reader if it was.
    async fn restart(&self) -> Response {
        let Some(token) = self.token.clone() else {
            return Response::error("no token to replace (sim runs the echo card)");
        };
        self.time_out_waiting_screen();
        let was_inserted = self.presence.is_inserted();
        if was_inserted {
            self.presence.pull();
            self.wait_link_dropped().await;
        }
        let monitor = self.safetouch.as_ref().map(|st| st.monitor.clone());
        let swapped = self
            .card
            .call(move |card| -> Result<[u8; 8], TokenError> {
                let restarted = token.reloaded()?;
                let serial = restarted.serial();
                card.power_off();
                token.slot.replace(restarted);
                if let Some(monitor) = monitor {
                    monitor.clear();
                }
                Ok(serial)
            })
            .await;
        let result = match swapped {
            Ok(Ok(serial)) => {
                self.presence.insert();
                return Response {
                    inserted: Some(true),
                    serial: Some(hex::encode_upper(serial)),
                    ..Response::done()
                };
            }
            Ok(Err(err)) => Response::error(err.to_string()),
            Err(err) => Response::error(err.to_string()),
        };
        if was_inserted {
            self.presence.insert();
        }
        result
    }

    /// A screen waiting for a press holds the card thread: it times out now.
    fn time_out_waiting_screen(&self) {
        if let Some(SafeTouchControl {
            monitor,
            presses: Some(presses),
        }) = &self.safetouch
        {
            let screen = monitor.screen();
            if screen.waiting {
                let _ = presses.press(&screen, Press::Timeout);
            }
        }
    }

    async fn wait_link_dropped(&self) {
        if let Some(link) = &self.link {
            let mut link = link.clone();
            let dropped = link.wait_for(|s| *s != LinkState::Connected);
            let _ = tokio::time::timeout(LINK_DROP_WAIT, dropped).await;
        }
    }

    /// Presses a button on screen `id`: refused unless that screen is the one shown and
    /// waiting (a press read from an earlier screen must not answer the next one).
    fn press(&self, id: u64, press: Press) -> Response {
        let Some(st) = &self.safetouch else {
            return Response::error("no SafeTouch (sim runs with --no-safetouch)");
        };
        let Some(presses) = &st.presses else {
            return Response::error("the SafeTouch is unattended (--safetouch-policy)");
        };
        let screen = st.monitor.screen();
        if screen.id != id || !screen.waiting {
            let now = if screen.waiting {
                format!("screen {} waits now", screen.id)
            } else {
                "no screen waits now".to_owned()
            };
            return Response::error(format!(
                "screen {id} is no longer shown ({now}); read the screen again"
            ));
        }
        // If the screen times out between this check and the press, the SafeTouch drops the
        // press: it names screen `id`.
        match presses.press(&screen, press) {
            Ok(()) => Response::done(),
            Err(err) => Response::error(err.to_string()),
        }
    }
}

/// Binds the socket inside a fresh owner-only (0700) directory beside `path`, makes it 0600 and
/// only then renames it into place: nobody else can connect in the moment between `bind` and
/// `chmod`, which a bind at `path` itself would leave open.
fn bind_owner_only(path: &Path) -> std::io::Result<UnixListener> {
    let parent = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    // Short name: a Unix socket path has to fit in 108 bytes.
    let staging = parent.join(format!(".rtl-{}", std::process::id()));
    std::fs::DirBuilder::new().mode(0o700).create(&staging)?;
    let temporary = staging.join("s");
    let bound = UnixListener::bind(&temporary).and_then(|listener| {
        std::fs::set_permissions(&temporary, std::fs::Permissions::from_mode(0o600))?;
        std::fs::rename(&temporary, path)?;
        Ok(listener)
    });
    let _ = std::fs::remove_file(&temporary);
    let _ = std::fs::remove_dir(&staging);
    bound
}

/// The listening socket; removes its file when dropped.
#[derive(Debug)]
pub struct ControlServer {
    listener: UnixListener,
    path: PathBuf,
}

impl ControlServer {
    /// Creates the socket at `path`, owner-only. A stale socket file (nobody answers) is
    /// replaced; a live one is an error.
    pub fn bind(path: &Path) -> Result<Self, ControlError> {
        if let Ok(meta) = std::fs::symlink_metadata(path) {
            if !meta.file_type().is_socket() {
                return Err(ControlError::NotASocket(path.to_owned()));
            }
            if std::os::unix::net::UnixStream::connect(path).is_ok() {
                return Err(ControlError::InUse(path.to_owned()));
            }
            std::fs::remove_file(path).map_err(io(path))?;
        }
        let listener = bind_owner_only(path).map_err(io(path))?;
        Ok(ControlServer {
            listener,
            path: path.to_owned(),
        })
    }

    /// The socket's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Serves clients until `shutdown`.
    pub async fn run(&self, target: Arc<ControlTarget>, shutdown: CancellationToken) {
        loop {
            let accepted = tokio::select! {
                () = shutdown.cancelled() => return,
                a = self.listener.accept() => a,
            };
            if let Ok((stream, _)) = accepted {
                let target = Arc::clone(&target);
                let shutdown = shutdown.clone();
                tokio::spawn(async move {
                    tokio::select! {
                        () = shutdown.cancelled() => {}
                        () = serve_client(stream, &target) => {}
                    }
                });
            }
        }
    }
}

impl Drop for ControlServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

async fn serve_client(stream: UnixStream, target: &ControlTarget) {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let mut line = Vec::new();
    loop {
        line.clear();
        let mut limited = (&mut reader).take(MAX_LINE as u64 + 1);
        match limited.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let response = if line.len() > MAX_LINE {
            Response::error(format!("request longer than {MAX_LINE} bytes"))
        } else {
            match Request::from_json(trim(&line)) {
                Ok(request) => target.handle(request).await,
                Err(err) => Response::error(format!("bad request: {err}")),
            }
        };
        let too_long = line.len() > MAX_LINE && line.last() != Some(&b'\n');
        let mut text = serde_json::to_string(&response).unwrap_or_else(|err| {
            // A `Value` built from strings always prints.
            serde_json::json!({"ok": false, "error": format!("cannot encode the reply: {err}")})
                .to_string()
        });
        text.push('\n');
        if write.write_all(text.as_bytes()).await.is_err() || too_long {
            // The rest of an overlong line cannot be told from the next request: hang up.
            return;
        }
    }
}

fn trim(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    &line[..end]
}

/// Sends one request to the control socket at `path` and returns the reply (the CLI's client).
pub async fn request(path: &Path, request: Request) -> Result<Response, ControlError> {
    let stream = UnixStream::connect(path).await.map_err(io(path))?;
    let (read, mut write) = stream.into_split();
    let mut text = request.to_json().map_err(ControlError::Encode)?;
    text.push('\n');
    write.write_all(text.as_bytes()).await.map_err(io(path))?;
    let mut reply = String::new();
    BufReader::new(read)
        .read_line(&mut reply)
        .await
        .map_err(io(path))?;
    serde_json::from_str(reply.trim()).map_err(|e| ControlError::BadReply(e.to_string()))
}
