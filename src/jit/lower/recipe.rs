//! The JIT's table: for every [`Code`], the form it lowers to and the constants that form needs,
//! derived from the op list's facts by one `const fn` ([`recipe_of`]).
//!
//! The table is built at compile time and indexed by the code's number, so lowering an op is
//! one load and one dispatch on a handful of forms; inside a form, the constants (x86
//! operation, width, sign extension, access size) are data, not further branches. Compile time
//! is dominated by mispredicted branches on the op mix, so this shape matters more than the
//! number of instructions written.
//!
//! ```text
//! Add64Imm         ─► Recipe { form: Alu,    opcode: 01, imm_short: 83, imm_long: 81, .. }
//! Ld4              ─► Recipe { form: Memory, size: 4, access: mov r32, [rax - 4], .. }
//! Lds2             ─► Recipe { form: Memory, size: 2, access: movsx r64, word [rax - 2], .. }
//! Sdiv32TotalImm   ─► Recipe { form: Div,    signed, total, immediate, wide: false, .. }
//! MovSext16To64    ─► Recipe { form: Extend, size: 2, wide: true, .. }
//! AtomicFetchOr64  ─► Recipe { form: Atomic, atomic: Or, fetch: true, size: 8, .. }
//! JsltImm          ─► Recipe { form: Jump,   cond: Less, immediate: true, .. }
//! Exit             ─► Recipe { form: Other,  .. }      (lowered by a match on the code)
//! ```
//!
//! `Other` codes either have an arm in `lower`'s match on the code or go to the interpreter
//! (syscalls, eBPF's `callx` by helper id: host work compiled code never calls).

use crate::isa::table::{AtomicOp, Cond as IsaCond};
use crate::jit::x86::alu::{AluOp, ShiftOp};
use crate::jit::x86::memory::RaxAccess;
use crate::jit::x86::Cond;
use crate::program::{Arith, Code, Extension, Fault, OpFacts, Operand, Operation, Width};

/// What kind of code an op becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Form {
    /// `op dst, src` or `op dst, imm`: add, sub, or, and, xor, mov, and shifts by an immediate.
    /// One branch-free path (see [`Recipe`]'s encoding fields).
    Alu,
    /// Shift by a register (masked to the width, as x86 masks it).
    ShiftReg,
    /// Low half of a product.
    Mul,
    /// High half of a 128-bit product.
    MulHigh,
    /// Quotient or remainder (faults hand over; a `total` one has none: eBPF).
    Div,
    /// `movsx dst, src`: the low `size` bytes of a register, sign-extended (eBPF `movsx`).
    Extend,
    /// Load or store of a register, `size` bytes.
    Memory,
    /// Store of an immediate.
    StoreImm,
    /// A locked read-modify-write of `size` bytes (eBPF atomics): checked as a store.
    Atomic,
    /// Conditional jump.
    Jump,
    /// Everything else (rare ops, control flow): lowered by a match on the code.
    Other,
}

