//! Verifier errors, named as the reference names them (`solana-sbpf` 0.26 `VerifierError`).
//! Every variant that concerns one instruction carries its index `pc`.

/// Why a text section was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifierError {
    /// The text length is not a multiple of 8.
    #[error("program length {len} is not a multiple of 8 bytes")]
    ProgramLengthNotMultiple {
        /// Text length in bytes.
        len: usize,
    },
    /// The text is empty.
    #[error("the program has no instructions")]
    NoProgram,
    /// Division or remainder by an immediate zero.
    #[error("division by an immediate 0 at instruction {pc}")]
    DivisionByZero {
        /// Instruction index.
        pc: usize,
    },
    /// `le`/`be` with a size other than 16, 32 or 64.
    #[error("byte swap size {size} is not 16, 32 or 64 at instruction {pc}")]
    UnsupportedLEBEArgument {
        /// The immediate.
        size: i32,
        /// Instruction index.
        pc: usize,
    },
    /// `lddw` in the last slot.
    #[error("lddw at instruction {pc} is the last slot and has no second half")]
    LDDWCannotBeLast {
        /// Instruction index.
        pc: usize,
    },
    /// The slot after an `lddw` does not have opcode 0.
    #[error("the second slot of the lddw at instruction {pc} has a non-zero opcode")]
    IncompleteLDDW {
        /// Instruction index.
        pc: usize,
    },
    /// A jump leaves the text.
    #[error("jump at instruction {pc} to {target} leaves the program")]
    JumpOutOfCode {
        /// The target instruction index (may be negative).
        target: i64,
        /// Instruction index of the jump.
        pc: usize,
    },
    /// A jump lands on a slot with opcode 0 (the second half of an `lddw`).
    #[error("jump at instruction {pc} lands in the middle of the lddw at {target}")]
    JumpToMiddleOfLDDW {
        /// The target instruction index.
        target: usize,
        /// Instruction index of the jump.
        pc: usize,
    },
    /// The source register field is above r10.
    #[error("source register r{register} does not exist at instruction {pc}")]
    InvalidSourceRegister {
        /// The field.
        register: u8,
        /// Instruction index.
        pc: usize,
    },
    /// An instruction other than a store (or a frame bump where allowed) writes r10.
    #[error("instruction {pc} writes the read-only frame pointer r10")]
    CannotWriteR10 {
        /// Instruction index.
        pc: usize,
    },
    /// The destination register field is above r10.
    #[error("destination register r{register} does not exist at instruction {pc}")]
    InvalidDestinationRegister {
        /// The field.
        register: u8,
        /// Instruction index.
        pc: usize,
    },
    /// No instruction of this version has this opcode.
    #[error("unknown opcode {opcode:#04x} at instruction {pc}")]
    UnknownOpCode {
        /// The opcode byte.
        opcode: u8,
        /// Instruction index.
        pc: usize,
    },
    /// A shift by an immediate outside 0..width.
    #[error("shift of a {bits}-bit value by {shift} at instruction {pc}")]
    ShiftWithOverflow {
        /// The immediate, sign-extended and read as unsigned, as the reference reports it.
        shift: u64,
        /// Operand width.
        bits: u64,
        /// Instruction index.
        pc: usize,
    },
    /// `callx` names a register outside r0..r9.
    #[error("callx at instruction {pc} names an invalid register")]
    InvalidRegister {
        /// Instruction index.
        pc: usize,
    },
    /// `add64 r10, imm` with an immediate that is not a multiple of 64 (V1, V2).
    #[error("stack frame bump at instruction {pc} is not a multiple of 64")]
    UnalignedImmediate {
        /// Instruction index.
        pc: usize,
    },
    /// Deployment check (V3+): an internal call with the invalid offset -1.
    #[error("call at instruction {pc} targets an invalid function")]
    InvalidFunction {
        /// Instruction index.
        pc: usize,
    },
    /// Deployment check (V3+): a syscall that is not registered.
    #[error("call at instruction {pc} names unknown syscall {hash:#010x}")]
    InvalidSyscall {
        /// The syscall hash.
        hash: u32,
        /// Instruction index.
        pc: usize,
    },
    /// eBPF: an atomic whose immediate names no operation.
    #[error("atomic at instruction {pc} has the unknown operation {imm:#x}")]
    InvalidAtomicOperation {
        /// The immediate.
        imm: i32,
        /// Instruction index.
        pc: usize,
    },
    /// eBPF: an `lddw` or `call` whose `src` asks for something the loader resolves (a map
    /// by file descriptor, a BTF function): raw bytecode must arrive resolved.
    #[error("instruction {pc} has the unresolved pseudo source {src}")]
    UnresolvedPseudo {
        /// The `src` field.
        src: u8,
        /// Instruction index.
        pc: usize,
    },
    /// eBPF: the last instruction is neither `exit` nor an unconditional jump, so control
    /// could run off the end.
    #[error("the last instruction, {pc}, falls through the end of the program")]
    NoExit {
        /// Instruction index.
        pc: usize,
    },
}

