//! Cross-program invocation with arbitrary guest structures: a caller program copies a blob
//! the harness built (an instruction in the C or Rust layout, its metas and data, account infos
//! with their `Rc<RefCell>` boxes, signer seeds, then raw patches) into its heap and the first
//! 2 KiB of its stack, and calls `sol_invoke_signed_c` or `sol_invoke_signed_rust` with
//! registers that point into it (or anywhere else). The blob's pointers are hints: a field of a
//! caller account in the serialized input (computed from the ABI v1 layout, so the fuzzer
//! reaches valid infos often), a place in the heap, the stack or the input, or a raw value.
//! The callee (the same program under another id, the caller itself, or the system program)
//! runs a small script of its own that changes its accounts, logs, sets return data or fails.
//!
//! Properties: no panic, no hang, and the interpreter and the JIT agree on the result, compute
//! units, logs, return data and every account.
//!
//! The program is `tests/data/solana/cpi/programs/cpi_script.asm` (48-byte records
//! `[op][a1..a5]`, arguments resolved by their top byte: 0 as is, 1 input + low bits, 2
//! instruction data + low bits), assembled once for SBPF V0.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sbvm::isa::SbpfVersion;
use sbvm::solana::{
    ids, Account, AccountMeta, Instruction, InstructionResult, ProgramRuntime, Pubkey,
};
use sbvm::vm::Engine;
use std::sync::OnceLock;

const SCRIPT: &str = include_str!("../../tests/data/solana/cpi/programs/cpi_script.asm");

const CALLER: Pubkey = Pubkey([0x50; 32]);
const CALLEE: Pubkey = Pubkey([0x51; 32]);

const HEAP: u64 = 0x3_0000_0000;
const STACK: u64 = 0x2_0000_0000;
const INPUT: u64 = 0x4_0000_0000;
/// Room after each account's data in the input (MAX_PERMITTED_DATA_INCREASE).
const DATA_ROOM: u64 = 10 * 1024;
/// Most blob bytes (the heap is 32 KiB).
const MAX_BLOB: usize = 16 * 1024;
/// Bytes of the blob also copied to the bottom of the stack.
const STACK_COPY: usize = 2048;
/// Script argument tags.
const TAG_INPUT: u64 = 1 << 56;
const TAG_DATA: u64 = 2 << 56;

// Script ops.
const OP_EXIT: u64 = 0;
const OP_STORE64: u64 = 1;
const OP_STORE8: u64 = 2;
const OP_INVOKE_C: u64 = 3;
const OP_INVOKE_RUST: u64 = 4;
const OP_LOG: u64 = 6;
const OP_SET_RETURN_DATA: u64 = 7;
const OP_ADD64: u64 = 11;
const OP_EXIT_LAST: u64 = 13;
const OP_MEMCPY: u64 = 14;

/// Caller-side users accounts.
const MAX_USERS: usize = 8;

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Owner {
    Caller,
    System,
    Callee,
    Other,
}

#[derive(Arbitrary, Debug)]
struct AccountSpec {
    data_len: u8,
    lamports: u32,
    owner: Owner,
    /// The key is a program-derived address of the caller (seeds `[index]`).
    pda: bool,
    executable: bool,
}

/// An account of the pool: the users, then the callee program, the system program, the caller.
#[derive(Arbitrary, Debug, Clone, Copy)]
struct Pick(u8);

#[derive(Arbitrary, Debug)]
struct CallerMeta {
    pick: Pick,
    signer: bool,
    writable: bool,
}

/// A field of a serialized account record.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Field {
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
enum Ptr {
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
enum CalleeChoice {
    Callee,
    System,
    Caller,
    Pick(Pick),
    Raw([u8; 32]),
}

/// An account of the invoked instruction.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum MetaKey {
    /// The account at a position of the caller's instruction.
    Position(u8),
    /// Any account of the pool (maybe not the caller's).
    Pool(Pick),
    Raw(u8),
}

