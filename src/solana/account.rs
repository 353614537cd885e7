//! Accounts and instructions as a program's caller describes them, and the well-known ids.

use super::pubkey::Pubkey;

/// An account's state: what the runtime stores under an address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Account {
    /// Balance.
    pub lamports: u64,
    /// The program allowed to change the data and debit the balance.
    pub owner: Pubkey,
    /// Whether the account holds a program.
    pub executable: bool,
    /// Epoch at which rent is next due (kept, not interpreted).
    pub rent_epoch: u64,
    /// The bytes.
    pub data: Vec<u8>,
}

/// One account an instruction names, with the privileges it grants the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountMeta {
    /// The address.
    pub pubkey: Pubkey,
    /// The transaction is signed by this key.
    pub is_signer: bool,
    /// The program may change this account.
    pub is_writable: bool,
}

impl AccountMeta {
    /// A writable account.
    pub fn writable(pubkey: Pubkey, is_signer: bool) -> Self {
        AccountMeta {
            pubkey,
            is_signer,
            is_writable: true,
        }
    }

    /// A read-only account.
    pub fn readonly(pubkey: Pubkey, is_signer: bool) -> Self {
        AccountMeta {
            pubkey,
            is_signer,
            is_writable: false,
        }
    }
}

/// One instruction: the program to run, its accounts and its data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Instruction {
    /// The program.
    pub program_id: Pubkey,
    /// The accounts, in the order the program sees them.
    pub accounts: Vec<AccountMeta>,
    /// The instruction data.
    pub data: Vec<u8>,
}

/// Addresses the runtime knows by heart (Solana's `solana-sdk-ids`).
pub mod ids {
    use super::Pubkey;

    /// The system program (all zero bytes).
    pub const SYSTEM_PROGRAM: Pubkey = Pubkey([0; 32]);

    /// `BPFLoader1111111111111111111111111111111111`: loader v1 (deprecated; ABI v0).
    pub const BPF_LOADER_DEPRECATED: Pubkey =
        Pubkey::from_base58_const("BPFLoader1111111111111111111111111111111111");
    /// `BPFLoader2111111111111111111111111111111111`: loader v2.
    pub const BPF_LOADER: Pubkey =
        Pubkey::from_base58_const("BPFLoader2111111111111111111111111111111111");
    /// `BPFLoaderUpgradeab1e11111111111111111111111`: loader v3.
    pub const BPF_LOADER_UPGRADEABLE: Pubkey =
        Pubkey::from_base58_const("BPFLoaderUpgradeab1e11111111111111111111111");
    /// `NativeLoader1111111111111111111111111111111`: owner of builtin programs.
    pub const NATIVE_LOADER: Pubkey =
        Pubkey::from_base58_const("NativeLoader1111111111111111111111111111111");
    /// `Sysvar1111111111111111111111111111111111111`: owner of sysvar accounts.
    pub const SYSVAR_OWNER: Pubkey =
        Pubkey::from_base58_const("Sysvar1111111111111111111111111111111111111");
    /// `Sysvar1nstructions1111111111111111111111111`: the instructions sysvar.
    pub const INSTRUCTIONS_SYSVAR: Pubkey =
        Pubkey::from_base58_const("Sysvar1nstructions1111111111111111111111111");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_ids_parse() {
        // Each constant spells its own base58 name back.
        for (id, name) in [
            (
                ids::BPF_LOADER_DEPRECATED,
                "BPFLoader1111111111111111111111111111111111",
            ),
            (
                ids::BPF_LOADER,
                "BPFLoader2111111111111111111111111111111111",
            ),
            (
                ids::BPF_LOADER_UPGRADEABLE,
                "BPFLoaderUpgradeab1e11111111111111111111111",
            ),
            (
                ids::NATIVE_LOADER,
                "NativeLoader1111111111111111111111111111111",
            ),
            (
                ids::SYSVAR_OWNER,
                "Sysvar1111111111111111111111111111111111111",
            ),
            (
                ids::INSTRUCTIONS_SYSVAR,
                "Sysvar1nstructions1111111111111111111111111",
            ),
        ] {
            assert_eq!(id.to_string(), name);
        }
    }
}
