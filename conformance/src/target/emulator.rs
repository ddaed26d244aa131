//! `--target emulator`: a fresh in-memory token per scenario inside a SafeTouch with scripted
//! buttons, in process (no pcscd).
