//! Lowering: pre-decoded ops to x86-64, one op at a time, in text order.
//!
//! ```text
//! offset 0  prologue   save host registers, rbp = context, load guest registers, jump to rsi
//!           epilogue   store guest registers, restore host registers, ret
//!           routines   leave at the pc in rdx (giving back its run), leave refunding rcx,
//!                      dispatch to the pc in rax, the memory checks' second chances
//!           op 0, op 1, …  each op's code starts at its label; entry table: pc → label
//!           stubs      out-of-line exits: `mov edx, pc; jmp leave-at-rdx` (or, for a partial
//!                      refund, refund the meter, record the pc, jump to the epilogue)
//! ```
//!
//! Guest registers live in host registers (`GUEST`); `rbp` holds the
//! [`super::context::JitContext`]; `rax`, `rcx` and `rdx` are scratch.
//!
//! **Metering** is the interpreter's, run for run. Whoever enters compiled code at `pc` has
//! already charged the straight-line run starting there (`runs[pc]` instructions) to
//! `left`. A taken jump gives back the part of its run it skips and charges the target's run in
//! one `sub [left], d` checked for borrow; when the budget does not cover the new run, control
//! goes back to the host, which meters one instruction at a time exactly as the interpreter
//! does. Because every run is paid for before it starts, no program can outrun its budget, and
//! the count is exact at every exit.
//!
//! **Hand-over.** Rare or host-dependent work — calls, exits, syscalls, memory accesses that
//! miss the fast path (atomics included), division faults (eBPF's total division has none),
//! invalid instructions, running off the text — leaves compiled code through a stub that
//! gives back the unexecuted part of the run and records the pc; the host then executes that
//! one instruction with the interpreter ([`crate::vm::Vm::step`]) and re-enters. Both
//! engines thus share every fault path, so they cannot disagree on errors.
//!
//! **Stop checks.** The compilation a debugger's run uses (`Vm::run_jit_until`) differs in one
//! thing: every op's label starts with a test of that pc's mark, which hands over like any op
//! compiled code cannot run ([`stops`]). Without them (every other run) `op` emits exactly
//! what it emitted before they existed.
//!
//! **Hardening.** Immediates outside `-128..=255` are never emitted as they are: they are
//! loaded xor-ed with the compilation's random key and unmasked with a second `xor`.
//! Random no-ops shift the code layout between compilations.
//!
//! **Compile speed.** Lowering is throughput-bound on the host's own instruction count, so the
//! common ops (ALU and register loads/stores, most of any program) go through one table
//! lookup ([`recipe`]) and one branch-free path each, building fixed-length instruction forms
//! as 64-bit words and writing them into a code window ([`super::x86::Window`]); memory slow
//! paths need no per-op stub (their pc rides in rdx). Everything else takes the general path
//! through the encoder's methods.

mod alu;
mod atomic;
mod branch;
mod call;
mod memory;
mod recipe;
mod stops;

pub(crate) use call::{CallSettings, NATIVE_CALL_DEPTH_LIMIT};

use super::context::offsets;
use super::x86::alu::AluOp;
use super::x86::{Emitter, Mem, Reg};
use crate::program::{next_pc, Code, Op};
use recipe::{recipe, Form, Recipe};
use std::collections::HashMap;

/// A pc whose code has not been emitted yet.
const NO_LABEL: u32 = u32::MAX;

/// Host register of guest register `r0`–`r10`.
const GUEST: [Reg; 11] = [
    Reg::Rbx,
    Reg::Rsi,
    Reg::Rdi,
    Reg::R8,
    Reg::R9,
    Reg::R10,
    Reg::R11,
    Reg::R12,
    Reg::R13,
    Reg::R14,
    Reg::R15,
];

/// Host registers the System V ABI says a callee must preserve and the JIT uses.
const CALLEE_SAVED: [Reg; 6] = [Reg::Rbx, Reg::Rbp, Reg::R12, Reg::R13, Reg::R14, Reg::R15];

/// The context register.
const CTX: Reg = Reg::Rbp;

/// `len` when `present`, else 0: the length that writes a fixed-length form or leaves it out
/// without a branch. A flag times an instruction length (below 16) does not wrap.
#[inline(always)]
fn len_if(present: bool, len: u32) -> u32 {
    u32::from(present).wrapping_mul(len)
}

