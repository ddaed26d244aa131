//! One module, one slot, one R/W session through `cryptoki`, and the GOST calls through
//! `rutoken-cryptoki-gost`. Reopened (C_Finalize, C_Initialize, a new session) after the
//! token's power was cut, since a module may keep sessions a reset has ended.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::object::{Attribute, AttributeType, CertificateType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, SessionState, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use rutoken_cryptoki_gost::sys::*;
use rutoken_cryptoki_gost::{Attr, Module};

use super::rv;

/// How long a slot may take to show the token again after a power event or a reload (pcscd
/// polls a vpcd reader every 400 ms, pcsc-lite `PCSCLITE_STATUS_POLL_RATE`). Ours.
const TOKEN_WAIT: Duration = Duration::from_secs(10);

/// A failed module call: the function and its `CKR_` (or why no `CKR_` came).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallError {
    /// `C_Login`, ….
    pub function: &'static str,
    /// The module's answer; `None`: the call could not be made.
    pub rv: Option<CK_RV>,
    /// What happened, for reports.
    pub text: String,
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} answered {}", self.function, self.text)
    }
}

fn ck(function: &'static str) -> impl Fn(cryptoki::error::Error) -> CallError {
    move |e| {
        let code = rv::of(&e);
        CallError {
            function,
            rv: code,
            text: code.map_or_else(|| e.to_string(), rv::name),
        }
    }
}

fn raw(function: &'static str) -> impl Fn(rutoken_cryptoki_gost::Error) -> CallError {
    move |e| match e {
        rutoken_cryptoki_gost::Error::Rv(code) => CallError {
            function,
            rv: Some(code),
            text: rv::name(code),
        },
        e => CallError {
            function,
            rv: None,
            text: e.to_string(),
        },
    }
}

/// Why a PKCS#11 module cannot be used at all (`--module PATH`: the run's usage error, exit 2).
#[derive(Debug, thiserror::Error)]
#[error("--module {}: {problem}", path.display())]
pub struct ModuleError {
    /// The module's path as given.
    pub path: PathBuf,
    /// What went wrong with it.
    pub problem: ModuleProblem,
}

/// What went wrong with a PKCS#11 module ([`ModuleError`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModuleProblem {
    /// The library did not load (no such file, not a library, no `C_GetFunctionList`).
    #[error("{0}")]
    Load(#[source] cryptoki::error::Error),
    /// `C_Initialize` answered an error.
    #[error("C_Initialize failed: {}", .0.text)]
    Initialize(CallError),
    /// The GOST entry points could not be taken from the library.
    #[error("{0}")]
    Gost(#[source] rutoken_cryptoki_gost::Error),
    /// A call on the way to a session failed.
    #[error("{0}")]
    Call(CallError),
    /// The slot asked for (`--slot`) has no token.
    #[error("no token in slot {slot} ({known})")]
    NoTokenInSlot {
        /// The slot ID asked for.
        slot: u64,
        /// The slots the module has.
        known: SlotIds,
    },
    /// No slot has a token.
    #[error("no slot with a token ({known})")]
    NoToken {
        /// The slots the module has.
        known: SlotIds,
    },
    /// A call was made before the module was loaded.
    #[error("the module is not loaded")]
    NotLoaded,
}

/// A module's slot IDs, for [`ModuleProblem`]'s messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotIds(pub Vec<u64>);

impl std::fmt::Display for SlotIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_empty() {
            return f.write_str("the module has no slot");
        }
        f.write_str("its slots: ")?;
        for (i, id) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{id}")?;
        }
        Ok(())
    }
}

/// Why a module cannot be used at all (the run's usage error, exit 2).
pub fn open_error(path: &Path, problem: ModuleProblem) -> ModuleError {
    ModuleError {
        path: path.to_owned(),
        problem,
    }
}

/// The module, its slot and a session.
pub struct Token {
    path: PathBuf,
    want_slot: Option<u64>,
    ctx: Option<Pkcs11>,
    gost: Option<Module>,
    /// The slot in use.
    pub slot: Option<Slot>,
    session: Option<Session>,
    /// The calls made, for the reports' transcript: (call, answer), PINs never in them.
    pub log: RefCell<Vec<(String, String)>>,
}

