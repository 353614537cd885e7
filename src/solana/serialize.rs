//! The program's input: an instruction's accounts and data laid out at 0x4_0000_0000 exactly as
//! Agave's loaders v2/v3 write them (the "aligned" ABI v1), with account data mapped directly.
//!
//! ```text
//! u64 number of accounts
//! per account, either a duplicate:           or an account:
//!   u8  index of the first occurrence          u8  0xFF
//!   7   zero bytes                             u8  is_signer, u8 is_writable, u8 executable
//!                                              4   zero bytes
//!                                              32  key, 32 owner
//!                                              u64 lamports, u64 data length
//!                                              ┌─ data (its own region, data-length bytes)
//!                                              └─ room to grow: 10 KiB of address space
//!                                              0–7 zero bytes: align to 8
//!                                              u64 rent epoch (always u64::MAX)
//! u64 instruction data length, the data, 32 program id
//! 0–7 zero bytes: align to 8; then u64 per account: the address of its record (SIMD-0449)
//! ```
//!
//! The bytes between account data are metadata regions (writable: a program may scribble
//! there; only lamports, data length and owner are read back). Each account's data is a region
//! of its own, writable only when the program may change it (writable and owned by the
//! program); a read-only one refuses stores with an access violation, which the runtime
//! reports as the rule that was broken. The 10 KiB after the data are unmapped until the
//! program stores there: then the region grows to its full room (the access-violation hook),
//! and the data length field the program writes decides the final size.
//!
//! After the run, [`write_back`] applies what the program left in the metadata (lamports, data
//! length, owner) under the transaction's rules, in Agave's order.

use super::error::InstructionError;
use super::pubkey::Pubkey;
use super::transaction::{
    TransactionContext, MAX_ACCOUNTS_PER_INSTRUCTION, MAX_ACCOUNT_DATA_LEN,
    MAX_PERMITTED_DATA_INCREASE,
};
use crate::memory::{HostMemory, MemoryMapping, MemoryRegion, MM_INPUT_START};

/// Marks an account record that is not a duplicate.
const NON_DUP_MARKER: u8 = 0xff;
/// Alignment of account records and of what follows data.
const ALIGN: u64 = 8;

/// Where one instruction account's record lies in guest memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SerializedAccount {
    /// The record's first byte (the duplicate marker).
    pub record_addr: u64,
    /// The key.
    pub key_addr: u64,
    /// The owner.
    pub owner_addr: u64,
    /// The lamports (the data length follows).
    pub lamports_addr: u64,
    /// The data.
    pub data_addr: u64,
    /// The data length when serialized.
    pub original_data_len: usize,
    /// The data length the transaction knew when the data last moved into its region (at
    /// serialization, and again after each cross-program invocation): growth is counted from it.
    pub mapped_len: usize,
    /// Which transaction account it is.
    pub index_in_transaction: usize,
    /// For a duplicate: the position of the first occurrence.
    pub duplicate_of: Option<usize>,
}

/// Where the serialized input of one program run put things (its regions go to the VM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputLayout {
    /// Per instruction account, in order.
    pub accounts: Vec<SerializedAccount>,
    /// Guest address of the instruction data (r2 at entry).
    pub instruction_data_addr: u64,
    /// Guest addresses of the data regions the program may change (and grow).
    pub growable: Vec<u64>,
}

/// Builds the input regions: a metadata buffer is filled until an account's data, which becomes
/// a region of its own; the next metadata region starts after the data's room to grow.
struct Builder {
    regions: Vec<MemoryRegion<'static>>,
    metadata: Vec<u8>,
    metadata_addr: u64,
}

impl Builder {
    fn position(&self) -> u64 {
        self.metadata_addr + self.metadata.len() as u64
    }

    fn write(&mut self, bytes: &[u8]) -> u64 {
        let addr = self.position();
        self.metadata.extend_from_slice(bytes);
        addr
    }

    fn pad_to_alignment(&mut self) {
        let padding = self.position().wrapping_neg() % ALIGN;
        self.metadata
            .resize(self.metadata.len() + padding as usize, 0);
    }

