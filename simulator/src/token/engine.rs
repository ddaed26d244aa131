//! Dispatch: parse, gather chains, execute, and keep the image in step (a rejected command
//! leaves the state as it was; a changed state is written before the answer goes out).

#![deny(clippy::indexing_slicing)]

use super::Token;
use super::access::{self, Op};
use super::command::{self, Request};
use super::command::{Before, Chaining};
use super::fs::{self, Node};
use super::state::Chain;
use super::status::CardResult;
use rutoken_apdu::StatusWord;
use zeroize::Zeroizing;

impl Token {
    /// Processes one APDU: response data goes to `out`, the status word is returned.
    pub(crate) fn process(&mut self, apdu: &[u8], out: &mut Vec<u8>) -> StatusWord {
        let request = Request::parse(apdu);
        let chaining = request.as_ref().map(|r| r.command.spec().chaining);
        // A streaming command (PSO: HASH) keeps its own state between pieces; any other APDU,
        // even one that does not parse, ends it. The SafeTouch applies the same rule to what
        // it shows, so what it shows is what the token hashes.
        if chaining != Ok(Chaining::Stream) {
            self.session.hasher = None;
        }
        let cmd = match request {
            Ok(cmd) => cmd,
            Err(sw) => {
                self.session.chain = None;
                return sw;
            }
        };
        match cmd.command.spec().chaining {
            Chaining::Stream => {
                self.session.chain = None;
                return self.run(&cmd, out);
            }
            Chaining::Gather { .. } if cmd.chained => return self.gather(&cmd),
            Chaining::Refused if cmd.chained => {
                self.session.chain = None;
                return StatusWord::CHAINING_NOT_SUPPORTED;
            }
            Chaining::Gather { .. } | Chaining::Refused => {}
        }
        if let Some(chain) = self.session.chain.take()
            && (chain.command, chain.p1, chain.p2) == (cmd.command, cmd.p1, cmd.p2)
        {
            let mut data = chain.data;
            data.extend_from_slice(cmd.data);
            let long_data = matches!(
                cmd.command.spec().chaining,
                Chaining::Gather { long_data: true }
            );
            if data.len() > 255 && !long_data {
                return StatusWord::WRONG_LENGTH;
            }
            let joined = Request {
                data: data.as_slice(),
                ..cmd
            };
            return self.run(&joined, out);
        }
        self.run(&cmd, out)
    }

    /// Keeps one more chained piece (ISO 7816-4 §5.1.1.1); answers 9000 with no data.
    fn gather(&mut self, cmd: &Request<'_>) -> StatusWord {
        let max = usize::try_from(self.profile.max_chain_bytes).unwrap_or(usize::MAX);
        let same = matches!(&self.session.chain, Some(c) if (c.command, c.p1, c.p2) == (cmd.command, cmd.p1, cmd.p2));
        if !same {
            self.session.chain = Some(Chain {
                command: cmd.command,
                p1: cmd.p1,
                p2: cmd.p2,
                // Room for the limit (bounded: the profile may allow more than is sensible to
                // reserve) and the last, unchained piece joined to it.
                data: Zeroizing::new(Vec::with_capacity(max.min(u16::MAX.into()) + 255)),
            });
        }
        let Some(chain) = self.session.chain.as_mut() else {
            return StatusWord::CONDITIONS_NOT_SATISFIED;
        };
        if chain.data.len() + cmd.data.len() > max {
            self.session.chain = None;
            return StatusWord::WRONG_LENGTH;
        }
        chain.data.extend_from_slice(cmd.data);
        StatusWord::OK
    }

    /// Executes a whole command: its row's `before`, its fields decoded (a status word when
    /// they are wrong, nothing changed), its handler; restores the state if it is rejected or
    /// cannot be written.
    /// Whether to write is the engine's call: a handler that took the state mutably
    /// ([`super::durable::Durable::make_mut`]) changed it.
    fn run(&mut self, cmd: &Request<'_>, out: &mut Vec<u8>) -> StatusWord {
        let spec = cmd.command.spec();
        match spec.before {
            Before::Nothing => {}
            Before::FileSystem => {
                if let Err(sw) = self.mf() {
                    return sw;
                }
            }
            Before::DropSymmetric => self.session.symmetric = None,
        }
        let op = match command::Op::decode(cmd) {
            Ok(op) => op,
            Err(sw) => return sw,
        };
        // A reference, not a copy: the state is copied when the handler first changes it.
        let backup = spec.mutating.then(|| self.state.share());
        self.state.take_dirty();
        let result = op.run(self, out);
        let dirty = self.state.is_dirty();
        // A row that is not mutating has no rollback copy: it may change the state only to
        // write it itself (VERIFY's counter), or to put it back by hand before an error.
        debug_assert!(
            spec.mutating || !dirty || result.is_err(),
            "{:?} changed the state but its row does not say mutating",
            cmd.command
        );
        match result {
            Ok(sw) if !dirty => sw,
            Ok(sw) => match self.persist() {
                Ok(()) => sw,
                Err(fail) => {
                    if let Some(state) = backup {
                        self.state.restore(state);
                    }
                    out.clear();
                    fail
                }
            },
            Err(sw) => {
                self.state.take_dirty();
                if let Some(state) = backup {
                    self.state.restore(state);
                }
                out.clear();
                sw
            }
        }
    }

    /// True when the session may do `op` on an object with security attribute `sec`: always
    /// before INIT END (when the profile relaxes), otherwise as tag 86 says.
    pub(crate) fn acl_ok(&self, sec: &[u8; 15], op: Op) -> bool {
        (!self.state.finalised && self.profile.relax_acl_before_init_end)
            || access::allows(sec, op, self.session.logged_in)
    }

    /// The MF, or 6A82 after an erase.
    pub(crate) fn mf(&self) -> CardResult<&Node> {
        self.state.mf.as_ref().ok_or(StatusWord::FILE_NOT_FOUND)
    }

    /// The object at a fixed system path plus one FID (e.g. `…/6002/00kk`).
    pub(crate) fn system_object(&self, df: &[u16], fid: u16) -> Option<&Node> {
        fs::node_at(self.state.mf.as_ref()?, df)?.child(fid)
    }

    /// Mutable access to the object at a system path plus FID (the command will be written).
    pub(crate) fn system_object_mut(&mut self, df: &[u16], fid: u16) -> Option<&mut Node> {
        let dir = fs::node_at_mut(self.state.make_mut().mf.as_mut()?, df)?;
        dir.children_mut()?.iter_mut().find(|c| c.fid == fid)
    }

    /// The current EF or RSF (6986 when there is none).
    pub(crate) fn current_file(&self) -> CardResult<&Node> {
        let fid = self.session.current_ef.ok_or(StatusWord::NO_CURRENT_EF)?;
        fs::node_at(self.mf()?, &self.session.current_df)
            .and_then(|df| df.child(fid))
            .ok_or(StatusWord::NO_CURRENT_EF)
    }

    /// The current EF or RSF, mutable (the command will be written).
    pub(crate) fn current_file_mut(&mut self) -> CardResult<&mut Node> {
        let fid = self.session.current_ef.ok_or(StatusWord::NO_CURRENT_EF)?;
        let mf = self
            .state
            .make_mut()
            .mf
            .as_mut()
            .ok_or(StatusWord::NO_CURRENT_EF)?;
        let df = fs::node_at_mut(mf, &self.session.current_df).ok_or(StatusWord::NO_CURRENT_EF)?;
        df.children_mut()
            .and_then(|c| c.iter_mut().find(|n| n.fid == fid))
            .ok_or(StatusWord::NO_CURRENT_EF)
    }
}
