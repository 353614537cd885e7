//! The caller's account infos: which of the callee's accounts the caller passes, and where in
//! the caller's memory their lamports, owner and data length live.
//!
//! ```text
//! C     SolAccountInfo (56 bytes)  key*, lamports*, data_len, data*, owner*, rent_epoch, 3 × u8
//! Rust  AccountInfo (48 bytes)     key*, lamports Rc*, data Rc*, owner*, unused u64, 3 × u8
//!       an Rc points at {strong, weak, RefCell {borrow flag, value}}: the value is 24 bytes in
//!       (lamports: a pointer to the u64; data: a pointer and a length)
//! ```
//!
//! The key, owner, lamports and data pointers must be exactly where the caller's input put
//! them (`Invalid account info pointer`), the infos themselves and the data length must lie
//! below the input region (`Invalid pointer`), and the length may not exceed the data's room
//! (`InvalidRealloc`). Each callee account that is not a program must be among the infos
//! (`Instruction references an unknown account`).

use super::super::translate::{read_slice, read_u64, read_value, u64_at, write_value};
use super::Abi;
use crate::memory::{MemoryMapping, MM_INPUT_START};
use crate::solana::context::InvokeContext;
use crate::solana::pubkey::Pubkey;
use crate::solana::serialize::SerializedAccount;
use crate::solana::transaction::{InstructionFrame, MAX_PERMITTED_DATA_INCREASE};
use crate::solana::{InstructionError, SolanaSyscallError, SyscallFailure};

/// Most account infos one invocation may pass.
const MAX_ACCOUNT_INFOS: u64 = 255;
/// What Agave charges per account info (SIMD-0339: key, owner, lamports, data length).
const ACCOUNT_INFO_CHARGE: u64 = 80;
/// Offset of the value inside an `Rc<RefCell<T>>` allocation.
const RC_REFCELL_VALUE: u64 = 24;

/// One callee account the caller passed, and where its fields are in the caller's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TranslatedAccount {
    /// Position of the account in the caller's instruction.
    pub index_in_caller: usize,
    /// The lamports the caller's info points at (its serialized lamports).
    pub lamports_addr: u64,
    /// The owner (its serialized owner).
    pub owner_addr: u64,
    /// The data length field of the info (C) or of the data slice (Rust).
    pub len_addr: u64,
    /// The start of the data (its serialized data).
    pub data_addr: u64,
    /// The data length when the caller's input was serialized.
    pub original_data_len: usize,
    /// Whether the callee may write the account (the caller's view is updated after).
    pub callee_writable: bool,
}

/// The size of one account info.
fn info_size(abi: Abi) -> u64 {
    match abi {
        Abi::C => 56,
        Abi::Rust => 48,
    }
}

/// Reads the `len` account infos at `addr` and matches them to the callee's accounts.
pub(crate) fn translate(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    frame: &InstructionFrame,
    addr: u64,
    len: u64,
    abi: Abi,
) -> Result<Vec<TranslatedAccount>, SyscallFailure> {
    let aligned = context.check_aligned;
    let size = info_size(abi);
    if addr.saturating_add(len.saturating_mul(size)) >= MM_INPUT_START {
        return Err(SolanaSyscallError::InvalidPointer.into());
    }
    let infos = read_slice(memory, addr, len, size, 8, aligned)?.to_vec();
    if len > MAX_ACCOUNT_INFOS {
        return Err(
            SolanaSyscallError::MaxInstructionAccountInfosExceeded(len, MAX_ACCOUNT_INFOS).into(),
        );
    }
    let per_unit = context.costs().cpi_bytes_per_unit.max(1);
    context.consume_checked(len.saturating_mul(ACCOUNT_INFO_CHARGE) / per_unit)?;
    let keys = infos
        .chunks_exact(size as usize)
        .map(|info| {
            let key = read_value(memory, u64_at(info, 0), 32, 1, aligned)?;
            Ok(Pubkey(key.try_into().unwrap_or([0; 32])))
        })
        .collect::<Result<Vec<Pubkey>, SyscallFailure>>()?;

    // Where each callee account is in the caller's instruction (the caller's frame is read
    // once, before the loop charges the meter and logs).
    let caller_accounts = &context.transaction.current()?.accounts;
    let in_caller: Vec<Option<usize>> = frame
        .accounts
        .iter()
        .map(|account| {
            caller_accounts
                .iter()
                .position(|other| other.index_in_transaction == account.index_in_transaction)
        })
        .collect();
    let mut translated = Vec::with_capacity(frame.accounts.len());
    for (position, account) in frame.accounts.iter().enumerate() {
        if frame.duplicate_of(position).is_some() {
            continue;
        }
        let index_in_caller = in_caller[position].ok_or(InstructionError::MissingAccount)?;
        let entry = context.transaction.account(account.index_in_transaction)?;
        let key = entry.key;
        if entry.account.executable {
            // Its data is still in the caller's region (as long as the caller made it).
            let data_len = context
                .input_accounts
                .get(index_in_caller)
                .and_then(|serialized| memory.region(serialized.data_addr))
                .map_or(0, |region| region.len());
            context.consume_checked(data_len / per_unit)?;
            continue;
        }
        let Some(info_index) = keys.iter().position(|other| *other == key) else {
            context
                .log
                .log(format!("Instruction references an unknown account {key}"));
            return Err(InstructionError::MissingAccount.into());
        };
        let Some(serialized) = context.input_accounts.get(index_in_caller).copied() else {
            context
                .log
                .log(format!("Internal error: index mismatch for account {key}"));
            return Err(InstructionError::MissingAccount.into());
        };
        let start = info_index * size as usize;
        let info = &infos[start..start + size as usize];
        let info_addr = addr.saturating_add(start as u64);
        let fields = match abi {
            Abi::C => c_fields(context, memory, info_addr, info, &serialized)?,
            Abi::Rust => rust_fields(context, memory, info, &serialized)?,
        };
        let data_len = read_u64(memory, fields.len_addr, false)?;
        let reserved = serialized.original_data_len as u64 + MAX_PERMITTED_DATA_INCREASE as u64;
        if data_len > reserved {
            return Err(InstructionError::InvalidRealloc.into());
        }
        context.consume_checked(data_len / per_unit)?;
        translated.push(TranslatedAccount {
            index_in_caller,
            lamports_addr: fields.lamports_addr,
            owner_addr: fields.owner_addr,
            len_addr: fields.len_addr,
            data_addr: fields.data_addr,
            original_data_len: serialized.original_data_len,
            callee_writable: account.is_writable,
        });
    }
    Ok(translated)
}

