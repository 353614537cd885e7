//! Assembler errors: what went wrong and where.

/// An assembly error at a line and column (both 1-based).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {problem}")]
pub struct AsmError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub problem: AsmProblem,
}

/// What is wrong with a piece of assembly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AsmProblem {
    /// The text does not follow the grammar.
    #[error("syntax error: {0}")]
    Syntax(String),
    /// Not a number.
    #[error("{0:?} is not a decimal or 0x-hexadecimal integer of at most 64 bits")]
    BadInteger(String),
    /// `r16` and above do not fit the 4-bit register fields.
    #[error("register {0} does not exist (r0 to r10; r11 to r15 encode but never verify)")]
    RegisterOutOfRange(String),
    /// No instruction has this name.
    #[error("unknown instruction {0:?}")]
    UnknownMnemonic(String),
    /// No directive has this name.
    #[error("unknown directive .{0} (sbvm knows .fill REPEAT, VALUE)")]
    UnknownDirective(String),
    /// The operands do not fit the instruction.
    #[error("{mnemonic} takes {expected}")]
    BadOperands {
        /// The instruction.
        mnemonic: String,
        /// The operand shapes it takes.
        expected: &'static str,
    },
    /// A number does not fit its field.
    #[error("{what} {value} is out of range ({min} to {max})")]
    OutOfRange {
        /// Which field.
        what: &'static str,
        /// The number given.
        value: i128,
        /// Smallest allowed.
        min: i128,
        /// Largest allowed.
        max: i128,
    },
    /// A jump or call names a label that is not defined.
    #[error("label {0:?} is not defined")]
    UnknownLabel(String),
    /// A label is defined twice.
    #[error("label {name:?} is already defined on line {first_line}")]
    DuplicateLabel {
        /// The label.
        name: String,
        /// Where it was first defined.
        first_line: usize,
    },
    /// Two call targets share one registry key.
    #[error("function key {key:#x} of {name:?} is already taken by another function")]
    FunctionKeyCollision {
        /// The key.
        key: u32,
        /// The function that collided.
        name: String,
    },
    /// `hashcall` from V3, where calls are pc-relative and there are no registry keys.
    #[error("hashcall calls by registry key, which only V0–V2 have ({0} calls are pc-relative)")]
    CallByKeyUnavailable(crate::isa::SbpfVersion),
    /// The program needs more slots than the address space holds.
    #[error("program too long")]
    ProgramTooLong,
}
