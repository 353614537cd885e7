//! Pre-decoding: the text, read through the instruction table once at load time, becomes one
//! compact [`Op`] per slot with everything the version decides already decided — which
//! operation, how the immediate is extended, where a jump or call goes, which syscall a hash
//! names. The interpreter then dispatches with one dense `match` and never looks at versions.

use crate::isa::table::{lookup, AluOp, ByteOrder, Cond, Kind, MemSize, Source, Width};
use crate::isa::version::CallxRegister;
use crate::isa::{Insn, SbpfVersion};
use crate::vm::{FunctionRegistry, SyscallRegistry};

/// Operations, with version differences resolved. Binary operations and conditional jumps come
/// in two forms: the plain name takes its second operand from the `src` register, the `…Imm`
/// name from the op's immediate, so no instruction has to choose at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
#[allow(missing_docs)]
pub enum Code {
    // Binary ALU operations, register operand.
    Add64,
    Sub64,
    Mul64,
    Div64,
    Mod64,
    Or64,
    And64,
    Lsh64,
    Rsh64,
    Arsh64,
    Xor64,
    Mov64,
    Lmul64,
    Uhmul64,
    Shmul64,
    Udiv64,
    Urem64,
    Sdiv64,
    Srem64,
    Add32Sext,
    Add32Zext,
    Sub32Sext,
    Sub32Zext,
    Mul32Sext,
    Div32,
    Mod32,
    Or32,
    And32,
    Lsh32,
    Rsh32,
    Arsh32,
    Xor32,
    Mov32,
    Lmul32,
    Udiv32,
    Urem32,
    Sdiv32,
    Srem32,
    // The same with the immediate operand.
    Add64Imm,
    Sub64Imm,
    Mul64Imm,
    Div64Imm,
    Mod64Imm,
    Or64Imm,
    And64Imm,
    Lsh64Imm,
    Rsh64Imm,
    Arsh64Imm,
    Xor64Imm,
    Mov64Imm,
    Lmul64Imm,
    Uhmul64Imm,
    Shmul64Imm,
    Udiv64Imm,
    Urem64Imm,
    Sdiv64Imm,
    Srem64Imm,
    Add32SextImm,
    Add32ZextImm,
    Sub32SextImm,
    Sub32ZextImm,
    Mul32SextImm,
    Div32Imm,
    Mod32Imm,
    Or32Imm,
    And32Imm,
    Lsh32Imm,
    Rsh32Imm,
    Arsh32Imm,
    Xor32Imm,
    Mov32Imm,
    Lmul32Imm,
    Udiv32Imm,
    Urem32Imm,
    Sdiv32Imm,
    Srem32Imm,
    /// `imm - dst` (V2 `sub` with an immediate).
    SubRev64Imm,
    SubRev32ZextImm,
    /// `dst |= imm << 32` (the immediate is stored pre-shifted).
    Hor64Imm,
    /// `mov32 dst, src` sign-extending (V2).
    Mov32Sext,
    Neg64,
    Neg32,
    Le16,
    Le32,
    Le64,
    Be16,
    Be32,
    Be64,
    /// `le`/`be` with a size other than 16, 32, 64: InvalidInstruction.
    BadSwap,
    LoadImm64,
    Ld1,
    Ld2,
    Ld4,
    Ld8,
    /// Stores of a register, then of the immediate.
    St1,
    St2,
    St4,
    St8,
    St1Imm,
    St2Imm,
    St4Imm,
    St8Imm,
    Ja,
    Jeq,
    Jne,
    Jgt,
    Jge,
    Jlt,
    Jle,
    Jset,
    Jsgt,
    Jsge,
    Jslt,
    Jsle,
    Jeq32,
    Jne32,
    Jgt32,
    Jge32,
    Jlt32,
    Jle32,
    Jset32,
    Jsgt32,
    Jsge32,
    Jslt32,
    Jsle32,
    JeqImm,
    JneImm,
    JgtImm,
    JgeImm,
    JltImm,
    JleImm,
    JsetImm,
    JsgtImm,
    JsgeImm,
    JsltImm,
    JsleImm,
    Jeq32Imm,
    Jne32Imm,
    Jgt32Imm,
    Jge32Imm,
    Jlt32Imm,
    Jle32Imm,
    Jset32Imm,
    Jsgt32Imm,
    Jsge32Imm,
    Jslt32Imm,
    Jsle32Imm,
    /// Syscall number `aux`.
    CallSyscall,
    /// Internal call to instruction `aux` (checked against the text at run time).
    CallInternal,
    /// A hash that names both a syscall (`imm`) and a function (`aux`): the reference runs both.
    CallSyscallThenInternal,
    /// A `call` that names nothing: UnsupportedInstruction.
    CallUnresolved,
    /// `callx` through register `src`.
    CallReg,
    Exit,
    /// No instruction here (the second slot of an `lddw`): UnsupportedInstruction.
    Unsupported,
}

