//! Where things lie in the caller's address space, and how a pointer hint becomes an address.
//!
//! The harness knows the caller's serialized input before the program runs (ABI v1), so it
//! can point the guest structures at real fields of real accounts. One account's record:
//!
//! ```text
//! record      +0   dup marker, signer, writable, executable, padding   (8 bytes)
//!             +8   key                                                 (32)
//!             +40  owner                                               (32)
//!             +72  lamports                                            (u64)
//!             +80  data length                                         (u64)
//!             +88  data ... then DATA_ROOM bytes of room, aligned to 8
//!                  rent epoch                                          (u64)
//! ```
//!
//! The input starts with the number of accounts (u64); a duplicate account takes 8 bytes
//! (its marker) and shares the record of its first position.
//!
//! [`Resolver`] turns a [`Ptr`] hint into an address: a field of a caller account, somewhere
//! near one, an offset into the heap, the stack or the input, or a raw value.

use crate::spec::{Field, Ptr};
use sbvm::solana::Pubkey;

pub const HEAP: u64 = 0x3_0000_0000;
pub const STACK: u64 = 0x2_0000_0000;
pub const INPUT: u64 = 0x4_0000_0000;
/// Room after each account's data in the input (MAX_PERMITTED_DATA_INCREASE).
const DATA_ROOM: u64 = 10 * 1024;

/// Where an account's record lies in a serialized input (ABI v1).
#[derive(Clone, Copy, Default)]
pub struct Record {
    pub record: u64,
    pub data_len: u64,
}

impl Record {
    pub fn field(self, field: Field) -> u64 {
        let r = self.record;
        match field {
            Field::Record => r,
            Field::Key => r + 8,
            Field::Owner => r + 40,
            Field::Lamports => r + 72,
            Field::DataLen => r + 80,
            Field::Data => r + 88,
            Field::DataEnd => r + 88 + self.data_len,
        }
    }
}

/// The records of an input over accounts with these keys and data lengths.
pub fn layout(accounts: &[(Pubkey, u64)]) -> Vec<Record> {
    let mut records: Vec<Record> = Vec::with_capacity(accounts.len());
    let mut addr = INPUT + 8;
    for (position, (key, data_len)) in accounts.iter().enumerate() {
        if let Some(first) = accounts[..position].iter().position(|(k, _)| k == key) {
            records.push(records[first]);
            addr += 8;
            continue;
        }
        records.push(Record {
            record: addr,
            data_len: *data_len,
        });
        addr = (addr + 88 + data_len + DATA_ROOM).next_multiple_of(8) + 8;
    }
    records
}

pub struct Resolver<'a> {
    pub records: &'a [Record],
}

impl Resolver<'_> {
    pub fn record(&self, position: u8) -> Record {
        if self.records.is_empty() {
            return Record::default();
        }
        self.records[usize::from(position) % self.records.len()]
    }

    pub fn ptr(&self, ptr: Ptr) -> u64 {
        match ptr {
            Ptr::Field(position, field) => self.record(position).field(field),
            Ptr::Near(position, field, delta) => self
                .record(position)
                .field(field)
                .wrapping_add_signed(i64::from(delta)),
            Ptr::Heap(offset) => HEAP + u64::from(offset),
            Ptr::Stack(offset) => STACK + u64::from(offset),
            Ptr::Input(offset) => INPUT + u64::from(offset),
            Ptr::Raw(value) => value,
        }
    }

    pub fn ptr_or(&self, ptr: Option<Ptr>, default: u64) -> u64 {
        ptr.map_or(default, |ptr| self.ptr(ptr))
    }
}
