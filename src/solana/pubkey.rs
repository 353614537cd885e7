//! Public keys: 32 bytes, written in base58, and program-derived addresses.
//!
//! A program-derived address (PDA) is `sha256(seed₀ ‖ … ‖ seedₙ ‖ program_id ‖
//! "ProgramDerivedAddress")`, accepted only when those 32 bytes are *not* a point on the
//! ed25519 curve, so that no private key can sign for it. At most 16 seeds of at most 32 bytes
//! each (Solana's `MAX_SEEDS`, `MAX_SEED_LEN`).

use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// Most seeds in one address derivation.
pub const MAX_SEEDS: usize = 16;
/// Longest seed.
pub const MAX_SEED_LEN: usize = 32;
/// What ends every derivation's hash input.
const PDA_MARKER: &[u8] = b"ProgramDerivedAddress";

/// A 32-byte account address.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pubkey(pub [u8; 32]);

impl Pubkey {
    /// The address with these bytes.
    pub const fn new(bytes: [u8; 32]) -> Self {
        Pubkey(bytes)
    }

    /// The raw bytes.
    pub const fn to_bytes(self) -> [u8; 32] {
        self.0
    }

    /// The raw bytes, borrowed.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The address a base58 literal spells, at compile time (an invalid literal does not
    /// compile).
    pub const fn from_base58_const(text: &str) -> Self {
        Pubkey(five8_const::decode_32_const(text))
    }

    /// The address `seeds` derive for `program_id`, or why there is none.
    pub fn create_program_address(seeds: &[&[u8]], program_id: &Pubkey) -> Result<Self, PdaError> {
        if seeds.len() > MAX_SEEDS || seeds.iter().any(|seed| seed.len() > MAX_SEED_LEN) {
            return Err(PdaError::MaxSeedLengthExceeded);
        }
        let mut hasher = Sha256::new();
        for seed in seeds {
            hasher.update(seed);
        }
        hasher.update(program_id.0);
        hasher.update(PDA_MARKER);
        let hash: [u8; 32] = hasher.finalize().into();
        if is_on_curve(&hash) {
            return Err(PdaError::InvalidSeeds);
        }
        Ok(Pubkey(hash))
    }

    /// The address `sha256(base ‖ seed ‖ owner)` (the system program's accounts "with seed"):
    /// refused for a seed over 32 bytes, or an owner ending in "ProgramDerivedAddress" (whose
    /// hash input could then collide with a program-derived address's).
    pub fn create_with_seed(base: &Pubkey, seed: &[u8], owner: &Pubkey) -> Result<Self, PdaError> {
        if seed.len() > MAX_SEED_LEN {
            return Err(PdaError::MaxSeedLengthExceeded);
        }
        if owner.0.ends_with(PDA_MARKER) {
            return Err(PdaError::IllegalOwner);
        }
        let mut hasher = Sha256::new();
        hasher.update(base.0);
        hasher.update(seed);
        hasher.update(owner.0);
        Ok(Pubkey(hasher.finalize().into()))
    }

    /// The first address found with a bump seed from 255 down, and that bump seed.
    pub fn find_program_address(seeds: &[&[u8]], program_id: &Pubkey) -> Option<(Self, u8)> {
        (0..=u8::MAX).rev().find_map(|bump| {
            let bump_seed = [bump];
            let mut with_bump = seeds.to_vec();
            with_bump.push(&bump_seed);
            Self::create_program_address(&with_bump, program_id)
                .ok()
                .map(|address| (address, bump))
        })
    }
}

/// Whether 32 bytes decompress to a point of the ed25519 curve (as `curve25519-dalek`'s
/// `CompressedEdwardsY::decompress` decides it, which Solana uses).
pub fn is_on_curve(bytes: &[u8; 32]) -> bool {
    curve25519_dalek::edwards::CompressedEdwardsY(*bytes)
        .decompress()
        .is_some()
}

/// Why seeds derive no address. Messages are Solana's (`AddressError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PdaError {
    /// More than 16 seeds, or a seed longer than 32 bytes.
    #[error("Length of the seed is too long for address generation")]
    MaxSeedLengthExceeded,
    /// The hash is a curve point.
    #[error("Provided seeds do not result in a valid address")]
    InvalidSeeds,
    /// The owner is not allowed (address derivation with a seed).
    #[error("Provided owner is not allowed")]
    IllegalOwner,
}

/// A string that is not a base58 address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PubkeyParseError {
    /// Not base58 at all.
    #[error("invalid base58 character {character:?} at byte {index}")]
    InvalidCharacter {
        /// The offending character.
        character: char,
        /// Its byte offset.
        index: usize,
    },
    /// Base58, but not 32 bytes.
    #[error("base58 decodes to {len} bytes, an address is 32")]
    WrongLength {
        /// Decoded length.
        len: usize,
    },
}

