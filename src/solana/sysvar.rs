//! Sysvars: cluster state a program reads through syscalls or sysvar accounts.
//!
//! Each sysvar has two byte forms, and programs see both:
//!
//! * the **in-memory layout** of Solana's `#[repr(C)]` struct, padding zeroed, which the
//!   `sol_get_<name>_sysvar` syscalls write into guest memory;
//! * the **serialized form** (bincode: fields back to back, no padding), which sysvar accounts
//!   hold and `sol_get_sysvar` reads slices of.
//!
//! ```text
//! Clock (40 / 40)           slot u64 | epoch_start_timestamp i64 | epoch u64 |
//!                           leader_schedule_epoch u64 | unix_timestamp i64
//! Rent (24 / 17)            lamports_per_byte u64 | exemption_threshold [u8; 8] | burn_percent u8 | pad 7
//! EpochSchedule (40 / 33)   slots_per_epoch u64 | leader_schedule_slot_offset u64 | warmup bool |
//!                           pad 7 | first_normal_epoch u64 | first_normal_slot u64
//! EpochRewards (96 / 81)    distribution_starting_block_height u64 | num_partitions u64 |
//!                           parent_blockhash [u8; 32] | total_points u128 | total_rewards u64 |
//!                           distributed_rewards u64 | active bool | pad 15   (align 16)
//! LastRestartSlot (8 / 8)   last_restart_slot u64
//! ```
//!
//! The defaults are mollusk's (the reference harness): rent at 6,960 lamports per byte with
//! SIMD-0194's exemption threshold of 1.0, an epoch schedule of 432,000 slots without warmup, and
//! everything else zero.

use super::pubkey::Pubkey;

/// Rent: what an account must hold to be exempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rent {
    /// Lamports per byte (of data plus [`Rent::ACCOUNT_STORAGE_OVERHEAD`]).
    pub lamports_per_byte: u64,
    /// The exemption threshold, an `f64` in little-endian bytes.
    pub exemption_threshold: [u8; 8],
    /// Formerly the share of rent burned.
    pub burn_percent: u8,
}

impl Default for Rent {
    fn default() -> Self {
        Rent {
            lamports_per_byte: 6_960,
            exemption_threshold: 1.0f64.to_le_bytes(),
            burn_percent: 50,
        }
    }
}

impl Rent {
    /// Bytes every account is charged for besides its data.
    pub const ACCOUNT_STORAGE_OVERHEAD: u64 = 128;

    /// The smallest balance exempt from rent for `data_len` bytes of data, as Solana computes
    /// it (integer arithmetic for the thresholds 1.0 and 2.0, floating point otherwise;
    /// saturating where Solana's would overflow).
    pub fn minimum_balance(&self, data_len: usize) -> u64 {
        let bytes = Self::ACCOUNT_STORAGE_OVERHEAD.saturating_add(data_len as u64);
        let base = bytes.saturating_mul(self.lamports_per_byte);
        match self.exemption_threshold {
            threshold if threshold == 1.0f64.to_le_bytes() => base,
            threshold if threshold == 2.0f64.to_le_bytes() => base.saturating_mul(2),
            threshold => (base as f64 * f64::from_le_bytes(threshold)) as u64,
        }
    }

    /// Whether `lamports` exempt an account of `data_len` bytes.
    pub fn is_exempt(&self, lamports: u64, data_len: usize) -> bool {
        lamports >= self.minimum_balance(data_len)
    }

    fn serialized(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(17);
        out.extend_from_slice(&self.lamports_per_byte.to_le_bytes());
        out.extend_from_slice(&self.exemption_threshold);
        out.push(self.burn_percent);
        out
    }

    fn in_memory(&self) -> Vec<u8> {
        let mut out = self.serialized();
        out.resize(24, 0);
        out
    }
}

/// Network time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clock {
    /// The current slot.
    pub slot: u64,
    /// Timestamp of the epoch's first slot.
    pub epoch_start_timestamp: i64,
    /// The current epoch.
    pub epoch: u64,
    /// The epoch of the most recently computed leader schedule.
    pub leader_schedule_epoch: u64,
    /// Approximate wall-clock time of the slot.
    pub unix_timestamp: i64,
}

impl Clock {
    fn serialized(&self) -> Vec<u8> {
        [
            self.slot.to_le_bytes(),
            self.epoch_start_timestamp.to_le_bytes(),
            self.epoch.to_le_bytes(),
            self.leader_schedule_epoch.to_le_bytes(),
            self.unix_timestamp.to_le_bytes(),
        ]
        .concat()
    }
}

/// How slots group into epochs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpochSchedule {
    /// Slots per epoch after warmup.
    pub slots_per_epoch: u64,
    /// Slots before an epoch that its leader schedule is computed.
    pub leader_schedule_slot_offset: u64,
    /// Whether epochs start short and double.
    pub warmup: bool,
    /// First epoch of full length.
    pub first_normal_epoch: u64,
    /// First slot of that epoch.
    pub first_normal_slot: u64,
}