impl VerifierError {
    /// The reference's variant name (`UnknownOpCode`, …), as reports and the CLI print it.
    pub const fn kind_name(&self) -> &'static str {
        match self {
            Self::ProgramLengthNotMultiple { .. } => "ProgramLengthNotMultiple",
            Self::NoProgram => "NoProgram",
            Self::DivisionByZero { .. } => "DivisionByZero",
            Self::UnsupportedLEBEArgument { .. } => "UnsupportedLEBEArgument",
            Self::LDDWCannotBeLast { .. } => "LDDWCannotBeLast",
            Self::IncompleteLDDW { .. } => "IncompleteLDDW",
            Self::JumpOutOfCode { .. } => "JumpOutOfCode",
            Self::JumpToMiddleOfLDDW { .. } => "JumpToMiddleOfLDDW",
            Self::InvalidSourceRegister { .. } => "InvalidSourceRegister",
            Self::CannotWriteR10 { .. } => "CannotWriteR10",
            Self::InvalidDestinationRegister { .. } => "InvalidDestinationRegister",
            Self::InvalidAtomicOperation { .. } => "InvalidAtomicOperation",
            Self::UnresolvedPseudo { .. } => "UnresolvedPseudo",
            Self::NoExit { .. } => "NoExit",
            Self::UnknownOpCode { .. } => "UnknownOpCode",
            Self::ShiftWithOverflow { .. } => "ShiftWithOverflow",
            Self::InvalidRegister { .. } => "InvalidRegister",
            Self::UnalignedImmediate { .. } => "UnalignedImmediate",
            Self::InvalidFunction { .. } => "InvalidFunction",
            Self::InvalidSyscall { .. } => "InvalidSyscall",
        }
    }

    /// The instruction the error is about, if it is about one.
    pub const fn pc(&self) -> Option<usize> {
        match *self {
            Self::ProgramLengthNotMultiple { .. } | Self::NoProgram => None,
            Self::DivisionByZero { pc }
            | Self::UnsupportedLEBEArgument { pc, .. }
            | Self::LDDWCannotBeLast { pc }
            | Self::IncompleteLDDW { pc }
            | Self::JumpOutOfCode { pc, .. }
            | Self::JumpToMiddleOfLDDW { pc, .. }
            | Self::InvalidSourceRegister { pc, .. }
            | Self::CannotWriteR10 { pc }
            | Self::InvalidDestinationRegister { pc, .. }
            | Self::UnknownOpCode { pc, .. }
            | Self::ShiftWithOverflow { pc, .. }
            | Self::InvalidRegister { pc }
            | Self::UnalignedImmediate { pc }
            | Self::InvalidFunction { pc }
            | Self::InvalidSyscall { pc, .. }
            | Self::InvalidAtomicOperation { pc, .. }
            | Self::UnresolvedPseudo { pc, .. }
            | Self::NoExit { pc } => Some(pc),
        }
    }
}