/// How one code lowers.
#[derive(Debug, Clone, Copy)]
pub(super) struct Recipe {
    pub form: Form,
    /// The x86 shift of `ShiftReg`/`ShiftImm`.
    pub shift: ShiftOp,
    /// The x86 condition under which a `Jump` is taken.
    pub cond: Cond,
    /// 64-bit operation (else 32-bit, zero-extended unless `sign_extend`).
    pub wide: bool,
    /// A 32-bit result sign-extended to 64 bits (SBPF v0–v1 `add32`, `sub32`, `mul32`).
    pub sign_extend: bool,
    /// Signed `MulHigh`/`Div`.
    pub signed: bool,
    /// `Div` gives the remainder.
    pub remainder: bool,
    /// `Div` is total: `x / 0 = 0`, `x % 0 = x`, `MIN / -1 = MIN`, `MIN % -1 = 0` (eBPF).
    pub total: bool,
    /// `Atomic`: the operation.
    pub atomic: AtomicOp,
    /// `Atomic`: the old value comes back in a register.
    pub fetch: bool,
    /// The second operand is the immediate (`Mul`, `MulHigh`, `Div`, `Jump`).
    pub immediate: bool,
    /// `Jump` tests bits (`test`) instead of comparing (`cmp`).
    pub test: bool,
    /// Bytes accessed by `Memory`/`StoreImm`/`Atomic`; the source bytes of `Extend`.
    pub size: u8,
    /// `Memory` stores (else loads).
    pub store: bool,
    /// `Alu`: the register form's opcode (`op r/m, r`).
    pub opcode: u8,
    /// `Memory`: the access at `[rax - size]` (`movzx`/`mov` loads, `mov` stores; the REX
    /// prefix it always has makes 6 and 7 mean sil and dil in byte stores).
    pub access: RaxAccess,
    /// `Alu` with an immediate: the opcode when the immediate fits a signed byte, the opcode
    /// otherwise, and ModRM.reg of both (`83`/`81 /digit` arithmetic, `c7 /0` mov, `c1 /digit`
    /// shifts).
    pub imm_short: u8,
    pub imm_long: u8,
    pub imm_digit: u8,
    /// `Alu`: the immediate's bits that count (shift amounts are masked to the width).
    pub imm_mask: u32,
    /// `Alu`: the immediate always goes in the clear (shift amounts: below 64).
    pub never_blinded: bool,
    /// `Alu`: the short (imm8) form is allowed at all (`mov` has none).
    pub has_short: bool,
}

const OTHER: Recipe = Recipe {
    form: Form::Other,
    shift: ShiftOp::Shl,
    cond: Cond::Equal,
    wide: true,
    sign_extend: false,
    signed: false,
    remainder: false,
    total: false,
    atomic: AtomicOp::Add,
    fetch: false,
    immediate: false,
    test: false,
    size: 8,
    store: false,
    opcode: 0,
    access: RaxAccess::new(0x8b, 1, true, false, -8),
    imm_short: 0x83,
    imm_long: 0x81,
    imm_digit: 0,
    imm_mask: u32::MAX,
    never_blinded: false,
    has_short: true,
};

/// The recipe of `code`.
#[inline(always)]
pub(super) fn recipe(code: Code) -> &'static Recipe {
    &RECIPES[code as usize]
}

const fn of(form: Form, wide: bool) -> Recipe {
    Recipe {
        form,
        wide,
        ..OTHER
    }
}

/// `op dst, src|imm` for the arithmetic and logic ops.
const fn alu(immediate: bool, alu: AluOp, wide: bool, sign_extend: bool) -> Recipe {
    Recipe {
        immediate,
        sign_extend,
        opcode: alu.rr_opcode(),
        imm_digit: alu as u8,
        ..of(Form::Alu, wide)
    }
}

/// `mov dst, src|imm` (`89 /r`, `c7 /0 id`).
const fn mov(immediate: bool, wide: bool) -> Recipe {
    Recipe {
        immediate,
        opcode: 0x89,
        imm_short: 0xc7,
        imm_long: 0xc7,
        has_short: false,
        ..of(Form::Alu, wide)
    }
}

const fn shift(immediate: bool, shift: ShiftOp, wide: bool) -> Recipe {
    if !immediate {
        return Recipe {
            shift,
            ..of(Form::ShiftReg, wide)
        };
    }
    // `c1 /digit ib`, the amount masked to the width.
    Recipe {
        shift,
        immediate,
        imm_short: 0xc1,
        imm_long: 0xc1,
        imm_digit: shift as u8,
        imm_mask: if wide { 63 } else { 31 },
        never_blinded: true,
        ..of(Form::Alu, wide)
    }
}

const fn mul(immediate: bool, wide: bool, sign_extend: bool) -> Recipe {
    Recipe {
        immediate,
        sign_extend,
        ..of(Form::Mul, wide)
    }
}