/// Tables of a compilation (its code is left in the [`Scratch`] buffer).
pub(crate) struct Lowered {
    /// Code offset of each pc's label (where returns and `callx` land).
    pub labels: Vec<u32>,
    /// Label of each pc, or `u32::MAX` where entering makes no sense (the host steps instead).
    pub entries: Vec<u32>,
}

/// Where a jump must be patched to.
enum Target {
    /// The label of a pc.
    Pc(usize),
    /// The exit stub (refund, pc).
    Stub(u32, u64),
    /// The routine that goes to the pc in rax.
    Dispatch,
}

struct Lowering<'p> {
    asm: Emitter,
    ops: &'p [Op],
    runs: &'p [u32],
    key: u64,
    /// Code offset of each pc's label (`NO_LABEL` until emitted).
    labels: Vec<u32>,
    entries: Vec<u32>,
    /// (end of rel32, target) pairs to patch.
    fixups: Vec<(usize, Target)>,
    epilogue: usize,
    /// The dispatch routine.
    dispatch: usize,
    /// The routine that gives back the run length in rcx and leaves at the pc in rax.
    leave_refunding: usize,
    /// The routine that gives back the run at the pc in rdx and leaves there.
    leave_at_rdx: usize,
    /// The memory bounds checks (see `memory`).
    bounds_checks: &'static [memory::BoundsCheck; 8],
    /// The second-chance routines of the bounds checks (same index).
    second_chances: [usize; 8],
    calls: CallSettings,
    /// Second slots of lddw instructions.
    lddw_tails: Vec<usize>,
    /// Layout noise: an LCG seeded from the OS-backed thread RNG once per compilation (cheap
    /// per op; the key, not the padding, is what must be unpredictable).
    noise: u64,
    /// Put a stop check at every op's label (the compilation debuggers run; see `stops`).
    stop_checks: bool,
}

/// Lowers `ops` (with their run lengths) using blinding `key`; with `stop_checks`, every op
/// first hands over when its pc is marked (see `stops`), else the code is the same as without.
///
/// `scratch` lends the code and fix-up buffers: reusing them between compilations saves
/// faulting fresh pages in, which otherwise costs more than the lowering itself.
pub(crate) fn lower(
    ops: &[Op],
    runs: &[u32],
    key: u64,
    calls: CallSettings,
    stop_checks: bool,
    scratch: &mut Scratch,
) -> Lowered {
    let mut code = std::mem::take(&mut scratch.code);
    code.clear();
    // Enough for typical code without regrowing (memory ops take ~90 bytes).
    // A size hint: saturating, since no text reaches a wrapping size.
    code.reserve(ops.len().saturating_mul(48).saturating_add(256));
    let mut fixups = std::mem::take(&mut scratch.fixups);
    fixups.clear();
    let mut lowering = Lowering {
        asm: code,
        ops,
        runs,
        key,
        labels: vec![NO_LABEL; ops.len()],
        entries: vec![u32::MAX; ops.len()],
        fixups,
        epilogue: 0,
        dispatch: 0,
        leave_refunding: 0,
        leave_at_rdx: 0,
        bounds_checks: memory::bounds_checks(),
        second_chances: [0; 8],
        calls,
        lddw_tails: Vec::new(),
        noise: rand::random::<u64>(),
        stop_checks,
    };
    lowering.prologue_and_epilogue();
    let mut pc = 0;
    while pc < ops.len() {
        pc = lowering.op(pc);
    }
    // Falling off the end of the text: nothing left of the run to give back.
    lowering.exit_to(0, ops.len() as u64);
    lowering.finish(scratch)
}

/// Buffers reused from one compilation to the next (per thread).
#[derive(Default)]
pub(crate) struct Scratch {
    /// The machine code of the last compilation (valid until the next one).
    pub code: Emitter,
    fixups: Vec<(usize, Target)>,
}

