//! `rutoken-lab replay TRANSCRIPT`: sends a relay transcript's commands to the emulator and
//! prints both answers side by side — status word, data length, TLV structure (contents differ
//! legitimately: random challenges, fresh keys, signatures). A difference is where the device
//! profile (or the emulator) does not match the recorded token: the input for calibrating
//! `profiles/rutoken-ecp2-safetouch.yaml` (`docs/certification.md`). Exit 0 when every replayed
//! exchange matches, 1 when one differs, 2 for a bad transcript or argument.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use rutoken_apdu::hex;
use rutoken_apdu::tlv;
use rutoken_sim::Card;
use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::safetouch::{Press, SafeTouch, UnattendedButtons};
use rutoken_sim::token::{Fixture, Token};
use zeroize::Zeroizing;

use crate::cli::transcript::{self, PowerEvent, Record};
use crate::error::CliError;

/// How the emulator's SafeTouch answers its screens during a replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReplayPress {
    /// Confirm every screen.
    Confirm,
    /// Reject every screen.
    Reject,
    /// Let every screen time out.
    Timeout,
}

/// Arguments of `replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// A transcript written by `relay --record`.
    pub transcript: PathBuf,
    /// The user PIN, put back into the masked VERIFY commands of reference 02 (else they are
    /// not replayed).
    #[arg(
        long,
        value_name = "PIN",
        env = "RUTOKEN_LAB_USER_PIN",
        hide_env_values = true
    )]
    pub user_pin: Option<String>,
    /// The administrator PIN, for the masked VERIFY commands of reference 01.
    #[arg(
        long,
        value_name = "PIN",
        env = "RUTOKEN_LAB_ADMIN_PIN",
        hide_env_values = true
    )]
    pub admin_pin: Option<String>,
    /// The device profile to check (default: the built-in defaults).
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// The emulator's starting contents: `factory` or `personalised`.
    #[arg(long, value_name = "NAME", default_value = "personalised")]
    pub fixture: String,
    /// Seed for the emulator's random numbers.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,
    /// The token with no SafeTouch around it.
    #[arg(long)]
    pub no_safetouch: bool,
    /// How the SafeTouch answers its screens.
    #[arg(long, value_enum, default_value = "confirm")]
    pub press: ReplayPress,
}

/// ISO 7816-4 `69 82`, security status not satisfied: what the emulator answers to a command
/// that needs the login a VERIFY without its PIN could not give.
const SW_NOT_LOGGED_IN: &str = "6982";

/// One side of a row: what a card answered, as compared.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Answer {
    sw: String,
    len: usize,
    structure: String,
}

impl Answer {
    /// A recorded response whose data was masked (`** 90 00`): only its status word is known.
    fn masked(sw: &[u8]) -> Answer {
        let mut answer = Answer::of(sw);
        answer.structure = "masked".to_owned();
        answer
    }

    /// The same as `other` where both are known (a masked side matches any data).
    fn matches(&self, other: &Answer) -> bool {
        if self.structure == "masked" || other.structure == "masked" {
            return self.sw == other.sw;
        }
        self == other
    }

    fn of(response: &[u8]) -> Answer {
        let split = response.len().saturating_sub(2);
        let (data, sw) = response.split_at(split);
        Answer {
            sw: sw.iter().fold(String::new(), |mut s, b| {
                let _ = write!(s, "{b:02X}");
                s
            }),
            len: data.len(),
            structure: structure(data),
        }
    }

    fn show(&self) -> String {
        if self.structure == "masked" {
            return format!("{}    ? B masked", self.sw);
        }
        format!("{} {:>4} B {}", self.sw, self.len, self.structure)
    }
}

/// The TLV shape of a response's data: tags, constructed ones with their children in braces
/// (`62{80 82 83 8A}`); `-` for no data, `raw` when the data is not BER-TLV throughout.
fn structure(data: &[u8]) -> String {
    if data.is_empty() {
        return "-".to_owned();
    }
    shape(data, 0).unwrap_or_else(|| "raw".to_owned())
}

fn shape(data: &[u8], depth: usize) -> Option<String> {
    // 4 levels are more than any Rutoken FCP or PKCS#15 answer nests.
    const MAX_DEPTH: usize = 4;
    let mut parts = Vec::new();
    let mut used = 0;
    for item in tlv::iter(data) {
        let item = item.ok()?;
        used += item.encoded_len;
        let constructed = first_tag_byte(item.tag) & 0x20 != 0;
        let inner = if constructed && depth < MAX_DEPTH && !item.value.is_empty() {
            shape(item.value, depth + 1).map(|s| format!("{{{s}}}"))
        } else {
            None
        };
        parts.push(format!("{:02X}{}", item.tag, inner.unwrap_or_default()));
    }
    // Padding (00/FF) ends the iteration; anything else left over is not TLV.
    let rest = data.get(used..).unwrap_or_default();
    if parts.is_empty() || rest.iter().any(|b| *b != 0x00 && *b != 0xFF) {
        return None;
    }
    Some(parts.join(" "))
}

