//! What the fuzzer chooses: the `Arbitrary` description of a case, read from the raw input.
//!
//! A [`Case`] describes the world (the user accounts, the caller's instruction), the invoked
//! instruction ([`InstructionSpec`]), the account infos ([`InfoSpec`]) and signer seeds the
//! caller passes, the registers of the call, raw patches over the blob, and the scripts both
//! programs run ([`CallerOp`], [`CalleeOp`]). Nothing here has an address yet: positions are
//! taken modulo the number of accounts and pointers are [`Ptr`] hints, which `addresses` turns
//! into guest addresses once the serialized input's layout is known.
//!
//! The order of the fields is the order `arbitrary` reads them in, so reordering them changes
//! what every corpus entry means.

use arbitrary::Arbitrary;

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Owner {
    Caller,
    System,
    Callee,
    Other,
}

#[derive(Arbitrary, Debug)]
pub struct AccountSpec {
    pub data_len: u8,
    pub lamports: u32,
    pub owner: Owner,
    /// The key is a program-derived address of the caller (seeds `[index]`).
    pub pda: bool,
    pub executable: bool,
}

/// An account of the pool: the users, then the callee program, the system program, the caller.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct Pick(pub u8);

#[derive(Arbitrary, Debug)]
pub struct CallerMeta {
    pub pick: Pick,
    pub signer: bool,
    pub writable: bool,
}

/// A field of a serialized account record.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Field {
    Key,
    Lamports,
    Owner,
    Data,
    Record,
    DataLen,
    DataEnd,
}

/// A pointer hint.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Ptr {
    /// A field of the account at a position of the caller's instruction.
    Field(u8, Field),
    /// Likewise, off by some bytes.
    Near(u8, Field, i16),
    Heap(u16),
    Stack(u16),
    Input(u32),
    Raw(u64),
}

#[derive(Arbitrary, Debug)]
pub enum CalleeChoice {
    Callee,
    System,
    Caller,
    Pick(Pick),
    Raw([u8; 32]),
}

/// An account of the invoked instruction.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum MetaKey {
    /// The account at a position of the caller's instruction.
    Position(u8),
    /// Any account of the pool (maybe not the caller's).
    Pool(Pick),
    Raw(u8),
}

#[derive(Arbitrary, Debug)]
pub struct MetaSpec {
    pub key: MetaKey,
    pub signer: bool,
    pub writable: bool,
    pub raw_flags: Option<(u8, u8)>,
}

/// A place in the callee's input: a field of the account at a position of its instruction.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct Target {
    pub position: u8,
    pub field: Field,
    pub delta: i8,
}

/// A change a program makes to its accounts the way a real program would.
#[derive(Arbitrary, Debug)]
pub enum Change {
    /// Sets the data length of the account at a position (growth within the room or past it).
    SetLen(u8, u16),
    /// Moves lamports between the accounts at two positions.
    Transfer(u8, u8, u16),
    /// Writes a word of the data of the account at a position.
    Fill(u8, u8, u64),
}

#[derive(Arbitrary, Debug)]
pub enum CalleeOp {
    Change(Change),
    Store64(Target, u64),
    Store8(Target, u8),
    Add64(Target, u64),
    Log(Target, u8),
    ReturnData(Target, u8),
    Exit(u32),
}

#[derive(Arbitrary, Debug)]
pub enum CalleeData {
    Script(Vec<CalleeOp>),
    Raw(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
pub struct InstructionSpec {
    pub callee: CalleeChoice,
    pub metas: Vec<MetaSpec>,
    pub data: CalleeData,
    pub program_ptr: Option<Ptr>,
    pub metas_ptr: Option<Ptr>,
    pub metas_len: Option<u64>,
    pub data_ptr: Option<Ptr>,
    pub data_len: Option<u64>,
    /// The Rust vectors' capacities (unchecked).
    pub caps: (u64, u64),
}

#[derive(Arbitrary, Debug, Clone)]
pub struct InfoSpec {
    /// The caller account (position in the caller's instruction) this info describes.
    pub position: u8,
    pub key: Option<Ptr>,
    pub lamports: Option<Ptr>,
    pub data: Option<Ptr>,
    pub owner: Option<Ptr>,
    pub data_len: Option<u64>,
    /// Rust: where the info's `Rc`s point (else at boxes in the blob).
    pub lamports_rc: Option<Ptr>,
    pub data_rc: Option<Ptr>,
    pub rc_header: Option<(u64, u64, u64)>,
    pub flags: [u8; 3],
    pub rent_epoch: u64,
}

#[derive(Arbitrary, Debug)]
pub enum SignerSpec {
    /// The seeds of the user account at this index (`[index], [bump]`).
    Pda(u8),
    Raw(Vec<Vec<u8>>),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Reg {
    Auto,
    Ptr(Ptr),
}

/// What the caller does to its accounts before invoking.
#[derive(Arbitrary, Debug)]
pub enum CallerOp {
    Change(Change),
    /// Stores a word at a field of the account at a position, off by some bytes.
    Store(u8, Field, i8, u64),
}

#[derive(Arbitrary, Debug)]
pub struct Case {
    pub rust: bool,
    pub users: Vec<AccountSpec>,
    pub caller_metas: Vec<CallerMeta>,
    pub with_system: bool,
    /// Stores the caller does before invoking: (position, field, delta) in its input, value.
    pub caller_stores: Vec<CallerOp>,
    pub instruction: InstructionSpec,
    /// Leave out the correct infos made for each account of the invoked instruction.
    pub no_auto_infos: bool,
    pub infos: Vec<InfoSpec>,
    pub signers: Vec<SignerSpec>,
    pub regs: [Reg; 5],
    pub patches: Vec<(u16, u64, bool)>,
}
