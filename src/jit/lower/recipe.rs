//! The JIT's table: for every [`Code`], the form it lowers to and the constants that form needs.
//!
//! The table is built at compile time and indexed by the code's number, so lowering an op is
//! one load and one dispatch on a handful of forms; inside a form, the constants (x86
//! operation, width, sign extension, access size) are data, not further branches. Compile time
//! is dominated by mispredicted branches on the op mix, so this shape matters more than the
//! number of instructions written.
//!
//! ```text
//! Add64Imm  ─► Recipe { form: Alu,    opcode: 01, imm_short: 83, imm_long: 81, .. }
//! Ld4       ─► Recipe { form: Memory, size: 4, access: mov r32, [rax - 4], .. }
//! JsltImm   ─► Recipe { form: Jump,   cond: Less, immediate: true, .. }
//! Exit      ─► Recipe { form: Other,  .. }      (lowered by a match on the code)
//! ```

use crate::interpreter::decode::Code;
use crate::jit::x86::alu::{AluOp, ShiftOp};
use crate::jit::x86::memory::RaxAccess;
use crate::jit::x86::Cond;

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
    /// Quotient or remainder (faults hand over).
    Div,
    /// Load or store of a register, `size` bytes.
    Memory,
    /// Store of an immediate.
    StoreImm,
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
    /// The second operand is the immediate (`Mul`, `MulHigh`, `Div`, `Jump`).
    pub immediate: bool,
    /// `Jump` tests bits (`test`) instead of comparing (`cmp`).
    pub test: bool,
    /// Bytes accessed by `Memory`/`StoreImm`.
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

const fn div(immediate: bool, wide: bool, signed: bool, remainder: bool) -> Recipe {
    Recipe {
        immediate,
        signed,
        remainder,
        ..of(Form::Div, wide)
    }
}

/// A load (`movzx r32, byte|word`, `mov r32|r64`) of `size` bytes.
const fn load(size: u8) -> Recipe {
    let (opcode, opcode_len) = match size {
        1 => (0xb6_0f, 2),
        2 => (0xb7_0f, 2),
        _ => (0x8b, 1),
    };
    Recipe {
        size,
        access: RaxAccess::new(opcode, opcode_len, size == 8, false, -(size as i8)),
        ..of(Form::Memory, size == 8)
    }
}

