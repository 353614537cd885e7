//! SBPF versions and the features each one turns on.
//!
//! An sBPF program declares its version in the ELF header's `e_flags`. Every difference between
//! versions is a named *feature predicate* below, so the rest of the crate never compares
//! versions directly: it asks "does this version have static syscalls?".
//!
//! | feature                            | V0 | V1 | V2 | V3 | V4 |
//! |------------------------------------|----|----|----|----|----|
//! | stack frame gaps                   | ✓  |    |    |    |    |
//! | dynamic stack frames (`add64 r10`) |    | ✓  | ✓  |    |    |
//! | PQR class, no mul/div/mod          |    |    | ✓  |    |    |
//! | explicit sign extension of results |    |    | ✓  |    |    |
//! | `sub reg, imm` computes imm − reg  |    |    | ✓  |    |    |
//! | no `neg`, no `le`, no `lddw`, `hor64` |  |    | ✓  |    |    |
//! | moved memory instruction classes   |    |    | ✓  |    |    |
//! | `callx` register in `src`          |    |    | ✓  |    |    |
//! | `callx` register in `dst`          |    |    |    | ✓  | ✓  |
//! | static syscalls, pc-relative calls |    |    |    | ✓  | ✓  |
//! | strict ELF headers, rodata at 0    |    |    |    | ✓  | ✓  |
//! | JMP32 class                        |    |    |    | ✓  | ✓  |
//! | aligned memory mapping (forced)    |    |    |    |    | ✓  |
//!
//! Linux eBPF (RFC 9669, up to cpu v4) is the sibling dialect sBPF grew out of. It is one more
//! value here, [`SbpfVersion::Ebpf`], so that every predicate answers for it too: it has
//! JMP32, static calls (`call` src 0 by helper id, src 1 pc-relative) and `callx` in `dst` as
//! V3 does, keeps `lddw`, `neg`, `le`, mul/div/mod and the classic memory classes, and adds
//! the rules and rows only it has: the eBPF rows (`linux_ebpf`: atomics, signed division,
//! sign-extending moves and loads, `bswap`, `gotol`), 32-bit results always zero-extended,
//! total division, shift immediates masked instead of rejected, `callx` calling the helper
//! whose id a register holds, `call N` naming helper N in assembly, pseudo sources the loader
//! must resolve, and no falling off the end.
//!
//! (V0 and V1 keep the `callx` register number in `imm`.) The table is the reference runtime's (`solana-sbpf`
//! 0.26, `SBPFVersion`); the tests check each cell.

use super::insn::Insn;
use std::fmt;
use std::str::FromStr;

/// The SBPF version of a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SbpfVersion {
    /// The legacy format.
    V0,
    /// SIMD-0166: dynamic stack frames.
    V1,
    /// SIMD-0174 and SIMD-0173: arithmetic and encoding changes.
    V2,
    /// SIMD-0178, SIMD-0189, SIMD-0377: static syscalls, strict ELF, JMP32.
    V3,
    /// SIMD-0177: the aligned memory mapping.
    V4,
    /// Linux eBPF (RFC 9669, cpu v1–v4): not an SBPF version but the dialect sBPF grew out of.
    Ebpf,
    /// Any `e_flags` value that names no version; never runs.
    Reserved,
}

impl SbpfVersion {
    /// Every defined version in ascending order (without [`SbpfVersion::Reserved`]).
    pub const ALL: [SbpfVersion; 5] = [Self::V0, Self::V1, Self::V2, Self::V3, Self::V4];

    /// The version an ELF header's `e_flags` declares.
    pub const fn from_e_flags(e_flags: u32) -> Self {
        match e_flags {
            0 => Self::V0,
            1 => Self::V1,
            2 => Self::V2,
            3 => Self::V3,
            4 => Self::V4,
            _ => Self::Reserved,
        }
    }