const fn mul_high(immediate: bool, signed: bool) -> Recipe {
    Recipe {
        immediate,
        signed,
        ..of(Form::MulHigh, true)
    }
}

const fn div(immediate: bool, wide: bool, signed: bool, remainder: bool, total: bool) -> Recipe {
    Recipe {
        immediate,
        signed,
        remainder,
        total,
        ..of(Form::Div, wide)
    }
}

/// `movsx dst, src` from `from` bytes.
const fn extend(from: u8, wide: bool) -> Recipe {
    Recipe {
        size: from,
        ..of(Form::Extend, wide)
    }
}

/// A load of `size` bytes: zero-extending (`movzx r32, byte|word`, `mov r32|r64`) or, when
/// `signed`, sign-extending to 64 bits (`movsx r64, byte|word`, `movsxd r64, dword`).
const fn load(size: u8, signed: bool) -> Recipe {
    let (opcode, opcode_len, wide) = match (size, signed) {
        (1, false) => (0xb6_0f, 2, false),
        (2, false) => (0xb7_0f, 2, false),
        (1, true) => (0xbe_0f, 2, true),
        (2, true) => (0xbf_0f, 2, true),
        (4, true) => (0x63, 1, true),
        _ => (0x8b, 1, size == 8),
    };
    Recipe {
        size,
        access: RaxAccess::new(opcode, opcode_len, wide, false, (size as i8).wrapping_neg()),
        ..of(Form::Memory, size == 8)
    }
}

/// A store (`mov byte|word|dword|qword, r`) of `size` bytes.
const fn store(size: u8) -> Recipe {
    let opcode = if size == 1 { 0x88 } else { 0x89 };
    Recipe {
        size,
        store: true,
        access: RaxAccess::new(opcode, 1, size == 8, size == 2, (size as i8).wrapping_neg()),
        ..of(Form::Memory, size == 8)
    }
}

const fn store_immediate(size: u8) -> Recipe {
    Recipe {
        size,
        store: true,
        ..of(Form::StoreImm, true)
    }
}

/// A locked `atomic` of `size` bytes, `fetch`ing the old value or not.
const fn atomic(atomic: AtomicOp, fetch: bool, size: u8) -> Recipe {
    Recipe {
        size,
        atomic,
        fetch,
        store: true,
        ..of(Form::Atomic, size == 8)
    }
}

const fn jump(cond: Cond, wide: bool, immediate: bool, test: bool) -> Recipe {
    Recipe {
        cond,
        immediate,
        test,
        ..of(Form::Jump, wide)
    }
}