    /// Closes the metadata region and maps `data` after it; the next metadata region starts
    /// `reserved` bytes later.
    fn map_data(&mut self, data: Vec<u8>, writable: bool, reserved: u64) -> u64 {
        self.close_metadata();
        let addr = self.metadata_addr;
        self.regions.push(MemoryRegion::new(
            HostMemory::Owned {
                bytes: data,
                writable,
            },
            addr,
        ));
        self.metadata_addr = addr + reserved;
        addr
    }

    fn close_metadata(&mut self) {
        // The next metadata region holds at most what this one had room for: start it there.
        let room = self
            .metadata
            .capacity()
            .saturating_sub(self.metadata.len())
            .max(64);
        let bytes = std::mem::replace(&mut self.metadata, Vec::with_capacity(room));
        let len = bytes.len() as u64;
        self.regions
            .push(MemoryRegion::owned(bytes, self.metadata_addr));
        self.metadata_addr += len;
    }
}

/// Lays out the current instruction of `transaction`: the input's regions, in address order,
/// and where things lie. Each account's data moves into its region (give it back with
/// [`restore_data`]).
pub fn serialize(
    transaction: &mut TransactionContext,
) -> Result<(Vec<MemoryRegion<'static>>, InputLayout), InstructionError> {
    let (frame, transaction_accounts) = transaction.current_and_accounts()?;
    if frame.accounts.len() > MAX_ACCOUNTS_PER_INSTRUCTION {
        return Err(InstructionError::MaxAccountsExceeded);
    }
    let program_id = transaction_accounts
        .get(frame.program_index)
        .ok_or(InstructionError::MissingAccount)?
        .key;
    let mut layout = Builder {
        regions: Vec::with_capacity(2 * frame.accounts.len() + 1),
        metadata: Vec::with_capacity(128 + 96 * frame.accounts.len() + frame.data.len()),
        metadata_addr: MM_INPUT_START,
    };
    let mut accounts: Vec<SerializedAccount> = Vec::with_capacity(frame.accounts.len());
    let mut growable = Vec::new();
    layout.write(&(frame.accounts.len() as u64).to_le_bytes());
    for (position, meta) in frame.accounts.iter().enumerate() {
        if let Some(first) = frame.duplicate_of(position) {
            let mut record = accounts[first];
            record.duplicate_of = Some(first);
            layout.write(&[first as u8, 0, 0, 0, 0, 0, 0, 0]);
            accounts.push(record);
            continue;
        }
        let entry = transaction_accounts
            .get_mut(meta.index_in_transaction)
            .ok_or(InstructionError::MissingAccount)?;
        // Agave's `can_data_be_changed`: writable, and owned by the running program.
        let changeable = meta.is_writable && entry.account.owner == program_id;
        let record_addr = layout.write(&[
            NON_DUP_MARKER,
            u8::from(meta.is_signer),
            u8::from(meta.is_writable),
            u8::from(entry.account.executable),
            0,
            0,
            0,
            0,
        ]);
        let key_addr = layout.write(entry.key.as_bytes());
        let owner_addr = layout.write(entry.account.owner.as_bytes());
        let lamports_addr = layout.write(&entry.account.lamports.to_le_bytes());
        let data = std::mem::take(&mut entry.account.data);
        let data_len = data.len();
        layout.write(&(data_len as u64).to_le_bytes());
        let reserved = data_len as u64 + MAX_PERMITTED_DATA_INCREASE as u64;
        let data_addr = layout.map_data(data, changeable, reserved);
        if changeable {
            growable.push(data_addr);
        }
        layout.pad_to_alignment();
        layout.write(&u64::MAX.to_le_bytes());
        accounts.push(SerializedAccount {
            record_addr,
            key_addr,
            owner_addr,
            lamports_addr,
            data_addr,
            original_data_len: data_len,
            mapped_len: data_len,
            index_in_transaction: meta.index_in_transaction,
            duplicate_of: None,
        });
    }
    layout.write(&(frame.data.len() as u64).to_le_bytes());
    let instruction_data_addr = layout.write(&frame.data);
    layout.write(program_id.as_bytes());
    layout.pad_to_alignment();
    for account in &accounts {
        layout.write(&account.record_addr.to_le_bytes());
    }
    layout.close_metadata();
    Ok((
        layout.regions,
        InputLayout {
            accounts,
            instruction_data_addr,
            growable,
        },
    ))
}