impl Lowering<'_> {
    fn prologue_and_epilogue(&mut self) {
        for reg in CALLEE_SAVED {
            self.asm.push(reg);
        }
        self.asm.mov_rr(true, CTX, Reg::Rdi);
        // Native call frames (see `call`) go below this; the epilogue drops them.
        self.asm.store(8, Mem::at(CTX, offsets::ENTRY_SP), Reg::Rsp);
        // The start address arrives in rsi, which holds r1 from here on.
        self.asm.mov_rr(true, Reg::Rax, Reg::Rsi);
        for (index, reg) in GUEST.iter().enumerate() {
            self.asm.load(8, *reg, Mem::at(CTX, offsets::reg(index)));
        }
        self.asm.jmp_reg(Reg::Rax);
        self.epilogue = self.asm.offset();
        self.asm.load(8, Reg::Rsp, Mem::at(CTX, offsets::ENTRY_SP));
        for (index, reg) in GUEST.iter().enumerate() {
            self.asm.store(8, Mem::at(CTX, offsets::reg(index)), *reg);
        }
        for reg in CALLEE_SAVED.iter().rev() {
            self.asm.pop(*reg);
        }
        self.asm.ret();
        self.leave_at_rdx = self.asm.offset();
        self.leave_at_rdx();
        // (falls through)
        self.leave_refunding = self.asm.offset();
        self.leave_refunding();
        self.dispatch = self.asm.offset();
        self.dispatch();
        self.second_chance_routines();
    }

    /// Lowers the op at `pc`; returns the next pc in text order.
    fn op(&mut self, pc: usize) -> usize {
        let Some(op) = self.ops.get(pc).copied() else {
            return usize::MAX;
        };
        // Layout noise from a 64-bit LCG (top bits): one in eight ops gets a 1–4 byte no-op in
        // front, written without a branch (a mispredicted one would cost more than the no-op).
        self.noise = self
            .noise
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        // A flag times 1 to 4: no wrap.
        let len = ((self.noise >> 59 & 3) as usize).wrapping_add(1);
        let pad = usize::from(self.noise >> 61 == 0).wrapping_mul(len);
        let recipe = recipe(op.code);
        // With stop checks the label is the check's: the no-op goes first, and the op after
        // the check gets none.
        let (checked, pad) = if self.stop_checks {
            self.asm.nop_up_to_4(pad);
            let label = self.asm.offset() as u32;
            self.stop_check(pc);
            (Some(label), 0)
        } else {
            (None, pad)
        };
        let uses_registers = usize::from(op.dst) < GUEST.len() && usize::from(op.src) < GUEST.len();
        // The common forms write the no-op, take their label and emit in one code window.
        if uses_registers && matches!(recipe.form, Form::Alu | Form::Memory) {
            let label = if recipe.form == Form::Alu {
                self.alu(&op, recipe, pad)
            } else {
                self.memory(pc, &op, recipe, pad)
            } as u32;
            let label = checked.unwrap_or(label);
            self.labels[pc] = label;
            self.entries[pc] = label;
            return next_pc(pc, 1);
        }
        self.asm.nop_up_to_4(pad);
        let label = checked.unwrap_or(self.asm.offset() as u32);
        self.labels[pc] = label;
        let lowered = uses_registers && self.lower_op(pc, &op, recipe);
        self.entries[pc] = if lowered { label } else { u32::MAX };
        if !lowered {
            self.hand_over(pc);
        }
        let slots = op.code.slots();
        if slots == 2 {
            let tail = next_pc(pc, 1);
            if tail < self.ops.len() {
                // The second slot of an lddw is not code; jumping there is the host's
                // business. Its label is a stub, placed out of line by `finish`.
                self.lddw_tails.push(tail);
            } else {
                // An lddw in the last slot runs off the end.
                self.exit_to(0, next_pc(pc, slots) as u64);
            }
            return next_pc(pc, slots);
        }
        next_pc(pc, 1)
    }

    /// Emits `op`; false when compiled code cannot do it (the caller hands it over).
    #[inline(always)]
    fn lower_op(&mut self, pc: usize, op: &Op, recipe: &Recipe) -> bool {
        match recipe.form {
            // `op` lowers these itself and never comes here with them (handing over would be
            // correct anyway, only slower).
            Form::Alu | Form::Memory => return false,
            Form::StoreImm => self.store_immediate(pc, op, recipe.size),
            Form::Atomic => self.atomic(pc, op, recipe),
            Form::Extend => self.sign_extend(op, recipe),
            Form::Jump => self.conditional_jump(pc, op, recipe),
            Form::ShiftReg | Form::Mul | Form::MulHigh | Form::Div => {
                self.alu_other(pc, op, recipe);
            }
            Form::Other => match op.code {
                Code::LoadImm64 => self.immediate_into(GUEST[usize::from(op.dst)], op.imm),
                Code::Ja => self.transfer(0, op.aux as usize),
                Code::CallInternal if (op.aux as usize) < self.ops.len() => {
                    self.call_internal(pc, op.aux as usize);
                }
                Code::CallReg => self.call_register(pc, op),
                Code::Exit => self.exit(pc),
                _ => return self.alu_unary(op),
            },
        }
        true
    }

    /// The run length at `pc` (0 past the end of the text).
    fn run_at(&self, pc: usize) -> u32 {
        self.runs.get(pc).copied().unwrap_or(0)
    }

    /// Leaves for the host to execute `pc` (the run from `pc` on is given back).
    fn hand_over(&mut self, pc: usize) {
        self.exit_to(self.run_at(pc), pc as u64);
    }

    /// Hands `pc` over when `condition` holds.
    fn hand_over_if(&mut self, condition: super::x86::Cond, pc: usize) {
        self.exit_if(condition, self.run_at(pc), pc as u64);
    }

    /// Takes `charge` from the budget; when it does not cover that, adds `restore` back and
    /// leaves for the host at `pc`.
    fn charge_or_leave(&mut self, charge: u32, restore: u32, pc: usize) {
        self.asm
            .alu_mi(AluOp::Sub, Mem::at(CTX, offsets::LEFT), charge as i32);
        self.exit_if(super::x86::Cond::Below, restore, pc as u64);
    }

    /// `jmp` to the stub that adds `refund` to the budget and leaves at `pc`.
    fn exit_to(&mut self, refund: u32, pc: u64) {
        let end = self.asm.jmp(None);
        self.fixups.push((end, Target::Stub(refund, pc)));
    }

    /// `jcc` to the same kind of stub.
    fn exit_if(&mut self, condition: super::x86::Cond, refund: u32, pc: u64) {
        let end = self.asm.jcc(condition, None);
        self.fixups.push((end, Target::Stub(refund, pc)));
    }

    /// Control goes to `target` after giving back `refund` instructions of the current run:
    /// charges the target's run (or leaves when the budget does not cover it).
    fn transfer(&mut self, refund: u32, target: usize) {
        let Some(run) = self.runs.get(target).copied() else {
            // Outside the text: the host reports it (after its own meter check).
            self.exit_to(refund, target as u64);
            return;
        };
        // Two `u32`s: their difference fits an `i64`, and so does its negation.
        let charge = i64::from(run).wrapping_sub(i64::from(refund));
        if charge > 0 {
            // Covered: on to the target (the one taken branch of the common case). Not
            // enough budget for the whole run: leave with only the refund applied.
            self.asm
                .alu_mi(AluOp::Sub, Mem::at(CTX, offsets::LEFT), charge as i32);
            let end = self.asm.jcc(super::x86::Cond::AboveEqual, None);
            self.fixups.push((end, Target::Pc(target)));
            self.exit_to(run, target as u64);
            return;
        } else if charge < 0 {
            self.asm.alu_mi(
                AluOp::Add,
                Mem::at(CTX, offsets::LEFT),
                charge.wrapping_neg() as i32,
            );
        }
        let end = self.asm.jmp(None);
        self.fixups.push((end, Target::Pc(target)));
    }

    /// `reg = value`; blinded unless the value is small.
    ///
    /// Sign extension commutes with xor, so a sign-extended 32-bit value is blinded with the
    /// key's low half as two register-immediate instructions; only full 64-bit constants
    /// (`lddw`, `hor64`) unmask with the key in the context.
    fn immediate_into(&mut self, reg: Reg, value: u64) {
        if is_small(value) {
            self.asm.mov_imm(reg, value);
        } else if value as i64 == i64::from(value as i32) {
            self.blinded_imm32(true, reg, value as i32);
        } else if value <= u64::from(u32::MAX) {
            self.blinded_imm32(false, reg, value as i32);
        } else {
            self.asm.mov_imm(reg, value ^ self.key);
            self.asm.alu_rm(AluOp::Xor, reg, Mem::at(CTX, offsets::KEY));
        }
    }

    /// Emits the stubs and patches every jump.
    fn finish(mut self, scratch: &mut Scratch) -> Lowered {
        let mut stubs = Stubs {
            by_pc: vec![usize::MAX; self.ops.len()],
            others: HashMap::new(),
        };
        for tail in std::mem::take(&mut self.lddw_tails) {
            let refund = self.run_at(tail);
            self.labels[tail] = self.stub(&mut stubs, refund, tail as u64) as u32;
        }
        let mut fixups = std::mem::take(&mut self.fixups);
        for (end, target) in fixups.drain(..) {
            let destination = match target {
                Target::Pc(pc) => match self.labels.get(pc).copied() {
                    Some(label) if label != NO_LABEL => label as usize,
                    // Past the end of the text: the host reports the overrun.
                    _ => self.stub(&mut stubs, 0, pc as u64),
                },
                Target::Stub(refund, pc) => self.stub(&mut stubs, refund, pc),
                Target::Dispatch => self.dispatch,
            };
            self.asm.patch_rel32(end, destination);
        }
        // Every pc has a label by now; the epilogue stands in should one not.
        let mut labels = std::mem::take(&mut self.labels);
        for label in labels.iter_mut().filter(|label| **label == NO_LABEL) {
            *label = self.epilogue as u32;
        }
        scratch.fixups = fixups;
        scratch.code = self.asm;
        Lowered {
            labels,
            entries: self.entries,
        }
    }

    /// The stub that adds `refund` to the budget and leaves at `pc` (one per pair).
    fn stub(&mut self, stubs: &mut Stubs, refund: u32, pc: u64) -> usize {
        // The common stub gives back exactly the run at its pc: one slot per pc.
        let common = usize::try_from(pc)
            .ok()
            .filter(|at| self.runs.get(*at) == Some(&refund));
        if let Some(at) = common {
            if stubs.by_pc[at] == usize::MAX {
                stubs.by_pc[at] = self.emit_stub(refund, pc);
            }
            return stubs.by_pc[at];
        }
        if let Some(at) = stubs.others.get(&(refund, pc)) {
            return *at;
        }
        let at = self.emit_stub(refund, pc);
        stubs.others.insert((refund, pc), at);
        at
    }

    /// Emits a stub: add `refund` to the budget, record `pc`, leave. When `refund` is the run
    /// at `pc` (most stubs), that is two instructions through [`Lowering::leave_at_rdx`].
    fn emit_stub(&mut self, refund: u32, pc: u64) -> usize {
        let at = self.asm.offset();
        let whole_run = usize::try_from(pc)
            .ok()
            .is_some_and(|at| self.runs.get(at) == Some(&refund));
        if whole_run {
            // The common case: the shared routine looks the run up.
            self.asm.mov_imm(Reg::Rdx, pc);
            let jump = self.asm.jmp(None);
            self.asm.patch_rel32(jump, self.leave_at_rdx);
            return at;
        }
        if refund > 0 {
            self.asm
                .alu_mi(AluOp::Add, Mem::at(CTX, offsets::LEFT), refund as i32);
        }
        self.asm.mov_imm(Reg::Rax, pc);
        self.asm.store(8, Mem::at(CTX, offsets::PC), Reg::Rax);
        let jump = self.asm.jmp(None);
        self.asm.patch_rel32(jump, self.epilogue);
        at
    }
}

/// Stubs emitted so far, by (refund, pc).
struct Stubs {
    /// The stub of each pc that gives back that pc's whole run (`usize::MAX`: none yet).
    by_pc: Vec<usize>,
    /// Any other pair (rare: jumps out of the text).
    others: HashMap<(u32, u64), usize>,
}

/// Immediates emitted in the clear: at most one byte an attacker chooses.
pub(crate) fn is_small(value: u64) -> bool {
    (-128..=255).contains(&(value as i64))
}
