//! CREATE FILE (E0) and DELETE FILE (E4) (`rutoken-ecp-apdu.md` §4). Children are kept in FID
//! order (the list-files order of 24_ls.log). DFs and EFs go into the
//! current DF; RSF objects are filed by class into the system DFs (PINs …/6005, private keys
//! …/6002, public keys …/6001; GOST 03/13 and RSA 23/33).

use super::select::MAX_DEPTH;
use crate::token::Token;
use crate::token::access::Op;
use crate::token::fcp::CreateRequest;
use crate::token::fs::{
    self, Body, MF_FID, Node, PIN_DF, PRIVATE_KEY_DF, PUBLIC_KEY_DF, SECRET_KEY_DF,
};
use crate::token::key::{
    CLASS_GOST_PRIVATE, CLASS_GOST_PUBLIC, CLASS_RSA_PRIVATE, CLASS_RSA_PUBLIC, KeyObject, KeySpec,
};
use crate::token::operand::{CreateFile, DeleteFile};
use crate::token::pin::{CLASS_PIN, PinObject};
use crate::token::status::CardResult;
use rutoken_apdu::StatusWord;

impl Token {
    /// Implements CREATE FILE with the 6F template (`rtecp_construct_fci`).
    pub(crate) fn create_file(&mut self, create: CreateFile) -> CardResult {
        match create {
            CreateFile::Df(req) => self.create_df_or_ef(req, true),
            CreateFile::Ef(req) => self.create_df_or_ef(req, false),
            CreateFile::Rsf { class, request } => self.create_rsf(class, request),
        }
    }

    fn check_memory(&self, extra: u32) -> CardResult<()> {
        let used = self.state.mf.as_ref().map_or(0, Node::footprint);
        if used.saturating_add(extra) > self.profile.memory_bytes {
            return Err(StatusWord::NOT_ENOUGH_MEMORY);
        }
        Ok(())
    }

    fn create_df_or_ef(&mut self, req: CreateRequest, is_df: bool) -> CardResult {
        let node = if is_df {
            Node::df(req.fid, req.size, req.sec)
        } else {
            Node::ef(req.fid, req.size, req.sec)
        };
        // After an ERASE the only file that can be created is the MF.
        let Some(mf) = self.state.mf.as_ref() else {
            if !is_df || req.fid != MF_FID {
                return Err(StatusWord::FILE_NOT_FOUND);
            }
            self.state.make_mut().mf = Some(node);
            self.session.current_df.clear();
            self.session.current_ef = None;
            return Ok(StatusWord::OK);
        };
        if req.fid == MF_FID {
            return Err(StatusWord::FILE_EXISTS);
        }
        let parent = fs::node_at(mf, &self.session.current_df).ok_or(StatusWord::FILE_NOT_FOUND)?;
        if parent.child(req.fid).is_some() {
            return Err(StatusWord::FILE_EXISTS);
        }
        if is_df && self.session.current_df.len() + 1 >= MAX_DEPTH {
            return Err(StatusWord::NOT_ENOUGH_MEMORY);
        }
        if !self.acl_ok(&parent.sec, Op::Bit0) {
            return Err(StatusWord::SECURITY_NOT_SATISFIED);
        }
        self.check_memory(node.footprint())?;
        let mf = self
            .state
            .make_mut()
            .mf
            .as_mut()
            .ok_or(StatusWord::FILE_NOT_FOUND)?;
        let children = fs::node_at_mut(mf, &self.session.current_df)
            .and_then(Node::children_mut)
            .ok_or(StatusWord::FILE_NOT_FOUND)?;
        Node::insert_in_order(children, node);
        if self.profile.create_selects_new_file {
            if is_df {
                self.session.current_df.push(req.fid);
                self.session.current_ef = None;
            } else {
                self.session.current_ef = Some(req.fid);
            }
        }
        Ok(StatusWord::OK)
    }

