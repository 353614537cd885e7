//! The vocabulary of the instruction table: what a row says about an instruction (its
//! [`Kind`], operands, sizes, conditions) and which versions have it ([`Availability`],
//! [`Feature`]), and which slots of an opcode it takes ([`Selector`]).

use crate::isa::insn::Insn;
use crate::isa::version::SbpfVersion;

/// Operand width of an ALU operation or a conditional jump's comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Width {
    /// 32-bit: operate on the low halves.
    W32,
    /// 64-bit.
    W64,
}

impl Width {
    /// Number of bits.
    pub const fn bits(self) -> u32 {
        match self {
            Width::W32 => 32,
            Width::W64 => 64,
        }
    }
}

/// Where the second operand comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// The sign-extended 32-bit immediate.
    Imm,
    /// The `src` register.
    Reg,
}

/// Size of a memory access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemSize {
    /// One byte.
    B1,
    /// Two bytes.
    B2,
    /// Four bytes.
    B4,
    /// Eight bytes.
    B8,
}

impl MemSize {
    /// Number of bytes.
    pub const fn bytes(self) -> u64 {
        match self {
            MemSize::B1 => 1,
            MemSize::B2 => 2,
            MemSize::B4 => 4,
            MemSize::B8 => 8,
        }
    }
}

/// Arithmetic and logic operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AluOp {
    /// dst += src
    Add,
    /// dst -= src (V2 with an immediate: dst = imm - dst)
    Sub,
    /// dst *= src (before V2)
    Mul,
    /// dst /= src, unsigned (before V2)
    Div,
    /// dst |= src
    Or,
    /// dst &= src
    And,
    /// dst <<= src
    Lsh,
    /// dst >>= src, logical
    Rsh,
    /// dst = -dst (before V2; takes no operand)
    Neg,
    /// dst %= src, unsigned (before V2)
    Mod,
    /// dst ^= src
    Xor,
    /// dst = src
    Mov,
    /// dst >>= src, arithmetic
    Arsh,
    /// dst |= imm << 32 (V2, replaces lddw)
    Hor,
    /// Low half of the product (V2).
    Lmul,
    /// High half of the unsigned 128-bit product (V2).
    Uhmul,
    /// High half of the signed 128-bit product (V2).
    Shmul,
    /// Unsigned division (V2).
    Udiv,
    /// Unsigned remainder (V2).
    Urem,
    /// Signed division (V2).
    Sdiv,
    /// Signed remainder (V2; eBPF `smod`).
    Srem,
    /// `dst = src`'s low byte, sign-extended (eBPF `movsx8`).
    MovSext8,
    /// `dst = src`'s low 16 bits, sign-extended (eBPF `movsx16`).
    MovSext16,
    /// `dst = src`'s low 32 bits, sign-extended (eBPF `movsx32`).
    MovSext32,
}

impl AluOp {
    /// Division and remainder: an immediate divisor of zero is rejected by the verifier.
    pub const fn divides(self) -> bool {
        matches!(
            self,
            AluOp::Div | AluOp::Mod | AluOp::Udiv | AluOp::Urem | AluOp::Sdiv | AluOp::Srem
        )
    }
    /// Shifts: an immediate shift amount must be below the operand width.
    pub const fn shifts(self) -> bool {
        matches!(self, AluOp::Lsh | AluOp::Rsh | AluOp::Arsh)
    }
}

/// Conditions of conditional jumps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cond {
    /// ==
    Eq,
    /// > unsigned
    Gt,
    /// >= unsigned
    Ge,
    /// < unsigned
    Lt,
    /// <= unsigned
    Le,
    /// dst & src != 0
    Set,
    /// !=
    Ne,
    /// > signed
    Sgt,
    /// >= signed
    Sge,
    /// < signed
    Slt,
    /// <= signed
    Sle,
}

/// Byte order targeted by `le` / `be`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    /// `le16/32/64`: truncate to the size (the host is little-endian).
    Little,
    /// `be16/32/64`: swap the low `imm` bits' bytes.
    Big,
    /// eBPF `bswap16/32/64`: swap whatever the host's order (on a little-endian host, `be`).
    Swap,
}

