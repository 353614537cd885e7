//! Why an instruction failed: Solana's `InstructionError`, with its names (the `Debug` form
//! fixtures and logs print, `Err(Custom(6))`) and its messages (the `Display` form of
//! `Program … failed: …` lines).
//!
//! A program reports an error by exiting with a nonzero r0. Values below 2³² are custom error
//! codes; the runtime's own errors are encoded as `n << 32` (Solana's `to_builtin!`), see
//! [`InstructionError::from_program_return`].

use std::fmt;

/// Declares the unit variants with their messages: the enum, `Display` and the name table come
/// from this one list.
macro_rules! instruction_errors {
    ($($name:ident => $message:literal,)*) => {
        /// An instruction's failure, variant for variant Solana's `InstructionError`.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum InstructionError {
            $(
                #[doc = $message]
                $name,
            )*
            /// A program's own error code.
            Custom(u32),
        }

        impl InstructionError {
            /// The message of a unit variant.
            fn unit_message(&self) -> Option<&'static str> {
                match self {
                    $(InstructionError::$name => Some($message),)*
                    InstructionError::Custom(_) => None,
                }
            }

            /// The unit variant called `name` (its `Debug` form).
            pub fn unit_from_name(name: &str) -> Option<Self> {
                match name {
                    $(stringify!($name) => Some(InstructionError::$name),)*
                    _ => None,
                }
            }
        }
    };
}

// Messages: Solana's `impl Display for InstructionError` (solana-instruction-error 2.4).
instruction_errors! {
    GenericError => "generic instruction error",
    InvalidArgument => "invalid program argument",
    InvalidInstructionData => "invalid instruction data",
    InvalidAccountData => "invalid account data for instruction",
    AccountDataTooSmall => "account data too small for instruction",
    InsufficientFunds => "insufficient funds for instruction",
    IncorrectProgramId => "incorrect program id for instruction",
    MissingRequiredSignature => "missing required signature for instruction",
    AccountAlreadyInitialized => "instruction requires an uninitialized account",
    UninitializedAccount => "instruction requires an initialized account",
    UnbalancedInstruction => "sum of account balances before and after instruction do not match",
    ModifiedProgramId => "instruction illegally modified the program id of an account",
    ExternalAccountLamportSpend => "instruction spent from the balance of an account it does not own",
    ExternalAccountDataModified => "instruction modified data of an account it does not own",
    ReadonlyLamportChange => "instruction changed the balance of a read-only account",
    ReadonlyDataModified => "instruction modified data of a read-only account",
    DuplicateAccountIndex => "instruction contains duplicate accounts",
    ExecutableModified => "instruction changed executable bit of an account",
    RentEpochModified => "instruction modified rent epoch of an account",
    NotEnoughAccountKeys => "insufficient account keys for instruction",
    AccountDataSizeChanged => "program other than the account's owner changed the size of the account data",
    AccountNotExecutable => "instruction expected an executable account",
    AccountBorrowFailed => "instruction tries to borrow reference for an account which is already borrowed",
    AccountBorrowOutstanding => "instruction left account with an outstanding borrowed reference",
    DuplicateAccountOutOfSync => "instruction modifications of multiply-passed account differ",
    InvalidError => "program returned invalid error code",
    ExecutableDataModified => "instruction changed executable accounts data",
    ExecutableLamportChange => "instruction changed the balance of an executable account",
    ExecutableAccountNotRentExempt => "executable accounts must be rent exempt",
    UnsupportedProgramId => "Unsupported program id",
    CallDepth => "Cross-program invocation call depth too deep",
    MissingAccount => "An account required by the instruction is missing",
    ReentrancyNotAllowed => "Cross-program invocation reentrancy not allowed for this instruction",
    MaxSeedLengthExceeded => "Length of the seed is too long for address generation",
    InvalidSeeds => "Provided seeds do not result in a valid address",
    InvalidRealloc => "Failed to reallocate account data",
    ComputationalBudgetExceeded => "Computational budget exceeded",
    PrivilegeEscalation => "Cross-program invocation with unauthorized signer or writable account",
    ProgramEnvironmentSetupFailure => "Failed to create program execution environment",
    ProgramFailedToComplete => "Program failed to complete",
    ProgramFailedToCompile => "Program failed to compile",
    Immutable => "Account is immutable",
    IncorrectAuthority => "Incorrect authority provided",
    BorshIoError => "Failed to serialize or deserialize account data",
    AccountNotRentExempt => "An account does not have enough lamports to be rent-exempt",
    InvalidAccountOwner => "Invalid account owner",
    ArithmeticOverflow => "Program arithmetic overflowed",
    UnsupportedSysvar => "Unsupported sysvar",
    IllegalOwner => "Provided owner is not allowed",
    MaxAccountsDataAllocationsExceeded => "Accounts data allocations exceeded the maximum allowed per transaction",
    MaxAccountsExceeded => "Max accounts exceeded",
    MaxInstructionTraceLengthExceeded => "Max instruction trace length exceeded",
    BuiltinProgramsMustConsumeComputeUnits => "Builtin programs must consume compute units",
}