/// What the program left in one account's metadata.
#[derive(Debug, Clone, Copy)]
struct Written {
    owner: Pubkey,
    lamports: u64,
    data_len: u64,
}

fn read_written(memory: &MemoryMapping<'_>, account: &SerializedAccount) -> Option<Written> {
    let owner: [u8; 32] = memory
        .read_bytes(account.owner_addr, 32)
        .ok()?
        .try_into()
        .ok()?;
    let fields = memory.read_bytes(account.lamports_addr, 16).ok()?;
    let (lamports, data_len) = fields.split_at(8);
    Some(Written {
        owner: Pubkey(owner),
        lamports: u64::from_le_bytes(lamports.try_into().ok()?),
        data_len: u64::from_le_bytes(data_len.try_into().ok()?),
    })
}

/// Gives every account its data back from the mapping's regions (as long as the program left
/// it, growth included), and, when `apply` holds, applies the lamports, data length and owner
/// the program wrote, under the rules and in Agave's order. The data moves back whatever
/// happens, so the transaction stays whole.
pub fn write_back(
    transaction: &mut TransactionContext,
    input: &InputLayout,
    memory: &mut MemoryMapping<'_>,
    apply: bool,
) -> Result<(), InstructionError> {
    let written: Vec<Option<Written>> = input
        .accounts
        .iter()
        .map(|account| read_written(memory, account))
        .collect();
    restore_data(transaction, input, memory.take_regions())?;
    if !apply {
        return Ok(());
    }
    for (position, (account, written)) in input.accounts.iter().zip(&written).enumerate() {
        if account.duplicate_of.is_some() {
            continue;
        }
        let written = written.ok_or(InstructionError::InvalidArgument)?;
        let mut borrowed = transaction.borrow(position)?;
        if borrowed.account().lamports != written.lamports {
            borrowed.set_lamports(written.lamports)?;
        }
        let post_len = written.data_len;
        let growth = post_len.saturating_sub(account.original_data_len as u64);
        if growth > MAX_PERMITTED_DATA_INCREASE as u64 || post_len > MAX_ACCOUNT_DATA_LEN {
            return Err(InstructionError::InvalidRealloc);
        }
        if borrowed.account().data.len() as u64 != post_len {
            borrowed.set_data_length(post_len as usize)?;
        }
        if borrowed.account().owner != written.owner {
            borrowed.set_owner(written.owner)?;
        }
    }
    Ok(())
}

/// Moves each account's data region back into its transaction account; growth the hook made is
/// counted in the transaction's resize delta.
pub fn restore_data(
    transaction: &mut TransactionContext,
    input: &InputLayout,
    regions: Vec<MemoryRegion<'_>>,
) -> Result<(), InstructionError> {
    let mut regions: Vec<Option<MemoryRegion<'_>>> = regions.into_iter().map(Some).collect();
    for account in &input.accounts {
        if account.duplicate_of.is_some() {
            continue;
        }
        let found = regions.iter().position(|region| {
            region
                .as_ref()
                .is_some_and(|region| region.vm_addr == account.data_addr)
        });
        let data = match found.and_then(|index| regions[index].take()) {
            Some(region) => region_bytes(region),
            None => return Err(InstructionError::ProgramEnvironmentSetupFailure),
        };
        let growth = data.len() as i64 - account.mapped_len as i64;
        transaction.record_growth(growth);
        let entry = transaction.account_mut(account.index_in_transaction)?;
        if growth != 0 {
            entry.touched = true;
        }
        entry.account.data = data;
    }
    super::run_memory::recycle(&mut regions);
    Ok(())
}

/// The bytes of an account's data region (moved when the region owns them).
pub(crate) fn region_bytes(region: MemoryRegion<'_>) -> Vec<u8> {
    match region.into_memory() {
        HostMemory::ReadOnly(bytes) => bytes.to_vec(),
        HostMemory::Writable(bytes) => bytes.to_vec(),
        HostMemory::Owned { bytes, .. } => bytes,
        HostMemory::Clean(buffer) => buffer.bytes().to_vec(),
    }
}