    /// The `e_flags` value that declares this version (`Reserved` has none).
    pub const fn e_flags(self) -> Option<u32> {
        match self {
            Self::V0 => Some(0),
            Self::V1 => Some(1),
            Self::V2 => Some(2),
            Self::V3 => Some(3),
            Self::V4 => Some(4),
            Self::Ebpf | Self::Reserved => None,
        }
    }

    /// Lower-case name as used on the command line: `v0` … `v4`, `reserved`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::V0 => "v0",
            Self::V1 => "v1",
            Self::V2 => "v2",
            Self::V3 => "v3",
            Self::V4 => "v4",
            Self::Ebpf => "ebpf",
            Self::Reserved => "reserved",
        }
    }

    /// `add64 r10, imm` moves the frame pointer; calls leave r10 alone (SIMD-0166).
    pub const fn dynamic_stack_frames(self) -> bool {
        matches!(self, Self::V1 | Self::V2)
    }
    /// Every other stack frame is an unmapped gap.
    pub const fn stack_frame_gaps(self) -> bool {
        matches!(self, Self::V0)
    }
    /// The PQR class (lmul, uhmul, shmul, udiv, urem, sdiv, srem) replaces mul/div/mod.
    pub const fn enable_pqr(self) -> bool {
        matches!(self, Self::V2)
    }
    /// 32-bit add/sub/mul results are zero-extended and `mov32 reg` sign-extends.
    pub const fn explicit_sign_extension_of_results(self) -> bool {
        matches!(self, Self::V2)
    }
    /// `sub dst, imm` computes `imm - dst`.
    pub const fn swap_sub_reg_imm_operands(self) -> bool {
        matches!(self, Self::V2)
    }
    /// `neg32` / `neg64` are gone.
    pub const fn disable_neg(self) -> bool {
        matches!(self, Self::V2)
    }
    /// `callx` names its register in the `src` field.
    pub const fn callx_uses_src_reg(self) -> bool {
        matches!(self, Self::V2)
    }
    /// `lddw` is gone; `hor64` (dst |= imm << 32) replaces it.
    pub const fn disable_lddw(self) -> bool {
        matches!(self, Self::V2)
    }
    /// `le16/32/64` are gone.
    pub const fn disable_le(self) -> bool {
        matches!(self, Self::V2)
    }
    /// Loads and stores move onto the opcodes mul/div/mod/neg left free.
    pub const fn move_memory_instruction_classes(self) -> bool {
        matches!(self, Self::V2)
    }
    /// `call` with src = 0 is a syscall by hash (eBPF: a helper by id), src = 1 a pc-relative
    /// internal call.
    pub const fn static_syscalls(self) -> bool {
        matches!(self, Self::V3 | Self::V4 | Self::Ebpf)
    }
    /// The strict ELF file and program header rules of SIMD-0189.
    pub const fn enable_stricter_elf_headers(self) -> bool {
        matches!(self, Self::V3 | Self::V4)
    }
    /// Read-only data lives at virtual address 0, text at 4 GiB.
    pub const fn enable_lower_rodata_vaddr(self) -> bool {
        matches!(self, Self::V3 | Self::V4)
    }
    /// The JMP32 class (0x06) is available.
    pub const fn enable_jmp32(self) -> bool {
        matches!(self, Self::V3 | Self::V4 | Self::Ebpf)
    }
    /// `callx` names its register in the `dst` field.
    pub const fn callx_uses_dst_reg(self) -> bool {
        matches!(self, Self::V3 | Self::V4 | Self::Ebpf)
    }
    /// The Linux eBPF dialect's own rules and rows (see the module doc).
    pub const fn linux_ebpf(self) -> bool {
        matches!(self, Self::Ebpf)
    }
    /// Division and remainder never fault: `x / 0 = 0`, `x % 0 = x`, `MIN / -1 = MIN`,
    /// `MIN % -1 = 0` (RFC 9669 §4.1); an immediate 0 divisor is no verifier error.
    pub const fn total_division(self) -> bool {
        self.linux_ebpf()
    }
    /// A shift by an immediate at least the operand's width is masked, not rejected.
    pub const fn masks_shift_immediates(self) -> bool {
        self.linux_ebpf()
    }
    /// `callx rN` calls the helper (syscall) whose key rN holds, not a function address.
    pub const fn callx_calls_helpers(self) -> bool {
        self.linux_ebpf()
    }
    /// `call N` in assembly names helper N (a key), not an offset; a local call takes a label.
    pub const fn calls_helpers_by_number(self) -> bool {
        self.linux_ebpf()
    }
    /// An `lddw` or `call` `src` beyond 0 (`call`: 1) is a pseudo source a loader resolves
    /// (map by descriptor, BTF function id): the verifier rejects it unresolved.
    pub const fn has_pseudo_sources(self) -> bool {
        self.linux_ebpf()
    }
    /// The last instruction must be `exit` or an unconditional jump (the kernel's rule).
    pub const fn must_not_fall_off_the_end(self) -> bool {
        self.linux_ebpf()
    }
    /// Every 32-bit ALU result is zero-extended (V2 and eBPF; before, add/sub/mul sign-extend).
    pub const fn zero_extend_alu32_results(self) -> bool {
        matches!(self, Self::V2 | Self::Ebpf)
    }
    /// The memory mapping is always the aligned kind, whatever the configuration says.
    pub const fn force_aligned_memory_mapping(self) -> bool {
        matches!(self, Self::V4)
    }

    /// Which field of a `callx` instruction names the target register.
    pub const fn callx_register_field(self) -> CallxRegister {
        if self.callx_uses_src_reg() {
            CallxRegister::Src
        } else if self.callx_uses_dst_reg() {
            CallxRegister::Dst
        } else {
            CallxRegister::Imm
        }
    }

    /// The register number a `callx` names, read from the field this version keeps it in
    /// (unchecked: the verifier requires r0–r9).
    pub const fn callx_register(self, insn: &Insn) -> i64 {
        match self.callx_register_field() {
            CallxRegister::Imm => insn.imm64(),
            CallxRegister::Src => insn.src as i64,
            CallxRegister::Dst => insn.dst as i64,
        }
    }

    /// A `callx` slot (opcode `opcode`) naming `register` in the field this version uses.
    pub const fn callx_insn(self, opcode: u8, register: u8) -> Insn {
        let mut insn = Insn {
            opcode,
            dst: 0,
            src: 0,
            off: 0,
            imm: 0,
        };
        match self.callx_register_field() {
            CallxRegister::Imm => insn.imm = register as i32,
            CallxRegister::Src => insn.src = register,
            CallxRegister::Dst => insn.dst = register,
        }
        insn
    }

    /// Index of this version in [`SbpfVersion::ALL`]; `Reserved` shares V0's slot in
    /// per-version tables but is rejected before anything runs.
    pub(crate) const fn table_index(self) -> usize {
        match self {
            Self::V0 | Self::Reserved => 0,
            Self::V1 => 1,
            Self::V2 => 2,
            Self::V3 => 3,
            Self::V4 => 4,
            Self::Ebpf => 5,
        }
    }
}

/// Where `callx` keeps its register number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallxRegister {
    /// In the immediate (V0, V1).
    Imm,
    /// In the source register field (V2).
    Src,
    /// In the destination register field (V3, V4).
    Dst,
}

impl fmt::Display for SbpfVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The text named no SBPF version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown SBPF version {given:?} (expected v0, v1, v2, v3, v4 or ebpf)")]
pub struct UnknownVersion {
    /// What was given.
    pub given: String,
}

impl FromStr for SbpfVersion {
    type Err = UnknownVersion;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "v0" | "0" => Ok(Self::V0),
            "v1" | "1" => Ok(Self::V1),
            "v2" | "2" => Ok(Self::V2),
            "v3" | "3" => Ok(Self::V3),
            "v4" | "4" => Ok(Self::V4),
            "ebpf" => Ok(Self::Ebpf),
            _ => Err(UnknownVersion {
                given: text.to_string(),
            }),
        }
    }
}