fn first_tag_byte(tag: u32) -> u8 {
    let bytes = tag.to_be_bytes();
    bytes.into_iter().find(|b| *b != 0).unwrap_or(0)
}

/// The command to send for a transcript line, or why it cannot be replayed.
fn command_bytes(
    shown: &str,
    user_pin: Option<&str>,
    admin_pin: Option<&str>,
) -> Result<Zeroizing<Vec<u8>>, String> {
    if !shown.contains("**") {
        return hex::parse(shown)
            .map(Zeroizing::new)
            .ok_or_else(|| "not hex".to_owned());
    }
    let head = shown.split("**").next().unwrap_or_default();
    let header = hex::parse(head).ok_or_else(|| "not hex".to_owned())?;
    // Only VERIFY (INS 20) in the short form `CLA 20 00 REF Lc` can be rebuilt: its data is the
    // PIN itself. A changed PIN or an imported key cannot be known.
    let [cla, 0x20, p1, reference, lc] = header[..] else {
        return Err("secret data (masked) other than a short VERIFY".to_owned());
    };
    let pin = match reference {
        0x02 => user_pin.ok_or("VERIFY of the user PIN: give --user-pin")?,
        0x01 => admin_pin.ok_or("VERIFY of the administrator PIN: give --admin-pin")?,
        other => return Err(format!("VERIFY of PIN reference {other:02X}")),
    };
    if pin.len() != usize::from(lc) {
        return Err(format!(
            "the recorded PIN has {lc} bytes, the given one {}",
            pin.len()
        ));
    }
    let mut bytes = Zeroizing::new(vec![cla, 0x20, p1, reference, lc]);
    bytes.extend_from_slice(pin.as_bytes());
    Ok(bytes)
}

fn build_card(args: &ReplayArgs) -> Result<Box<dyn Card>, CliError> {
    let profile = match &args.profile {
        Some(path) => {
            DeviceProfile::load(path).map_err(|e| CliError::invalid("bad --profile", e))?
        }
        None => DeviceProfile::default(),
    };
    let fixture: Fixture = args
        .fixture
        .parse()
        .map_err(|message: String| CliError::invalid_msg(format!("--fixture: {message}")))?;
    let token = Token::in_memory(fixture, args.seed, profile.token.clone())
        .map_err(|e| CliError::failed("cannot build the token", e))?;
    if args.no_safetouch {
        return Ok(Box::new(token));
    }
    let press = match args.press {
        ReplayPress::Confirm => Press::Confirm,
        ReplayPress::Reject => Press::Reject,
        ReplayPress::Timeout => Press::Timeout,
    };
    Ok(Box::new(SafeTouch::new(
        token,
        profile.safetouch.clone(),
        Box::new(UnattendedButtons(press)),
    )))
}