/// One pre-decoded slot (16 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Op {
    /// The immediate operand, already extended as the operation needs; the `lddw` constant.
    pub imm: u64,
    /// Jump or call target, syscall number, or memory offset (as `i16 as i32 as u32`).
    pub aux: u32,
    /// What to do.
    pub code: Code,
    /// Destination register.
    pub dst: u8,
    /// Source register (for `callx`, the target register).
    pub src: u8,
}

impl Op {
    const UNSUPPORTED: Op = Op {
        imm: 0,
        aux: 0,
        code: Code::Unsupported,
        dst: 0,
        src: 0,
    };

    /// The memory offset of a load or store.
    #[inline(always)]
    pub fn offset(&self) -> u64 {
        self.aux as i32 as i64 as u64
    }
}

impl Code {
    /// The form of an operation that takes its second operand from the immediate (operations
    /// that have no such form are returned unchanged).
    fn with_immediate(self) -> Code {
        match self {
            Code::Add64 => Code::Add64Imm,
            Code::Sub64 => Code::Sub64Imm,
            Code::Mul64 => Code::Mul64Imm,
            Code::Div64 => Code::Div64Imm,
            Code::Mod64 => Code::Mod64Imm,
            Code::Or64 => Code::Or64Imm,
            Code::And64 => Code::And64Imm,
            Code::Lsh64 => Code::Lsh64Imm,
            Code::Rsh64 => Code::Rsh64Imm,
            Code::Arsh64 => Code::Arsh64Imm,
            Code::Xor64 => Code::Xor64Imm,
            Code::Mov64 => Code::Mov64Imm,
            Code::Lmul64 => Code::Lmul64Imm,
            Code::Uhmul64 => Code::Uhmul64Imm,
            Code::Shmul64 => Code::Shmul64Imm,
            Code::Udiv64 => Code::Udiv64Imm,
            Code::Urem64 => Code::Urem64Imm,
            Code::Sdiv64 => Code::Sdiv64Imm,
            Code::Srem64 => Code::Srem64Imm,
            Code::Add32Sext => Code::Add32SextImm,
            Code::Add32Zext => Code::Add32ZextImm,
            Code::Sub32Sext => Code::Sub32SextImm,
            Code::Sub32Zext => Code::Sub32ZextImm,
            Code::Mul32Sext => Code::Mul32SextImm,
            Code::Div32 => Code::Div32Imm,
            Code::Mod32 => Code::Mod32Imm,
            Code::Or32 => Code::Or32Imm,
            Code::And32 => Code::And32Imm,
            Code::Lsh32 => Code::Lsh32Imm,
            Code::Rsh32 => Code::Rsh32Imm,
            Code::Arsh32 => Code::Arsh32Imm,
            Code::Xor32 => Code::Xor32Imm,
            Code::Mov32 => Code::Mov32Imm,
            Code::Lmul32 => Code::Lmul32Imm,
            Code::Udiv32 => Code::Udiv32Imm,
            Code::Urem32 => Code::Urem32Imm,
            Code::Sdiv32 => Code::Sdiv32Imm,
            Code::Srem32 => Code::Srem32Imm,
            Code::Jeq => Code::JeqImm,
            Code::Jne => Code::JneImm,
            Code::Jgt => Code::JgtImm,
            Code::Jge => Code::JgeImm,
            Code::Jlt => Code::JltImm,
            Code::Jle => Code::JleImm,
            Code::Jset => Code::JsetImm,
            Code::Jsgt => Code::JsgtImm,
            Code::Jsge => Code::JsgeImm,
            Code::Jslt => Code::JsltImm,
            Code::Jsle => Code::JsleImm,
            Code::Jeq32 => Code::Jeq32Imm,
            Code::Jne32 => Code::Jne32Imm,
            Code::Jgt32 => Code::Jgt32Imm,
            Code::Jge32 => Code::Jge32Imm,
            Code::Jlt32 => Code::Jlt32Imm,
            Code::Jle32 => Code::Jle32Imm,
            Code::Jset32 => Code::Jset32Imm,
            Code::Jsgt32 => Code::Jsgt32Imm,
            Code::Jsge32 => Code::Jsge32Imm,
            Code::Jslt32 => Code::Jslt32Imm,
            Code::Jsle32 => Code::Jsle32Imm,
            Code::St1 => Code::St1Imm,
            Code::St2 => Code::St2Imm,
            Code::St4 => Code::St4Imm,
            Code::St8 => Code::St8Imm,
            other => other,
        }
    }

