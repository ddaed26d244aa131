//! The terminal side of `sim`: each SafeTouch screen printed as it appears, and `y`/`n` + Enter
//! as Confirm/Reject.

use std::io::BufRead;

use rutoken_sim::safetouch::{EventKind, Press, PressError, PressSender, SafeTouchMonitor};

/// Prints every screen and press from now on (on a thread of its own).
pub fn print_screens(monitor: &SafeTouchMonitor) {
    let events = monitor.subscribe();
    std::thread::spawn(move || {
        for event in events {
            match event.kind {
                EventKind::Shown { text } => {
                    println!("┌─ SafeTouch ─────────────");
                    for line in text.lines() {
                        println!("│ {line}");
                    }
                    println!("└─ Подтвердить (y) / Отказать (n)");
                }
                EventKind::Pressed { press } => println!(
                    "SafeTouch: {}",
                    match press {
                        Press::Confirm => "Подтвердить (confirmed)",
                        Press::Reject => "Отказать (rejected)",
                        Press::Timeout => "no press (timed out)",
                    }
                ),
                EventKind::Refused { reason } => println!("SafeTouch refused: {reason}"),
            }
        }
    });
}

/// Reads `y`/`n` lines from stdin as presses (on a thread of its own; ends at end of input).
pub fn read_presses(monitor: SafeTouchMonitor, presses: PressSender) {
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { return };
            let press = match line.trim() {
                "y" | "Y" | "д" | "Д" => Press::Confirm,
                "n" | "N" | "н" | "Н" => Press::Reject,
                "" => continue,
                other => {
                    println!("type y (Подтвердить) or n (Отказать), not «{other}»");
                    continue;
                }
            };
            match presses.press(&monitor.screen(), press) {
                Ok(()) => {}
                Err(PressError::NotWaiting) => println!("no screen waits for a press"),
                Err(PressError::Stopped) => return,
            }
        }
    });
}