/// A read-modify-write of memory (eBPF atomics), named by the instruction's immediate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AtomicOp {
    /// `[dst+off] += src`
    Add,
    /// `[dst+off] |= src`
    Or,
    /// `[dst+off] &= src`
    And,
    /// `[dst+off] ^= src`
    Xor,
    /// Swap `src` and `[dst+off]` (always fetches).
    Xchg,
    /// If `[dst+off] == r0`, store `src`; `r0` gets the old value either way (always fetches).
    Cmpxchg,
}

/// The fetch flag of an atomic's immediate: the old value comes back in `src`.
pub const ATOMIC_FETCH: i32 = 0x01;

impl AtomicOp {
    /// The operation and whether it fetches, from an atomic instruction's immediate (RFC 9669
    /// §5.3: the ALU operation code, `| FETCH`; `xchg` = 0xe0 | FETCH, `cmpxchg` = 0xf0 | FETCH).
    pub const fn from_imm(imm: i32) -> Option<(AtomicOp, bool)> {
        match imm {
            0x00 => Some((AtomicOp::Add, false)),
            0x01 => Some((AtomicOp::Add, true)),
            0x40 => Some((AtomicOp::Or, false)),
            0x41 => Some((AtomicOp::Or, true)),
            0x50 => Some((AtomicOp::And, false)),
            0x51 => Some((AtomicOp::And, true)),
            0xa0 => Some((AtomicOp::Xor, false)),
            0xa1 => Some((AtomicOp::Xor, true)),
            0xe1 => Some((AtomicOp::Xchg, true)),
            0xf1 => Some((AtomicOp::Cmpxchg, true)),
            _ => None,
        }
    }

    /// The immediate that encodes the operation (with the fetch flag when `fetch`).
    pub const fn imm(self, fetch: bool) -> i32 {
        let base = match self {
            AtomicOp::Add => 0x00,
            AtomicOp::Or => 0x40,
            AtomicOp::And => 0x50,
            AtomicOp::Xor => 0xa0,
            AtomicOp::Xchg => return 0xe1,
            AtomicOp::Cmpxchg => return 0xf1,
        };
        if fetch {
            base | ATOMIC_FETCH
        } else {
            base
        }
    }

    /// Its name in the assembler's `lock` syntax.
    pub const fn name(self) -> &'static str {
        match self {
            AtomicOp::Add => "add",
            AtomicOp::Or => "or",
            AtomicOp::And => "and",
            AtomicOp::Xor => "xor",
            AtomicOp::Xchg => "xchg",
            AtomicOp::Cmpxchg => "cmpxchg",
        }
    }

    /// Every operation.
    pub const ALL: [AtomicOp; 6] = [
        AtomicOp::Add,
        AtomicOp::Or,
        AtomicOp::And,
        AtomicOp::Xor,
        AtomicOp::Xchg,
        AtomicOp::Cmpxchg,
    ];
}

/// What an instruction does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `op dst, src|imm` (or `neg dst`).
    Alu {
        /// The operation.
        op: AluOp,
        /// 32 or 64 bits.
        width: Width,
        /// Immediate or register operand.
        source: Source,
    },
    /// `le16 dst` / `be64 dst`: the immediate is the size in bits.
    Endian(ByteOrder),
    /// `lddw dst, imm64`: two slots, the second holds the high half in its immediate.
    LoadImm64,
    /// `ldx dst, [src+off]`.
    Load(MemSize),
    /// eBPF `ldxs dst, [src+off]`: the value sign-extended.
    LoadSigned(MemSize),
    /// eBPF `lock op [dst+off], src`: the immediate names the [`AtomicOp`].
    Atomic(MemSize),
    /// `st [dst+off], imm` or `stx [dst+off], src`.
    Store(MemSize, Source),
    /// `ja off`.
    Jump,
    /// eBPF `gotol imm` (`ja32`): a jump whose 32-bit immediate is the offset.
    JumpLong,
    /// `jcc dst, src|imm, off`.
    JumpIf {
        /// The comparison.
        cond: Cond,
        /// 64-bit, or JMP32's low halves.
        width: Width,
        /// Immediate or register operand.
        source: Source,
    },
    /// `call imm`: a syscall or an internal function.
    Call,
    /// `callx reg`.
    CallReg,
    /// `exit`: return to the caller, or end the program.
    Exit,
}