/// The base58 alphabet (Bitcoin's).
const BASE58_ALPHABET: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

impl FromStr for Pubkey {
    type Err = PubkeyParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if let Some((index, character)) = text
            .char_indices()
            .find(|(_, character)| !BASE58_ALPHABET.contains(*character))
        {
            return Err(PubkeyParseError::InvalidCharacter { character, index });
        }
        let mut bytes = [0u8; 32];
        five8::decode_32(text, &mut bytes).map_err(|_| PubkeyParseError::WrongLength {
            len: text.len() * 3 / 4,
        })?;
        Ok(Pubkey(bytes))
    }
}

impl fmt::Display for Pubkey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = [0u8; five8::BASE58_ENCODED_32_MAX_LEN];
        let len = usize::from(five8::encode_32(&self.0, &mut out));
        // The encoder writes only alphabet characters, which are ASCII.
        f.write_str(std::str::from_utf8(&out[..len.min(out.len())]).unwrap_or_default())
    }
}

impl fmt::Debug for Pubkey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl From<[u8; 32]> for Pubkey {
    fn from(bytes: [u8; 32]) -> Self {
        Pubkey(bytes)
    }
}

impl AsRef<[u8]> for Pubkey {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_with_seed_hash_base_seed_owner_and_refuse_long_seeds_and_pda_owners() {
        let base = Pubkey([1; 32]);
        let owner = Pubkey([2; 32]);
        let mut hasher = Sha256::new();
        hasher.update([1; 32]);
        hasher.update(b"vault");
        hasher.update([2; 32]);
        let expected: [u8; 32] = hasher.finalize().into();
        assert_eq!(
            Pubkey::create_with_seed(&base, b"vault", &owner),
            Ok(Pubkey(expected))
        );
        assert!(Pubkey::create_with_seed(&base, &[b's'; 32], &owner).is_ok());
        assert_eq!(
            Pubkey::create_with_seed(&base, &[b's'; 33], &owner),
            Err(PdaError::MaxSeedLengthExceeded)
        );
        let mut pda_owner = [7; 32];
        pda_owner[11..].copy_from_slice(PDA_MARKER);
        assert_eq!(
            Pubkey::create_with_seed(&base, b"vault", &Pubkey(pda_owner)),
            Err(PdaError::IllegalOwner)
        );
    }

    #[test]
    fn base58_round_trip() {
        // The system program's id is 32 zero bytes (Solana's `system_program::ID`).
        assert_eq!(
            Pubkey::default().to_string(),
            "11111111111111111111111111111111"
        );
        let token: Pubkey = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
            .parse()
            .unwrap();
        assert_eq!(
            token.to_string(),
            "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
        );
        assert!(matches!(
            "0OIl".parse::<Pubkey>(),
            Err(PubkeyParseError::InvalidCharacter { .. })
        ));
        assert!(matches!(
            "abc".parse::<Pubkey>(),
            Err(PubkeyParseError::WrongLength { .. })
        ));
        assert!("1".repeat(1 << 20).parse::<Pubkey>().is_err());
        assert!("z".repeat(44).parse::<Pubkey>().is_err(), "over 2^256");
    }

    #[test]
    fn associated_token_address() {
        // The associated token account of wallet [8; 32] for mint [1; 32] under the token
        // program: the address mollusk's `ata_create` fixture uses (../shared/solana-oracle, kind
        // ata; spl-associated-token-account derives it).
        let wallet = Pubkey([8; 32]);
        let mint = Pubkey([1; 32]);
        let token: Pubkey = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
            .parse()
            .unwrap();
        let ata_program: Pubkey = "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL"
            .parse()
            .unwrap();
        let (address, bump) = Pubkey::find_program_address(
            &[wallet.as_ref(), token.as_ref(), mint.as_ref()],
            &ata_program,
        )
        .unwrap();
        assert_eq!(
            address.to_string(),
            "9k2jDtitYxnkNRpK3bHBMs6R6TMHFteCDfh64XbSctT5"
        );
        assert_eq!(
            Pubkey::create_program_address(
                &[wallet.as_ref(), token.as_ref(), mint.as_ref(), &[bump]],
                &ata_program
            ),
            Ok(address)
        );
        assert!(!is_on_curve(&address.0));
        // A compressed curve point (the ed25519 base point) is refused as an address.
        let mut base = [0x66u8; 32];
        base[0] = 0x58;
        assert!(is_on_curve(&base));
    }
}
