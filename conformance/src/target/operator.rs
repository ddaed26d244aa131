//! A person in front of a real SafeTouch (`--operator`): what they must do is printed, and the
//! runner waits for Enter, with a time-out. Before each press the expected screen is drawn as the
//! device shows it and the operator answers whether the device shows the same ([`screen`]);
//! scenarios that can harm a real token are gated ([`destructive`]); a [`preflight`] shows the
//! token and what the run will change, and the [`gate`] learns the token's PINs ([`pins`]),
//! waits for the operator's `y` and checks the user PIN once; a [`guard`] stops the run at the
//! first PIN the token refuses. The screens come from the emulator's renderer ([`shown`]).

pub mod destructive;
pub mod gate;
pub mod guard;
pub mod pins;
pub mod preflight;
pub mod screen;
pub mod shown;
pub mod start;
pub mod stdin;

use std::io::Write;
use std::time::Duration;

use super::TargetError;
use crate::scenario::step::PressAction;

/// The instruction for a press, in the scenario's words.
pub fn press_instruction(press: PressAction, expected_screen: &[String]) -> String {
    let screen = if expected_screen.is_empty() {
        String::new()
    } else {
        format!(
            "The SafeTouch must show «{}». ",
            expected_screen.join("», «")
        )
    };
    match press {
        PressAction::Confirm => format!(
            "{screen}Press Confirm («Подтвердить») on the SafeTouch (Reject if the screen differs)."
        ),
        PressAction::Reject => format!("{screen}Press Reject («Отказать») on the SafeTouch."),
        PressAction::Timeout => {
            format!("{screen}Do not press anything; wait for the SafeTouch's time-out.")
        }
    }
}

/// Prints `instruction` and waits until the person presses Enter, or `timeout` passes.
pub fn ask(instruction: &str, timeout: Duration) -> Result<(), TargetError> {
    let mut err = std::io::stderr();
    let _ = writeln!(err, "\n>>> {instruction}\n    Press Enter when done.");
    let _ = err.flush();
    stdin::next_line(timeout).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_name_the_button_and_the_screen() {
        let s = press_instruction(
            PressAction::Confirm,
            &["Запрос подписи запроса на сертификат".to_owned()],
        );
        assert!(s.contains("«Запрос подписи запроса на сертификат»"));
        assert!(s.contains("Press Confirm"));
        assert!(press_instruction(PressAction::Timeout, &[]).starts_with("Do not press"));
    }
}