    /// Whether the op always leaves the straight-line run (or settles the meter with the
    /// context). Conditional jumps do not end a run: a run is charged through its not-taken
    /// jumps, and a taken jump gives back the part of the run it skips.
    pub fn ends_run(self) -> bool {
        matches!(
            self,
            Code::Ja
                | Code::CallSyscall
                | Code::CallInternal
                | Code::CallSyscallThenInternal
                | Code::CallUnresolved
                | Code::CallReg
                | Code::Exit
                | Code::BadSwap
                | Code::Unsupported
        )
    }
}

/// A text section in interpreter form: one [`Op`] per slot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecodedProgram {
    /// The ops, indexed by instruction index.
    pub ops: Vec<Op>,
    /// For each slot: how many instructions run from it through the end of its straight-line
    /// run (the next op that [`Code::ends_run`], or the end of the text). The interpreter
    /// charges a whole run to the meter at once when the budget covers it.
    pub runs: Vec<u32>,
}

/// Straight-line run lengths, computed backwards (an `lddw` counts once and skips its tail).
fn run_lengths(ops: &[Op]) -> Vec<u32> {
    let mut runs = vec![1u32; ops.len()];
    for pc in (0..ops.len()).rev() {
        let op = &ops[pc];
        if op.code.ends_run() {
            continue;
        }
        let next = if op.code == Code::LoadImm64 {
            pc + 2
        } else {
            pc + 1
        };
        if let Some(rest) = runs.get(next) {
            runs[pc] = rest.saturating_add(1);
        }
    }
    runs
}