impl Token {
    /// Loads and initialises the module and opens a session on `slot` (a slot ID as the
    /// module numbers them; default: the first slot with a token).
    pub fn open(path: &Path, slot: Option<u64>) -> Result<Self, ModuleError> {
        let mut token = Token {
            path: path.to_owned(),
            want_slot: slot,
            ctx: None,
            gost: None,
            slot: None,
            session: None,
            log: RefCell::default(),
        };
        token.load()?;
        token.connect(Duration::ZERO)?;
        Ok(token)
    }

    fn load(&mut self) -> Result<(), ModuleError> {
        let ctx =
            Pkcs11::new(&self.path).map_err(|e| open_error(&self.path, ModuleProblem::Load(e)))?;
        ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
            .map_err(|e| {
                let call = ck("C_Initialize")(e);
                open_error(&self.path, ModuleProblem::Initialize(call))
            })?;
        let gost =
            Module::open(&self.path).map_err(|e| open_error(&self.path, ModuleProblem::Gost(e)))?;
        self.ctx = Some(ctx);
        self.gost = Some(gost);
        Ok(())
    }

    /// Finds the slot (waiting up to `wait` for its token) and opens a R/W session.
    fn connect(&mut self, wait: Duration) -> Result<(), ModuleError> {
        let ctx = self
            .ctx
            .as_ref()
            .ok_or_else(|| open_error(&self.path, ModuleProblem::NotLoaded))?;
        let start = Instant::now();
        let slot = loop {
            let slots = ctx
                .get_slots_with_token()
                .map_err(|e| open_error(&self.path, ModuleProblem::Call(ck("C_GetSlotList")(e))))?;
            let found = match self.want_slot {
                Some(id) => slots.into_iter().find(|s| s.id() == id),
                None => slots.into_iter().next(),
            };
            if let Some(slot) = found {
                break slot;
            }
            if start.elapsed() >= wait {
                let known = SlotIds(
                    ctx.get_all_slots()
                        .unwrap_or_default()
                        .iter()
                        .map(|s| s.id())
                        .collect(),
                );
                return Err(open_error(
                    &self.path,
                    match self.want_slot {
                        Some(slot) => ModuleProblem::NoTokenInSlot { slot, known },
                        None => ModuleProblem::NoToken { known },
                    },
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let session = ctx
            .open_rw_session(slot)
            .map_err(|e| open_error(&self.path, ModuleProblem::Call(ck("C_OpenSession")(e))))?;
        self.slot = Some(slot);
        self.session = Some(session);
        Ok(())
    }

    /// Ends the session and finalises the module (the token is being pulled or reloaded).
    pub fn close(&mut self) {
        self.session = None;
        self.gost = None;
        if let Some(ctx) = self.ctx.take() {
            let _ = ctx.finalize();
        }
        self.slot = None;
    }

    /// [`Token::close`], then load and connect again, waiting for the token: pcscd sees a
    /// reinserted or restarted card within a poll or two, and until then the module may find
    /// the slot but fail to open a session on it, so each try starts from C_Initialize.
    pub fn reopen(&mut self) -> Result<(), ModuleError> {
        let start = Instant::now();
        loop {
            self.close();
            self.load()?;
            match self.connect(Duration::ZERO) {
                Ok(()) => return Ok(()),
                Err(e) if start.elapsed() >= TOKEN_WAIT => return Err(e),
                Err(_) => std::thread::sleep(Duration::from_millis(200)),
            }
        }
    }

    fn session(&self, function: &'static str) -> Result<&Session, CallError> {
        self.session.as_ref().ok_or_else(|| CallError {
            function,
            rv: Some(CKR_TOKEN_NOT_PRESENT),
            text: "no session: the token is out".to_owned(),
        })
    }

    /// Notes a call and its answer in [`Token::log`].
    fn note<T>(&self, call: String, result: Result<T, CallError>) -> Result<T, CallError> {
        let answer = match &result {
            Ok(_) => "CKR_OK".to_owned(),
            Err(e) => e.text.clone(),
        };
        self.log.borrow_mut().push((call, answer));
        result
    }

    fn slot_id(&self, function: &'static str) -> Result<Slot, CallError> {
        self.slot.ok_or_else(|| CallError {
            function,
            rv: Some(CKR_TOKEN_NOT_PRESENT),
            text: "no slot: the token is out".to_owned(),
        })
    }

    /// `C_GetTokenInfo`.
    pub fn info(&self) -> Result<cryptoki::slot::TokenInfo, CallError> {
        let slot = self.slot_id("C_GetTokenInfo")?;
        let ctx = self.ctx.as_ref().ok_or_else(|| CallError {
            function: "C_GetTokenInfo",
            rv: Some(CKR_CRYPTOKI_NOT_INITIALIZED),
            text: "the module is not loaded".to_owned(),
        })?;
        ctx.get_token_info(slot).map_err(ck("C_GetTokenInfo"))
    }

    /// `C_GetMechanismList`, every number (cryptoki's own list drops the GOST ones).
    pub fn mechanisms(&self) -> Result<Vec<CK_MECHANISM_TYPE>, CallError> {
        let slot = self.slot_id("C_GetMechanismList")?;
        let gost = self.gost.as_ref().ok_or_else(|| CallError {
            function: "C_GetMechanismList",
            rv: None,
            text: "the module is not loaded".to_owned(),
        })?;
        gost.mechanisms(slot.id())
            .map_err(raw("C_GetMechanismList"))
    }

    /// `C_Logout` then `C_Login` (the PIN dialog: a fresh check of the PIN each time, as the
    /// client's VERIFY is).
    pub fn login(&self, so: bool, pin: &str) -> Result<(), CallError> {
        let session = self.session("C_Login")?;
        let _ = session.logout();
        let user = if so { UserType::So } else { UserType::User };
        let result = session
            .login(user, Some(&AuthPin::new(pin.into())))
            .map_err(ck("C_Login"));
        let who = if so { "CKU_SO" } else { "CKU_USER" };
        // The PIN is never written down: its length alone is no secret worth keeping either.
        self.note(format!("C_Logout; C_Login({who}, **)"), result)
    }

    /// `C_Logout`; not being logged in is no error.
    pub fn logout(&self) -> Result<(), CallError> {
        let result = self.session("C_Logout")?.logout().map_err(ck("C_Logout"));
        match self.note("C_Logout".to_owned(), result) {
            Err(e) if e.rv == Some(CKR_USER_NOT_LOGGED_IN) => Ok(()),
            other => other,
        }
    }

    /// `C_InitPIN`: the SO sets the user PIN (resetting its counter).
    pub fn init_pin(&self, pin: &str) -> Result<(), CallError> {
        let result = self
            .session("C_InitPIN")?
            .init_pin(&AuthPin::new(pin.into()))
            .map_err(ck("C_InitPIN"));
        self.note("C_InitPIN(**)".to_owned(), result)
    }

    /// Whether the session is logged in as the user (`C_GetSessionInfo`).
    pub fn logged_in(&self) -> Result<bool, CallError> {
        let info = self
            .session("C_GetSessionInfo")?
            .get_session_info()
            .map_err(ck("C_GetSessionInfo"))?;
        Ok(matches!(
            info.session_state(),
            SessionState::RwUser | SessionState::RoUser
        ))
    }

    /// `C_FindObjects` of a class, optionally with a `CKA_ID`.
    pub fn find(
        &self,
        class: ObjectClass,
        id: Option<&[u8]>,
    ) -> Result<Vec<ObjectHandle>, CallError> {
        let mut template = vec![Attribute::Class(class)];
        if let Some(id) = id {
            template.push(Attribute::Id(id.to_vec()));
        }
        let result = self
            .session("C_FindObjects")?
            .find_objects(&template)
            .map_err(ck("C_FindObjects"));
        let call = format!(
            "C_FindObjects({class}{})",
            id.map_or_else(String::new, |id| format!(
                ", CKA_ID {}",
                hex::encode_upper(id)
            ))
        );
        match self.note(call, result) {
            Ok(found) => {
                if let Some(last) = self.log.borrow_mut().last_mut() {
                    last.1 = format!("{} object(s)", found.len());
                }
                Ok(found)
            }
            e => e,
        }
    }

    /// A byte-string attribute (`CKA_VALUE`, `CKA_ID`) of an object; empty when absent.
    pub fn bytes(&self, object: ObjectHandle, kind: AttributeType) -> Result<Vec<u8>, CallError> {
        let attrs = self
            .session("C_GetAttributeValue")?
            .get_attributes(object, &[kind])
            .map_err(ck("C_GetAttributeValue"))?;
        Ok(attrs
            .into_iter()
            .find_map(|a| match a {
                Attribute::Value(v) | Attribute::Id(v) => Some(v),
                _ => None,
            })
            .unwrap_or_default())
    }

    /// `C_GenerateKeyPair` of a GOST key on the token: the public key handle, the private key
    /// handle.
    pub fn generate(
        &self,
        mechanism: CK_MECHANISM_TYPE,
        public: &[Attr],
        private: &[Attr],
    ) -> Result<(CK_OBJECT_HANDLE, CK_OBJECT_HANDLE), CallError> {
        let session = self.session("C_GenerateKeyPair")?;
        let gost = self.gost.as_ref().ok_or_else(|| CallError {
            function: "C_GenerateKeyPair",
            rv: None,
            text: "the module is not loaded".to_owned(),
        })?;
        let result = gost
            .generate_key_pair(session.handle(), mechanism, public, private)
            .map_err(raw("C_GenerateKeyPair"));
        self.note(
            format!(
                "C_GenerateKeyPair({})",
                super::plan::mechanism_name(mechanism)
            ),
            result,
        )
    }

    /// A byte-string attribute of an object known by its raw handle.
    pub fn raw_bytes(
        &self,
        object: CK_OBJECT_HANDLE,
        kind: CK_ATTRIBUTE_TYPE,
    ) -> Result<Vec<u8>, CallError> {
        let session = self.session("C_GetAttributeValue")?;
        let gost = self.gost.as_ref().ok_or_else(|| CallError {
            function: "C_GetAttributeValue",
            rv: None,
            text: "the module is not loaded".to_owned(),
        })?;
        gost.attribute(session.handle(), object, kind)
            .map_err(raw("C_GetAttributeValue"))
    }

    /// `C_SignInit` + `C_Sign` with a GOST mechanism.
    pub fn sign(
        &self,
        mechanism: CK_MECHANISM_TYPE,
        key: ObjectHandle,
        data: &[u8],
    ) -> Result<Vec<u8>, CallError> {
        let session = self.session("C_Sign")?;
        let gost = self.gost.as_ref().ok_or_else(|| CallError {
            function: "C_Sign",
            rv: None,
            text: "the module is not loaded".to_owned(),
        })?;
        let result = gost
            .sign(session.handle(), mechanism, key.handle(), data)
            .map_err(raw("C_Sign"));
        self.note(
            format!(
                "C_SignInit({}, key {}); C_Sign({} bytes)",
                super::plan::mechanism_name(mechanism),
                key.handle(),
                data.len()
            ),
            result,
        )
    }

    /// `C_CreateObject` of an X.509 certificate on the token.
    pub fn create_certificate(
        &self,
        der: &[u8],
        id: &[u8],
        label: &str,
        subject: &[u8],
    ) -> Result<(), CallError> {
        let template = vec![
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Id(id.to_vec()),
            Attribute::Label(label.as_bytes().to_vec()),
            Attribute::Subject(subject.to_vec()),
            Attribute::Value(der.to_vec()),
        ];
        let result = self
            .session("C_CreateObject")?
            .create_object(&template)
            .map(|_| ())
            .map_err(ck("C_CreateObject"));
        self.note(
            format!(
                "C_CreateObject(CKO_CERTIFICATE, {} bytes, CKA_ID {})",
                der.len(),
                hex::encode_upper(id)
            ),
            result,
        )
    }

    /// `C_DestroyObject`.
    pub fn destroy(&self, object: ObjectHandle) -> Result<(), CallError> {
        let result = self
            .session("C_DestroyObject")?
            .destroy_object(object)
            .map_err(ck("C_DestroyObject"));
        self.note(format!("C_DestroyObject({})", object.handle()), result)
    }
}

impl Drop for Token {
    fn drop(&mut self) {
        self.close();
    }
}