/// The recipe of an op from the op list's facts: the neutral row (operation, width,
/// extension, operand) chooses the form; the x86 specifics (opcodes, conditions, accesses) are
/// this module's.
const fn recipe_of(facts: OpFacts) -> Recipe {
    let wide = matches!(facts.width, Width::W64);
    let immediate = matches!(facts.operand, Operand::Imm);
    let sign_extend = matches!(facts.extension, Extension::Sign);
    let bytes = facts.width.bytes();
    match facts.operation {
        Operation::Alu(arith) => match arith {
            Arith::Add => alu(immediate, AluOp::Add, wide, sign_extend),
            Arith::Sub => alu(immediate, AluOp::Sub, wide, sign_extend),
            Arith::Or => alu(immediate, AluOp::Or, wide, sign_extend),
            Arith::And => alu(immediate, AluOp::And, wide, sign_extend),
            Arith::Xor => alu(immediate, AluOp::Xor, wide, sign_extend),
            // `mov32 dst, src` sign-extending is `movsxd`, lowered by the code.
            Arith::Mov if !sign_extend => mov(immediate, wide),
            Arith::Lsh => shift(immediate, ShiftOp::Shl, wide),
            Arith::Rsh => shift(immediate, ShiftOp::Shr, wide),
            Arith::Arsh => shift(immediate, ShiftOp::Sar, wide),
            Arith::Mul => mul(immediate, wide, sign_extend),
            Arith::Uhmul => mul_high(immediate, false),
            Arith::Shmul => mul_high(immediate, true),
            Arith::Div | Arith::Rem | Arith::Sdiv | Arith::Srem => div(
                immediate,
                wide,
                matches!(arith, Arith::Sdiv | Arith::Srem),
                matches!(arith, Arith::Rem | Arith::Srem),
                matches!(facts.fault, Fault::Never),
            ),
            Arith::MovSext8 => extend(1, wide),
            Arith::MovSext16 => extend(2, wide),
            Arith::MovSext32 => extend(4, wide),
            Arith::Mov
            | Arith::SubRev
            | Arith::Hor
            | Arith::Neg
            | Arith::LittleEndian
            | Arith::BigEndian => OTHER,
        },
        Operation::Branch(cond) => jump(
            x86_cond(cond),
            wide,
            immediate,
            matches!(cond, IsaCond::Set),
        ),
        Operation::Load => load(bytes, sign_extend),
        Operation::Store if immediate => store_immediate(bytes),
        Operation::Store => store(bytes),
        Operation::Atomic(op) => atomic(op, false, bytes),
        Operation::AtomicFetch(op) => atomic(op, true, bytes),
        // `callx` of eBPF (a helper by the id a register holds) stays with the interpreter, as
        // every syscall does: finding the helper is a registry lookup at run time and running
        // it is host code, which compiled code never calls; a native stub would only add a
        // second path to the same hand-over.
        Operation::Jump
        | Operation::LoadImm64
        | Operation::CallSyscall
        | Operation::CallInternal
        | Operation::CallSyscallThenInternal
        | Operation::CallRegister
        | Operation::CallSyscallRegister
        | Operation::Exit
        | Operation::Fail => OTHER,
    }
}

/// The x86 condition under which a jump on `cond` is taken (after `cmp dst, b`, or for `Set`
/// after `test dst, b`).
const fn x86_cond(cond: IsaCond) -> Cond {
    match cond {
        IsaCond::Eq => Cond::Equal,
        IsaCond::Ne | IsaCond::Set => Cond::NotEqual,
        IsaCond::Gt => Cond::Above,
        IsaCond::Ge => Cond::AboveEqual,
        IsaCond::Lt => Cond::Below,
        IsaCond::Le => Cond::BelowEqual,
        IsaCond::Sgt => Cond::Greater,
        IsaCond::Sge => Cond::GreaterEqual,
        IsaCond::Slt => Cond::Less,
        IsaCond::Sle => Cond::LessEqual,
    }
}

/// Every code's recipe, by code number (one load per op; the 256 entries make the index
/// check free for a `u8` code).
static RECIPES: [Recipe; 256] = {
    let mut table = [OTHER; 256];
    let mut i = 0;
    while i < Code::ALL.len() {
        table[i] = recipe_of(Code::ALL[i].facts());
        i += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    /// `Other` is only for what `lower` matches by code (control flow, the rare unary ops) and
    /// for host work: no load, store, atomic or binary arithmetic falls back to it.
    #[test]
    fn only_rare_ops_and_host_work_have_no_form() {
        for code in Code::ALL {
            if recipe(*code).form != Form::Other {
                continue;
            }
            let operation = code.facts().operation;
            let rare = matches!(
                operation,
                Operation::Alu(
                    Arith::Mov
                        | Arith::SubRev
                        | Arith::Hor
                        | Arith::Neg
                        | Arith::LittleEndian
                        | Arith::BigEndian
                ) | Operation::Jump
                    | Operation::LoadImm64
                    | Operation::CallSyscall
                    | Operation::CallInternal
                    | Operation::CallSyscallThenInternal
                    | Operation::CallRegister
                    | Operation::CallSyscallRegister
                    | Operation::Exit
                    | Operation::Fail
            );
            assert!(rare, "{code:?} ({operation:?}) has no form");
        }
    }
}
