//! Placeholder (owner: the vpcd/SafeTouch issue).
