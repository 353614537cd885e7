//! The op list: every operation both engines run, one row each, in engine-neutral terms.
//!
//! [`for_each_op!`] is the single source of truth. Each row names a [`Code`], optionally the
//! twin that takes its second operand from the immediate, and says what the op is:
//!
//! ```text
//!   Add32Sext => Add32SextImm : alu(Add, W32, Sign, Reg, Never);
//!   ───┬─────    ─────┬──────   ─┬─  ─┬─  ─┬─  ─┬──  ─┬─  ──┬──
//!    code      immediate twin  class  │  width  │  operand  fault class
//!                                 operation  result extension
//! ```
//!
//! From the rows come: the [`Code`] enum, the per-code [`OpFacts`] (`Code::facts`), the
//! immediate forms (`Code::with_immediate`), which codes end a straight-line run
//! (`Code::ends_run`) and the decoder's lookups (an operation, width and extension → its code).
//! The engines derive their own parts from the same list: the interpreter generates its
//! dispatch `match` by handing its own callback macro to [`for_each_op!`], and the JIT maps
//! each code's facts to its x86 recipe with a `const fn`. A new op is one new row.
//!
//! Aliases do not exist here: V2's `lmul`, `udiv` and `urem` compute what `mul`, `div` and
//! `mod` compute once the decoder has extended the immediate, so they decode to the same codes.

use crate::isa::table::{AtomicOp, Cond};

/// An arithmetic or logic operation (the width and extension are separate facts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arith {
    /// `dst + b`
    Add,
    /// `dst - b`
    Sub,
    /// `b - dst` (V2 `sub` with an immediate)
    SubRev,
    /// Low half of `dst * b`
    Mul,
    /// High half of the unsigned 128-bit product
    Uhmul,
    /// High half of the signed 128-bit product
    Shmul,
    /// `dst / b`, unsigned
    Div,
    /// `dst % b`, unsigned
    Rem,
    /// `dst / b`, signed
    Sdiv,
    /// `dst % b`, signed
    Srem,
    /// `dst | b`
    Or,
    /// `dst & b`
    And,
    /// `dst ^ b`
    Xor,
    /// `dst << b` (amount masked to the width)
    Lsh,
    /// `dst >> b`, logical
    Rsh,
    /// `dst >> b`, arithmetic
    Arsh,
    /// `b`
    Mov,
    /// `dst | b` where `b` is the immediate already shifted up by 32 (V2 `hor64`)
    Hor,
    /// `-dst`
    Neg,
    /// `dst` truncated to the width (the host is little-endian)
    LittleEndian,
    /// The width's low bytes of `dst`, reversed
    BigEndian,
    /// `b`'s low byte, sign-extended to the width (eBPF `movsx`)
    MovSext8,
    /// `b`'s low 16 bits, sign-extended to the width
    MovSext16,
    /// `b`'s low 32 bits, sign-extended to the width
    MovSext32,
}

/// How many bits an op works on (for loads and stores: how many it moves).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// One byte.
    W8,
    /// Two bytes.
    W16,
    /// Four bytes.
    W32,
    /// Eight bytes.
    W64,
}

impl Width {
    /// Number of bytes.
    pub const fn bytes(self) -> u8 {
        match self {
            Width::W8 => 1,
            Width::W16 => 2,
            Width::W32 => 4,
            Width::W64 => 8,
        }
    }
}

/// How a result narrower than 64 bits fills the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extension {
    /// The result is 64 bits wide: nothing to extend.
    Full,
    /// Zero-extended.
    Zero,
    /// Sign-extended (SBPF v0–v1 `add32`, `sub32`, `mul32`; V2 `mov32 dst, src`).
    Sign,
}

/// Where the second operand comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operand {
    /// The `src` register.
    Reg,
    /// The op's immediate ([`super::Op::imm`], already extended as the operation needs).
    Imm,
    /// There is none (unary operations, loads, control flow).
    Unused,
}