/// Cuts `text` to `width` characters (the command column).
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        format!("{text:<width$}")
    } else {
        let cut: String = text.chars().take(width.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

pub fn run(args: ReplayArgs) -> Result<ExitCode, CliError> {
    let records = transcript::read(&args.transcript)?;
    let mut card = build_card(&args)?;
    card.power_on();
    let (mut differ, mut replayed, mut not_replayed) = (0usize, 0usize, 0usize);
    // A VERIFY whose PIN was not given leaves the emulator logged out where the real token was
    // logged in: what it then refuses (6982) is that PIN's consequence, not a difference.
    let mut missing_pin: Option<String> = None;
    let mut missing_pin_reasons: Vec<String> = Vec::new();
    let mut consequences = 0usize;
    println!(
        "{:>4}  {:<40}  {:<28}  {:<28}  {:>9}        {:>9}",
        "#", "command (secrets masked)", "recorded", "emulator", "rec ms", "emu ms"
    );
    let mut pressed = 0usize;
    for (index, record) in records.iter().enumerate() {
        let number = index + 1;
        match record {
            Record::Header { reader, atr, .. } => {
                let ours = hex::spaced(&card.atr());
                let same = *atr == ours;
                println!("ATR of {reader}: {atr}");
                if same {
                    println!("ATR of the emulator: the same");
                } else {
                    differ += 1;
                    println!("ATR of the emulator: {ours}   DIFFERS");
                }
            }
            Record::Power { event, .. } => {
                match event {
                    PowerEvent::On => card.power_on(),
                    PowerEvent::Off => card.power_off(),
                    PowerEvent::Reset => card.reset(),
                }
                // Both cards are logged out now.
                missing_pin = None;
                let name = match event {
                    PowerEvent::On => "on",
                    PowerEvent::Off => "off",
                    PowerEvent::Reset => "reset",
                };
                println!("{number:>4}  power {name}");
            }
            Record::Apdu {
                command,
                response,
                error,
                took_ms,
                press,
                ..
            } => {
                if let Some(error) = error {
                    not_replayed += 1;
                    println!(
                        "{number:>4}  {}  not replayed: the real reader failed ({error})",
                        fit(command, 40)
                    );
                    continue;
                }
                let (masked_data, visible) = match response.strip_prefix("**") {
                    Some(rest) => (true, rest),
                    None => (false, response.as_str()),
                };
                let recorded = hex::parse(visible)
                    .filter(|r| r.len() >= 2)
                    .ok_or_else(|| {
                        CliError::invalid_msg(format!(
                            "{}:{number}: the response is not hex ending in a status word",
                            args.transcript.display()
                        ))
                    })?;
                let bytes = match command_bytes(
                    command,
                    args.user_pin.as_deref(),
                    args.admin_pin.as_deref(),
                ) {
                    Ok(bytes) => bytes,
                    Err(reason) => {
                        not_replayed += 1;
                        if reason.contains("give --") {
                            // Said once, in the summary; each row only marks the gap.
                            println!("{number:>4}  {}  not replayed: no PIN", fit(command, 40));
                            if !missing_pin_reasons.contains(&reason) {
                                missing_pin_reasons.push(reason.clone());
                            }
                            missing_pin = Some(reason);
                        } else {
                            println!("{number:>4}  {}  not replayed: {reason}", fit(command, 40));
                        }
                        continue;
                    }
                };
                let sent = Instant::now();
                let ours = card.transmit(&bytes);
                let ours_ms = sent.elapsed().as_secs_f64() * 1000.0;
                replayed += 1;
                let theirs = if masked_data {
                    Answer::masked(&recorded)
                } else {
                    Answer::of(&recorded)
                };
                let mine = Answer::of(&ours);
                let mark = if theirs.matches(&mine) {
                    ""
                } else if missing_pin.is_some() && mine.sw == SW_NOT_LOGGED_IN {
                    consequences += 1;
                    "  (no PIN given)"
                } else {
                    differ += 1;
                    "  DIFFERS"
                };
                // A time that includes a person's press on the SafeTouch is marked: it is not
                // the card's.
                let press_mark = if *press { "+press" } else { "" };
                pressed += usize::from(*press);
                // The command is shown as recorded (masked), never with the PIN put back.
                println!(
                    "{number:>4}  {}  {:<28}  {:<28}  {took_ms:>9.2}{press_mark:<6}  {ours_ms:>9.2}{mark}",
                    fit(command, 40),
                    fit(&theirs.show(), 28),
                    fit(&mine.show(), 28),
                );
                if mark == "  DIFFERS" && theirs.structure != mine.structure {
                    println!("      recorded structure: {}", theirs.structure);
                    println!("      emulator structure: {}", mine.structure);
                }
            }
        }
    }
    card.power_off();
    for reason in &missing_pin_reasons {
        println!("not replayed: {reason}");
    }
    if consequences > 0 {
        println!(
            "{consequences} exchange{} refused by the emulator ({SW_NOT_LOGGED_IN}) because a PIN \
             was not given: not counted as differences",
            if consequences == 1 { " was" } else { "s were" }
        );
    }
    if pressed > 0 {
        println!(
            "{pressed} recorded time{} marked +press: the SafeTouch held the command until a \
             person pressed; the time is the person's as much as the card's",
            if pressed == 1 { " is" } else { "s are" }
        );
    }
    println!(
        "{replayed} exchanges replayed, {differ} differ, {not_replayed} not replayed ({})",
        if differ == 0 {
            "no difference"
        } else {
            "see the rows marked DIFFERS"
        }
    );
    Ok(if differ == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use rutoken_apdu::mask::masked;

    #[test]
    fn structure_names_nested_tags_and_calls_other_data_raw() {
        assert_eq!(structure(&[]), "-");
        assert_eq!(
            structure(&[0x62, 0x06, 0x80, 0x01, 0x00, 0x82, 0x01, 0x38]),
            "62{80 82}"
        );
        assert_eq!(structure(&[0x12, 0x34, 0x56, 0x78, 0x9A]), "raw");
    }

    #[test]
    fn a_masked_recorded_answer_compares_its_status_word_only() {
        let recorded = Answer::masked(&[0x90, 0x00]);
        assert!(recorded.matches(&Answer::of(&[1, 2, 3, 0x90, 0x00])));
        assert!(!recorded.matches(&Answer::of(&[0x69, 0x82])));
        assert_eq!(recorded.show(), "9000    ? B masked");
    }

    #[test]
    fn only_a_short_verify_gets_its_pin_back() {
        let cmd = command_bytes("00 20 00 02 08 **", Some("12345678"), None).unwrap();
        assert_eq!(&cmd[..5], &[0x00, 0x20, 0x00, 0x02, 0x08]);
        assert_eq!(&cmd[5..], b"12345678");
        // The rendering of the rebuilt command is the recorded one.
        assert_eq!(masked(&cmd), "00 20 00 02 08 **");
        assert!(
            command_bytes("00 20 00 02 08 **", None, None)
                .unwrap_err()
                .contains("--user-pin")
        );
        assert!(command_bytes("00 20 00 02 08 **", Some("1234"), None).is_err());
        assert!(command_bytes("00 24 00 02 10 **", Some("12345678"), None).is_err());
        assert_eq!(
            &command_bytes("00 A4 00 00 02 3F 00", None, None).unwrap()[..],
            &[0x00, 0xA4, 0x00, 0x00, 0x02, 0x3F, 0x00]
        );
    }
}
