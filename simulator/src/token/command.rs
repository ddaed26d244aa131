//! Every instruction the token knows, in one table: the [`Command`] an APDU's header is
//! decoded into, the typed [`Op`] its fields are decoded into (once, as Nitrokey's opcard-rs
//! does; the fields themselves are `operand.rs`), and the properties the engine and the
//! SafeTouch act on — the class it is valid in, how its data may be chained, whether it changes
//! the persistent state (write-aside and rollback), what the SafeTouch does with it, its decoder
//! and its handler. Adding a command is one row of the `commands!` table below, its fields and
//! its handler. An APDU's bytes become a [`Request`] (ISO/IEC 7816-3 §12.1.3, short APDUs only)
//! here too: the request carries its `Command`, and the decoders of the table read the request,
//! so the two belong together. The header is decoded when the APDU is parsed; the fields once the
//! command is whole (a chain joined). Every decoding error is already a status word.

#![deny(clippy::indexing_slicing)]

use std::sync::LazyLock;

use rutoken_apdu::{CommandView, StatusWord};

use super::Token;
use super::operand::{
    self, ChangeReferenceData, CreateFile, Decipher, DeleteFile, GeneralAuthenticate, GenerateKey,
    GetChallenge, GetData, ImportKey, ManageSecurityEnvironment, Piece, ReadBinary,
    ResetRetryCounter, Select, Signature, UpdateBinary, Verify,
};
use super::status::CardResult;
use super::symmetric::Pso;

/// The class of a command, as far as the token distinguishes them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Class {
    /// CLA 00 (or 10 with chaining): interindustry.
    Iso,
    /// CLA 80 (or 90): Rutoken proprietary.
    Proprietary,
}

pub use rutoken_apdu::command::CLA_CHAINING;

impl Class {
    /// The class of a CLA byte (chaining bit ignored): logical channels are refused with 6881,
    /// secure messaging with 6882, any other class with 6E00 (ISO 7816-4 §5.4.1).
    pub fn from_cla(cla: u8) -> Result<Class, StatusWord> {
        match cla & !CLA_CHAINING {
            0x00 => Ok(Class::Iso),
            0x80 => Ok(Class::Proprietary),
            // The first interindustry class, `000x xxxx` (the chaining bit is gone, so one of
            // the four low bits is set): bits 1-2 a logical channel, else bits 3-4 secure
            // messaging.
            c if c & 0xE0 == 0 => Err(if c & 0x03 != 0 {
                StatusWord::CHANNEL_NOT_SUPPORTED
            } else {
                StatusWord::SM_NOT_SUPPORTED
            }),
            _ => Err(StatusWord::CLA_NOT_SUPPORTED),
        }
    }
}

/// Which P1-P2 values select a row (the instruction byte alone is not always enough).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Params {
    /// Any P1-P2; the handler checks them.
    Any,
    /// Exactly this P1-P2 (PSO's operations, INIT END).
    P1P2(u16),
    /// This P2, any P1 (CHANGE REFERENCE DATA P2=00 is key import).
    P2(u8),
}

impl Params {
    fn matches(self, p1: u8, p2: u8) -> bool {
        match self {
            Params::Any => true,
            Params::P1P2(v) => u16::from_be_bytes([p1, p2]) == v,
            Params::P2(v) => p2 == v,
        }
    }
}

/// How a command's data may be split over several APDUs with the CLA chaining bit.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Chaining {
    /// A chained piece is refused with 6884.
    Refused,
    /// The engine gathers the pieces (each answered 9000, up to the profile's
    /// `max_chain_bytes`) and runs the command once on the joined data. Without `long_data`,
    /// joined data over 255 bytes is refused with 6700.
    Gather {
        /// The joined data may exceed a short APDU's 255 bytes.
        long_data: bool,
    },
    /// Every piece goes to the handler as it arrives, with [`Request::chained`] set (PSO: HASH
    /// feeds its hasher). Any other APDU in between ends the stream.
    Stream,
}