/// A store (`mov byte|word|dword|qword, r`) of `size` bytes.
const fn store(size: u8) -> Recipe {
    let opcode = if size == 1 { 0x88 } else { 0x89 };
    Recipe {
        size,
        store: true,
        access: RaxAccess::new(opcode, 1, size == 8, size == 2, -(size as i8)),
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

const fn jump(cond: Cond, wide: bool, immediate: bool, test: bool) -> Recipe {
    Recipe {
        cond,
        immediate,
        test,
        ..of(Form::Jump, wide)
    }
}

/// Every code's recipe, by code number (codes not listed are `Other`).
static RECIPES: [Recipe; 256] = {
    use AluOp::{Add, And, Or, Sub, Xor};
    use Code::*;
    use ShiftOp::{Sar, Shl, Shr};
    let mut t = [OTHER; 256];
    // 64-bit ALU.
    t[Add64 as usize] = alu(false, Add, true, false);
    t[Add64Imm as usize] = alu(true, Add, true, false);
    t[Sub64 as usize] = alu(false, Sub, true, false);
    t[Sub64Imm as usize] = alu(true, Sub, true, false);
    t[Or64 as usize] = alu(false, Or, true, false);
    t[Or64Imm as usize] = alu(true, Or, true, false);
    t[And64 as usize] = alu(false, And, true, false);
    t[And64Imm as usize] = alu(true, And, true, false);
    t[Xor64 as usize] = alu(false, Xor, true, false);
    t[Xor64Imm as usize] = alu(true, Xor, true, false);
    t[Mov64 as usize] = mov(false, true);
    t[Mov64Imm as usize] = mov(true, true);
    t[Lsh64 as usize] = shift(false, Shl, true);
    t[Lsh64Imm as usize] = shift(true, Shl, true);
    t[Rsh64 as usize] = shift(false, Shr, true);
    t[Rsh64Imm as usize] = shift(true, Shr, true);
    t[Arsh64 as usize] = shift(false, Sar, true);
    t[Arsh64Imm as usize] = shift(true, Sar, true);
    t[Mul64 as usize] = mul(false, true, false);
    t[Mul64Imm as usize] = mul(true, true, false);
    t[Lmul64 as usize] = mul(false, true, false);
    t[Lmul64Imm as usize] = mul(true, true, false);
    t[Uhmul64 as usize] = mul_high(false, false);
    t[Uhmul64Imm as usize] = mul_high(true, false);
    t[Shmul64 as usize] = mul_high(false, true);
    t[Shmul64Imm as usize] = mul_high(true, true);
    t[Div64 as usize] = div(false, true, false, false);
    t[Div64Imm as usize] = div(true, true, false, false);
    t[Udiv64 as usize] = div(false, true, false, false);
    t[Udiv64Imm as usize] = div(true, true, false, false);
    t[Mod64 as usize] = div(false, true, false, true);
    t[Mod64Imm as usize] = div(true, true, false, true);
    t[Urem64 as usize] = div(false, true, false, true);
    t[Urem64Imm as usize] = div(true, true, false, true);
    t[Sdiv64 as usize] = div(false, true, true, false);
    t[Sdiv64Imm as usize] = div(true, true, true, false);
    t[Srem64 as usize] = div(false, true, true, true);
    t[Srem64Imm as usize] = div(true, true, true, true);
    // 32-bit ALU.
    t[Add32Sext as usize] = alu(false, Add, false, true);
    t[Add32SextImm as usize] = alu(true, Add, false, true);
    t[Add32Zext as usize] = alu(false, Add, false, false);
    t[Add32ZextImm as usize] = alu(true, Add, false, false);
    t[Sub32Sext as usize] = alu(false, Sub, false, true);
    t[Sub32SextImm as usize] = alu(true, Sub, false, true);
    t[Sub32Zext as usize] = alu(false, Sub, false, false);
    t[Sub32ZextImm as usize] = alu(true, Sub, false, false);
    t[Or32 as usize] = alu(false, Or, false, false);
    t[Or32Imm as usize] = alu(true, Or, false, false);
    t[And32 as usize] = alu(false, And, false, false);
    t[And32Imm as usize] = alu(true, And, false, false);
    t[Xor32 as usize] = alu(false, Xor, false, false);
    t[Xor32Imm as usize] = alu(true, Xor, false, false);
    t[Mov32 as usize] = mov(false, false);
    t[Mov32Imm as usize] = mov(true, false);
    t[Lsh32 as usize] = shift(false, Shl, false);
    t[Lsh32Imm as usize] = shift(true, Shl, false);
    t[Rsh32 as usize] = shift(false, Shr, false);
    t[Rsh32Imm as usize] = shift(true, Shr, false);
    t[Arsh32 as usize] = shift(false, Sar, false);
    t[Arsh32Imm as usize] = shift(true, Sar, false);
    t[Mul32Sext as usize] = mul(false, false, true);
    t[Mul32SextImm as usize] = mul(true, false, true);
    t[Lmul32 as usize] = mul(false, false, false);
    t[Lmul32Imm as usize] = mul(true, false, false);
    t[Div32 as usize] = div(false, false, false, false);
    t[Div32Imm as usize] = div(true, false, false, false);
    t[Udiv32 as usize] = div(false, false, false, false);
    t[Udiv32Imm as usize] = div(true, false, false, false);
    t[Mod32 as usize] = div(false, false, false, true);
    t[Mod32Imm as usize] = div(true, false, false, true);
    t[Urem32 as usize] = div(false, false, false, true);
    t[Urem32Imm as usize] = div(true, false, false, true);
    t[Sdiv32 as usize] = div(false, false, true, false);
    t[Sdiv32Imm as usize] = div(true, false, true, false);
    t[Srem32 as usize] = div(false, false, true, true);
    t[Srem32Imm as usize] = div(true, false, true, true);
    // Memory.
    t[Ld1 as usize] = load(1);
    t[Ld2 as usize] = load(2);
    t[Ld4 as usize] = load(4);
    t[Ld8 as usize] = load(8);
    t[St1 as usize] = store(1);
    t[St2 as usize] = store(2);
    t[St4 as usize] = store(4);
    t[St8 as usize] = store(8);
    t[St1Imm as usize] = store_immediate(1);
    t[St2Imm as usize] = store_immediate(2);
    t[St4Imm as usize] = store_immediate(4);
    t[St8Imm as usize] = store_immediate(8);
    // Conditional jumps: (x86 condition, 64-bit, immediate, test).
    let conditions = [
        (Jeq, JeqImm, Jeq32, Jeq32Imm, Cond::Equal, false),
        (Jne, JneImm, Jne32, Jne32Imm, Cond::NotEqual, false),
        (Jgt, JgtImm, Jgt32, Jgt32Imm, Cond::Above, false),
        (Jge, JgeImm, Jge32, Jge32Imm, Cond::AboveEqual, false),
        (Jlt, JltImm, Jlt32, Jlt32Imm, Cond::Below, false),
        (Jle, JleImm, Jle32, Jle32Imm, Cond::BelowEqual, false),
        (Jset, JsetImm, Jset32, Jset32Imm, Cond::NotEqual, true),
        (Jsgt, JsgtImm, Jsgt32, Jsgt32Imm, Cond::Greater, false),
        (Jsge, JsgeImm, Jsge32, Jsge32Imm, Cond::GreaterEqual, false),
        (Jslt, JsltImm, Jslt32, Jslt32Imm, Cond::Less, false),
        (Jsle, JsleImm, Jsle32, Jsle32Imm, Cond::LessEqual, false),
    ];
    let mut i = 0;
    while i < conditions.len() {
        let (reg64, imm64, reg32, imm32, cond, test) = conditions[i];
        t[reg64 as usize] = jump(cond, true, false, test);
        t[imm64 as usize] = jump(cond, true, true, test);
        t[reg32 as usize] = jump(cond, false, false, test);
        t[imm32 as usize] = jump(cond, false, true, test);
        i += 1;
    }
    t
};