/// Which errors an op can raise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// None. (A division that cannot fault is total, as in eBPF: `x / 0 = 0`, `x % 0 = x`,
    /// `MIN / -1 = MIN`, `MIN % -1 = 0`.)
    Never,
    /// DivideByZero.
    DivideByZero,
    /// DivideByZero, or DivideOverflow for `MIN / -1`.
    DivideOverflow,
    /// A memory access fault.
    Access,
    /// Whatever a call or return raises (frames, budget, syscalls, targets).
    Call,
    /// InvalidInstruction.
    Invalid,
    /// UnsupportedInstruction.
    Unsupported,
}

/// What an op does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// `dst = dst ∘ b`.
    Alu(Arith),
    /// Jump to `aux` when `dst cond b`.
    Branch(Cond),
    /// `dst = [src + off]`.
    Load,
    /// `[dst + off] = b`.
    Store,
    /// `[dst + off] ∘= src`, atomically (eBPF `lock`).
    Atomic(AtomicOp),
    /// The same, and the old value comes back in `src` (`r0` for `cmpxchg`, which compares
    /// with `r0`).
    AtomicFetch(AtomicOp),
    /// Jump to `aux`.
    Jump,
    /// `dst = imm` (two slots).
    LoadImm64,
    /// Syscall number `aux`.
    CallSyscall,
    /// Call instruction `aux`.
    CallInternal,
    /// Syscall number `imm`, then call instruction `aux`.
    CallSyscallThenInternal,
    /// Call the instruction a register names.
    CallRegister,
    /// Call the syscall whose key a register holds (eBPF `callx`: a helper id).
    CallSyscallRegister,
    /// Return to the caller, or end the program.
    Exit,
    /// Raise the op's [`Fault`] (an instruction that decodes to nothing that runs).
    Fail,
}

/// Everything the list says about one code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpFacts {
    /// What it does.
    pub operation: Operation,
    /// How many bits it works on.
    pub width: Width,
    /// How a narrow result fills the register.
    pub extension: Extension,
    /// Where the second operand comes from.
    pub operand: Operand,
    /// Which errors it can raise.
    pub fault: Fault,
    /// Whether control always leaves the straight-line run here (or the meter must be settled
    /// with the context). Conditional jumps do not: a run is charged through its not-taken
    /// jumps, and a taken jump gives back the part of the run it skips.
    pub ends_run: bool,
}

// The row classes: each builds a row's facts from the arguments it spells out.

const fn facts(operation: Operation, operand: Operand, fault: Fault, ends_run: bool) -> OpFacts {
    OpFacts {
        operation,
        width: Width::W64,
        extension: Extension::Full,
        operand,
        fault,
        ends_run,
    }
}

const fn alu(
    arith: Arith,
    width: Width,
    extension: Extension,
    operand: Operand,
    fault: Fault,
) -> OpFacts {
    OpFacts {
        width,
        extension,
        ..facts(Operation::Alu(arith), operand, fault, false)
    }
}

const fn branch(cond: Cond, width: Width) -> OpFacts {
    OpFacts {
        width,
        ..facts(Operation::Branch(cond), Operand::Reg, Fault::Never, false)
    }
}

const fn load(width: Width, extension: Extension) -> OpFacts {
    OpFacts {
        width,
        extension,
        ..facts(Operation::Load, Operand::Unused, Fault::Access, false)
    }
}

const fn store(width: Width) -> OpFacts {
    OpFacts {
        width,
        ..facts(Operation::Store, Operand::Reg, Fault::Access, false)
    }
}

const fn atomic(op: AtomicOp, width: Width) -> OpFacts {
    OpFacts {
        width,
        ..facts(Operation::Atomic(op), Operand::Reg, Fault::Access, false)
    }
}

const fn atomic_fetch(op: AtomicOp, width: Width) -> OpFacts {
    OpFacts {
        width,
        ..facts(
            Operation::AtomicFetch(op),
            Operand::Reg,
            Fault::Access,
            false,
        )
    }
}

const fn jump() -> OpFacts {
    facts(Operation::Jump, Operand::Unused, Fault::Never, true)
}

const fn load_imm64() -> OpFacts {
    facts(Operation::LoadImm64, Operand::Imm, Fault::Never, false)
}

const fn call(operation: Operation) -> OpFacts {
    facts(operation, Operand::Unused, Fault::Call, true)
}

const fn fail(fault: Fault) -> OpFacts {
    facts(Operation::Fail, Operand::Unused, fault, true)
}

