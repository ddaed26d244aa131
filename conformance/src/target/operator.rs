//! A person in front of a real SafeTouch: what they must do is printed, and they confirm.