/// What the SafeTouch around the token does with a command (`shared/spec/safetouch.md`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Gate {
    /// Forwarded untouched.
    Pass,
    /// Its data is collected as the document the next signature will show (PSO: HASH).
    Collect,
    /// The last piece is held until a person confirms what is shown (PSO: CDS).
    Confirm,
}

/// What the engine does for a row before its fields are decoded: where the token's state
/// answers first, or a command has an effect even when its fields are refused. A value, not a
/// function, so the engine tests it instead of calling through a pointer (SELECT MF: 49 ns
/// with a function pointer here, perf 7 Dec 2026).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Before {
    /// Nothing.
    Nothing,
    /// 6A82 when the token has no file system (after ERASE): SELECT answers so whatever its
    /// fields.
    FileSystem,
    /// The symmetric environment and its stream are dropped: any MSE SET does so, even one
    /// whose fields are refused.
    DropSymmetric,
}

/// One row of the table: everything the token knows about an instruction.
#[derive(Clone, Copy)]
pub struct Spec {
    /// The class the command is valid in; another class answers 6E00.
    pub class: Class,
    /// The instruction byte.
    pub ins: u8,
    /// The P1-P2 that select this row; a known INS with no matching row answers 6A86.
    pub params: Params,
    /// How chained APDUs are handled.
    pub chaining: Chaining,
    /// True when the command may change the persistent state: the engine keeps a copy to
    /// restore if the command fails or the image cannot be written.
    pub mutating: bool,
    /// What the SafeTouch does with it.
    pub gate: Gate,
    /// What happens before the fields are decoded.
    pub before: Before,
}

impl std::fmt::Debug for Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spec")
            .field("class", &self.class)
            .field("ins", &format_args!("{:02X}", self.ins))
            .field("params", &self.params)
            .field("chaining", &self.chaining)
            .field("mutating", &self.mutating)
            .field("gate", &self.gate)
            .field("before", &self.before)
            .finish()
    }
}