impl Default for EpochSchedule {
    fn default() -> Self {
        EpochSchedule {
            slots_per_epoch: 432_000,
            leader_schedule_slot_offset: 432_000,
            warmup: false,
            first_normal_epoch: 0,
            first_normal_slot: 0,
        }
    }
}

impl EpochSchedule {
    fn fields(&self, padding: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(40);
        out.extend_from_slice(&self.slots_per_epoch.to_le_bytes());
        out.extend_from_slice(&self.leader_schedule_slot_offset.to_le_bytes());
        out.push(u8::from(self.warmup));
        out.resize(out.len() + padding, 0);
        out.extend_from_slice(&self.first_normal_epoch.to_le_bytes());
        out.extend_from_slice(&self.first_normal_slot.to_le_bytes());
        out
    }
}

/// Progress of the epoch's reward distribution.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EpochRewards {
    /// Block height at which distribution starts.
    pub distribution_starting_block_height: u64,
    /// Number of reward partitions.
    pub num_partitions: u64,
    /// Blockhash of the parent block.
    pub parent_blockhash: [u8; 32],
    /// Total points.
    pub total_points: u128,
    /// Total rewards.
    pub total_rewards: u64,
    /// Rewards distributed so far.
    pub distributed_rewards: u64,
    /// Whether distribution is under way.
    pub active: bool,
}

impl EpochRewards {
    fn serialized(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(96);
        out.extend_from_slice(&self.distribution_starting_block_height.to_le_bytes());
        out.extend_from_slice(&self.num_partitions.to_le_bytes());
        out.extend_from_slice(&self.parent_blockhash);
        out.extend_from_slice(&self.total_points.to_le_bytes());
        out.extend_from_slice(&self.total_rewards.to_le_bytes());
        out.extend_from_slice(&self.distributed_rewards.to_le_bytes());
        out.push(u8::from(self.active));
        out
    }
}

/// The sysvars a program can read, with their addresses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sysvars {
    /// `SysvarC1ock11111111111111111111111111111111`.
    pub clock: Clock,
    /// `SysvarRent111111111111111111111111111111111`.
    pub rent: Rent,
    /// `SysvarEpochSchedu1e111111111111111111111111`.
    pub epoch_schedule: EpochSchedule,
    /// `SysvarEpochRewards1111111111111111111111111`.
    pub epoch_rewards: EpochRewards,
    /// `SysvarLastRestartS1ot1111111111111111111111`.
    pub last_restart_slot: u64,
}

/// Which sysvar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SysvarKind {
    /// [`Clock`].
    Clock,
    /// [`Rent`].
    Rent,
    /// [`EpochSchedule`].
    EpochSchedule,
    /// [`EpochRewards`].
    EpochRewards,
    /// The last restart slot.
    LastRestartSlot,
}

impl SysvarKind {
    /// Every sysvar with its address.
    pub const ALL: [(SysvarKind, Pubkey); 5] = [
        (
            SysvarKind::Clock,
            Pubkey::from_base58_const("SysvarC1ock11111111111111111111111111111111"),
        ),
        (
            SysvarKind::Rent,
            Pubkey::from_base58_const("SysvarRent111111111111111111111111111111111"),
        ),
        (
            SysvarKind::EpochSchedule,
            Pubkey::from_base58_const("SysvarEpochSchedu1e111111111111111111111111"),
        ),
        (
            SysvarKind::EpochRewards,
            Pubkey::from_base58_const("SysvarEpochRewards1111111111111111111111111"),
        ),
        (
            SysvarKind::LastRestartSlot,
            Pubkey::from_base58_const("SysvarLastRestartS1ot1111111111111111111111"),
        ),
    ];

    /// The sysvar at `address`.
    pub fn at(address: &Pubkey) -> Option<SysvarKind> {
        Self::ALL
            .iter()
            .find(|(_, id)| id == address)
            .map(|(kind, _)| *kind)
    }

    /// The sysvar's address.
    pub fn address(self) -> Pubkey {
        Self::ALL
            .iter()
            .find(|(kind, _)| *kind == self)
            .map(|(_, id)| *id)
            .unwrap_or_default()
    }

    /// Alignment of the in-memory layout.
    pub fn alignment(self) -> u64 {
        match self {
            SysvarKind::EpochRewards => 16,
            _ => 8,
        }
    }
}

impl Sysvars {
    /// The serialized form (what the sysvar's account holds).
    pub fn serialized(&self, kind: SysvarKind) -> Vec<u8> {
        match kind {
            SysvarKind::Clock => self.clock.serialized(),
            SysvarKind::Rent => self.rent.serialized(),
            SysvarKind::EpochSchedule => self.epoch_schedule.fields(0),
            SysvarKind::EpochRewards => self.epoch_rewards.serialized(),
            SysvarKind::LastRestartSlot => self.last_restart_slot.to_le_bytes().to_vec(),
        }
    }

