//! Instruction names for decoded transcripts: what a command is, from its header alone.
//! Names follow ISO/IEC 7816-4/-8/-9 and, for class `80`, `rutoken-ecp-apdu.md` §4.

/// The name of the instruction of a command with this header; `"unknown instruction"` when it
/// is none the token knows.
pub fn instruction_name(cla: u8, ins: u8, p1: u8, p2: u8) -> &'static str {
    // The chaining bit does not change what a command is.
    let proprietary = cla & 0x80 != 0;
    match (proprietary, ins, p1, p2) {
        (false, 0x20, ..) => "VERIFY",
        (false, 0x22, 0x41, 0xB6) => "MANAGE SECURITY ENVIRONMENT: SET (signing)",
        (false, 0x22, 0x41, 0xB8) => "MANAGE SECURITY ENVIRONMENT: SET (deciphering)",
        (false, 0x22, ..) => "MANAGE SECURITY ENVIRONMENT",
        (false, 0x24, _, 0x00) => "CHANGE REFERENCE DATA (key import)",
        (false, 0x24, ..) => "CHANGE REFERENCE DATA",
        (false, 0x2A, 0x9E, 0x9A) => "PSO: COMPUTE DIGITAL SIGNATURE",
        (false, 0x2A, 0x90, 0x80) => "PSO: HASH",
        (false, 0x2A, 0x80, 0x86) => "PSO: DECIPHER",
        (false, 0x2A, ..) => "PERFORM SECURITY OPERATION",
        (false, 0x2C, ..) => "RESET RETRY COUNTER",
        (true, 0x40, ..) => "LOGOUT",
        (false, 0x46, ..) => "GENERATE ASYMMETRIC KEY PAIR",
        (true, 0x84, 0x4E, 0x19) => "INIT END",
        (false, 0x84, ..) => "GET CHALLENGE",
        (true, 0x8A, ..) => "ERASE",
        (false, 0xA4, ..) => "SELECT",
        (false, 0xB0, ..) => "READ BINARY",
        (false, 0xC0, ..) => "GET RESPONSE",
        (false, 0xCA, 0x01, 0x81) => "GET DATA (serial number)",
        (false, 0xCA, ..) => "GET DATA",
        (false, 0xD6, ..) => "UPDATE BINARY",
        (false, 0xE0, ..) => "CREATE FILE",
        (false, 0xE4, ..) => "DELETE FILE",
        _ => "unknown instruction",
    }
}

/// The name of a raw command's instruction; `"not a command"` under 4 bytes.
pub fn command_name(command: &[u8]) -> &'static str {
    match command {
        [cla, ins, p1, p2, ..] => instruction_name(*cla, *ins, *p1, *p2),
        _ => "not a command",
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::cast_possible_truncation)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            instruction_name(0x00, 0x2A, 0x9E, 0x9A),
            "PSO: COMPUTE DIGITAL SIGNATURE"
        );
        assert_eq!(instruction_name(0x10, 0x2A, 0x90, 0x80), "PSO: HASH");
        assert_eq!(instruction_name(0x80, 0x40, 0, 0), "LOGOUT");
        assert_eq!(instruction_name(0x00, 0x40, 0, 0), "unknown instruction");
        assert_eq!(instruction_name(0x80, 0x84, 0x4E, 0x19), "INIT END");
        assert_eq!(command_name(&[0, 0xA4, 8, 0, 2, 0x3F, 0]), "SELECT");
        assert_eq!(command_name(&[0]), "not a command");
    }
}