impl Kind {
    /// Stores may name r10 as their destination (they write memory, not the register);
    /// so may atomics, whose `dst` is an address.
    pub const fn is_store(self) -> bool {
        matches!(self, Kind::Store(..) | Kind::Atomic(_))
    }
    /// The instruction occupies two slots.
    pub const fn is_wide(self) -> bool {
        matches!(self, Kind::LoadImm64)
    }
    /// A jump: its target is relative ([`Kind::jump_offset`]) and the verifier checks it.
    pub const fn jumps(self) -> bool {
        matches!(self, Kind::Jump | Kind::JumpIf { .. } | Kind::JumpLong)
    }
    /// A jump's offset from the next slot: `off`, or the immediate for eBPF's `gotol`.
    pub const fn jump_offset(self, insn: &Insn) -> Option<i32> {
        match self {
            Kind::Jump | Kind::JumpIf { .. } => Some(insn.off as i32),
            Kind::JumpLong => Some(insn.imm),
            _ => None,
        }
    }
}

/// A version feature that decides whether a row exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feature {
    /// `lddw` (all but V2).
    Lddw,
    /// `hor64` (V2).
    HighOr,
    /// `le` (all but V2).
    Le,
    /// `neg32`, `neg64` (all but V2).
    Negation,
    /// mul, div, mod (all but V2).
    MulDivMod,
    /// The PQR class (V2).
    Pqr,
    /// Loads and stores in the classic classes 0x01, 0x02, 0x03 (all but V2).
    ClassicMemory,
    /// Loads and stores on the moved opcodes (V2).
    MovedMemory,
    /// The JMP32 class (V3, V4, eBPF).
    Jmp32,
    /// Rows only Linux eBPF has: atomics, signed division, sign-extending moves and loads,
    /// `bswap`, `gotol`.
    LinuxEbpf,
}

impl Feature {
    /// Whether `version` has this feature.
    pub const fn enabled_in(self, version: SbpfVersion) -> bool {
        match self {
            Feature::Lddw => !version.disable_lddw(),
            Feature::HighOr => version.disable_lddw(),
            Feature::Le => !version.disable_le(),
            Feature::Negation => !version.disable_neg(),
            Feature::MulDivMod => !version.enable_pqr(),
            Feature::Pqr => version.enable_pqr(),
            Feature::ClassicMemory => !version.move_memory_instruction_classes(),
            Feature::MovedMemory => version.move_memory_instruction_classes(),
            Feature::Jmp32 => version.enable_jmp32(),
            Feature::LinuxEbpf => version.linux_ebpf(),
        }
    }
}

/// Which versions have a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Availability {
    /// Every version.
    Always,
    /// Versions with the feature.
    With(Feature),
}

impl Availability {
    /// Whether `version` has the row.
    pub const fn in_version(self, version: SbpfVersion) -> bool {
        match self {
            Availability::Always => true,
            Availability::With(feature) => feature.enabled_in(version),
        }
    }
}

/// Which slots of an opcode a row takes, by another field (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Selector {
    /// Every slot the opcode's other rows do not select.
    Any,
    /// Slots whose `off` is this value.
    Offset(i16),
}

impl Selector {
    /// Whether `insn` is one of this row's slots.
    pub const fn matches(self, insn: &Insn) -> bool {
        match self {
            Selector::Any => true,
            Selector::Offset(off) => insn.off == off,
        }
    }
}

/// One row of the instruction table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpInfo {
    /// The opcode byte.
    pub opcode: u8,
    /// Which of the opcode's slots are this row's.
    pub selector: Selector,
    /// Canonical mnemonic, as the disassembler prints it (`le`/`be` get the size appended).
    pub mnemonic: &'static str,
    /// What it does.
    pub kind: Kind,
    /// Which versions have it.
    pub availability: Availability,
}

impl OpInfo {
    /// Whether `version` has this row.
    pub const fn in_version(&self, version: SbpfVersion) -> bool {
        self.availability.in_version(version)
    }
}