    /// The in-memory layout (what `sol_get_<name>_sysvar` writes).
    pub fn in_memory(&self, kind: SysvarKind) -> Vec<u8> {
        match kind {
            SysvarKind::Rent => self.rent.in_memory(),
            SysvarKind::EpochSchedule => self.epoch_schedule.fields(7),
            SysvarKind::EpochRewards => {
                let mut bytes = self.epoch_rewards.serialized();
                bytes.resize(96, 0);
                bytes
            }
            other => self.serialized(other),
        }
    }

    /// Takes a sysvar's value from an account's data, as Solana's sysvar cache does with the
    /// accounts a transaction supplies: data that does not deserialize is ignored.
    pub fn set_from_account_data(&mut self, kind: SysvarKind, data: &[u8]) -> bool {
        let u64_at = |offset: usize| {
            data.get(offset..offset + 8)
                .and_then(|bytes| bytes.try_into().ok())
                .map(u64::from_le_bytes)
        };
        match kind {
            SysvarKind::Clock => {
                let fields: Option<Vec<u64>> = (0..5).map(|i| u64_at(i * 8)).collect();
                let Some(fields) = fields else { return false };
                self.clock = Clock {
                    slot: fields[0],
                    epoch_start_timestamp: fields[1] as i64,
                    epoch: fields[2],
                    leader_schedule_epoch: fields[3],
                    unix_timestamp: fields[4] as i64,
                };
            }
            SysvarKind::Rent => {
                let (Some(lamports_per_byte), Some(threshold), Some(burn)) =
                    (u64_at(0), u64_at(8), data.get(16))
                else {
                    return false;
                };
                self.rent = Rent {
                    lamports_per_byte,
                    exemption_threshold: threshold.to_le_bytes(),
                    burn_percent: *burn,
                };
            }
            SysvarKind::EpochSchedule => {
                let (Some(slots), Some(offset), Some(warmup), Some(epoch), Some(slot)) = (
                    u64_at(0),
                    u64_at(8),
                    data.get(16).and_then(|b| match b {
                        0 => Some(false),
                        1 => Some(true),
                        _ => None,
                    }),
                    u64_at(17),
                    u64_at(25),
                ) else {
                    return false;
                };
                self.epoch_schedule = EpochSchedule {
                    slots_per_epoch: slots,
                    leader_schedule_slot_offset: offset,
                    warmup,
                    first_normal_epoch: epoch,
                    first_normal_slot: slot,
                };
            }
            SysvarKind::EpochRewards => {
                let Some(bytes) = data.get(..81) else {
                    return false;
                };
                let active = match bytes[80] {
                    0 => false,
                    1 => true,
                    _ => return false,
                };
                let mut hash = [0u8; 32];
                hash.copy_from_slice(&bytes[16..48]);
                let mut points = [0u8; 16];
                points.copy_from_slice(&bytes[48..64]);
                self.epoch_rewards = EpochRewards {
                    distribution_starting_block_height: u64_at(0).unwrap_or_default(),
                    num_partitions: u64_at(8).unwrap_or_default(),
                    parent_blockhash: hash,
                    total_points: u128::from_le_bytes(points),
                    total_rewards: u64_at(64).unwrap_or_default(),
                    distributed_rewards: u64_at(72).unwrap_or_default(),
                    active,
                };
            }
            SysvarKind::LastRestartSlot => {
                let Some(slot) = u64_at(0) else { return false };
                self.last_restart_slot = slot;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rent_minimum_balance() {
        // 165-byte token accounts hold 2,039,280 lamports in mollusk's fixtures
        // (../shared/solana-oracle/fixtures/p-token/transfer.json).
        assert_eq!(Rent::default().minimum_balance(165), 2_039_280);
        let legacy = Rent {
            lamports_per_byte: 3_480,
            exemption_threshold: 2.0f64.to_le_bytes(),
            burn_percent: 50,
        };
        assert_eq!(legacy.minimum_balance(165), 2_039_280);
    }

    #[test]
    fn layouts_have_solana_sizes() {
        // Sizes of Solana's structs (size_of) and bincode forms.
        let sysvars = Sysvars::default();
        let sizes = [
            (SysvarKind::Clock, 40, 40),
            (SysvarKind::Rent, 24, 17),
            (SysvarKind::EpochSchedule, 40, 33),
            (SysvarKind::EpochRewards, 96, 81),
            (SysvarKind::LastRestartSlot, 8, 8),
        ];
        for (kind, in_memory, serialized) in sizes {
            assert_eq!(sysvars.in_memory(kind).len(), in_memory, "{kind:?}");
            assert_eq!(sysvars.serialized(kind).len(), serialized, "{kind:?}");
            let mut copy = Sysvars {
                clock: Clock {
                    slot: 9,
                    ..Clock::default()
                },
                ..Sysvars::default()
            };
            assert!(copy.set_from_account_data(kind, &sysvars.serialized(kind)));
            assert_eq!(copy.serialized(kind), sysvars.serialized(kind));
            assert_eq!(SysvarKind::at(&kind.address()), Some(kind));
        }
    }
}