/// The facts of a row's immediate twin.
const fn immediate(facts: OpFacts) -> OpFacts {
    OpFacts {
        operand: Operand::Imm,
        ..facts
    }
}

/// Hands every row of the op list to `$callback!`, after the tokens given with it:
/// `for_each_op!(my_macro, extra tokens)` expands to `my_macro! { [extra tokens] rows }`.
///
/// A row is `Code (=> ImmediateTwin)? : class(arguments);`, the class one of `alu`,
/// `branch`, `load`, `store`, `atomic`, `atomic_fetch`, `jump`, `load_imm64`, `call`, `fail`
/// (the `const fn`s of
/// `program::ops` that turn the arguments into [`OpFacts`]). The order of the rows is the
/// order of [`Code`]'s variants, each twin right after its row.
macro_rules! for_each_op {
    ($callback:ident $(, $($extra:tt)*)?) => {
        $callback! {
            [$($($extra)*)?]
            // 64-bit arithmetic and logic.
            Add64 => Add64Imm: alu(Add, W64, Full, Reg, Never);
            Sub64 => Sub64Imm: alu(Sub, W64, Full, Reg, Never);
            SubRev64Imm: alu(SubRev, W64, Full, Imm, Never);
            Mul64 => Mul64Imm: alu(Mul, W64, Full, Reg, Never);
            Uhmul64 => Uhmul64Imm: alu(Uhmul, W64, Full, Reg, Never);
            Shmul64 => Shmul64Imm: alu(Shmul, W64, Full, Reg, Never);
            Div64 => Div64Imm: alu(Div, W64, Full, Reg, DivideByZero);
            Mod64 => Mod64Imm: alu(Rem, W64, Full, Reg, DivideByZero);
            Sdiv64 => Sdiv64Imm: alu(Sdiv, W64, Full, Reg, DivideOverflow);
            Srem64 => Srem64Imm: alu(Srem, W64, Full, Reg, DivideOverflow);
            Div64Total => Div64TotalImm: alu(Div, W64, Full, Reg, Never);
            Mod64Total => Mod64TotalImm: alu(Rem, W64, Full, Reg, Never);
            Sdiv64Total => Sdiv64TotalImm: alu(Sdiv, W64, Full, Reg, Never);
            Srem64Total => Srem64TotalImm: alu(Srem, W64, Full, Reg, Never);
            Or64 => Or64Imm: alu(Or, W64, Full, Reg, Never);
            And64 => And64Imm: alu(And, W64, Full, Reg, Never);
            Xor64 => Xor64Imm: alu(Xor, W64, Full, Reg, Never);
            Lsh64 => Lsh64Imm: alu(Lsh, W64, Full, Reg, Never);
            Rsh64 => Rsh64Imm: alu(Rsh, W64, Full, Reg, Never);
            Arsh64 => Arsh64Imm: alu(Arsh, W64, Full, Reg, Never);
            Mov64 => Mov64Imm: alu(Mov, W64, Full, Reg, Never);
            Hor64Imm: alu(Hor, W64, Full, Imm, Never);
            Neg64: alu(Neg, W64, Full, Unused, Never);
            MovSext8To64: alu(MovSext8, W64, Full, Reg, Never);
            MovSext16To64: alu(MovSext16, W64, Full, Reg, Never);
            MovSext32To64: alu(MovSext32, W64, Full, Reg, Never);
            // 32-bit arithmetic and logic.
            Add32Sext => Add32SextImm: alu(Add, W32, Sign, Reg, Never);
            Add32Zext => Add32ZextImm: alu(Add, W32, Zero, Reg, Never);
            Sub32Sext => Sub32SextImm: alu(Sub, W32, Sign, Reg, Never);
            Sub32Zext => Sub32ZextImm: alu(Sub, W32, Zero, Reg, Never);
            SubRev32ZextImm: alu(SubRev, W32, Zero, Imm, Never);
            Mul32Sext => Mul32SextImm: alu(Mul, W32, Sign, Reg, Never);
            Lmul32 => Lmul32Imm: alu(Mul, W32, Zero, Reg, Never);
            Div32 => Div32Imm: alu(Div, W32, Zero, Reg, DivideByZero);
            Mod32 => Mod32Imm: alu(Rem, W32, Zero, Reg, DivideByZero);
            Sdiv32 => Sdiv32Imm: alu(Sdiv, W32, Zero, Reg, DivideOverflow);
            Srem32 => Srem32Imm: alu(Srem, W32, Zero, Reg, DivideOverflow);
            Div32Total => Div32TotalImm: alu(Div, W32, Zero, Reg, Never);
            Mod32Total => Mod32TotalImm: alu(Rem, W32, Zero, Reg, Never);
            Sdiv32Total => Sdiv32TotalImm: alu(Sdiv, W32, Zero, Reg, Never);
            Srem32Total => Srem32TotalImm: alu(Srem, W32, Zero, Reg, Never);
            Or32 => Or32Imm: alu(Or, W32, Zero, Reg, Never);
            And32 => And32Imm: alu(And, W32, Zero, Reg, Never);
            Xor32 => Xor32Imm: alu(Xor, W32, Zero, Reg, Never);
            Lsh32 => Lsh32Imm: alu(Lsh, W32, Zero, Reg, Never);
            Rsh32 => Rsh32Imm: alu(Rsh, W32, Zero, Reg, Never);
            Arsh32 => Arsh32Imm: alu(Arsh, W32, Zero, Reg, Never);
            Mov32 => Mov32Imm: alu(Mov, W32, Zero, Reg, Never);
            Mov32Sext: alu(Mov, W32, Sign, Reg, Never);
            Neg32: alu(Neg, W32, Zero, Unused, Never);
            MovSext8To32: alu(MovSext8, W32, Zero, Reg, Never);
            MovSext16To32: alu(MovSext16, W32, Zero, Reg, Never);
            // Byte order.
            Le16: alu(LittleEndian, W16, Zero, Unused, Never);
            Le32: alu(LittleEndian, W32, Zero, Unused, Never);
            Le64: alu(LittleEndian, W64, Full, Unused, Never);
            Be16: alu(BigEndian, W16, Zero, Unused, Never);
            Be32: alu(BigEndian, W32, Zero, Unused, Never);
            Be64: alu(BigEndian, W64, Full, Unused, Never);
            // Memory.
            LoadImm64: load_imm64();
            Ld1: load(W8, Zero);
            Ld2: load(W16, Zero);
            Ld4: load(W32, Zero);
            Ld8: load(W64, Full);
            Lds1: load(W8, Sign);
            Lds2: load(W16, Sign);
            Lds4: load(W32, Sign);
            St1 => St1Imm: store(W8);
            St2 => St2Imm: store(W16);
            St4 => St4Imm: store(W32);
            St8 => St8Imm: store(W64);
            // Atomics (eBPF).
            AtomicAdd32: atomic(AtomicOp::Add, W32);
            AtomicOr32: atomic(AtomicOp::Or, W32);
            AtomicAnd32: atomic(AtomicOp::And, W32);
            AtomicXor32: atomic(AtomicOp::Xor, W32);
            AtomicFetchAdd32: atomic_fetch(AtomicOp::Add, W32);
            AtomicFetchOr32: atomic_fetch(AtomicOp::Or, W32);
            AtomicFetchAnd32: atomic_fetch(AtomicOp::And, W32);
            AtomicFetchXor32: atomic_fetch(AtomicOp::Xor, W32);
            AtomicXchg32: atomic_fetch(AtomicOp::Xchg, W32);
            AtomicCmpxchg32: atomic_fetch(AtomicOp::Cmpxchg, W32);
            AtomicAdd64: atomic(AtomicOp::Add, W64);
            AtomicOr64: atomic(AtomicOp::Or, W64);
            AtomicAnd64: atomic(AtomicOp::And, W64);
            AtomicXor64: atomic(AtomicOp::Xor, W64);
            AtomicFetchAdd64: atomic_fetch(AtomicOp::Add, W64);
            AtomicFetchOr64: atomic_fetch(AtomicOp::Or, W64);
            AtomicFetchAnd64: atomic_fetch(AtomicOp::And, W64);
            AtomicFetchXor64: atomic_fetch(AtomicOp::Xor, W64);
            AtomicXchg64: atomic_fetch(AtomicOp::Xchg, W64);
            AtomicCmpxchg64: atomic_fetch(AtomicOp::Cmpxchg, W64);
            // Jumps.
            Ja: jump();
            Jeq => JeqImm: branch(Eq, W64);
            Jne => JneImm: branch(Ne, W64);
            Jgt => JgtImm: branch(Gt, W64);
            Jge => JgeImm: branch(Ge, W64);
            Jlt => JltImm: branch(Lt, W64);
            Jle => JleImm: branch(Le, W64);
            Jset => JsetImm: branch(Set, W64);
            Jsgt => JsgtImm: branch(Sgt, W64);
            Jsge => JsgeImm: branch(Sge, W64);
            Jslt => JsltImm: branch(Slt, W64);
            Jsle => JsleImm: branch(Sle, W64);
            Jeq32 => Jeq32Imm: branch(Eq, W32);
            Jne32 => Jne32Imm: branch(Ne, W32);
            Jgt32 => Jgt32Imm: branch(Gt, W32);
            Jge32 => Jge32Imm: branch(Ge, W32);
            Jlt32 => Jlt32Imm: branch(Lt, W32);
            Jle32 => Jle32Imm: branch(Le, W32);
            Jset32 => Jset32Imm: branch(Set, W32);
            Jsgt32 => Jsgt32Imm: branch(Sgt, W32);
            Jsge32 => Jsge32Imm: branch(Sge, W32);
            Jslt32 => Jslt32Imm: branch(Slt, W32);
            Jsle32 => Jsle32Imm: branch(Sle, W32);
            // Calls and returns.
            CallSyscall: call(CallSyscall);
            CallInternal: call(CallInternal);
            CallSyscallThenInternal: call(CallSyscallThenInternal);
            CallReg: call(CallRegister);
            CallSyscallReg: call(CallSyscallRegister);
            Exit: call(Exit);
            // Slots that decode to nothing runnable.
            CallUnresolved: fail(Unsupported);
            BadSwap: fail(Invalid);
            Unsupported: fail(Unsupported);
        }
    };
}

