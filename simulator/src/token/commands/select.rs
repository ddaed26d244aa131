//! SELECT (INS A4) and the Rutoken list-files forms (`rutoken-ecp-apdu.md` §4 SELECT, List files).

use crate::token::Token;
use crate::token::fcp::write_fcp;
use crate::token::fs::{self, Node};
use crate::token::operand::{Select, SelectBy};
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
    /// Implements SELECT (the forms are [`Select`]'s): the target is resolved against the current
    /// DF; 6A82 (no such file, or a path deeper than [`MAX_DEPTH`]) leaves the selection as it
    /// was.
    pub(crate) fn select(&mut self, select: Select<'_>, out: &mut Vec<u8>) -> CardResult {
        let mf = self.mf()?;
        let current = &self.session.current_df;
        let target = match select.by {
            SelectBy::Next(after) => {
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
            SelectBy::FirstChild => {
                let dir = fs::node_at(mf, current).ok_or(StatusWord::FILE_NOT_FOUND)?;
                let first = dir.children().first().ok_or(StatusWord::FILE_NOT_FOUND)?;
                let mut t = Target::from(current)?;
                t.push(first.fid)?;
                t
            }
            SelectBy::Mf => Target::from(&[])?,
            SelectBy::Child(fid) => {
                let mut t = Target::from(current)?;
                t.push(fid)?;
                t
            }
            SelectBy::Parent => {
                let parent = current
                    .split_last()
                    .map(|(_, p)| p)
                    .ok_or(StatusWord::FILE_NOT_FOUND)?;
                Target::from(parent)?
            }
            SelectBy::Path { from_mf, fids } => {
                let mut t = if from_mf {
                    Target::from(&[])?
                } else {
                    Target::from(current)?
                };
                for fid in fids.fids() {
                    t.push(fid)?;
                }
                t
            }
        };
        let node: &Node = fs::node_at(mf, target.as_slice()?).ok_or(StatusWord::FILE_NOT_FOUND)?;
        if select.answer_fcp {
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