/// Where an info's fields are, once checked.
struct InfoFields {
    lamports_addr: u64,
    owner_addr: u64,
    len_addr: u64,
    data_addr: u64,
}

/// A pointer of an info must be where the serialized input has the field.
fn check_pointer(
    context: &mut InvokeContext,
    actual: u64,
    expected: u64,
    field: &str,
) -> Result<(), SyscallFailure> {
    if actual != expected {
        context.log.log(format!(
            "Invalid account info pointer `{field}': {actual:#x} != {expected:#x}"
        ));
        return Err(SolanaSyscallError::InvalidPointer.into());
    }
    Ok(())
}

/// Checks that the caller could write the lamports, the owner and the length as a store would.
fn check_writable(
    memory: &mut MemoryMapping<'_>,
    lamports_addr: u64,
    owner_addr: u64,
    aligned: bool,
) -> Result<(), SyscallFailure> {
    write_value(memory, lamports_addr, 8, 8, aligned)?;
    write_value(memory, owner_addr, 32, 1, aligned)?;
    Ok(())
}

/// The data length field of an info: below the input region (where no callee can write it)
/// and writable by the caller, at any alignment.
fn length_field(memory: &mut MemoryMapping<'_>, len_addr: u64) -> Result<u64, SyscallFailure> {
    if len_addr >= MM_INPUT_START {
        return Err(SolanaSyscallError::InvalidPointer.into());
    }
    write_value(memory, len_addr, 8, 8, false)?;
    Ok(len_addr)
}

fn c_fields(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    info_addr: u64,
    info: &[u8],
    serialized: &SerializedAccount,
) -> Result<InfoFields, SyscallFailure> {
    let aligned = context.check_aligned;
    let (key_addr, lamports_addr) = (u64_at(info, 0), u64_at(info, 8));
    let (data_addr, owner_addr) = (u64_at(info, 24), u64_at(info, 32));
    check_pointer(context, key_addr, serialized.key_addr, "key")?;
    check_pointer(context, owner_addr, serialized.owner_addr, "owner")?;
    check_pointer(context, lamports_addr, serialized.lamports_addr, "lamports")?;
    check_pointer(context, data_addr, serialized.data_addr, "data")?;
    check_writable(memory, lamports_addr, owner_addr, aligned)?;
    let len_addr = length_field(memory, info_addr.saturating_add(16))?;
    Ok(InfoFields {
        lamports_addr,
        owner_addr,
        len_addr,
        data_addr,
    })
}

fn rust_fields(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    info: &[u8],
    serialized: &SerializedAccount,
) -> Result<InfoFields, SyscallFailure> {
    let aligned = context.check_aligned;
    let (key_addr, lamports_rc) = (u64_at(info, 0), u64_at(info, 8));
    let (data_rc, owner_addr) = (u64_at(info, 16), u64_at(info, 24));
    check_pointer(context, key_addr, serialized.key_addr, "key")?;
    check_pointer(context, owner_addr, serialized.owner_addr, "owner")?;
    let lamports_cell = lamports_rc.wrapping_add(RC_REFCELL_VALUE);
    let lamports_addr = read_u64(memory, lamports_cell, aligned)?;
    if lamports_cell >= MM_INPUT_START {
        return Err(SolanaSyscallError::InvalidPointer.into());
    }
    check_pointer(context, lamports_addr, serialized.lamports_addr, "lamports")?;
    write_value(memory, lamports_addr, 8, 8, aligned)?;
    write_value(memory, owner_addr, 32, 1, aligned)?;
    let data_cell = data_rc.wrapping_add(RC_REFCELL_VALUE);
    if data_cell >= MM_INPUT_START {
        return Err(SolanaSyscallError::InvalidPointer.into());
    }
    let slice = read_value(memory, data_cell, 16, 8, aligned)?;
    let data_addr = u64_at(slice, 0);
    check_pointer(context, data_addr, serialized.data_addr, "data")?;
    let len_addr = length_field(memory, data_cell.saturating_add(8))?;
    Ok(InfoFields {
        lamports_addr,
        owner_addr,
        len_addr,
        data_addr,
    })
}