    /// An RSF object (its class and FID 1 to FF were checked when decoded).
    fn create_rsf(&mut self, class: u8, req: CreateRequest) -> CardResult {
        let (dir, body): (&[u16], Body) = match class {
            CLASS_PIN => {
                // A reference is a role bit of the access conditions: 1..=8.
                if req.fid > 8 {
                    return Err(StatusWord::WRONG_DATA);
                }
                (
                    &PIN_DF,
                    Body::Pin(PinObject::from_attribute(&req.prop).ok_or(StatusWord::WRONG_DATA)?),
                )
            }
            CLASS_GOST_PRIVATE | CLASS_GOST_PUBLIC => {
                let code = *req.prop.get(1).ok_or(StatusWord::WRONG_DATA)?;
                KeySpec::from_code(&self.profile, code).ok_or(StatusWord::WRONG_DATA)?;
                let df: &[u16] = if class == CLASS_GOST_PRIVATE {
                    &PRIVATE_KEY_DF
                } else {
                    &PUBLIC_KEY_DF
                };
                (
                    df,
                    Body::Key(KeyObject {
                        class,
                        code,
                        material: None,
                    }),
                )
            }
            CLASS_RSA_PRIVATE | CLASS_RSA_PUBLIC => {
                self.check_rsa_object_size(class, req.size)?;
                let df: &[u16] = if class == CLASS_RSA_PRIVATE {
                    &PRIVATE_KEY_DF
                } else {
                    &PUBLIC_KEY_DF
                };
                (
                    df,
                    Body::Key(KeyObject {
                        class,
                        code: req.prop.get(1).copied().unwrap_or(0),
                        material: None,
                    }),
                )
            }
            c if c == self.profile.secret_key_class => {
                (&SECRET_KEY_DF, self.secret_key_body(&req)?)
            }
            _ => return Err(StatusWord::WRONG_DATA),
        };
        let target = fs::node_at(self.mf()?, dir).ok_or(StatusWord::FILE_NOT_FOUND)?;
        if target.child(req.fid).is_some() {
            return Err(StatusWord::FILE_EXISTS);
        }
        if !self.acl_ok(&target.sec, Op::Bit1) {
            return Err(StatusWord::SECURITY_NOT_SATISFIED);
        }
        self.check_memory(u32::from(req.size))?;
        let node = Node {
            fid: req.fid,
            size: req.size,
            sec: req.sec,
            prop: req.prop,
            body,
        };
        let mf = self
            .state
            .make_mut()
            .mf
            .as_mut()
            .ok_or(StatusWord::FILE_NOT_FOUND)?;
        let children = fs::node_at_mut(mf, dir)
            .and_then(Node::children_mut)
            .ok_or(StatusWord::FILE_NOT_FOUND)?;
        Node::insert_in_order(children, node);
        Ok(StatusWord::OK)
    }

    /// Implements DELETE FILE: `E4 00 00 02 fid` deletes a child of the current DF (OpenSC
    /// selects the object first, so its parent is current); no data deletes the current EF/RSF.
    /// The MF is never deleted this way (ERASE does that).
    pub(crate) fn delete_file(&mut self, delete: DeleteFile) -> CardResult {
        let fid = match delete {
            DeleteFile::Child(fid) => fid,
            DeleteFile::Current => self.session.current_ef.ok_or(StatusWord::NO_CURRENT_EF)?,
        };
        if fid == MF_FID {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        let parent =
            fs::node_at(self.mf()?, &self.session.current_df).ok_or(StatusWord::FILE_NOT_FOUND)?;
        let target = parent.child(fid).ok_or(StatusWord::FILE_NOT_FOUND)?;
        if !self.acl_ok(&target.sec, Op::Delete) {
            return Err(StatusWord::SECURITY_NOT_SATISFIED);
        }
        let mf = self
            .state
            .make_mut()
            .mf
            .as_mut()
            .ok_or(StatusWord::FILE_NOT_FOUND)?;
        let children = fs::node_at_mut(mf, &self.session.current_df)
            .and_then(Node::children_mut)
            .ok_or(StatusWord::FILE_NOT_FOUND)?;
        children.retain(|c| c.fid != fid);
        if self.session.current_ef == Some(fid) {
            self.session.current_ef = None;
        }
        Ok(StatusWord::OK)
    }
}
