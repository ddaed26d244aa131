//! `rutoken-lab relay`: a card in a real PC/SC reader, presented behind vpcd as a virtual
//! reader, every command/response pair recorded with its timing (`docs/certification.md`).
//! Vendor software (Aktiv's rtpkcs11ecp, a bank's browser plugin) then talks to the virtual
//! reader, and the transcript holds the real token's commands and answers — secrets masked by
//! [`rutoken_apdu::mask::masked`], the one masking function.

use std::path::PathBuf;

/// Arguments of `relay`.
#[derive(Debug, clap::Args)]
pub struct RelayArgs {
    /// The real reader holding the card (exact name, or a part of one reader's name).
    #[arg(long, value_name = "NAME")]
    pub reader: String,
    /// The vpcd to present the card to (`reader.conf`: `CHANNELID` is the port).
    #[arg(long, value_name = "HOST:PORT", default_value = rutoken_sim::vpcd::DEFAULT_ADDRESS)]
    pub vpcd: String,
    /// The transcript to write (JSON Lines, see docs/certification.md).
    #[arg(long, value_name = "FILE")]
    pub record: PathBuf,
    /// Also log each exchange to stderr (secrets masked).
    #[arg(long)]
    pub log_apdus: bool,
}

#[cfg(not(feature = "pcsc"))]
pub fn run(_args: RelayArgs) -> Result<std::process::ExitCode, crate::error::CliError> {
    Err(crate::error::CliError::invalid_msg(
        "relay needs PC/SC: rebuild with `--features pcsc` (Debian: libpcsclite-dev)",
    ))
}

#[cfg(feature = "pcsc")]
pub use with_pcsc::run;

