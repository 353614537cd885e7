//! Assembler errors: what went wrong and where.
//!
//! An error quotes the offending token, cut to [`QUOTE_CHARS_MAX`] characters with an ellipsis
//! and the token's length, so a megabyte-long literal gives a one-line message.

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
    #[error("{} is not a decimal or 0x-hexadecimal integer of at most 64 bits", quoted(.0))]
    BadInteger(String),
    /// `r16` and above do not fit the 4-bit register fields.
    #[error("register {} does not exist (r0 to r10; r11 to r15 encode but never verify)", excerpt(.0))]
    RegisterOutOfRange(String),
    /// No instruction has this name.
    #[error("unknown instruction {}", quoted(.0))]
    UnknownMnemonic(String),
    /// No directive has this name.
    #[error("unknown directive .{} (sbvm knows .fill REPEAT, VALUE)", excerpt(.0))]
    UnknownDirective(String),
    /// The operands do not fit the instruction.
    #[error("{} takes {expected}", excerpt(mnemonic))]
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
    #[error("label {} is not defined", quoted(.0))]
    UnknownLabel(String),
    /// A label is defined twice.
    #[error("label {} is already defined on line {first_line}", quoted(name))]
    DuplicateLabel {
        /// The label.
        name: String,
        /// Where it was first defined.
        first_line: usize,
    },
    /// Two call targets share one registry key.
    #[error(
        "function key {key:#x} of {} is already taken by another function",
        quoted(name)
    )]
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

/// Longest piece of a token an error message quotes, in characters.
pub(crate) const QUOTE_CHARS_MAX: usize = 64;

/// `token` as an error shows it: whole when short, else its first [`QUOTE_CHARS_MAX`]
/// characters, an ellipsis and its length in bytes.
pub(crate) fn excerpt(token: &str) -> String {
    match token.char_indices().nth(QUOTE_CHARS_MAX) {
        None => token.to_string(),
        Some((cut, _)) => format!("{}… ({} bytes)", &token[..cut], token.len()),
    }
}

/// [`excerpt`] in double quotes, with Rust's escapes for what is not printable.
pub(crate) fn quoted(token: &str) -> String {
    match token.char_indices().nth(QUOTE_CHARS_MAX) {
        None => format!("{token:?}"),
        Some((cut, _)) => format!("{:?}… ({} bytes)", &token[..cut], token.len()),
    }
}
