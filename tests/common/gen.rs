//! Random instruction streams for property tests.

use rand::rngs::StdRng;
use rand::RngExt;
use sbvm::isa::table::{AluOp, AtomicOp, Kind, OpInfo, Selector, Source, TABLE};
use sbvm::isa::{Insn, SbpfVersion};

/// A random stream of `units` instructions that `verify` accepts in `version`. One in five
/// instructions carries junk in a field its assembly form does not show (the verifier ignores
/// it; the disassembler must keep it).
pub fn valid_program(rng: &mut StdRng, version: SbpfVersion, units: usize) -> Vec<u8> {
    let rows: Vec<&OpInfo> = TABLE
        .iter()
        .filter(|info| info.in_version(version))
        .collect();
    let mut slots: Vec<Insn> = Vec::new();
    let mut starts = Vec::new();
    let mut jumps = Vec::new();
    for _ in 0..units {
        let info = rows[rng.random_range(0..rows.len())];
        starts.push(slots.len());
        if info.kind.jumps() {
            jumps.push(slots.len());
        }
        let insn = random_fields(rng, info, version);
        slots.push(insn);
        if info.kind.is_wide() {
            slots.push(Insn {
                imm: rng.random(),
                ..Insn::default()
            });
        }
    }
    slots.push(Insn {
        opcode: 0x95,
        ..Insn::default()
    });
    starts.push(slots.len() - 1);
    for at in jumps {
        let target = starts[rng.random_range(0..starts.len())] as i64;
        let delta = target - at as i64 - 1;
        if slots[at].opcode == 0x06 && version.linux_ebpf() {
            slots[at].imm = delta as i32; // gotol: the offset is the immediate
        } else {
            slots[at].off = delta as i16;
        }
    }
    slots.iter().flat_map(Insn::encode).collect()
}

fn random_fields(rng: &mut StdRng, info: &OpInfo, version: SbpfVersion) -> Insn {
    let junk = rng.random_bool(0.2);
    let mut insn = Insn {
        opcode: info.opcode,
        dst: rng.random_range(0..10),
        ..Insn::default()
    };
    let set_src = |insn: &mut Insn, rng: &mut StdRng| insn.src = rng.random_range(0..=10);
    match info.kind {
        Kind::Alu { op, width, source } => {
            if source == Source::Reg {
                set_src(&mut insn, rng);
            } else if op == AluOp::Neg {
                // no operand
            } else if op.shifts() {
                insn.imm = rng.random_range(0..width.bits() as i32);
            } else if op.divides() {
                insn.imm = loop {
                    let imm: i32 = rng.random();
                    if imm != 0 {
                        break imm;
                    }
                };
            } else {
                insn.imm = small_or_any(rng);
            }
            if op == AluOp::Add
                && width.bits() == 64
                && source == Source::Imm
                && version.dynamic_stack_frames()
                && rng.random_bool(0.1)
            {
                insn.dst = 10;
                insn.imm = 64 * rng.random_range(-100..100);
            }
        }
        Kind::Endian(_) => insn.imm = [16, 32, 64][rng.random_range(0..3)],
        Kind::LoadImm64 => insn.imm = rng.random(),
        Kind::Load(_) | Kind::LoadSigned(_) => {
            set_src(&mut insn, rng);
            insn.off = rng.random();
        }
        Kind::Atomic(_) => {
            insn.dst = rng.random_range(0..=10);
            insn.off = rng.random();
            insn.src = rng.random_range(0..10);
            let op = AtomicOp::ALL[rng.random_range(0..AtomicOp::ALL.len())];
            insn.imm = op.imm(rng.random_bool(0.5));
        }
        Kind::Store(_, source) => {
            insn.dst = rng.random_range(0..=10);
            insn.off = rng.random();
            if source == Source::Reg {
                set_src(&mut insn, rng);
            } else {
                insn.imm = small_or_any(rng);
            }
        }
        Kind::JumpIf { source, .. } => {
            if source == Source::Reg {
                set_src(&mut insn, rng);
            } else {
                insn.imm = small_or_any(rng);
            }
        }
        Kind::Jump | Kind::JumpLong | Kind::Exit => insn.dst = 0,
        Kind::Call => {
            insn.dst = 0;
            insn.imm = small_or_any(rng);
            if version.static_syscalls() {
                insn.src = rng.random_range(0..=1);
            }
        }
        Kind::CallReg => {
            let register = rng.random_range(0..10u8);
            insn.dst = 0;
            match version.callx_register_field() {
                sbvm::isa::version::CallxRegister::Imm => insn.imm = register.into(),
                sbvm::isa::version::CallxRegister::Src => insn.src = register,
                sbvm::isa::version::CallxRegister::Dst => insn.dst = register,
            }
        }
    }
    if let Selector::Offset(off) = info.selector {
        insn.off = off;
    }
    // In eBPF `off` selects rows (`sdiv`, `movsx`) and `src` on an `lddw` or `call` names a
    // pseudo source: no junk there.
    let src_is_junk = !matches!(
        info.kind,
        Kind::Alu {
            source: Source::Reg,
            ..
        } | Kind::JumpIf { .. }
            | Kind::Load(_)
            | Kind::LoadSigned(_)
            | Kind::Store(..)
            | Kind::Atomic(_)
            | Kind::CallReg
    );
    let src_is_pseudo = version.linux_ebpf() && matches!(info.kind, Kind::LoadImm64 | Kind::Call);
    if junk {
        match rng.random_range(0..3) {
            0 if !version.linux_ebpf() => insn.off = rng.random(),
            1 if src_is_junk && !src_is_pseudo => insn.src = rng.random_range(0..=10),
            _ if matches!(info.kind, Kind::Exit | Kind::Jump) => insn.imm = rng.random(),
            _ => {}
        }
    }
    insn
}

fn small_or_any(rng: &mut StdRng) -> i32 {
    if rng.random_bool(0.5) {
        rng.random_range(-300..300)
    } else {
        rng.random()
    }
}

/// Random bytes shaped like code: whole slots (mostly), opcodes drawn from the table half the
/// time, register fields often small.
pub fn code_like_bytes(rng: &mut StdRng, max_slots: usize) -> Vec<u8> {
    let slots = rng.random_range(0..=max_slots);
    let mut bytes = Vec::with_capacity(slots * 8 + 7);
    for _ in 0..slots {
        let mut slot: [u8; 8] = rng.random();
        if rng.random_bool(0.5) {
            slot[0] = TABLE[rng.random_range(0..TABLE.len())].opcode;
        }
        if rng.random_bool(0.7) {
            slot[1] &= 0x7f;
        }
        if rng.random_bool(0.5) {
            slot[2] = rng.random_range(0..4);
            slot[3] = if rng.random() { 0 } else { 0xff };
        }
        bytes.extend_from_slice(&slot);
    }
    if rng.random_bool(0.05) {
        bytes.extend((0..rng.random_range(1..8)).map(|_| rng.random::<u8>()));
    }
    bytes
}
