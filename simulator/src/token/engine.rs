//! Dispatch: parse, gather chains, execute, and keep the image in step (a rejected command
//! leaves the state as it was; a changed state is written before the answer goes out).

use super::Token;
use super::access::{self, Op};
use super::apdu::{CLA_CHAINING, Class, CommandView, Ins};
use super::fs::{self, Node};
use super::state::Chain;
use super::status::{CardResult, Sw};

impl Token {
    /// Processes one APDU: response data goes to `out`, the status word is returned.
    pub(crate) fn process(&mut self, apdu: &[u8], out: &mut Vec<u8>) -> Sw {
        let cmd = match CommandView::parse(apdu) {
            Ok(cmd) => cmd,
            Err(sw) => {
                self.session.chain = None;
                return sw;
            }
        };
        // PSO: HASH streams its chained data into the hasher itself; any other command ends an
        // unfinished hash.
        if cmd.class == Class::Iso && cmd.ins == Ins::PSO && cmd.p1p2() == 0x9080 {
            self.session.chain = None;
            return self.run(&cmd, out);
        }
        self.session.hasher = None;
        if cmd.chained {
            return self.gather(&cmd);
        }
        if let Some(chain) = self.session.chain.take() {
            if (chain.ins, chain.p1, chain.p2) == (cmd.ins.0, cmd.p1, cmd.p2) {
                let mut data = chain.data;
                data.extend_from_slice(cmd.data);
                if data.len() > 255 && cmd.ins != Ins::PSO && cmd.ins != Ins::CHANGE_REFERENCE_DATA
                {
                    return Sw::WRONG_LENGTH;
                }
                let joined = CommandView {
                    data: &data,
                    cla: cmd.cla & !CLA_CHAINING,
                    ..cmd
                };
                return self.run(&joined, out);
            }
        }
        self.run(&cmd, out)
    }

    /// Keeps one more chained piece (ISO 7816-4 §5.1.1.1); answers 9000 with no data.
    fn gather(&mut self, cmd: &CommandView<'_>) -> Sw {
        let chainable = matches!(
            cmd.ins,
            Ins::PSO | Ins::CHANGE_REFERENCE_DATA | Ins::CREATE_FILE
        );
        if cmd.class != Class::Iso || !chainable {
            self.session.chain = None;
            return Sw::CHAINING_NOT_SUPPORTED;
        }
        let same = matches!(&self.session.chain, Some(c) if (c.ins, c.p1, c.p2) == (cmd.ins.0, cmd.p1, cmd.p2));
        if !same {
            self.session.chain = Some(Chain {
                ins: cmd.ins.0,
                p1: cmd.p1,
                p2: cmd.p2,
                data: Vec::new(),
            });
        }
        let max = self.profile.max_chain_bytes as usize;
        let Some(chain) = self.session.chain.as_mut() else {
            return Sw::CONDITIONS_NOT_SATISFIED;
        };
        if chain.data.len() + cmd.data.len() > max {
            self.session.chain = None;
            return Sw::WRONG_LENGTH;
        }
        chain.data.extend_from_slice(cmd.data);
        Sw::OK
    }

    /// Executes a whole command; restores the state if it is rejected or cannot be written.
    fn run(&mut self, cmd: &CommandView<'_>, out: &mut Vec<u8>) -> Sw {
        let mutating = match cmd.class {
            Class::Iso => matches!(
                cmd.ins,
                Ins::CREATE_FILE
                    | Ins::DELETE_FILE
                    | Ins::UPDATE_BINARY
                    | Ins::CHANGE_REFERENCE_DATA
                    | Ins::RESET_RETRY_COUNTER
                    | Ins::GENERATE_KEY
            ),
            Class::Proprietary => matches!(cmd.ins, Ins::ERASE | Ins::GET_CHALLENGE_OR_INIT_END),
        };
        let backup = mutating.then(|| self.state.clone());
        self.dirty = false;
        let result = self.execute(cmd, out);
        let dirty = std::mem::take(&mut self.dirty);
        match result {
            Ok(sw) if !dirty => sw,
            Ok(sw) => match self.persist() {
                Ok(()) => sw,
                Err(fail) => {
                    if let Some(state) = backup {
                        self.state = state;
                    }
                    out.clear();
                    fail
                }
            },
            Err(sw) => {
                if let Some(state) = backup {
                    self.state = state;
                }
                out.clear();
                sw
            }
        }
    }

