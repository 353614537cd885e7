//! The system program's instruction data: the bincode encoding of its instruction enum, read
//! the way Agave's `limited_deserialize` reads it.
//!
//! ```text
//! u32 LE   the variant's position in the enum (0 CreateAccount … 13 CreateAccountAllowPrefund)
//! then the variant's fields in declaration order:
//!   u64      8 bytes, little endian
//!   Pubkey   32 bytes
//!   String   u64 LE byte length, then that many bytes of UTF-8
//! ```
//!
//! Bytes after the last field are ignored (a transfer followed by junk is a transfer). Reading
//! stops with `InvalidInstructionData` when the data ends early, a tag names no variant, a
//! string is not UTF-8, or the bytes read would pass [`DECODE_LIMIT`] (the packet data size:
//! an instruction read from a transaction never holds more, so a claimed string length past it
//! is refused before anything is read).

use super::super::error::InstructionError;
use super::super::pubkey::Pubkey;

/// Most bytes decoding may read: a transaction packet's data size (Solana's
/// `PACKET_DATA_SIZE`, 1280 minus 48 bytes of IP and UDP headers).
pub const DECODE_LIMIT: usize = 1_232;

/// One system program instruction, as its data encodes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SystemInstruction {
    /// 0: fund a new account from `from`, give it `space` bytes and the owner `owner`.
    CreateAccount {
        /// Lamports moved into the new account.
        lamports: u64,
        /// Its data length.
        space: u64,
        /// Its owner.
        owner: Pubkey,
    },
    /// 1: give a system-owned account a new owner.
    Assign {
        /// The new owner.
        owner: Pubkey,
    },
    /// 2: move lamports between accounts.
    Transfer {
        /// How many.
        lamports: u64,
    },
    /// 3: `CreateAccount` at an address derived from a base key and a seed.
    CreateAccountWithSeed {
        /// The key that signs for the address.
        base: Pubkey,
        /// The seed.
        seed: String,
        /// Lamports moved into the new account.
        lamports: u64,
        /// Its data length.
        space: u64,
        /// Its owner (also part of the derivation).
        owner: Pubkey,
    },
    /// 4: nonce: store a new durable blockhash.
    AdvanceNonceAccount,
    /// 5: nonce: withdraw lamports.
    WithdrawNonceAccount(u64),
    /// 6: nonce: initialize with this authority.
    InitializeNonceAccount(Pubkey),
    /// 7: nonce: change the authority.
    AuthorizeNonceAccount(Pubkey),
    /// 8: give a system-owned account `space` bytes of data.
    Allocate {
        /// The data length.
        space: u64,
    },
    /// 9: `Allocate` and `Assign` at an address derived from a base key and a seed.
    AllocateWithSeed {
        /// The key that signs for the address.
        base: Pubkey,
        /// The seed.
        seed: String,
        /// The data length.
        space: u64,
        /// The new owner (also part of the derivation).
        owner: Pubkey,
    },
    /// 10: `Assign` at an address derived from a base key and a seed.
    AssignWithSeed {
        /// The key that signs for the address.
        base: Pubkey,
        /// The seed.
        seed: String,
        /// The new owner (also part of the derivation).
        owner: Pubkey,
    },
    /// 11: `Transfer` from an address derived from a base key and a seed.
    TransferWithSeed {
        /// How many lamports.
        lamports: u64,
        /// The seed of the funded address.
        from_seed: String,
        /// The owner its derivation used.
        from_owner: Pubkey,
    },
    /// 12: nonce: move a legacy nonce account to the current version.
    UpgradeNonceAccount,
    /// 13: `CreateAccount` that accepts an account already holding lamports.
    CreateAccountAllowPrefund {
        /// Lamports moved in (none: no funding account needed).
        lamports: u64,
        /// Its data length.
        space: u64,
        /// Its owner.
        owner: Pubkey,
    },
}

impl SystemInstruction {
    /// Decodes instruction data (trailing bytes ignored).
    pub fn decode(data: &[u8]) -> Result<Self, InstructionError> {
        let mut reader = Reader {
            data,
            position: 0,
            limit: DECODE_LIMIT,
        };
        reader.instruction()
    }
}

