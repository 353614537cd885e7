//! The one instruction table.
//!
//! Every opcode sbvm knows is one row of [`TABLE`]: its byte, its mnemonic, what it does
//! ([`Kind`]) and the versions that have it ([`Availability`]). Decoding, encoding, the
//! assembler, the disassembler and the verifier all read this table; nothing else lists opcodes.
//!
//! An opcode byte is `operation | source | class`:
//!
//! ```text
//!   7   6   5   4   3   2   1   0
//! +---------------+---+-----------+
//! |   operation   | s |   class   |    s = 0: immediate operand (K), 1: register operand (X)
//! +---------------+---+-----------+
//! ```
//!
//! The same byte can mean different things in different versions: V2 moves loads and stores
//! onto the opcodes that mul/div/mod/neg left free and puts the PQR class at 0x06, while V3
//! puts JMP32 at 0x06. So a row is identified by (opcode, availability), and within any one
//! version an opcode byte selects at most one row (checked at compile time when the decode tables
//! are built).
//!
//! Linux eBPF (cpu v4) packs a few operations into another field of the same opcode: `sdiv`
//! and `smod` are `div`/`mod` with `off = 1`, and the sign-extending moves are `mov` with
//! `off = 8, 16, 32`. Such a row carries a [`Selector`]; a slot selects the row whose selector
//! its field matches, else the opcode's plain row. The atomics (`imm` names the operation) and
//! the byte swaps (`imm` names the width) keep one row each and read the immediate as an
//! operand, as `le`/`be` always have.

mod decode;
mod vocabulary;

pub use decode::{lookup, rows_named};
pub use vocabulary::*;

use AluOp::*;
use Availability::{Always, With};
use Feature::*;
use Kind::*;
use MemSize::*;
use Source::{Imm as K, Reg as X};
use Width::{W32, W64};

const fn alu(
    opcode: u8,
    mnemonic: &'static str,
    op: AluOp,
    width: Width,
    source: Source,
) -> OpInfo {
    alu_with(opcode, mnemonic, op, width, source, Always)
}
const fn alu_with(
    opcode: u8,
    mnemonic: &'static str,
    op: AluOp,
    width: Width,
    source: Source,
    availability: Availability,
) -> OpInfo {
    OpInfo {
        opcode,
        selector: Selector::Any,
        mnemonic,
        kind: Alu { op, width, source },
        availability,
    }
}
const fn row(opcode: u8, mnemonic: &'static str, kind: Kind, availability: Availability) -> OpInfo {
    OpInfo {
        opcode,
        selector: Selector::Any,
        mnemonic,
        kind,
        availability,
    }
}
/// An eBPF row that an opcode's `off` field selects.
const fn by_offset(
    opcode: u8,
    off: i16,
    mnemonic: &'static str,
    op: AluOp,
    width: Width,
    source: Source,
) -> OpInfo {
    OpInfo {
        selector: Selector::Offset(off),
        ..alu_with(opcode, mnemonic, op, width, source, With(LinuxEbpf))
    }
}
const fn jcc(
    opcode: u8,
    mnemonic: &'static str,
    cond: Cond,
    width: Width,
    source: Source,
) -> OpInfo {
    let availability = match width {
        W32 => With(Jmp32),
        W64 => Always,
    };
    row(
        opcode,
        mnemonic,
        JumpIf {
            cond,
            width,
            source,
        },
        availability,
    )
}

