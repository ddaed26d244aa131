//! A tiny stand-in card for the runner's own tests (MF, serial, one user PIN with a counter,
//! logout): enough for raw-APDU scenarios, independent of the real emulator.

use rutoken_sim::Card;

/// The stand-in card.
pub struct FakeCard {
    tries: u8,
    verified: bool,
}

pub const SERIAL: [u8; 8] = [0, 0, 0, 0, 0x2E, 0xEA, 0x3E, 0xD3];
pub const PIN: &[u8] = b"12345678";

impl FakeCard {
    pub fn new() -> Self {
        FakeCard {
            tries: 10,
            verified: false,
        }
    }
}

fn sw(data: &[u8], sw: u16) -> Vec<u8> {
    let mut out = data.to_vec();
    out.extend_from_slice(&sw.to_be_bytes());
    out
}

impl Card for FakeCard {
    fn atr(&self) -> Vec<u8> {
        vec![
            0x3B, 0x8B, 0x01, 0x52, 0x75, 0x74, 0x6F, 0x6B, 0x65, 0x6E, 0x20, 0x45, 0x43, 0x50,
            0xA0,
        ]
    }
    fn power_on(&mut self) {}
    fn power_off(&mut self) {
        self.verified = false;
    }
    fn reset(&mut self) {
        self.verified = false;
    }
    fn transmit(&mut self, c: &[u8]) -> Vec<u8> {
        if c.len() < 4 {
            return sw(&[], 0x6700);
        }
        let data = if c.len() > 5 {
            &c[5..5 + usize::from(c[4]).min(c.len() - 5)]
        } else {
            &[][..]
        };
        match (c[0], c[1], c[2], c[3]) {
            (0x00, 0xA4, 0x00, 0x00) if data == [0x3F, 0x00] => {
                sw(&[0x62, 0x06, 0x82, 0x02, 0x38, 0x00, 0x83, 0x00], 0x9000)
            }
            (0x00, 0xA4, _, _) => sw(&[], 0x6A82),
            (0x00, 0xCA, 0x01, 0x81) => sw(&SERIAL, 0x9000),
            (0x80, 0x40, 0x00, 0x00) => {
                self.verified = false;
                sw(&[], 0x9000)
            }
            (0x00, 0x20, 0x00, 0x02) => {
                if self.tries == 0 {
                    return sw(&[], 0x6983);
                }
                if data.is_empty() {
                    return if self.verified {
                        sw(&[], 0x9000)
                    } else {
                        sw(&[], 0x63C0 | u16::from(self.tries))
                    };
                }
                if data == PIN {
                    self.tries = 10;
                    self.verified = true;
                    sw(&[], 0x9000)
                } else {
                    self.tries -= 1;
                    self.verified = false;
                    if self.tries == 0 {
                        sw(&[], 0x6983)
                    } else {
                        sw(&[], 0x63C0 | u16::from(self.tries))
                    }
                }
            }
            _ => sw(&[], 0x6D00),
        }
    }
}
