//! The JIT's table: for every [`Code`], the form it lowers to and the constants that form needs.
//!
//! The table is built at compile time and indexed by the code's number, so lowering an op is
//! one load and one dispatch on a handful of forms; inside a form, the constants (x86
//! operation, width, sign extension, access size) are data, not further branches. Compile time
//! is dominated by mispredicted branches on the op mix, so this shape matters more than the
//! number of instructions written.
//!
//! ```text
//! Add64Imm  ─► Recipe { form: AluImm, alu: Add, wide: true, .. }
//! Ld4       ─► Recipe { form: Load,   size: 4,  .. }
//! JsltImm   ─► Recipe { form: Jump,   cond: Less, immediate: true, .. }
//! Exit      ─► Recipe { form: Other,  .. }      (lowered by a match on the code)
//! ```

use crate::interpreter::decode::Code;
use crate::jit::x86::alu::{AluOp, ShiftOp};
use crate::jit::x86::Cond;

/// What kind of code an op becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Form {
    /// `op dst, src` (add, sub, or, and, xor), then `movsxd` when sign-extending.
    AluReg,
    /// `op dst, imm` (add, sub, or, and, xor; the immediate is a sign-extended 32-bit value).
    AluImm,
    /// `mov dst, src`.
    MovReg,
    /// `mov dst, imm` (sign-extended 32-bit value, or zero-extended for 32-bit moves).
    MovImm,
    /// Shift by a register (masked to the width, as x86 masks it).
    ShiftReg,
    /// Shift by an immediate.
    ShiftImm,
    /// Low half of a product.
    Mul,
    /// High half of a 128-bit product.
    MulHigh,
    /// Quotient or remainder (faults hand over).
    Div,
    /// Load of `size` bytes.
    Load,
    /// Store of a register.
    Store,
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
    /// The x86 operation of `AluReg`/`AluImm`.
    pub alu: AluOp,
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
    /// Bytes accessed by `Load`/`Store`/`StoreImm`.
    pub size: u8,
}

const OTHER: Recipe = Recipe {
    form: Form::Other,
    alu: AluOp::Add,
    shift: ShiftOp::Shl,
    cond: Cond::Equal,
    wide: true,
    sign_extend: false,
    signed: false,
    remainder: false,
    immediate: false,
    test: false,
    size: 8,
};

/// The recipe of `code`.
#[inline(always)]
pub(super) fn recipe(code: Code) -> Recipe {
    RECIPES[code as usize]
}

const fn of(form: Form, wide: bool) -> Recipe {
    Recipe {
        form,
        wide,
        ..OTHER
    }
}

const fn alu(form: Form, alu: AluOp, wide: bool, sign_extend: bool) -> Recipe {
    Recipe {
        alu,
        sign_extend,
        ..of(form, wide)
    }
}

const fn shift(immediate: bool, shift: ShiftOp, wide: bool) -> Recipe {
    let form = if immediate {
        Form::ShiftImm
    } else {
        Form::ShiftReg
    };
    Recipe {
        shift,
        ..of(form, wide)
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

const fn memory(form: Form, size: u8) -> Recipe {
    Recipe {
        size,
        ..of(form, true)
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
    use Form::{AluImm, AluReg, Load, MovImm, MovReg, Store, StoreImm};
    use ShiftOp::{Sar, Shl, Shr};
    let mut t = [OTHER; 256];
    // 64-bit ALU.
    t[Add64 as usize] = alu(AluReg, Add, true, false);
    t[Add64Imm as usize] = alu(AluImm, Add, true, false);
    t[Sub64 as usize] = alu(AluReg, Sub, true, false);
    t[Sub64Imm as usize] = alu(AluImm, Sub, true, false);
    t[Or64 as usize] = alu(AluReg, Or, true, false);
    t[Or64Imm as usize] = alu(AluImm, Or, true, false);
    t[And64 as usize] = alu(AluReg, And, true, false);
    t[And64Imm as usize] = alu(AluImm, And, true, false);
    t[Xor64 as usize] = alu(AluReg, Xor, true, false);
    t[Xor64Imm as usize] = alu(AluImm, Xor, true, false);
    t[Mov64 as usize] = of(MovReg, true);
    t[Mov64Imm as usize] = of(MovImm, true);
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
    t[Add32Sext as usize] = alu(AluReg, Add, false, true);
    t[Add32SextImm as usize] = alu(AluImm, Add, false, true);
    t[Add32Zext as usize] = alu(AluReg, Add, false, false);
    t[Add32ZextImm as usize] = alu(AluImm, Add, false, false);
    t[Sub32Sext as usize] = alu(AluReg, Sub, false, true);
    t[Sub32SextImm as usize] = alu(AluImm, Sub, false, true);
    t[Sub32Zext as usize] = alu(AluReg, Sub, false, false);
    t[Sub32ZextImm as usize] = alu(AluImm, Sub, false, false);
    t[Or32 as usize] = alu(AluReg, Or, false, false);
    t[Or32Imm as usize] = alu(AluImm, Or, false, false);
    t[And32 as usize] = alu(AluReg, And, false, false);
    t[And32Imm as usize] = alu(AluImm, And, false, false);
    t[Xor32 as usize] = alu(AluReg, Xor, false, false);
    t[Xor32Imm as usize] = alu(AluImm, Xor, false, false);
    t[Mov32 as usize] = of(MovReg, false);
    t[Mov32Imm as usize] = of(MovImm, false);
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
    t[Ld1 as usize] = memory(Load, 1);
    t[Ld2 as usize] = memory(Load, 2);
    t[Ld4 as usize] = memory(Load, 4);
    t[Ld8 as usize] = memory(Load, 8);
    t[St1 as usize] = memory(Store, 1);
    t[St2 as usize] = memory(Store, 2);
    t[St4 as usize] = memory(Store, 4);
    t[St8 as usize] = memory(Store, 8);
    t[St1Imm as usize] = memory(StoreImm, 1);
    t[St2Imm as usize] = memory(StoreImm, 2);
    t[St4Imm as usize] = memory(StoreImm, 4);
    t[St8Imm as usize] = memory(StoreImm, 8);
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