/// Every instruction of every version. Order matters only for the assembler: when a mnemonic
/// has several rows and none is available in the target version, the first one is encoded
/// (so the verifier can reject it the way the reference does).
#[rustfmt::skip]
pub const TABLE: &[OpInfo] = &[
    // ---- 64-bit immediate load (class 0x00) ----
    row(0x18, "lddw",   LoadImm64,                 With(Lddw)),

    // ---- classic loads and stores (classes 0x01 LDX, 0x02 ST, 0x03 STX) ----
    row(0x71, "ldxb",   Load(B1),                  With(ClassicMemory)),
    row(0x69, "ldxh",   Load(B2),                  With(ClassicMemory)),
    row(0x61, "ldxw",   Load(B4),                  With(ClassicMemory)),
    row(0x79, "ldxdw",  Load(B8),                  With(ClassicMemory)),
    row(0x72, "stb",    Store(B1, K),              With(ClassicMemory)),
    row(0x6a, "sth",    Store(B2, K),              With(ClassicMemory)),
    row(0x62, "stw",    Store(B4, K),              With(ClassicMemory)),
    row(0x7a, "stdw",   Store(B8, K),              With(ClassicMemory)),
    row(0x73, "stxb",   Store(B1, X),              With(ClassicMemory)),
    row(0x6b, "stxh",   Store(B2, X),              With(ClassicMemory)),
    row(0x63, "stxw",   Store(B4, X),              With(ClassicMemory)),
    row(0x7b, "stxdw",  Store(B8, X),              With(ClassicMemory)),

    // ---- V2: loads in class 0x04, stores in class 0x07 ----
    row(0x2c, "ldxb",   Load(B1),                  With(MovedMemory)),
    row(0x3c, "ldxh",   Load(B2),                  With(MovedMemory)),
    row(0x8c, "ldxw",   Load(B4),                  With(MovedMemory)),
    row(0x9c, "ldxdw",  Load(B8),                  With(MovedMemory)),
    row(0x27, "stb",    Store(B1, K),              With(MovedMemory)),
    row(0x37, "sth",    Store(B2, K),              With(MovedMemory)),
    row(0x87, "stw",    Store(B4, K),              With(MovedMemory)),
    row(0x97, "stdw",   Store(B8, K),              With(MovedMemory)),
    row(0x2f, "stxb",   Store(B1, X),              With(MovedMemory)),
    row(0x3f, "stxh",   Store(B2, X),              With(MovedMemory)),
    row(0x8f, "stxw",   Store(B4, X),              With(MovedMemory)),
    row(0x9f, "stxdw",  Store(B8, X),              With(MovedMemory)),

    // ---- 32-bit ALU (class 0x04) ----
    alu(0x04, "add32",  Add,  W32, K),
    alu(0x0c, "add32",  Add,  W32, X),
    alu(0x14, "sub32",  Sub,  W32, K),
    alu(0x1c, "sub32",  Sub,  W32, X),
    alu_with(0x24, "mul32", Mul, W32, K, With(MulDivMod)),
    alu_with(0x2c, "mul32", Mul, W32, X, With(MulDivMod)),
    alu_with(0x34, "div32", Div, W32, K, With(MulDivMod)),
    alu_with(0x3c, "div32", Div, W32, X, With(MulDivMod)),
    alu(0x44, "or32",   Or,   W32, K),
    alu(0x4c, "or32",   Or,   W32, X),
    alu(0x54, "and32",  And,  W32, K),
    alu(0x5c, "and32",  And,  W32, X),
    alu(0x64, "lsh32",  Lsh,  W32, K),
    alu(0x6c, "lsh32",  Lsh,  W32, X),
    alu(0x74, "rsh32",  Rsh,  W32, K),
    alu(0x7c, "rsh32",  Rsh,  W32, X),
    alu_with(0x84, "neg32", Neg, W32, K, With(Negation)),
    alu_with(0x94, "mod32", Mod, W32, K, With(MulDivMod)),
    alu_with(0x9c, "mod32", Mod, W32, X, With(MulDivMod)),
    alu(0xa4, "xor32",  Xor,  W32, K),
    alu(0xac, "xor32",  Xor,  W32, X),
    alu(0xb4, "mov32",  Mov,  W32, K),
    alu(0xbc, "mov32",  Mov,  W32, X),
    alu(0xc4, "arsh32", Arsh, W32, K),
    alu(0xcc, "arsh32", Arsh, W32, X),
    row(0xd4, "le",     Endian(ByteOrder::Little), With(Le)),
    row(0xdc, "be",     Endian(ByteOrder::Big),    Always),

    // ---- 64-bit ALU (class 0x07) ----
    alu(0x07, "add64",  Add,  W64, K),
    alu(0x0f, "add64",  Add,  W64, X),
    alu(0x17, "sub64",  Sub,  W64, K),
    alu(0x1f, "sub64",  Sub,  W64, X),
    alu_with(0x27, "mul64", Mul, W64, K, With(MulDivMod)),
    alu_with(0x2f, "mul64", Mul, W64, X, With(MulDivMod)),
    alu_with(0x37, "div64", Div, W64, K, With(MulDivMod)),
    alu_with(0x3f, "div64", Div, W64, X, With(MulDivMod)),
    alu(0x47, "or64",   Or,   W64, K),
    alu(0x4f, "or64",   Or,   W64, X),
    alu(0x57, "and64",  And,  W64, K),
    alu(0x5f, "and64",  And,  W64, X),
    alu(0x67, "lsh64",  Lsh,  W64, K),
    alu(0x6f, "lsh64",  Lsh,  W64, X),
    alu(0x77, "rsh64",  Rsh,  W64, K),
    alu(0x7f, "rsh64",  Rsh,  W64, X),
    alu_with(0x87, "neg64", Neg, W64, K, With(Negation)),
    alu_with(0x97, "mod64", Mod, W64, K, With(MulDivMod)),
    alu_with(0x9f, "mod64", Mod, W64, X, With(MulDivMod)),
    alu(0xa7, "xor64",  Xor,  W64, K),
    alu(0xaf, "xor64",  Xor,  W64, X),
    alu(0xb7, "mov64",  Mov,  W64, K),
    alu(0xbf, "mov64",  Mov,  W64, X),
    alu(0xc7, "arsh64", Arsh, W64, K),
    alu(0xcf, "arsh64", Arsh, W64, X),
    alu_with(0xf7, "hor64", Hor, W64, K, With(HighOr)),

    // ---- V2: product, quotient, remainder (class 0x06; 0x10 marks 64 bits) ----
    alu_with(0x86, "lmul32",  Lmul,  W32, K, With(Pqr)),
    alu_with(0x8e, "lmul32",  Lmul,  W32, X, With(Pqr)),
    alu_with(0x96, "lmul64",  Lmul,  W64, K, With(Pqr)),
    alu_with(0x9e, "lmul64",  Lmul,  W64, X, With(Pqr)),
    alu_with(0x36, "uhmul64", Uhmul, W64, K, With(Pqr)),
    alu_with(0x3e, "uhmul64", Uhmul, W64, X, With(Pqr)),
    alu_with(0xb6, "shmul64", Shmul, W64, K, With(Pqr)),
    alu_with(0xbe, "shmul64", Shmul, W64, X, With(Pqr)),
    alu_with(0x46, "udiv32",  Udiv,  W32, K, With(Pqr)),
    alu_with(0x4e, "udiv32",  Udiv,  W32, X, With(Pqr)),
    alu_with(0x56, "udiv64",  Udiv,  W64, K, With(Pqr)),
    alu_with(0x5e, "udiv64",  Udiv,  W64, X, With(Pqr)),
    alu_with(0x66, "urem32",  Urem,  W32, K, With(Pqr)),
    alu_with(0x6e, "urem32",  Urem,  W32, X, With(Pqr)),
    alu_with(0x76, "urem64",  Urem,  W64, K, With(Pqr)),
    alu_with(0x7e, "urem64",  Urem,  W64, X, With(Pqr)),
    alu_with(0xc6, "sdiv32",  Sdiv,  W32, K, With(Pqr)),
    alu_with(0xce, "sdiv32",  Sdiv,  W32, X, With(Pqr)),
    alu_with(0xd6, "sdiv64",  Sdiv,  W64, K, With(Pqr)),
    alu_with(0xde, "sdiv64",  Sdiv,  W64, X, With(Pqr)),
    alu_with(0xe6, "srem32",  Srem,  W32, K, With(Pqr)),
    alu_with(0xee, "srem32",  Srem,  W32, X, With(Pqr)),
    alu_with(0xf6, "srem64",  Srem,  W64, K, With(Pqr)),
    alu_with(0xfe, "srem64",  Srem,  W64, X, With(Pqr)),

    // ---- V3+: 32-bit conditional jumps (class 0x06) ----
    jcc(0x16, "jeq32",  Cond::Eq,  W32, K),
    jcc(0x1e, "jeq32",  Cond::Eq,  W32, X),
    jcc(0x26, "jgt32",  Cond::Gt,  W32, K),
    jcc(0x2e, "jgt32",  Cond::Gt,  W32, X),
    jcc(0x36, "jge32",  Cond::Ge,  W32, K),
    jcc(0x3e, "jge32",  Cond::Ge,  W32, X),
    jcc(0x46, "jset32", Cond::Set, W32, K),
    jcc(0x4e, "jset32", Cond::Set, W32, X),
    jcc(0x56, "jne32",  Cond::Ne,  W32, K),
    jcc(0x5e, "jne32",  Cond::Ne,  W32, X),
    jcc(0x66, "jsgt32", Cond::Sgt, W32, K),
    jcc(0x6e, "jsgt32", Cond::Sgt, W32, X),
    jcc(0x76, "jsge32", Cond::Sge, W32, K),
    jcc(0x7e, "jsge32", Cond::Sge, W32, X),
    jcc(0xa6, "jlt32",  Cond::Lt,  W32, K),
    jcc(0xae, "jlt32",  Cond::Lt,  W32, X),
    jcc(0xb6, "jle32",  Cond::Le,  W32, K),
    jcc(0xbe, "jle32",  Cond::Le,  W32, X),
    jcc(0xc6, "jslt32", Cond::Slt, W32, K),
    jcc(0xce, "jslt32", Cond::Slt, W32, X),
    jcc(0xd6, "jsle32", Cond::Sle, W32, K),
    jcc(0xde, "jsle32", Cond::Sle, W32, X),

    // ---- jumps, calls, exit (class 0x05) ----
    row(0x05, "ja",     Jump,                      Always),
    jcc(0x15, "jeq",    Cond::Eq,  W64, K),
    jcc(0x1d, "jeq",    Cond::Eq,  W64, X),
    jcc(0x25, "jgt",    Cond::Gt,  W64, K),
    jcc(0x2d, "jgt",    Cond::Gt,  W64, X),
    jcc(0x35, "jge",    Cond::Ge,  W64, K),
    jcc(0x3d, "jge",    Cond::Ge,  W64, X),
    jcc(0x45, "jset",   Cond::Set, W64, K),
    jcc(0x4d, "jset",   Cond::Set, W64, X),
    jcc(0x55, "jne",    Cond::Ne,  W64, K),
    jcc(0x5d, "jne",    Cond::Ne,  W64, X),
    jcc(0x65, "jsgt",   Cond::Sgt, W64, K),
    jcc(0x6d, "jsgt",   Cond::Sgt, W64, X),
    jcc(0x75, "jsge",   Cond::Sge, W64, K),
    jcc(0x7d, "jsge",   Cond::Sge, W64, X),
    jcc(0xa5, "jlt",    Cond::Lt,  W64, K),
    jcc(0xad, "jlt",    Cond::Lt,  W64, X),
    jcc(0xb5, "jle",    Cond::Le,  W64, K),
    jcc(0xbd, "jle",    Cond::Le,  W64, X),
    jcc(0xc5, "jslt",   Cond::Slt, W64, K),
    jcc(0xcd, "jslt",   Cond::Slt, W64, X),
    jcc(0xd5, "jsle",   Cond::Sle, W64, K),
    jcc(0xdd, "jsle",   Cond::Sle, W64, X),
    row(0x85, "call",   Call,                      Always),
    row(0x8d, "callx",  CallReg,                   Always),
    row(0x95, "exit",   Exit,                      Always),

    // ---- Linux eBPF only (RFC 9669; cpu v3 atomics, cpu v4 the rest) ----
    row(0x81, "ldxsw",  LoadSigned(B4),            With(LinuxEbpf)),
    row(0x89, "ldxsh",  LoadSigned(B2),            With(LinuxEbpf)),
    row(0x91, "ldxsb",  LoadSigned(B1),            With(LinuxEbpf)),
    row(0xc3, "lock32", Atomic(B4),                With(LinuxEbpf)),
    row(0xdb, "lock64", Atomic(B8),                With(LinuxEbpf)),
    row(0x06, "gotol",  JumpLong,                  With(LinuxEbpf)),
    row(0xd7, "bswap",  Endian(ByteOrder::Swap),   With(LinuxEbpf)),
    by_offset(0x34, 1,  "sdiv32",     Sdiv,      W32, K),
    by_offset(0x3c, 1,  "sdiv32",     Sdiv,      W32, X),
    by_offset(0x37, 1,  "sdiv64",     Sdiv,      W64, K),
    by_offset(0x3f, 1,  "sdiv64",     Sdiv,      W64, X),
    by_offset(0x94, 1,  "smod32",     Srem,      W32, K),
    by_offset(0x9c, 1,  "smod32",     Srem,      W32, X),
    by_offset(0x97, 1,  "smod64",     Srem,      W64, K),
    by_offset(0x9f, 1,  "smod64",     Srem,      W64, X),
    by_offset(0xbc, 8,  "movsx832",   MovSext8,  W32, X),
    by_offset(0xbc, 16, "movsx1632",  MovSext16, W32, X),
    by_offset(0xbf, 8,  "movsx864",   MovSext8,  W64, X),
    by_offset(0xbf, 16, "movsx1664",  MovSext16, W64, X),
    by_offset(0xbf, 32, "movsx3264",  MovSext32, W64, X),
];