/// A cursor over the data that counts what it has read against the limit.
struct Reader<'d> {
    data: &'d [u8],
    position: usize,
    limit: usize,
}

impl Reader<'_> {
    fn bytes(&mut self, len: usize) -> Result<&[u8], InstructionError> {
        let end = self
            .position
            .checked_add(len)
            .filter(|end| *end <= self.limit)
            .ok_or(InstructionError::InvalidInstructionData)?;
        let bytes = self
            .data
            .get(self.position..end)
            .ok_or(InstructionError::InvalidInstructionData)?;
        self.position = end;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], InstructionError> {
        self.bytes(N)?
            .try_into()
            .map_err(|_| InstructionError::InvalidInstructionData)
    }

    fn u32(&mut self) -> Result<u32, InstructionError> {
        self.array().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Result<u64, InstructionError> {
        self.array().map(u64::from_le_bytes)
    }

    fn pubkey(&mut self) -> Result<Pubkey, InstructionError> {
        self.array().map(Pubkey)
    }

    fn string(&mut self) -> Result<String, InstructionError> {
        let len =
            usize::try_from(self.u64()?).map_err(|_| InstructionError::InvalidInstructionData)?;
        let bytes = self.bytes(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| InstructionError::InvalidInstructionData)
    }

    fn instruction(&mut self) -> Result<SystemInstruction, InstructionError> {
        use SystemInstruction::*;
        Ok(match self.u32()? {
            0 => CreateAccount {
                lamports: self.u64()?,
                space: self.u64()?,
                owner: self.pubkey()?,
            },
            1 => Assign {
                owner: self.pubkey()?,
            },
            2 => Transfer {
                lamports: self.u64()?,
            },
            3 => CreateAccountWithSeed {
                base: self.pubkey()?,
                seed: self.string()?,
                lamports: self.u64()?,
                space: self.u64()?,
                owner: self.pubkey()?,
            },
            4 => AdvanceNonceAccount,
            5 => WithdrawNonceAccount(self.u64()?),
            6 => InitializeNonceAccount(self.pubkey()?),
            7 => AuthorizeNonceAccount(self.pubkey()?),
            8 => Allocate { space: self.u64()? },
            9 => AllocateWithSeed {
                base: self.pubkey()?,
                seed: self.string()?,
                space: self.u64()?,
                owner: self.pubkey()?,
            },
            10 => AssignWithSeed {
                base: self.pubkey()?,
                seed: self.string()?,
                owner: self.pubkey()?,
            },
            11 => TransferWithSeed {
                lamports: self.u64()?,
                from_seed: self.string()?,
                from_owner: self.pubkey()?,
            },
            12 => UpgradeNonceAccount,
            13 => CreateAccountAllowPrefund {
                lamports: self.u64()?,
                space: self.u64()?,
                owner: self.pubkey()?,
            },
            _ => return Err(InstructionError::InvalidInstructionData),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> Pubkey {
        Pubkey([byte; 32])
    }

    fn string(text: &[u8]) -> Vec<u8> {
        let mut out = (text.len() as u64).to_le_bytes().to_vec();
        out.extend_from_slice(text);
        out
    }

    fn seeded(tag: u32, base: u8, seed: &[u8], rest: &[&[u8]]) -> Vec<u8> {
        let mut data = tag.to_le_bytes().to_vec();
        data.extend_from_slice(&[base; 32]);
        data.extend(string(seed));
        for part in rest {
            data.extend_from_slice(part);
        }
        data
    }

    #[test]
    fn fixed_size_variants_decode_field_by_field() {
        let mut create = 0u32.to_le_bytes().to_vec();
        create.extend_from_slice(&5u64.to_le_bytes());
        create.extend_from_slice(&7u64.to_le_bytes());
        create.extend_from_slice(&[9; 32]);
        assert_eq!(
            SystemInstruction::decode(&create),
            Ok(SystemInstruction::CreateAccount {
                lamports: 5,
                space: 7,
                owner: key(9)
            })
        );
        let mut assign = 1u32.to_le_bytes().to_vec();
        assign.extend_from_slice(&[3; 32]);
        assert_eq!(
            SystemInstruction::decode(&assign),
            Ok(SystemInstruction::Assign { owner: key(3) })
        );
        assert_eq!(
            SystemInstruction::decode(&[8, 0, 0, 0, 200, 0, 0, 0, 0, 0, 0, 0]),
            Ok(SystemInstruction::Allocate { space: 200 })
        );
        assert_eq!(
            SystemInstruction::decode(&[4, 0, 0, 0]),
            Ok(SystemInstruction::AdvanceNonceAccount)
        );
        assert_eq!(
            SystemInstruction::decode(&[5, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]),
            Ok(SystemInstruction::WithdrawNonceAccount(1))
        );
        assert_eq!(
            SystemInstruction::decode(&[12, 0, 0, 0]),
            Ok(SystemInstruction::UpgradeNonceAccount)
        );
    }

    #[test]
    fn strings_are_a_u64_length_then_utf8() {
        let data = seeded(
            3,
            1,
            b"vault",
            &[&10u64.to_le_bytes(), &20u64.to_le_bytes(), &[2; 32]],
        );
        assert_eq!(
            SystemInstruction::decode(&data),
            Ok(SystemInstruction::CreateAccountWithSeed {
                base: key(1),
                seed: "vault".to_string(),
                lamports: 10,
                space: 20,
                owner: key(2),
            })
        );
        let mut transfer = 11u32.to_le_bytes().to_vec();
        transfer.extend_from_slice(&4u64.to_le_bytes());
        transfer.extend(string("é".as_bytes()));
        transfer.extend_from_slice(&[6; 32]);
        assert_eq!(
            SystemInstruction::decode(&transfer),
            Ok(SystemInstruction::TransferWithSeed {
                lamports: 4,
                from_seed: "é".to_string(),
                from_owner: key(6),
            })
        );
        let not_utf8 = seeded(10, 1, &[0xff, 0xfe], &[&[2; 32]]);
        assert_eq!(
            SystemInstruction::decode(&not_utf8),
            Err(InstructionError::InvalidInstructionData)
        );
    }

    #[test]
    fn trailing_bytes_are_ignored_and_short_data_refused() {
        let mut transfer = vec![2, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0, 0];
        transfer.extend_from_slice(&[0xaa; 2_000]);
        assert_eq!(
            SystemInstruction::decode(&transfer),
            Ok(SystemInstruction::Transfer { lamports: 100 })
        );
        for short in [&[][..], &[2, 0], &[2, 0, 0, 0], &[2, 0, 0, 0, 100, 0, 0]] {
            assert_eq!(
                SystemInstruction::decode(short),
                Err(InstructionError::InvalidInstructionData)
            );
        }
        for tag in [14u32, u32::MAX] {
            assert_eq!(
                SystemInstruction::decode(&tag.to_le_bytes()),
                Err(InstructionError::InvalidInstructionData)
            );
        }
    }

    #[test]
    fn reading_past_the_packet_size_is_refused() {
        // AllocateWithSeed reads 4 + 32 + 8 + seed + 8 + 32 bytes: 84 + seed.
        let fits = DECODE_LIMIT - 84;
        let rest: [&[u8]; 2] = [&1u64.to_le_bytes(), &[2; 32]];
        let exact = seeded(9, 1, &vec![b's'; fits], &rest);
        assert!(SystemInstruction::decode(&exact).is_ok());
        let over = seeded(9, 1, &vec![b's'; fits + 1], &rest);
        assert_eq!(
            SystemInstruction::decode(&over),
            Err(InstructionError::InvalidInstructionData)
        );
        // A claimed length no data could hold.
        let mut huge = 10u32.to_le_bytes().to_vec();
        huge.extend_from_slice(&[1; 32]);
        huge.extend_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(
            SystemInstruction::decode(&huge),
            Err(InstructionError::InvalidInstructionData)
        );
    }
}