#[cfg(feature = "pcsc")]
mod with_pcsc {
    use std::process::ExitCode;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant, SystemTime};

    use rutoken_apdu::hex::spaced;
    use rutoken_apdu::mask::masked;
    use rutoken_conformance::client::Transport;
    use rutoken_conformance::client::transport::pcsc::PcscTransport;
    use rutoken_sim::Card;
    use rutoken_sim::vpcd::apdu_log::format_response_to;
    use rutoken_sim::vpcd::{CardWorker, LinkState, Presence, Vpcd, VpcdOptions};
    use tokio_util::sync::CancellationToken;

    use super::RelayArgs;
    use crate::cli::transcript::{FORMAT, PowerEvent, Record, Writer};
    use crate::error::CliError;

    /// ISO 7816-4 `6F 00` ("no precise diagnosis"): what the virtual reader answers when the
    /// real one fails (vpcd needs an answer).
    const SW_NO_DIAGNOSIS: [u8; 2] = [0x6F, 0x00];

    /// The real card as a [`Card`] for vpcd, recording as it goes.
    struct RelayCard {
        real: PcscTransport,
        atr: Vec<u8>,
        transcript: Writer,
        start: Instant,
        /// vpcd powered the card off; the next power-on cycles the real card.
        off: bool,
        log: bool,
        /// Exchanges relayed so far (printed when the relay stops).
        relayed: Arc<AtomicUsize>,
    }

    /// Milliseconds with microsecond resolution: a `Duration`'s float conversion prints as
    /// `12.345000000000001` in JSON, the rounded value as `12.345`.
    fn millis(d: Duration) -> f64 {
        // Whole microseconds are exact in an f64 up to 2^53 µs (285 years).
        let micros = d.as_micros() as f64;
        micros / 1000.0
    }

    impl RelayCard {
        fn ms(&self) -> f64 {
            millis(self.start.elapsed())
        }

        fn record(&mut self, record: &Record) {
            if let Err(e) = self.transcript.write(record) {
                // The relay keeps serving (the vendor software mid-operation must not break),
                // but says so: the transcript is incomplete from here.
                eprintln!("warning: cannot write the transcript: {e}");
            }
        }

        fn power(&mut self, event: PowerEvent) {
            let at_ms = self.ms();
            self.record(&Record::Power { at_ms, event });
        }

        fn cycle_real_card(&mut self) {
            if let Err(e) = self.real.power_cycle() {
                eprintln!("warning: cannot power-cycle the real card: {e}");
            }
        }
    }

    impl Card for RelayCard {
        fn atr(&self) -> Vec<u8> {
            self.atr.clone()
        }

        fn power_on(&mut self) {
            self.power(PowerEvent::On);
            if self.off {
                self.cycle_real_card();
                self.off = false;
            }
        }

        fn power_off(&mut self) {
            self.power(PowerEvent::Off);
            self.off = true;
        }

        fn reset(&mut self) {
            self.power(PowerEvent::Reset);
            self.cycle_real_card();
            self.off = false;
        }

        fn transmit(&mut self, command: &[u8]) -> Vec<u8> {
            let at_ms = self.ms();
            let sent = Instant::now();
            let mut answer = self.real.transmit(command);
            if answer.is_err() {
                // Another application may have reset the shared card: connect again, once.
                self.real.disconnect();
                answer = self.real.transmit(command);
            }
            let took_ms = millis(sent.elapsed());
            self.relayed.fetch_add(1, Ordering::Relaxed);
            let shown = masked(command);
            let (response, error) = match answer {
                Ok(response) if response.len() >= 2 => (response, None),
                Ok(response) => (
                    SW_NO_DIAGNOSIS.to_vec(),
                    Some(format!("the reader answered {} bytes", response.len())),
                ),
                Err(e) => (SW_NO_DIAGNOSIS.to_vec(), Some(e.to_string())),
            };
            // A secret answer (PSO: DECIPHER, GENERAL AUTHENTICATE) is masked like a PIN.
            let answer = format_response_to(command, &response);
            if self.log {
                eprintln!("> {shown}\n< {answer}");
            }
            let record = Record::Apdu {
                at_ms,
                took_ms,
                press: rutoken_sim::safetouch::waits_for_press(command),
                command: shown,
                response: if error.is_some() {
                    String::new()
                } else {
                    answer
                },
                error,
            };
            self.record(&record);
            response
        }
    }

    /// Runs the relay until SIGINT or SIGTERM.
    pub fn run(args: RelayArgs) -> Result<ExitCode, CliError> {
        let mut real = PcscTransport::open(&args.reader)
            .map_err(|e| CliError::invalid(format!("--reader {}", args.reader), e))?;
        let atr = real
            .atr()
            .map_err(|e| CliError::failed(format!("no card in {}", args.reader), e))?;
        let reader = real.reader().to_string_lossy().into_owned();
        let mut transcript = Writer::create(&args.record)?;
        let started_unix = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        transcript
            .write(&Record::Header {
                format: FORMAT,
                reader: reader.clone(),
                atr: spaced(&atr),
                started_unix,
            })
            .map_err(|e| CliError::failed("cannot write the transcript", e))?;
        let relayed = Arc::new(AtomicUsize::new(0));
        let card = RelayCard {
            real,
            atr,
            transcript,
            start: Instant::now(),
            off: false,
            log: args.log_apdus,
            relayed: relayed.clone(),
        };
        let worker = CardWorker::spawn(Box::new(card))
            .map_err(|e| CliError::failed("cannot start the relay", e))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| CliError::failed("cannot start the async runtime", e))?;
        let options = VpcdOptions {
            address: args.vpcd.clone(),
            ..VpcdOptions::default()
        };
        let vpcd = Arc::new(Vpcd::new(options, worker.handle(), Presence::default()));
        println!("relaying {reader} to vpcd at {}", args.vpcd);
        println!("recording to {}", args.record.display());
        let result = runtime.block_on(async {
            let shutdown = CancellationToken::new();
            tokio::spawn(super::super::sim::stop_on_signal(shutdown.clone()));
            let mut state = vpcd.state();
            let address = args.vpcd.clone();
            tokio::spawn(async move {
                while state.changed().await.is_ok() {
                    let now = *state.borrow_and_update();
                    match now {
                        LinkState::Connecting => println!("waiting for vpcd at {address}"),
                        LinkState::Connected => {
                            println!("attached to vpcd at {address}: the card is in");
                        }
                        LinkState::Pulled => println!("the virtual reader is empty"),
                        LinkState::Stopped => break,
                    }
                }
            });
            vpcd.run(shutdown).await
        });
        worker.stop();
        result.map_err(|e| CliError::failed("the vpcd link failed", e))?;
        let n = relayed.load(Ordering::Relaxed);
        println!(
            "stopped: {n} exchange{} relayed and recorded to {}",
            if n == 1 { "" } else { "s" },
            args.record.display()
        );
        Ok(ExitCode::SUCCESS)
    }
}