    fn execute(&mut self, cmd: &CommandView<'_>, out: &mut Vec<u8>) -> CardResult {
        match (cmd.class, cmd.ins) {
            (Class::Iso, Ins::SELECT) => self.select(cmd, out),
            (Class::Iso, Ins::READ_BINARY) => self.read_binary(cmd, out),
            (Class::Iso, Ins::UPDATE_BINARY) => self.update_binary(cmd),
            (Class::Iso, Ins::CREATE_FILE) => self.create_file(cmd),
            (Class::Iso, Ins::DELETE_FILE) => self.delete_file(cmd),
            (Class::Iso, Ins::VERIFY) => self.verify(cmd),
            (Class::Iso, Ins::CHANGE_REFERENCE_DATA) => self.change_reference_data(cmd),
            (Class::Iso, Ins::RESET_RETRY_COUNTER) => self.reset_retry_counter(cmd),
            (Class::Iso, Ins::GET_DATA) => self.get_data(cmd, out),
            (Class::Iso, Ins::GET_CHALLENGE_OR_INIT_END) => self.get_challenge(cmd, out),
            (Class::Iso, Ins::MSE) => self.manage_security_environment(cmd),
            (Class::Iso, Ins::PSO) => self.perform_security_operation(cmd, out),
            (Class::Iso, Ins::GENERATE_KEY) => self.generate_key(cmd, out),
            (Class::Proprietary, Ins::LOGOUT) => self.logout(cmd),
            (Class::Proprietary, Ins::ERASE) => self.erase(cmd),
            (Class::Proprietary, Ins::GET_CHALLENGE_OR_INIT_END) => self.init_end(cmd),
            (
                _,
                Ins::SELECT
                | Ins::READ_BINARY
                | Ins::UPDATE_BINARY
                | Ins::CREATE_FILE
                | Ins::DELETE_FILE
                | Ins::VERIFY
                | Ins::CHANGE_REFERENCE_DATA
                | Ins::RESET_RETRY_COUNTER
                | Ins::GET_DATA
                | Ins::MSE
                | Ins::PSO
                | Ins::GENERATE_KEY
                | Ins::LOGOUT
                | Ins::ERASE,
            ) => Err(Sw::CLA_NOT_SUPPORTED),
            _ => Err(Sw::INS_NOT_SUPPORTED),
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
        self.state.mf.as_ref().ok_or(Sw::FILE_NOT_FOUND)
    }

    /// The object at a fixed system path plus one FID (e.g. `…/6002/00kk`).
    pub(crate) fn system_object(&self, df: &[u16], fid: u16) -> Option<&Node> {
        fs::node_at(self.state.mf.as_ref()?, df)?.child(fid)
    }

    /// Mutable access to the object at a system path plus FID.
    pub(crate) fn system_object_mut(&mut self, df: &[u16], fid: u16) -> Option<&mut Node> {
        let dir = fs::node_at_mut(self.state.mf.as_mut()?, df)?;
        dir.children_mut()?.iter_mut().find(|c| c.fid == fid)
    }

    /// The current EF or RSF (6986 when there is none).
    pub(crate) fn current_file(&self) -> CardResult<&Node> {
        let fid = self.session.current_ef.ok_or(Sw::NO_CURRENT_EF)?;
        fs::node_at(self.mf()?, &self.session.current_df)
            .and_then(|df| df.child(fid))
            .ok_or(Sw::NO_CURRENT_EF)
    }

    /// The current EF or RSF, mutable.
    pub(crate) fn current_file_mut(&mut self) -> CardResult<&mut Node> {
        let fid = self.session.current_ef.ok_or(Sw::NO_CURRENT_EF)?;
        let mf = self.state.mf.as_mut().ok_or(Sw::NO_CURRENT_EF)?;
        let df = fs::node_at_mut(mf, &self.session.current_df).ok_or(Sw::NO_CURRENT_EF)?;
        df.children_mut()
            .and_then(|c| c.iter_mut().find(|n| n.fid == fid))
            .ok_or(Sw::NO_CURRENT_EF)
    }
}