#[derive(Arbitrary, Debug)]
struct MetaSpec {
    key: MetaKey,
    signer: bool,
    writable: bool,
    raw_flags: Option<(u8, u8)>,
}

/// A place in the callee's input: a field of the account at a position of its instruction.
#[derive(Arbitrary, Debug, Clone, Copy)]
struct Target {
    position: u8,
    field: Field,
    delta: i8,
}

/// A change a program makes to its accounts the way a real program would.
#[derive(Arbitrary, Debug)]
enum Change {
    /// Sets the data length of the account at a position (growth within the room or past it).
    SetLen(u8, u16),
    /// Moves lamports between the accounts at two positions.
    Transfer(u8, u8, u16),
    /// Writes a word of the data of the account at a position.
    Fill(u8, u8, u64),
}

impl Change {
    fn script(&self, records: &[Record]) -> Vec<u8> {
        let at = |position: u8, field: Field, offset: u64| {
            let addr = if records.is_empty() {
                INPUT
            } else {
                records[usize::from(position) % records.len()].field(field)
            };
            TAG_INPUT | (addr.wrapping_add(offset).wrapping_sub(INPUT) & ((1 << 56) - 1))
        };
        match *self {
            Change::SetLen(position, len) => record(
                OP_STORE64,
                [at(position, Field::DataLen, 0), u64::from(len), 0, 0, 0],
            ),
            Change::Transfer(from, to, amount) => {
                let mut script = record(
                    OP_ADD64,
                    [
                        at(from, Field::Lamports, 0),
                        u64::from(amount).wrapping_neg(),
                        0,
                        0,
                        0,
                    ],
                );
                script.extend(record(
                    OP_ADD64,
                    [at(to, Field::Lamports, 0), u64::from(amount), 0, 0, 0],
                ));
                script
            }
            Change::Fill(position, offset, value) => record(
                OP_STORE64,
                [
                    at(position, Field::Data, u64::from(offset)),
                    value & ((1 << 56) - 1),
                    0,
                    0,
                    0,
                ],
            ),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum CalleeOp {
    Change(Change),
    Store64(Target, u64),
    Store8(Target, u8),
    Add64(Target, u64),
    Log(Target, u8),
    ReturnData(Target, u8),
    Exit(u32),
}

#[derive(Arbitrary, Debug)]
enum CalleeData {
    Script(Vec<CalleeOp>),
    Raw(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
struct InstructionSpec {
    callee: CalleeChoice,
    metas: Vec<MetaSpec>,
    data: CalleeData,
    program_ptr: Option<Ptr>,
    metas_ptr: Option<Ptr>,
    metas_len: Option<u64>,
    data_ptr: Option<Ptr>,
    data_len: Option<u64>,
    /// The Rust vectors' capacities (unchecked).
    caps: (u64, u64),
}

#[derive(Arbitrary, Debug, Clone)]
struct InfoSpec {
    /// The caller account (position in the caller's instruction) this info describes.
    position: u8,
    key: Option<Ptr>,
    lamports: Option<Ptr>,
    data: Option<Ptr>,
    owner: Option<Ptr>,
    data_len: Option<u64>,
    /// Rust: where the info's `Rc`s point (else at boxes in the blob).
    lamports_rc: Option<Ptr>,
    data_rc: Option<Ptr>,
    rc_header: Option<(u64, u64, u64)>,
    flags: [u8; 3],
    rent_epoch: u64,
}

#[derive(Arbitrary, Debug)]
enum SignerSpec {
    /// The seeds of the user account at this index (`[index], [bump]`).
    Pda(u8),
    Raw(Vec<Vec<u8>>),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Reg {
    Auto,
    Ptr(Ptr),
}

/// What the caller does to its accounts before invoking.
#[derive(Arbitrary, Debug)]
enum CallerOp {
    Change(Change),
    /// Stores a word at a field of the account at a position, off by some bytes.
    Store(u8, Field, i8, u64),
}

#[derive(Arbitrary, Debug)]
struct Case {
    rust: bool,
    users: Vec<AccountSpec>,
    caller_metas: Vec<CallerMeta>,
    with_system: bool,
    /// Stores the caller does before invoking: (position, field, delta) in its input, value.
    caller_stores: Vec<CallerOp>,
    instruction: InstructionSpec,
    /// Leave out the correct infos made for each account of the invoked instruction.
    no_auto_infos: bool,
    infos: Vec<InfoSpec>,
    signers: Vec<SignerSpec>,
    regs: [Reg; 5],
    patches: Vec<(u16, u64, bool)>,
}

fn runtimes() -> &'static [ProgramRuntime; 2] {
    static RUNTIMES: OnceLock<[ProgramRuntime; 2]> = OnceLock::new();
    RUNTIMES.get_or_init(|| {
        let assembled = sbvm::isa::asm::assemble(SCRIPT, SbpfVersion::V0).unwrap();
        let elf = sbvm::elf::write_elf(&assembled).unwrap();
        Engine::ALL.map(|engine| {
            let mut runtime = ProgramRuntime::new();
            runtime.set_engine(engine).unwrap();
            for id in [CALLER, CALLEE] {
                runtime.add_program(id, ids::BPF_LOADER, &elf).unwrap();
            }
            runtime
        })
    })
}

/// Program-derived addresses of the caller for seeds `[index]`, with their bumps.
fn pdas() -> &'static [(Pubkey, u8); MAX_USERS] {
    static PDAS: OnceLock<[(Pubkey, u8); MAX_USERS]> = OnceLock::new();
    PDAS.get_or_init(|| {
        std::array::from_fn(|index| {
            Pubkey::find_program_address(&[&[index as u8]], &CALLER).unwrap()
        })
    })
}

/// Where an account's record lies in a serialized input (ABI v1).
#[derive(Clone, Copy, Default)]
struct Record {
    record: u64,
    data_len: u64,
}

impl Record {
    fn field(self, field: Field) -> u64 {
        let r = self.record;
        match field {
            Field::Record => r,
            Field::Key => r + 8,
            Field::Owner => r + 40,
            Field::Lamports => r + 72,
            Field::DataLen => r + 80,
            Field::Data => r + 88,
            Field::DataEnd => r + 88 + self.data_len,
        }
    }
}

/// The records of an input over accounts with these keys and data lengths.
fn layout(accounts: &[(Pubkey, u64)]) -> Vec<Record> {
    let mut records: Vec<Record> = Vec::with_capacity(accounts.len());
    let mut addr = INPUT + 8;
    for (position, (key, data_len)) in accounts.iter().enumerate() {
        if let Some(first) = accounts[..position].iter().position(|(k, _)| k == key) {
            records.push(records[first]);
            addr += 8;
            continue;
        }
        records.push(Record {
            record: addr,
            data_len: *data_len,
        });
        addr = (addr + 88 + data_len + DATA_ROOM).next_multiple_of(8) + 8;
    }
    records
}

struct Blob {
    bytes: Vec<u8>,
}

impl Blob {
    fn alloc(&mut self, len: usize) -> usize {
        let offset = self.bytes.len().next_multiple_of(8);
        self.bytes.resize(offset + len, 0);
        offset
    }

    fn put(&mut self, bytes: &[u8]) -> usize {
        let offset = self.alloc(bytes.len());
        self.bytes[offset..offset + bytes.len()].copy_from_slice(bytes);
        offset
    }

    fn set(&mut self, offset: usize, value: u64) {
        self.bytes[offset..offset + 8].copy_from_slice(&value.to_le_bytes());
    }

    fn addr(offset: usize) -> u64 {
        HEAP + offset as u64
    }
}

struct Resolver<'a> {
    records: &'a [Record],
}

impl Resolver<'_> {
    fn record(&self, position: u8) -> Record {
        if self.records.is_empty() {
            return Record::default();
        }
        self.records[usize::from(position) % self.records.len()]
    }

    fn ptr(&self, ptr: Ptr) -> u64 {
        match ptr {
            Ptr::Field(position, field) => self.record(position).field(field),
            Ptr::Near(position, field, delta) => self
                .record(position)
                .field(field)
                .wrapping_add_signed(i64::from(delta)),
            Ptr::Heap(offset) => HEAP + u64::from(offset),
            Ptr::Stack(offset) => STACK + u64::from(offset),
            Ptr::Input(offset) => INPUT + u64::from(offset),
            Ptr::Raw(value) => value,
        }
    }

    fn ptr_or(&self, ptr: Option<Ptr>, default: u64) -> u64 {
        ptr.map_or(default, |ptr| self.ptr(ptr))
    }
}

fn record(op: u64, args: [u64; 5]) -> Vec<u8> {
    std::iter::once(op)
        .chain(args)
        .flat_map(u64::to_le_bytes)
        .collect()
}

/// The callee's script: its targets are offsets into its own input (tag 1).
fn callee_data(data: &CalleeData, records: &[Record]) -> Vec<u8> {
    let ops = match data {
        CalleeData::Raw(bytes) => return bytes.clone(),
        CalleeData::Script(ops) => ops,
    };
    let target = |target: &Target| {
        let addr = if records.is_empty() {
            INPUT
        } else {
            records[usize::from(target.position) % records.len()].field(target.field)
        };
        let addr = addr.wrapping_add_signed(i64::from(target.delta));
        TAG_INPUT | (addr.wrapping_sub(INPUT) & ((1 << 56) - 1))
    };
    let mut script = Vec::new();
    for op in ops.iter().take(16) {
        script.extend(match op {
            CalleeOp::Store64(t, value) => {
                record(OP_STORE64, [target(t), *value & ((1 << 56) - 1), 0, 0, 0])
            }
            CalleeOp::Store8(t, value) => {
                record(OP_STORE8, [target(t), u64::from(*value), 0, 0, 0])
            }
            CalleeOp::Add64(t, value) => record(OP_ADD64, [target(t), *value, 0, 0, 0]),
            CalleeOp::Log(t, len) => record(OP_LOG, [target(t), u64::from(*len), 0, 0, 0]),
            CalleeOp::ReturnData(t, len) => {
                record(OP_SET_RETURN_DATA, [target(t), u64::from(*len), 0, 0, 0])
            }
            CalleeOp::Exit(code) => record(OP_EXIT, [u64::from(*code), 0, 0, 0, 0]),
            CalleeOp::Change(change) => change.script(records),
        });
    }
    script.extend(record(OP_EXIT, [0; 5]));
    script
}

fuzz_target!(|case: Case| {
    if case.users.len() > MAX_USERS
        || case.caller_metas.len() > 24
        || case.instruction.metas.len() > 64
        || case.infos.len() > 64
        || case.signers.len() > 20
        || case.caller_stores.len() > 4
        || case.patches.len() > 32
    {
        return;
    }
    // The accounts: users, the callee program, the system program (the caller is created by
    // the runtime as the instruction's program).
    let program = |owner: Pubkey, data: &[u8]| Account {
        lamports: 1,
        owner,
        executable: true,
        rent_epoch: 0,
        data: data.to_vec(),
    };
    let mut pool: Vec<(Pubkey, Account)> = case
        .users
        .iter()
        .enumerate()
        .map(|(index, spec)| {
            let key = if spec.pda {
                pdas()[index].0
            } else {
                Pubkey([index as u8 + 1; 32])
            };
            let owner = match spec.owner {
                Owner::Caller => CALLER,
                Owner::Callee => CALLEE,
                Owner::System => ids::SYSTEM_PROGRAM,
                Owner::Other => Pubkey([0xee; 32]),
            };
            let account = Account {
                lamports: u64::from(spec.lamports),
                owner,
                executable: spec.executable,
                rent_epoch: 0,
                data: vec![index as u8; usize::from(spec.data_len)],
            };
            (key, account)
        })
        .collect();
    pool.push((CALLEE, program(ids::BPF_LOADER, &[])));
    pool.push((
        ids::SYSTEM_PROGRAM,
        program(ids::NATIVE_LOADER, b"system_program"),
    ));
    pool.push((CALLER, program(ids::BPF_LOADER, &[])));
    let pick = |pick: Pick| &pool[usize::from(pick.0) % pool.len()];

    // The caller's instruction: the chosen accounts, then the callee (and the system program).
    let mut caller_metas: Vec<AccountMeta> = case
        .caller_metas
        .iter()
        .map(|meta| AccountMeta {
            pubkey: pick(meta.pick).0,
            is_signer: meta.signer,
            is_writable: meta.writable,
        })
        .collect();
    caller_metas.push(AccountMeta {
        pubkey: CALLEE,
        is_signer: false,
        is_writable: false,
    });
    if case.with_system {
        caller_metas.push(AccountMeta {
            pubkey: ids::SYSTEM_PROGRAM,
            is_signer: false,
            is_writable: false,
        });
    }
    let data_len_of = |key: &Pubkey| {
        pool.iter()
            .find(|(k, _)| k == key)
            .map_or(0, |(_, account)| account.data.len() as u64)
    };
    let caller_keys: Vec<(Pubkey, u64)> = caller_metas
        .iter()
        .map(|meta| (meta.pubkey, data_len_of(&meta.pubkey)))
        .collect();
    let records = layout(&caller_keys);
    let resolve = Resolver { records: &records };

    // The invoked instruction.
    let spec = &case.instruction;
    let callee_id = match &spec.callee {
        CalleeChoice::Callee => CALLEE,
        CalleeChoice::System => ids::SYSTEM_PROGRAM,
        CalleeChoice::Caller => CALLER,
        CalleeChoice::Pick(p) => pick(*p).0,
        CalleeChoice::Raw(bytes) => Pubkey(*bytes),
    };
    let metas: Vec<(Pubkey, u8, u8)> = spec
        .metas
        .iter()
        .map(|meta| {
            let (signer, writable) = meta
                .raw_flags
                .unwrap_or((u8::from(meta.signer), u8::from(meta.writable)));
            let key = match meta.key {
                MetaKey::Position(position) => {
                    caller_keys[usize::from(position) % caller_keys.len()].0
                }
                MetaKey::Pool(p) => pick(p).0,
                MetaKey::Raw(byte) => Pubkey([byte; 32]),
            };
            (key, signer, writable)
        })
        .collect();
    // Infos: a correct one for each account of the invoked instruction (by its first position
    // in the caller's), then the fuzzer's.
    let auto_infos = spec.metas.iter().filter_map(|meta| match meta.key {
        MetaKey::Position(position) if !case.no_auto_infos => Some(InfoSpec {
            position,
            key: None,
            lamports: None,
            data: None,
            owner: None,
            data_len: None,
            lamports_rc: None,
            data_rc: None,
            rc_header: None,
            flags: [0; 3],
            rent_epoch: 0,
        }),
        _ => None,
    });
    let infos: Vec<InfoSpec> = auto_infos
        .chain(case.infos.iter().map(InfoSpec::clone))
        .collect();
    let callee_keys: Vec<(Pubkey, u64)> = metas
        .iter()
        .map(|(key, _, _)| (*key, data_len_of(key)))
        .collect();
    let data = callee_data(&spec.data, &layout(&callee_keys));
    if data.len() > 12 * 1024 {
        return;
    }

    let mut blob = Blob { bytes: Vec::new() };
    let instruction_addr = if case.rust {
        let header = blob.alloc(80);
        let metas_at = blob.alloc(34 * metas.len());
        for (index, (key, signer, writable)) in metas.iter().enumerate() {
            let at = metas_at + 34 * index;
            blob.bytes[at..at + 32].copy_from_slice(key.as_bytes());
            blob.bytes[at + 32] = *signer;
            blob.bytes[at + 33] = *writable;
        }
        let data_at = blob.put(&data);
        let metas_addr = resolve.ptr_or(spec.metas_ptr, Blob::addr(metas_at));
        let data_addr = resolve.ptr_or(spec.data_ptr, Blob::addr(data_at));
        blob.set(header, metas_addr);
        blob.set(header + 8, spec.caps.0);
        blob.set(header + 16, spec.metas_len.unwrap_or(metas.len() as u64));
        blob.set(header + 24, data_addr);
        blob.set(header + 32, spec.caps.1);
        blob.set(header + 40, spec.data_len.unwrap_or(data.len() as u64));
        blob.bytes[header + 48..header + 80].copy_from_slice(callee_id.as_bytes());
        Blob::addr(header)
    } else {
        let header = blob.alloc(40);
        let program_at = blob.put(callee_id.as_bytes());
        let metas_at = blob.alloc(16 * metas.len());
        for (index, (key, signer, writable)) in metas.iter().enumerate() {
            let key_at = blob.put(key.as_bytes());
            let at = metas_at + 16 * index;
            blob.set(at, Blob::addr(key_at));
            blob.bytes[at + 8] = *writable;
            blob.bytes[at + 9] = *signer;
        }
        let data_at = blob.put(&data);
        let program_addr = resolve.ptr_or(spec.program_ptr, Blob::addr(program_at));
        let metas_addr = resolve.ptr_or(spec.metas_ptr, Blob::addr(metas_at));
        let data_addr = resolve.ptr_or(spec.data_ptr, Blob::addr(data_at));
        blob.set(header, program_addr);
        blob.set(header + 8, metas_addr);
        blob.set(header + 16, spec.metas_len.unwrap_or(metas.len() as u64));
        blob.set(header + 24, data_addr);
        blob.set(header + 32, spec.data_len.unwrap_or(data.len() as u64));
        Blob::addr(header)
    };

    // The account infos.
    let info_size = if case.rust { 48 } else { 56 };
    let infos_at = blob.alloc(info_size * infos.len());
    for (index, info) in infos.iter().enumerate() {
        let at = infos_at + info_size * index;
        let account = resolve.record(info.position);
        let key = resolve.ptr_or(info.key, account.field(Field::Key));
        let lamports = resolve.ptr_or(info.lamports, account.field(Field::Lamports));
        let data = resolve.ptr_or(info.data, account.field(Field::Data));
        let owner = resolve.ptr_or(info.owner, account.field(Field::Owner));
        let data_len = info.data_len.unwrap_or(account.data_len);
        let flags_at = if case.rust {
            let (strong, weak, borrow) = info.rc_header.unwrap_or((1, 1, 0));
            let lamports_box = blob.alloc(32);
            for (slot, value) in [strong, weak, borrow, lamports].into_iter().enumerate() {
                blob.set(lamports_box + 8 * slot, value);
            }
            let data_box = blob.alloc(40);
            for (slot, value) in [strong, weak, borrow, data, data_len]
                .into_iter()
                .enumerate()
            {
                blob.set(data_box + 8 * slot, value);
            }
            let lamports_rc = resolve.ptr_or(info.lamports_rc, Blob::addr(lamports_box));
            let data_rc = resolve.ptr_or(info.data_rc, Blob::addr(data_box));
            for (slot, value) in [key, lamports_rc, data_rc, owner, info.rent_epoch]
                .into_iter()
                .enumerate()
            {
                blob.set(at + 8 * slot, value);
            }
            at + 40
        } else {
            for (slot, value) in [key, lamports, data_len, data, owner, info.rent_epoch]
                .into_iter()
                .enumerate()
            {
                blob.set(at + 8 * slot, value);
            }
            at + 48
        };
        blob.bytes[flags_at..flags_at + 3].copy_from_slice(&info.flags);
    }

    // The signer seeds: [{ptr, len}] of [{ptr, len}] of bytes.
    let signers_at = blob.alloc(16 * case.signers.len());
    for (index, signer) in case.signers.iter().enumerate() {
        let seeds: Vec<Vec<u8>> = match signer {
            SignerSpec::Pda(user) => {
                let user = usize::from(*user) % MAX_USERS;
                vec![vec![user as u8], vec![pdas()[user].1]]
            }
            SignerSpec::Raw(seeds) => seeds
                .iter()
                .take(20)
                .map(|seed| seed.iter().take(40).copied().collect())
                .collect(),
        };
        let seeds_at = blob.alloc(16 * seeds.len());
        for (slot, seed) in seeds.iter().enumerate() {
            let seed_at = blob.put(seed);
            blob.set(seeds_at + 16 * slot, Blob::addr(seed_at));
            blob.set(seeds_at + 16 * slot + 8, seed.len() as u64);
        }
        blob.set(signers_at + 16 * index, Blob::addr(seeds_at));
        blob.set(signers_at + 16 * index + 8, seeds.len() as u64);
    }

    for &(offset, value, wide) in &case.patches {
        let offset = usize::from(offset);
        if wide {
            if offset + 8 <= blob.bytes.len() {
                blob.set(offset, value);
            }
        } else if offset < blob.bytes.len() {
            blob.bytes[offset] = value as u8;
        }
    }
    if blob.bytes.len() > MAX_BLOB {
        return;
    }

    let auto = [
        instruction_addr,
        Blob::addr(infos_at),
        infos.len() as u64,
        Blob::addr(signers_at),
        case.signers.len() as u64,
    ];
    let mut args = [0u64; 5];
    for (arg, (reg, auto)) in args.iter_mut().zip(case.regs.iter().zip(auto)) {
        *arg = match reg {
            Reg::Auto => auto,
            // Absolute addresses have a zero top byte: the script takes them as they are.
            Reg::Ptr(ptr) => resolve.ptr(*ptr),
        };
    }

    // The caller's script: its stores, copy the blob, invoke, exit with the result.
    let mut script = Vec::new();
    for op in &case.caller_stores {
        script.extend(match *op {
            CallerOp::Change(ref change) => change.script(&records),
            CallerOp::Store(position, field, delta, value) => {
                let addr = resolve
                    .record(position)
                    .field(field)
                    .wrapping_add_signed(i64::from(delta));
                let arg = TAG_INPUT | (addr.wrapping_sub(INPUT) & ((1 << 56) - 1));
                record(OP_STORE64, [arg, value & ((1 << 56) - 1), 0, 0, 0])
            }
        });
    }
    let records_len = script.len() + 4 * 48;
    let blob_arg = TAG_DATA | records_len as u64;
    let blob_len = blob.bytes.len() as u64;
    script.extend(record(OP_MEMCPY, [HEAP, blob_arg, blob_len, 0, 0]));
    let stack_len = blob_len.min(STACK_COPY as u64);
    script.extend(record(OP_MEMCPY, [STACK, blob_arg, stack_len, 0, 0]));
    let invoke = if case.rust {
        OP_INVOKE_RUST
    } else {
        OP_INVOKE_C
    };
    script.extend(record(invoke, args));
    script.extend(record(OP_EXIT_LAST, [0; 5]));
    debug_assert_eq!(script.len(), records_len);
    script.extend_from_slice(&blob.bytes);

    let instruction = Instruction {
        program_id: CALLER,
        accounts: caller_metas,
        data: script,
    };
    let [interpreter, jit] = runtimes();
    let results: Vec<Result<InstructionResult, String>> = [interpreter, jit]
        .iter()
        .map(|runtime| {
            runtime
                .process_instruction(&instruction, &pool)
                .map_err(|error| error.to_string())
        })
        .collect();
    assert_eq!(results[0], results[1], "the engines disagree on {case:?}");
});
