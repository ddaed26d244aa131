//! SELECT (INS A4) and the Rutoken list-files forms (`rutoken-ecp-apdu.md` §4 SELECT, List files).

use crate::token::Token;
use crate::token::command::Request;
use crate::token::fcp::write_fcp;
use crate::token::fs::{self, Node};
use crate::token::status::CardResult;
use rutoken_apdu::StatusWord;

/// Deepest path the token keeps (MF excluded); CREATE refuses DFs below it.
pub(crate) const MAX_DEPTH: usize = 8;

/// A resolved path below the MF, on the stack (SELECT MF must not allocate).
struct Target {
    path: [u16; MAX_DEPTH],
    len: usize,
}

impl Target {
    fn from(prefix: &[u16]) -> CardResult<Target> {
        let mut t = Target {
            path: [0; MAX_DEPTH],
            len: 0,
        };
        for fid in prefix {
            t.push(*fid)?;
        }
        Ok(t)
    }
    fn push(&mut self, fid: u16) -> CardResult<()> {
        let slot = self
            .path
            .get_mut(self.len)
            .ok_or(StatusWord::FILE_NOT_FOUND)?;
        *slot = fid;
        self.len += 1;
        Ok(())
    }
    /// The path; `push` keeps `len` within the array, so this is never 6A82 in practice.
    fn as_slice(&self) -> CardResult<&[u16]> {
        self.path.get(..self.len).ok_or(StatusWord::FILE_NOT_FOUND)
    }
}

impl Token {
    /// Implements SELECT: `P1=00` by FID (3F00 = MF; no data = first child of the current DF),
    /// `P1=00 P2=02` next sibling, `P1=03` parent, `P1=08` path from the MF, `P1=09` path from
    /// the current DF. P2 00/04 return the FCP, 0C nothing. 6A82 leaves the selection as it was.
    pub(crate) fn select(&mut self, cmd: &Request<'_>, out: &mut Vec<u8>) -> CardResult {
        let mf = self.mf()?;
        let current = &self.session.current_df;
        let fcp = match cmd.p2 {
            0x00 | 0x04 => true,
            0x0C => false,
            0x02 if cmd.p1 == 0x00 => true,
            _ => return Err(StatusWord::WRONG_P1P2),
        };
        let target = match (cmd.p1, cmd.p2, cmd.data) {
            (0x00, 0x02, [hi, lo]) => {
                let after = u16::from_be_bytes([*hi, *lo]);
                let dir = fs::node_at(mf, current).ok_or(StatusWord::FILE_NOT_FOUND)?;
                let pos = dir
                    .children()
                    .iter()
                    .position(|c| c.fid == after)
                    .ok_or(StatusWord::FILE_NOT_FOUND)?;
                let next = dir
                    .children()
                    .get(pos + 1)
                    .ok_or(StatusWord::FILE_NOT_FOUND)?;
                let mut t = Target::from(current)?;
                t.push(next.fid)?;
                t
            }
            (0x00, 0x02, _) => return Err(StatusWord::WRONG_LENGTH),
            (0x00, _, []) => {
                let dir = fs::node_at(mf, current).ok_or(StatusWord::FILE_NOT_FOUND)?;
                let first = dir.children().first().ok_or(StatusWord::FILE_NOT_FOUND)?;
                let mut t = Target::from(current)?;
                t.push(first.fid)?;
                t
            }
            (0x00, _, [0x3F, 0x00]) => Target::from(&[])?,
            (0x00, _, [hi, lo]) => {
                let mut t = Target::from(current)?;
                t.push(u16::from_be_bytes([*hi, *lo]))?;
                t
            }
            (0x00, _, _) => return Err(StatusWord::WRONG_LENGTH),
            (0x03, _, []) => {
                let parent = current
                    .split_last()
                    .map(|(_, p)| p)
                    .ok_or(StatusWord::FILE_NOT_FOUND)?;
                Target::from(parent)?
            }
            (0x03, _, _) => return Err(StatusWord::WRONG_LENGTH),
            (0x08 | 0x09, _, data) if !data.is_empty() && data.len() % 2 == 0 => {
                let mut t = if cmd.p1 == 0x08 {
                    Target::from(&[])?
                } else {
                    Target::from(current)?
                };
                for pair in data.chunks_exact(2) {
                    let [hi, lo] = *pair else {
                        return Err(StatusWord::WRONG_LENGTH);
                    };
                    t.push(u16::from_be_bytes([hi, lo]))?;
                }
                t
            }
            (0x08 | 0x09, _, _) => return Err(StatusWord::WRONG_LENGTH),
            _ => return Err(StatusWord::WRONG_P1P2),
        };
        let node: &Node = fs::node_at(mf, target.as_slice()?).ok_or(StatusWord::FILE_NOT_FOUND)?;
        if fcp {
            // CREATE FILE and image loading refuse objects whose FCP would not fit, so this
            // cannot fail; if it did, the answer says so rather than carrying a broken FCP.
            write_fcp(node, out).map_err(|_| StatusWord::UNKNOWN_ERROR)?;
        }
        let is_df = node.is_df();
        let path = target.as_slice()?;
        self.session.current_df.clear();
        if is_df {
            self.session.current_df.extend_from_slice(path);
            self.session.current_ef = None;
        } else if let Some((fid, parent)) = path.split_last() {
            self.session.current_df.extend_from_slice(parent);
            self.session.current_ef = Some(*fid);
        }
        Ok(StatusWord::OK)
    }
}