/// Decodes a verified text section.
pub fn decode_program<C>(
    text: &[u8],
    version: SbpfVersion,
    functions: &FunctionRegistry,
    syscalls: &SyscallRegistry<C>,
) -> DecodedProgram {
    let count = text.len() / 8;
    let mut ops = vec![Op::UNSUPPORTED; count];
    let mut pc = 0;
    while pc < count {
        let insn = Insn::at(text, pc).unwrap_or_default();
        let Some(info) = lookup(version, insn.opcode) else {
            pc += 1;
            continue;
        };
        let mut op = Op {
            imm: insn.imm64() as u64,
            aux: 0,
            code: Code::Unsupported,
            dst: insn.dst & 0x0f,
            src: insn.src & 0x0f,
        };
        match info.kind {
            Kind::Alu {
                op: alu,
                width,
                source,
            } => {
                op.code = alu_code(alu, width, source, version);
                if source == Source::Imm {
                    op.code = op.code.with_immediate();
                }
                let zero_extended_imm =
                    matches!(alu, AluOp::Udiv | AluOp::Urem | AluOp::Uhmul) && width == Width::W64;
                if zero_extended_imm {
                    op.imm = insn.imm as u32 as u64;
                }
                if alu == AluOp::Hor {
                    op.imm = (insn.imm64() as u64) << 32;
                }
            }
            Kind::Endian(order) => {
                op.code = match (order, insn.imm) {
                    (ByteOrder::Little, 16) => Code::Le16,
                    (ByteOrder::Little, 32) => Code::Le32,
                    (ByteOrder::Little, 64) => Code::Le64,
                    (ByteOrder::Big, 16) => Code::Be16,
                    (ByteOrder::Big, 32) => Code::Be32,
                    (ByteOrder::Big, 64) => Code::Be64,
                    _ => Code::BadSwap,
                }
            }
            Kind::LoadImm64 => {
                let high = Insn::at(text, pc + 1).unwrap_or_default();
                op.code = Code::LoadImm64;
                op.imm = crate::isa::insn::lddw_value(&insn, &high);
            }
            Kind::Load(size) => {
                op.code = match size {
                    MemSize::B1 => Code::Ld1,
                    MemSize::B2 => Code::Ld2,
                    MemSize::B4 => Code::Ld4,
                    MemSize::B8 => Code::Ld8,
                };
                op.aux = i32::from(insn.off) as u32;
            }
            Kind::Store(size, source) => {
                op.code = match size {
                    MemSize::B1 => Code::St1,
                    MemSize::B2 => Code::St2,
                    MemSize::B4 => Code::St4,
                    MemSize::B8 => Code::St8,
                };
                if source == Source::Imm {
                    op.code = op.code.with_immediate();
                }
                op.aux = i32::from(insn.off) as u32;
            }
            Kind::Jump => {
                op.code = Code::Ja;
                op.aux = jump_target(pc, insn.off);
            }
            Kind::JumpIf {
                cond,
                width,
                source,
            } => {
                op.code = jump_code(cond, width);
                if source == Source::Imm {
                    op.code = op.code.with_immediate();
                }
                op.aux = jump_target(pc, insn.off);
            }
            Kind::Call => resolve_call(&mut op, &insn, pc, count, version, functions, syscalls),
            Kind::CallReg => {
                op.code = Code::CallReg;
                op.src = match version.callx_register_field() {
                    CallxRegister::Imm => (insn.imm as u32).min(15) as u8,
                    CallxRegister::Src => insn.src,
                    CallxRegister::Dst => insn.dst,
                };
            }
            Kind::Exit => op.code = Code::Exit,
        }
        ops[pc] = op;
        pc += if info.kind.is_wide() { 2 } else { 1 };
    }
    let runs = run_lengths(&ops);
    DecodedProgram { ops, runs }
}

/// `pc + 1 + off`; a target outside the text (impossible once verified) becomes an index past
/// the end, which stops execution with ExecutionOverrun as the reference would.
fn jump_target(pc: usize, off: i16) -> u32 {
    let target = pc as i64 + 1 + i64::from(off);
    u32::try_from(target).unwrap_or(u32::MAX)
}

fn resolve_call<C>(
    op: &mut Op,
    insn: &Insn,
    pc: usize,
    count: usize,
    version: SbpfVersion,
    functions: &FunctionRegistry,
    syscalls: &SyscallRegistry<C>,
) {
    let key = insn.imm as u32;
    let syscall = if !version.static_syscalls() || insn.src == 0 {
        syscalls.index_of(key)
    } else {
        None
    };
    let internal = if version.static_syscalls() {
        let target = (pc as i64 + 1).saturating_add(insn.imm64());
        (insn.src == 1 && (0..count as i64).contains(&target)).then_some(target as usize)
    } else {
        functions.lookup(key).map(|(_, target)| target)
    };
    let target = internal.map(|target| u32::try_from(target).unwrap_or(u32::MAX));
    match (syscall, target) {
        (Some(index), None) => {
            op.code = Code::CallSyscall;
            op.aux = index as u32;
        }
        (None, Some(target)) => {
            op.code = Code::CallInternal;
            op.aux = target;
        }
        (Some(index), Some(target)) => {
            op.code = Code::CallSyscallThenInternal;
            op.imm = index as u64;
            op.aux = target;
        }
        (None, None) => op.code = Code::CallUnresolved,
    }
}