impl fmt::Display for InstructionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstructionError::Custom(code) => write!(f, "custom program error: {code:#x}"),
            other => f.write_str(other.unit_message().unwrap_or_default()),
        }
    }
}

impl std::error::Error for InstructionError {}

/// The runtime's errors a program may return in r0, by their code `n` (returned as `n << 32`):
/// Solana's `solana-program-error` constants. Code 1 is `Custom(0)`.
const BUILTIN_CODES: [(u64, InstructionError); 25] = [
    (2, InstructionError::InvalidArgument),
    (3, InstructionError::InvalidInstructionData),
    (4, InstructionError::InvalidAccountData),
    (5, InstructionError::AccountDataTooSmall),
    (6, InstructionError::InsufficientFunds),
    (7, InstructionError::IncorrectProgramId),
    (8, InstructionError::MissingRequiredSignature),
    (9, InstructionError::AccountAlreadyInitialized),
    (10, InstructionError::UninitializedAccount),
    (11, InstructionError::NotEnoughAccountKeys),
    (12, InstructionError::AccountBorrowFailed),
    (13, InstructionError::MaxSeedLengthExceeded),
    (14, InstructionError::InvalidSeeds),
    (15, InstructionError::BorshIoError),
    (16, InstructionError::AccountNotRentExempt),
    (17, InstructionError::UnsupportedSysvar),
    (18, InstructionError::IllegalOwner),
    (19, InstructionError::MaxAccountsDataAllocationsExceeded),
    (20, InstructionError::InvalidRealloc),
    (21, InstructionError::MaxInstructionTraceLengthExceeded),
    (22, InstructionError::BuiltinProgramsMustConsumeComputeUnits),
    (23, InstructionError::InvalidAccountOwner),
    (24, InstructionError::ArithmeticOverflow),
    (25, InstructionError::Immutable),
    (26, InstructionError::IncorrectAuthority),
];

/// Bits a builtin error code is shifted by.
const BUILTIN_BIT_SHIFT: u32 = 32;

impl InstructionError {
    /// The error a program's nonzero exit value stands for, as Solana decodes it: `1 << 32` is
    /// `Custom(0)`, the other builtin codes their errors, any other value with zero upper half
    /// `Custom(value)`, and anything else `InvalidError`.
    pub fn from_program_return(value: u64) -> Self {
        let code = value >> BUILTIN_BIT_SHIFT;
        if value & u64::from(u32::MAX) == 0 {
            if code == 1 {
                return InstructionError::Custom(0);
            }
            if let Some((_, error)) = BUILTIN_CODES.iter().find(|(c, _)| *c == code) {
                return error.clone();
            }
        }
        if code == 0 {
            InstructionError::Custom(value as u32)
        } else {
            InstructionError::InvalidError
        }
    }

    /// The error whose `Debug` form is `text` (`Custom(6)`, `MissingRequiredSignature`).
    pub fn from_debug_name(text: &str) -> Option<Self> {
        if let Some(code) = text
            .strip_prefix("Custom(")
            .and_then(|rest| rest.strip_suffix(')'))
        {
            return code.parse().ok().map(InstructionError::Custom);
        }
        Self::unit_from_name(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_return_values() {
        // Solana's `From<u64> for InstructionError` (solana-instruction-error 2.4).
        assert_eq!(
            InstructionError::from_program_return(6),
            InstructionError::Custom(6)
        );
        assert_eq!(
            InstructionError::from_program_return(1 << 32),
            InstructionError::Custom(0)
        );
        assert_eq!(
            InstructionError::from_program_return(8 << 32),
            InstructionError::MissingRequiredSignature
        );
        assert_eq!(
            InstructionError::from_program_return(26 << 32),
            InstructionError::IncorrectAuthority
        );
        assert_eq!(
            InstructionError::from_program_return(27 << 32),
            InstructionError::InvalidError
        );
        assert_eq!(
            InstructionError::from_program_return((8 << 32) | 1),
            InstructionError::InvalidError
        );
    }

    #[test]
    fn names_and_messages() {
        // Forms from mollusk's fixtures (../shared/solana-oracle/fixtures/p-token).
        let missing = InstructionError::MissingRequiredSignature;
        assert_eq!(
            format!("{:?}", Err::<(), _>(missing.clone())),
            "Err(MissingRequiredSignature)"
        );
        assert_eq!(
            missing.to_string(),
            "missing required signature for instruction"
        );
        assert_eq!(
            InstructionError::Custom(11).to_string(),
            "custom program error: 0xb"
        );
        assert_eq!(
            InstructionError::from_debug_name("Custom(18)"),
            Some(InstructionError::Custom(18))
        );
        assert_eq!(
            InstructionError::from_debug_name("InvalidSeeds"),
            Some(InstructionError::InvalidSeeds)
        );
        assert_eq!(InstructionError::from_debug_name("Nope"), None);
    }
}
