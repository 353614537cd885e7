//! A nonce account's data: the bincode encoding of Solana's `nonce::versions::Versions`.
//!
//! ```text
//! u32 LE  version: 0 Legacy, 1 Current
//! u32 LE  state:   0 Uninitialized, 1 Initialized, then:
//!   32    authority
//!   32    durable nonce
//!   u64   lamports per signature
//! ```
//!
//! Decoding ignores trailing bytes (an all-zero account is a legacy uninitialized nonce) and
//! refuses anything else with `InvalidAccountData`; encoding writes 8 or 80 bytes.

use super::super::error::InstructionError;
use super::super::pubkey::Pubkey;

/// An initialized nonce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct NonceData {
    pub(super) authority: Pubkey,
    pub(super) durable_nonce: [u8; 32],
    pub(super) lamports_per_signature: u64,
}

/// A nonce account's state with its version (`Legacy` is false for `Current`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct NonceState {
    pub(super) legacy: bool,
    pub(super) data: Option<NonceData>,
}

impl NonceState {
    pub(super) fn current(data: Option<NonceData>) -> Self {
        NonceState {
            legacy: false,
            data,
        }
    }

    /// Decodes account data (trailing bytes ignored).
    pub(super) fn decode(bytes: &[u8]) -> Result<Self, InstructionError> {
        let invalid = InstructionError::InvalidAccountData;
        let u32_at = |offset: usize| {
            bytes
                .get(offset..offset.saturating_add(4))
                .and_then(|b| b.try_into().ok())
                .map(u32::from_le_bytes)
                .ok_or(invalid.clone())
        };
        let legacy = match u32_at(0)? {
            0 => true,
            1 => false,
            _ => return Err(invalid),
        };
        let data = match u32_at(4)? {
            0 => None,
            1 => {
                let field = |range: std::ops::Range<usize>| {
                    bytes.get(range).ok_or(InstructionError::InvalidAccountData)
                };
                let array32 = |range| -> Result<[u8; 32], InstructionError> {
                    field(range)?
                        .try_into()
                        .map_err(|_| InstructionError::InvalidAccountData)
                };
                let lamports: [u8; 8] = field(72..80)?
                    .try_into()
                    .map_err(|_| InstructionError::InvalidAccountData)?;
                Some(NonceData {
                    authority: Pubkey(array32(8..40)?),
                    durable_nonce: array32(40..72)?,
                    lamports_per_signature: u64::from_le_bytes(lamports),
                })
            }
            _ => return Err(invalid),
        };
        Ok(NonceState { legacy, data })
    }

    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(80);
        out.extend_from_slice(&u32::from(!self.legacy).to_le_bytes());
        match &self.data {
            None => out.extend_from_slice(&0u32.to_le_bytes()),
            Some(data) => {
                out.extend_from_slice(&1u32.to_le_bytes());
                out.extend_from_slice(&data.authority.0);
                out.extend_from_slice(&data.durable_nonce);
                out.extend_from_slice(&data.lamports_per_signature.to_le_bytes());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonce_states_round_trip_through_their_bincode_layout() {
        let initialized = NonceState::current(Some(NonceData {
            authority: Pubkey([3; 32]),
            durable_nonce: [4; 32],
            lamports_per_signature: 5_000,
        }));
        let bytes = initialized.encode();
        assert_eq!(bytes.len(), 80);
        assert_eq!(&bytes[..8], &[1, 0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(NonceState::decode(&bytes), Ok(initialized));
        let legacy_empty = NonceState {
            legacy: true,
            data: None,
        };
        assert_eq!(legacy_empty.encode(), vec![0; 8]);
        // Trailing bytes are ignored; an all-zero account is a legacy uninitialized nonce.
        assert_eq!(NonceState::decode(&[0; 80]), Ok(legacy_empty));
        for bad in [
            &[][..],
            &[2, 0, 0, 0, 0, 0, 0, 0],
            &[1, 0, 0, 0, 1, 0, 0, 0, 9],
        ] {
            assert_eq!(
                NonceState::decode(bad),
                Err(InstructionError::InvalidAccountData)
            );
        }
    }
}