pub(crate) use for_each_op;

/// Builds [`Code`], its facts and its lookups from the rows.
macro_rules! define_codes {
    ([] $( $code:ident $(=> $twin:ident)? : $class:ident $args:tt; )*) => {
        /// Operations with every version difference resolved, one per row of the op list
        /// (`for_each_op!`). A name ending in `Imm` takes its second operand from the
        /// immediate; `…Sext`/`…Zext` say how a 32-bit result is extended.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(u8)]
        #[allow(missing_docs)]
        pub enum Code {
            $( $code, $($twin,)? )*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$( Code::$code, $(Code::$twin,)? )*];

            /// The form of an op that takes its second operand from the immediate (ops that
            /// have no such form are returned unchanged).
            pub const fn with_immediate(self) -> Code {
                match self {
                    $( $(Code::$code => Code::$twin,)? )*
                    other => other,
                }
            }
        }

        /// Facts by code number.
        pub(super) const FACTS: [OpFacts; Code::ALL.len()] = {
            #[allow(unused_imports)]
            use {Arith::*, Cond::*, Extension::*, Fault::*, Operand::*, Operation::*, Width::*};
            [$( $class $args, $(immediate_twin!($twin, $class $args),)? )*]
        };
    };
}

/// A twin's facts (the macro takes the twin's name only to repeat once per twin).
macro_rules! immediate_twin {
    ($twin:ident, $facts:expr) => {
        immediate($facts)
    };
}

for_each_op!(define_codes);

impl Code {
    /// What the list says about this code.
    #[inline(always)]
    pub const fn facts(self) -> OpFacts {
        FACTS[self as usize]
    }

    /// Whether the op always leaves the straight-line run (see [`OpFacts::ends_run`]).
    #[inline(always)]
    pub const fn ends_run(self) -> bool {
        self.facts().ends_run
    }

    /// Slots the op spans in the text: 2 for `lddw`, else 1 (the op after it in text order
    /// is this many slots on).
    #[inline(always)]
    pub const fn slots(self) -> usize {
        if matches!(self, Code::LoadImm64) {
            2
        } else {
            1
        }
    }
}