/// Builds [`Command`] (the table's key), [`Op`] (a command with its typed fields), the rows
/// ([`Command::spec`]), decoding ([`Op::decode`]) and dispatch from one list, so a command
/// cannot be declared without its properties, its decoder and its handler. A row reads
/// `Name(Fields) => Spec { … }, decode: |request| fields, run: |token, fields, out| result;`.
macro_rules! commands {
    ($( $(#[doc = $doc:literal])* $name:ident($fields:ty) => $spec:expr,
        decode: $decode:expr, run: $run:expr; )*) => {
        /// An instruction the token knows, decoded from CLA, INS, P1 and P2: the key of the
        /// table.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        pub enum Command {
            $( $(#[doc = $doc])* $name, )*
        }

        impl Command {
            /// Every command, in table order.
            pub const ALL: &'static [Command] = &[$(Command::$name),*];

            /// The command's row of the table.
            pub fn spec(self) -> &'static Spec {
                match self {
                    $( Command::$name => {
                        static SPEC: Spec = $spec;
                        &SPEC
                    } )*
                }
            }
        }

        /// A command with its fields decoded (`operand.rs`): what a handler takes. No
        /// `Debug`: VERIFY and key import carry secrets.
        pub enum Op<'a> {
            $( $(#[doc = $doc])* $name($fields), )*
        }

        impl<'a> Op<'a> {
            /// Decodes the fields of a whole (joined) request by its row; a status word when
            /// they are not what the command takes. Inlined, like `Op::run`, into the engine: the
            /// two matches on the command become one, and the fields stay in registers (not
            /// inlined, SELECT MF took 51 ns instead of 41 before, perf 7 Dec 2026).
            #[inline(always)]
            pub fn decode(request: &Request<'a>) -> CardResult<Op<'a>> {
                match request.command {
                    $( Command::$name => {
                        let decode: fn(&Request<'a>) -> CardResult<$fields> = $decode;
                        decode(request).map(Op::$name)
                    } )*
                }
            }

            /// The command this is.
            pub fn command(&self) -> Command {
                match self {
                    $( Op::$name(_) => Command::$name, )*
                }
            }

            /// Runs the command's handler: response data to `out`, the status word out.
            #[inline(always)]
            pub(crate) fn run(self, token: &mut Token, out: &mut Vec<u8>) -> CardResult {
                match self {
                    $( Op::$name(fields) => {
                        let run: fn(&mut Token, $fields, &mut Vec<u8>) -> CardResult = $run;
                        run(token, fields, out)
                    } )*
                }
            }
        }
    };
}

const ISO: Class = Class::Iso;
const PROPRIETARY: Class = Class::Proprietary;
const NO_CHAIN: Chaining = Chaining::Refused;
const NOTHING: Before = Before::Nothing;

commands! {
    /// SELECT `A4` and the Rutoken list-files forms (ISO 7816-4 §11.2.2; `rutoken-ecp-apdu.md`
    /// §4). A token without a file system answers 6A82 before its fields are looked at.
    Select(Select<'a>) => Spec { class: ISO, ins: 0xA4, params: Params::Any, chaining: NO_CHAIN,
        mutating: false, gate: Gate::Pass, before: Before::FileSystem },
        decode: |r| Select::decode(r.p1, r.p2, r.data),
        run: |t, select, out| t.select(select, out);
    /// READ BINARY `B0` (ISO 7816-4 §11.3.3).
    ReadBinary(ReadBinary) => Spec { class: ISO, ins: 0xB0, params: Params::Any,
        chaining: NO_CHAIN, mutating: false, gate: Gate::Pass, before: NOTHING },
        decode: |r| ReadBinary::decode(r.p1, r.p2, r.data, r.le),
        run: |t, read, out| t.read_binary(read, out);
    /// UPDATE BINARY `D6` (ISO 7816-4 §11.3.5).
    UpdateBinary(UpdateBinary<'a>) => Spec { class: ISO, ins: 0xD6, params: Params::Any,
        chaining: NO_CHAIN, mutating: true, gate: Gate::Pass, before: NOTHING },
        decode: |r| UpdateBinary::decode(r.p1, r.p2, r.data),
        run: |t, update, _| t.update_binary(update);
    /// CREATE FILE `E0` (ISO 7816-9 §8.2); OpenSC chains long templates.
    CreateFile(CreateFile) => Spec { class: ISO, ins: 0xE0, params: Params::Any,
        chaining: Chaining::Gather { long_data: false },
        mutating: true, gate: Gate::Pass, before: NOTHING },
        decode: |r| CreateFile::decode(r.p1, r.p2, r.data),
        run: |t, create, _| t.create_file(create);
    /// DELETE FILE `E4` (ISO 7816-9 §8.3).
    DeleteFile(DeleteFile) => Spec { class: ISO, ins: 0xE4, params: Params::Any,
        chaining: NO_CHAIN, mutating: true, gate: Gate::Pass, before: NOTHING },
        decode: |r| DeleteFile::decode(r.p1, r.p2, r.data),
        run: |t, delete, _| t.delete_file(delete);
    /// VERIFY `20` (ISO 7816-4 §11.5.6). Not marked mutating: it writes its counter itself,
    /// before the comparison, and must not be rolled back.
    Verify(Verify<'a>) => Spec { class: ISO, ins: 0x20, params: Params::Any, chaining: NO_CHAIN,
        mutating: false, gate: Gate::Pass, before: NOTHING },
        decode: |r| Verify::decode(r.p1, r.p2, r.data),
        run: |t, verify, _| t.verify(verify);
    /// CHANGE REFERENCE DATA `24 01 rr` of a PIN (ISO 7816-4 §11.5.7).
    ChangeReferenceData(ChangeReferenceData<'a>) => Spec { class: ISO, ins: 0x24,
        params: Params::Any, chaining: Chaining::Gather { long_data: true },
        mutating: true, gate: Gate::Pass, before: NOTHING },
        decode: |r| ChangeReferenceData::decode(r.p1, r.p2, r.data),
        run: |t, change, _| t.change_reference_data(change);
    /// Key import: CHANGE REFERENCE DATA `24 01 00` into the current key object.
    ImportKey(ImportKey<'a>) => Spec { class: ISO, ins: 0x24, params: Params::P2(0x00),
        chaining: Chaining::Gather { long_data: true },
        mutating: true, gate: Gate::Pass, before: NOTHING },
        decode: |r| ImportKey::decode(r.p1, r.data),
        run: |t, import, _| t.import_key(import);
    /// RESET RETRY COUNTER `2C` (ISO 7816-4 §11.5.10).
    ResetRetryCounter(ResetRetryCounter) => Spec { class: ISO, ins: 0x2C, params: Params::Any,
        chaining: NO_CHAIN, mutating: true, gate: Gate::Pass, before: NOTHING },
        decode: |r| ResetRetryCounter::decode(r.p1, r.p2, r.data),
        run: |t, reset, _| t.reset_retry_counter(reset);
    /// GET DATA `CA` (ISO 7816-4 §11.4.3): the serial.
    GetData(GetData) => Spec { class: ISO, ins: 0xCA, params: Params::Any, chaining: NO_CHAIN,
        mutating: false, gate: Gate::Pass, before: NOTHING },
        decode: |r| GetData::decode(r.p1, r.p2, r.data, r.le),
        run: |t, get, out| t.get_data(get, out);
    /// GET CHALLENGE `00 84` (ISO 7816-4 §11.5.3).
    GetChallenge(GetChallenge) => Spec { class: ISO, ins: 0x84, params: Params::Any,
        chaining: NO_CHAIN, mutating: false, gate: Gate::Pass, before: NOTHING },
        decode: |r| GetChallenge::decode(r.p1, r.p2, r.data, r.le),
        run: |t, challenge, out| t.get_challenge(challenge, out);
    /// MANAGE SECURITY ENVIRONMENT `22` (ISO 7816-4 §11.5.11). Any MSE SET drops the
    /// symmetric environment and its stream, even one whose fields are refused.
    ManageSecurityEnvironment(ManageSecurityEnvironment) => Spec { class: ISO, ins: 0x22,
        params: Params::Any, chaining: NO_CHAIN, mutating: false, gate: Gate::Pass,
        before: Before::DropSymmetric },
        decode: |r| ManageSecurityEnvironment::decode(r.p1, r.p2, r.data),
        run: |t, mse, _| t.manage_security_environment(mse);
    /// PSO: COMPUTE DIGITAL SIGNATURE `2A 9E 9A` (ISO 7816-8 §5.4); held by the SafeTouch.
    ComputeDigitalSignature(Signature<'a>) => Spec { class: ISO, ins: 0x2A,
        params: Params::P1P2(0x9E9A), chaining: Chaining::Gather { long_data: true },
        mutating: false, gate: Gate::Confirm, before: NOTHING },
        decode: |r| Ok(Signature::decode(r.data, r.le)),
        run: |t, sign, out| t.compute_signature(sign, out);
    /// PSO: HASH `2A 90 80` (ISO 7816-8 §5.2), on-token hashing for the SafeTouch.
    Hash(Piece<'a>) => Spec { class: ISO, ins: 0x2A, params: Params::P1P2(0x9080),
        chaining: Chaining::Stream,
        mutating: false, gate: Gate::Collect, before: NOTHING },
        decode: |r| Ok(Piece::decode(r.data, r.chained, r.le)),
        run: |t, piece, out| t.hash(piece, out);
    /// PSO: DECIPHER `2A 80 86` (ISO 7816-8 §5.9).
    Decipher(Decipher<'a>) => Spec { class: ISO, ins: 0x2A, params: Params::P1P2(0x8086),
        chaining: Chaining::Gather { long_data: true },
        mutating: false, gate: Gate::Pass, before: NOTHING },
        decode: |r| Ok(Decipher { input: r.data, le: r.le }),
        run: |t, decipher, out| t.decipher(decipher, out);
    /// PSO: ENCIPHER `2A 84 80` (ISO 7816-8 §5.8) with a GOST 28147-89 secret key; pieces
    /// stream (`symmetric.rs`).
    Encipher(Piece<'a>) => Spec { class: ISO, ins: 0x2A, params: Params::P1P2(0x8480),
        chaining: Chaining::Stream,
        mutating: false, gate: Gate::Pass, before: NOTHING },
        decode: |r| Ok(Piece::decode(r.data, r.chained, r.le)),
        run: |t, piece, out| t.symmetric_pso(Pso::Encipher, piece, out);
    /// PSO: DECIPHER `2A 80 84` (ISO 7816-8 §5.9) with a GOST 28147-89 secret key; mutating:
    /// a key unwrap fills a secret-key object.
    DecipherSymmetric(Piece<'a>) => Spec { class: ISO, ins: 0x2A, params: Params::P1P2(0x8084),
        chaining: Chaining::Stream,
        mutating: true, gate: Gate::Pass, before: NOTHING },
        decode: |r| Ok(Piece::decode(r.data, r.chained, r.le)),
        run: |t, piece, out| t.symmetric_pso(Pso::Decipher, piece, out);
    /// PSO: COMPUTE CRYPTOGRAPHIC CHECKSUM `2A 8E 80` (ISO 7816-8 §5.5): the GOST 28147-89 MAC.
    Checksum(Piece<'a>) => Spec { class: ISO, ins: 0x2A, params: Params::P1P2(0x8E80),
        chaining: Chaining::Stream,
        mutating: false, gate: Gate::Pass, before: NOTHING },
        decode: |r| Ok(Piece::decode(r.data, r.chained, r.le)),
        run: |t, piece, out| t.symmetric_pso(Pso::Checksum, piece, out);
    /// GENERAL AUTHENTICATE `86` (ISO 7816-4 §11.5.5): VKO into a secret-key object, or (P1-P2
    /// not `00 00`) answered to the host.
    GeneralAuthenticate(GeneralAuthenticate<'a>) => Spec { class: ISO, ins: 0x86,
        params: Params::Any, chaining: NO_CHAIN, mutating: true, gate: Gate::Pass, before: NOTHING },
        decode: |r| GeneralAuthenticate::decode(r.p1, r.p2, r.data),
        run: |t, auth, out| t.general_authenticate(auth, out);
    /// GENERATE ASYMMETRIC KEY PAIR `46` (ISO 7816-8 §5.1).
    GenerateKey(GenerateKey<'a>) => Spec { class: ISO, ins: 0x46, params: Params::Any,
        chaining: NO_CHAIN, mutating: true, gate: Gate::Pass, before: NOTHING },
        decode: |r| GenerateKey::decode(r.p1, r.p2, r.data, r.le),
        run: |t, generate, out| t.generate_key(generate, out);
    /// Rutoken LOGOUT `80 40` (reset access rights, `rutoken-ecp-apdu.md` §4).
    Logout(()) => Spec { class: PROPRIETARY, ins: 0x40, params: Params::Any, chaining: NO_CHAIN,
        mutating: false, gate: Gate::Pass, before: NOTHING },
        decode: |r| operand::no_fields(r.p1, r.p2, r.data),
        run: |t, (), _| t.logout();
    /// Rutoken ERASE `80 8A` (`SC_CARDCTL_RTECP_INIT`).
    Erase(()) => Spec { class: PROPRIETARY, ins: 0x8A, params: Params::Any, chaining: NO_CHAIN,
        mutating: true, gate: Gate::Pass, before: NOTHING },
        decode: |r| operand::no_fields(r.p1, r.p2, r.data),
        run: |t, (), _| t.erase();
    /// Rutoken INIT END `80 84 4E 19` (`SC_CARDCTL_RTECP_INIT_END`).
    InitEnd(()) => Spec { class: PROPRIETARY, ins: 0x84, params: Params::P1P2(0x4E19),
        chaining: NO_CHAIN, mutating: true, gate: Gate::Pass, before: NOTHING },
        decode: |r| operand::init_end(r.data),
        run: |t, (), _| t.init_end();
}

/// The rows of each INS byte, in table order: decoding looks at the one to three rows of its
/// INS instead of scanning the whole table up to three times (9 % of a SELECT MF, perf,
/// 7 Dec 2026).
static BY_INS: LazyLock<Vec<Vec<Command>>> = LazyLock::new(|| {
    let mut rows = vec![Vec::new(); 256];
    for &c in Command::ALL {
        if let Some(same_ins) = rows.get_mut(usize::from(c.spec().ins)) {
            same_ins.push(c);
        }
    }
    rows
});

impl Command {
    /// Decodes class, INS and P1-P2, in this order: an INS no row has is 6D00, an INS known
    /// only in another class 6E00, a known INS with no row for its P1-P2 6A86. Rows that name
    /// their P1-P2 win over rows that take any.
    pub fn decode(class: Class, ins: u8, p1: u8, p2: u8) -> Result<Command, StatusWord> {
        let rows = BY_INS
            .get(usize::from(ins))
            .map(Vec::as_slice)
            .unwrap_or_default();
        if rows.is_empty() {
            return Err(StatusWord::INS_NOT_SUPPORTED);
        }
        let (mut in_class, mut any) = (false, None);
        for &c in rows {
            let spec = c.spec();
            if spec.class != class {
                continue;
            }
            in_class = true;
            if spec.params.matches(p1, p2) {
                if spec.params != Params::Any {
                    return Ok(c);
                }
                any.get_or_insert(c);
            }
        }
        if !in_class {
            return Err(StatusWord::CLA_NOT_SUPPORTED);
        }
        any.ok_or(StatusWord::WRONG_P1P2)
    }

    /// Decodes the header of a command APDU (CLA, INS, P1, P2).
    pub fn from_header(cla: u8, ins: u8, p1: u8, p2: u8) -> Result<Command, StatusWord> {
        Command::decode(Class::from_cla(cla)?, ins, p1, p2)
    }
}

/// A parsed short command APDU, borrowing the data: what the row's decoder reads.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// The instruction, decoded from CLA, INS, P1 and P2 (no handler needs the raw class byte:
    /// channels and secure messaging are refused while parsing, chaining is `chained`).
    pub command: Command,
    /// True when CLA bit 0x10 announces more chained commands.
    pub chained: bool,
    /// Parameter 1.
    pub p1: u8,
    /// Parameter 2.
    pub p2: u8,
    /// The command data (empty for cases 1 and 2).
    pub data: &'a [u8],
    /// Le as a number of bytes (00 means 256), `None` when absent (cases 1 and 3).
    pub le: Option<usize>,
}

impl<'a> Request<'a> {
    /// Parses one short APDU (`rutoken_apdu::CommandView`). In order: a length that does not
    /// add up, or an extended APDU (the token takes short APDUs only), is 6700; then the class
    /// (6881 logical channels, 6882 secure messaging, 6E00 others), then the instruction
    /// ([`Command::decode`]).
    pub fn parse(bytes: &'a [u8]) -> Result<Self, StatusWord> {
        let view = CommandView::parse(bytes).map_err(|_| StatusWord::WRONG_LENGTH)?;
        if view.extended {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let class = Class::from_cla(view.cla)?;
        Ok(Request {
            command: Command::decode(class, view.ins, view.p1, view.p2)?,
            chained: view.chained(),
            p1: view.p1,
            p2: view.p2,
            data: view.data,
            le: view.le,
        })
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn no_two_rows_claim_the_same_header() {
        for (i, a) in Command::ALL.iter().enumerate() {
            for b in &Command::ALL[i + 1..] {
                let (sa, sb) = (a.spec(), b.spec());
                assert!(
                    !(sa.class == sb.class && sa.ins == sb.ins && sa.params == sb.params),
                    "{a:?} and {b:?} share a header"
                );
            }
        }
    }

    #[test]
    fn decoding_order_and_status_words() {
        let d = |cla, ins, p1, p2| Command::from_header(cla, ins, p1, p2);
        assert_eq!(d(0x00, 0xA4, 0, 0), Ok(Command::Select));
        assert_eq!(d(0x10, 0x2A, 0x90, 0x80), Ok(Command::Hash));
        assert_eq!(
            d(0x00, 0x2A, 0x9E, 0x9A),
            Ok(Command::ComputeDigitalSignature)
        );
        assert_eq!(d(0x00, 0x2A, 0x12, 0x34), Err(StatusWord::WRONG_P1P2));
        assert_eq!(d(0x00, 0x24, 0x01, 0x02), Ok(Command::ChangeReferenceData));
        assert_eq!(d(0x00, 0x24, 0x01, 0x00), Ok(Command::ImportKey));
        assert_eq!(d(0x00, 0x84, 0x00, 0x00), Ok(Command::GetChallenge));
        assert_eq!(d(0x80, 0x84, 0x4E, 0x19), Ok(Command::InitEnd));
        assert_eq!(d(0x80, 0x84, 0x00, 0x00), Err(StatusWord::WRONG_P1P2));
        assert_eq!(d(0x80, 0xA4, 0, 0), Err(StatusWord::CLA_NOT_SUPPORTED));
        assert_eq!(d(0x00, 0x40, 0, 0), Err(StatusWord::CLA_NOT_SUPPORTED));
        assert_eq!(d(0x00, 0x42, 0, 0), Err(StatusWord::INS_NOT_SUPPORTED));
        assert_eq!(d(0x01, 0xA4, 0, 0), Err(StatusWord::CHANNEL_NOT_SUPPORTED));
        assert_eq!(d(0x0C, 0xA4, 0, 0), Err(StatusWord::SM_NOT_SUPPORTED));
        assert_eq!(d(0xFF, 0xA4, 0, 0), Err(StatusWord::CLA_NOT_SUPPORTED));
    }

    #[test]
    fn every_command_decodes_from_its_own_row() {
        for &c in Command::ALL {
            let s = c.spec();
            let (p1, p2) = match s.params {
                Params::Any => (0x01, 0x02),
                Params::P1P2(v) => (v.to_be_bytes()[0], v.to_be_bytes()[1]),
                Params::P2(v) => (0x01, v),
            };
            assert_eq!(Command::decode(s.class, s.ins, p1, p2), Ok(c));
        }
    }

    #[test]
    fn requests_of_every_case() {
        let c = Request::parse(&[0x80, 0x40, 0, 0]).unwrap();
        assert_eq!((c.command, c.data.len(), c.le), (Command::Logout, 0, None));
        let c = Request::parse(&[0, 0xCA, 1, 0x81, 0]).unwrap();
        assert_eq!(c.le, Some(256));
        let c = Request::parse(&[0, 0xA4, 0, 0, 2, 0x3F, 0, 0]).unwrap();
        assert_eq!((c.data, c.le), (&[0x3F, 0][..], Some(256)));
        let c = Request::parse(&[0x10, 0x2A, 0x90, 0x80, 1, 7]).unwrap();
        assert!(c.chained);
        assert_eq!((c.command, c.le), (Command::Hash, None));
    }

    #[test]
    fn malformed_requests() {
        let sw = |bytes: &[u8]| Request::parse(bytes).unwrap_err();
        assert_eq!(sw(&[0, 1]), StatusWord::WRONG_LENGTH);
        assert_eq!(sw(&[0, 0xA4, 2, 3, 4, 5]), StatusWord::WRONG_LENGTH);
        assert_eq!(sw(&[0, 0xA4, 2, 3, 0, 5, 6]), StatusWord::WRONG_LENGTH);
        // Extended APDUs (case 2E, 3E) are well formed but not for this token.
        assert_eq!(sw(&[0, 0xCA, 1, 0x81, 0, 0, 0]), StatusWord::WRONG_LENGTH);
        assert_eq!(
            sw(&[0, 0xA4, 0, 0, 0, 0, 2, 0x3F, 0]),
            StatusWord::WRONG_LENGTH
        );
        assert_eq!(sw(&[0xFF, 0xA4, 2, 3]), StatusWord::CLA_NOT_SUPPORTED);
        assert_eq!(sw(&[0x01, 0xA4, 2, 3]), StatusWord::CHANNEL_NOT_SUPPORTED);
        assert_eq!(sw(&[0x0C, 0xA4, 2, 3]), StatusWord::SM_NOT_SUPPORTED);
        assert_eq!(sw(&[0x00, 0x01, 2, 3]), StatusWord::INS_NOT_SUPPORTED);
        // Length before class, class before instruction.
        assert_eq!(sw(&[0xFF, 0x01, 2, 3, 4, 5]), StatusWord::WRONG_LENGTH);
        assert_eq!(sw(&[0xFF, 0x01, 2, 3]), StatusWord::CLA_NOT_SUPPORTED);
    }

    #[test]
    fn fields_decode_into_the_op_of_their_command() {
        for apdu in [
            &[0x00, 0xA4, 0x00, 0x00, 0x02, 0x3F, 0x00][..],
            &[0x00, 0xB0, 0x00, 0x10, 0x08],
            &[0x00, 0xD6, 0x00, 0x00, 0x01, 0x07],
            &[0x00, 0xE4, 0x00, 0x00],
            &[0x00, 0x20, 0x00, 0x02],
            &[0x00, 0x24, 0x01, 0x02, 0x03, 0xA5, 0x01, 0x31],
            &[0x00, 0x24, 0x01, 0x00, 0x03, 0xA5, 0x01, 0x31],
            &[0x00, 0x2C, 0x03, 0x02],
            &[0x00, 0xCA, 0x01, 0x81, 0x00],
            &[0x00, 0x84, 0x00, 0x00, 0x08],
            &[0x00, 0x22, 0x41, 0xB6, 0x03, 0x84, 0x01, 0x01],
            &[0x00, 0x2A, 0x9E, 0x9A, 0x00],
            &[0x10, 0x2A, 0x90, 0x80, 0x01, 0x61],
            &[0x00, 0x2A, 0x80, 0x86, 0x01, 0x01],
            &[0x00, 0x2A, 0x84, 0x80, 0x01, 0x01],
            &[0x00, 0x2A, 0x80, 0x84, 0x01, 0x01],
            &[0x00, 0x2A, 0x8E, 0x80, 0x01, 0x01],
            &[0x00, 0x86, 0x00, 0x00, 0x02, 0x7C, 0x00],
            &[0x00, 0x46, 0x80, 0x01],
            &[0x80, 0x40, 0x00, 0x00],
            &[0x80, 0x8A, 0x00, 0x00],
            &[0x80, 0x84, 0x4E, 0x19],
        ] {
            let request = Request::parse(apdu).unwrap();
            let op = Op::decode(&request).unwrap_or_else(|sw| panic!("{apdu:02X?}: {sw}"));
            assert_eq!(op.command(), request.command, "{apdu:02X?}");
        }
        // Every row is reached above.
        assert_eq!(Command::ALL.len(), 23);
    }

    #[test]
    fn a_row_before_runs_ahead_of_its_fields() {
        use crate::Card;
        use crate::token::{Fixture, TokenProfile};
        let mut token = Token::in_memory(Fixture::Factory, 0, TokenProfile::default()).unwrap();
        let sw = |token: &mut Token, apdu: &[u8]| {
            let answer = token.transmit(apdu);
            u16::from_be_bytes([answer[answer.len() - 2], answer[answer.len() - 1]])
        };
        // SELECT with a P2 it does not take: 6A86 while there is a file system…
        assert_eq!(sw(&mut token, &[0x00, 0xA4, 0x00, 0x07]), 0x6A86);
        let admin = [
            0x00, 0x20, 0x00, 0x01, 0x08, 0x38, 0x37, 0x36, 0x35, 0x34, 0x33, 0x32, 0x31,
        ];
        assert_eq!(sw(&mut token, &admin), 0x9000);
        assert_eq!(sw(&mut token, &[0x80, 0x8A, 0x00, 0x00]), 0x9000);
        // …and 6A82 after an ERASE, as before the fields were typed.
        assert_eq!(sw(&mut token, &[0x00, 0xA4, 0x00, 0x07]), 0x6A82);
    }
}