fn alu_code(op: AluOp, width: Width, source: Source, version: SbpfVersion) -> Code {
    let zext = version.explicit_sign_extension_of_results();
    let swap = version.swap_sub_reg_imm_operands() && source == Source::Imm;
    match (op, width) {
        (AluOp::Add, Width::W64) => Code::Add64,
        (AluOp::Sub, Width::W64) if swap => Code::SubRev64Imm,
        (AluOp::Sub, Width::W64) => Code::Sub64,
        (AluOp::Mul, Width::W64) => Code::Mul64,
        (AluOp::Div, Width::W64) => Code::Div64,
        (AluOp::Mod, Width::W64) => Code::Mod64,
        (AluOp::Or, Width::W64) => Code::Or64,
        (AluOp::And, Width::W64) => Code::And64,
        (AluOp::Lsh, Width::W64) => Code::Lsh64,
        (AluOp::Rsh, Width::W64) => Code::Rsh64,
        (AluOp::Arsh, Width::W64) => Code::Arsh64,
        (AluOp::Xor, Width::W64) => Code::Xor64,
        (AluOp::Mov, Width::W64) => Code::Mov64,
        (AluOp::Neg, Width::W64) => Code::Neg64,
        (AluOp::Hor, _) => Code::Hor64Imm,
        (AluOp::Lmul, Width::W64) => Code::Lmul64,
        (AluOp::Uhmul, _) => Code::Uhmul64,
        (AluOp::Shmul, _) => Code::Shmul64,
        (AluOp::Udiv, Width::W64) => Code::Udiv64,
        (AluOp::Urem, Width::W64) => Code::Urem64,
        (AluOp::Sdiv, Width::W64) => Code::Sdiv64,
        (AluOp::Srem, Width::W64) => Code::Srem64,
        (AluOp::Add, Width::W32) if zext => Code::Add32Zext,
        (AluOp::Add, Width::W32) => Code::Add32Sext,
        (AluOp::Sub, Width::W32) if swap => Code::SubRev32ZextImm,
        (AluOp::Sub, Width::W32) if zext => Code::Sub32Zext,
        (AluOp::Sub, Width::W32) => Code::Sub32Sext,
        (AluOp::Mul, Width::W32) => Code::Mul32Sext,
        (AluOp::Div, Width::W32) => Code::Div32,
        (AluOp::Mod, Width::W32) => Code::Mod32,
        (AluOp::Or, Width::W32) => Code::Or32,
        (AluOp::And, Width::W32) => Code::And32,
        (AluOp::Lsh, Width::W32) => Code::Lsh32,
        (AluOp::Rsh, Width::W32) => Code::Rsh32,
        (AluOp::Arsh, Width::W32) => Code::Arsh32,
        (AluOp::Xor, Width::W32) => Code::Xor32,
        (AluOp::Mov, Width::W32) if zext && source == Source::Reg => Code::Mov32Sext,
        (AluOp::Mov, Width::W32) => Code::Mov32,
        (AluOp::Neg, Width::W32) => Code::Neg32,
        (AluOp::Lmul, Width::W32) => Code::Lmul32,
        (AluOp::Udiv, Width::W32) => Code::Udiv32,
        (AluOp::Urem, Width::W32) => Code::Urem32,
        (AluOp::Sdiv, Width::W32) => Code::Sdiv32,
        (AluOp::Srem, Width::W32) => Code::Srem32,
    }
}

fn jump_code(cond: Cond, width: Width) -> Code {
    match (cond, width) {
        (Cond::Eq, Width::W64) => Code::Jeq,
        (Cond::Ne, Width::W64) => Code::Jne,
        (Cond::Gt, Width::W64) => Code::Jgt,
        (Cond::Ge, Width::W64) => Code::Jge,
        (Cond::Lt, Width::W64) => Code::Jlt,
        (Cond::Le, Width::W64) => Code::Jle,
        (Cond::Set, Width::W64) => Code::Jset,
        (Cond::Sgt, Width::W64) => Code::Jsgt,
        (Cond::Sge, Width::W64) => Code::Jsge,
        (Cond::Slt, Width::W64) => Code::Jslt,
        (Cond::Sle, Width::W64) => Code::Jsle,
        (Cond::Eq, Width::W32) => Code::Jeq32,
        (Cond::Ne, Width::W32) => Code::Jne32,
        (Cond::Gt, Width::W32) => Code::Jgt32,
        (Cond::Ge, Width::W32) => Code::Jge32,
        (Cond::Lt, Width::W32) => Code::Jlt32,
        (Cond::Le, Width::W32) => Code::Jle32,
        (Cond::Set, Width::W32) => Code::Jset32,
        (Cond::Sgt, Width::W32) => Code::Jsgt32,
        (Cond::Sge, Width::W32) => Code::Jsge32,
        (Cond::Slt, Width::W32) => Code::Jslt32,
        (Cond::Sle, Width::W32) => Code::Jsle32,
    }
}
