//! The blob: the guest structures the caller passes to the invoke syscall, laid out by the
//! harness and copied by the caller's script to the heap (all of it) and to the bottom of the
//! stack (the first [`STACK_COPY`] bytes), so hints into either place land on real structures.
//!
//! Pieces are 8-aligned and follow one another: the instruction, the account infos, the signer
//! seeds; then the fuzzer's raw patches overwrite any bytes. Every pointer the harness writes is
//! either the address of the right piece (a heap address) or, when the case says so, a
//! resolved [`Ptr`](crate::spec::Ptr) hint. The two ABIs, as laid out here (offsets in bytes;
//! the reading side is the library's `src/solana/syscalls/cpi/`):
//!
//! ```text
//! C                                        Rust
//! instruction (40)                         instruction (80)
//!   +0  program id ptr                       +0  metas ptr, +8 capacity, +16 len    (Vec)
//!   +8  metas ptr, +16 metas len             +24 data ptr,  +32 capacity, +40 len   (Vec)
//!   +24 data ptr,  +32 data len              +48 program id                         (32)
//! meta (16)                                meta (34)
//!   +0  key ptr, +8 writable, +9 signer      +0  key (32), +32 signer, +33 writable
//! info (56)                                info (48)
//!   +0  key ptr, +8 lamports ptr             +0  key ptr, +8 lamports Rc, +16 data Rc
//!   +16 data len, +24 data ptr               +24 owner ptr, +32 rent epoch (unused)
//!   +32 owner ptr, +40 rent epoch            +40 signer, writable, executable
//!   +48 signer, writable, executable       Rc<RefCell<&mut u64>>   (32)
//!                                            strong, weak, borrow flag, lamports ptr
//! signer seeds: [{ptr, len}] of            Rc<RefCell<&mut [u8]>>  (40)
//!   [{ptr, len}] of bytes (both ABIs)        strong, weak, borrow flag, data ptr, len
//! ```

use crate::accounts::{pdas, MAX_USERS};
use crate::addresses::{Resolver, HEAP};
use crate::spec::{Field, InfoSpec, InstructionSpec, SignerSpec};
use sbvm::solana::Pubkey;

/// Most blob bytes (the heap is 32 KiB).
pub const MAX_BLOB: usize = 16 * 1024;
/// Bytes of the blob also copied to the bottom of the stack.
pub const STACK_COPY: usize = 2048;

pub struct Blob {
    pub bytes: Vec<u8>,
}

impl Blob {
    pub fn alloc(&mut self, len: usize) -> usize {
        let offset = self.bytes.len().next_multiple_of(8);
        self.bytes.resize(offset + len, 0);
        offset
    }

    pub fn put(&mut self, bytes: &[u8]) -> usize {
        let offset = self.alloc(bytes.len());
        self.bytes[offset..offset + bytes.len()].copy_from_slice(bytes);
        offset
    }

    pub fn set(&mut self, offset: usize, value: u64) {
        self.bytes[offset..offset + 8].copy_from_slice(&value.to_le_bytes());
    }

    pub fn addr(offset: usize) -> u64 {
        HEAP + offset as u64
    }
}

/// Lays out the invoked instruction (its header, metas and data) in the C or the Rust layout
/// and returns the header's address.
pub fn write_instruction(
    blob: &mut Blob,
    rust: bool,
    spec: &InstructionSpec,
    callee_id: Pubkey,
    metas: &[(Pubkey, u8, u8)],
    data: &[u8],
    resolve: &Resolver,
) -> u64 {
    if rust {
        let header = blob.alloc(80);
        let metas_at = blob.alloc(34 * metas.len());
        for (index, (key, signer, writable)) in metas.iter().enumerate() {
            let at = metas_at + 34 * index;
            blob.bytes[at..at + 32].copy_from_slice(key.as_bytes());
            blob.bytes[at + 32] = *signer;
            blob.bytes[at + 33] = *writable;
        }
        let data_at = blob.put(data);
        let metas_addr = resolve.ptr_or(spec.metas_ptr, Blob::addr(metas_at));
        let data_addr = resolve.ptr_or(spec.data_ptr, Blob::addr(data_at));
        blob.set(header, metas_addr);
        blob.set(header + 8, spec.caps.0);
        blob.set(header + 16, spec.metas_len.unwrap_or(metas.len() as u64));
        blob.set(header + 24, data_addr);
        blob.set(header + 32, spec.caps.1);
        blob.set(header + 40, spec.data_len.unwrap_or(data.len() as u64));
        blob.bytes[header + 48..header + 80].copy_from_slice(callee_id.as_bytes());
        Blob::addr(header)
    } else {
        let header = blob.alloc(40);
        let program_at = blob.put(callee_id.as_bytes());
        let metas_at = blob.alloc(16 * metas.len());
        for (index, (key, signer, writable)) in metas.iter().enumerate() {
            let key_at = blob.put(key.as_bytes());
            let at = metas_at + 16 * index;
            blob.set(at, Blob::addr(key_at));
            blob.bytes[at + 8] = *writable;
            blob.bytes[at + 9] = *signer;
        }
        let data_at = blob.put(data);
        let program_addr = resolve.ptr_or(spec.program_ptr, Blob::addr(program_at));
        let metas_addr = resolve.ptr_or(spec.metas_ptr, Blob::addr(metas_at));
        let data_addr = resolve.ptr_or(spec.data_ptr, Blob::addr(data_at));
        blob.set(header, program_addr);
        blob.set(header + 8, metas_addr);
        blob.set(header + 16, spec.metas_len.unwrap_or(metas.len() as u64));
        blob.set(header + 24, data_addr);
        blob.set(header + 32, spec.data_len.unwrap_or(data.len() as u64));
        Blob::addr(header)
    }
}

/// Lays out the account infos (with their `Rc<RefCell>` boxes in the Rust layout) and returns
/// the offset of the first.
pub fn write_infos(blob: &mut Blob, rust: bool, infos: &[InfoSpec], resolve: &Resolver) -> usize {
    let info_size = if rust { 48 } else { 56 };
    let infos_at = blob.alloc(info_size * infos.len());
    for (index, info) in infos.iter().enumerate() {
        let at = infos_at + info_size * index;
        let account = resolve.record(info.position);
        let key = resolve.ptr_or(info.key, account.field(Field::Key));
        let lamports = resolve.ptr_or(info.lamports, account.field(Field::Lamports));
        let data = resolve.ptr_or(info.data, account.field(Field::Data));
        let owner = resolve.ptr_or(info.owner, account.field(Field::Owner));
        let data_len = info.data_len.unwrap_or(account.data_len);
        let flags_at = if rust {
            let (strong, weak, borrow) = info.rc_header.unwrap_or((1, 1, 0));
            let lamports_box = blob.alloc(32);
            for (slot, value) in [strong, weak, borrow, lamports].into_iter().enumerate() {
                blob.set(lamports_box + 8 * slot, value);
            }
            let data_box = blob.alloc(40);
            for (slot, value) in [strong, weak, borrow, data, data_len]
                .into_iter()
                .enumerate()
            {
                blob.set(data_box + 8 * slot, value);
            }
            let lamports_rc = resolve.ptr_or(info.lamports_rc, Blob::addr(lamports_box));
            let data_rc = resolve.ptr_or(info.data_rc, Blob::addr(data_box));
            for (slot, value) in [key, lamports_rc, data_rc, owner, info.rent_epoch]
                .into_iter()
                .enumerate()
            {
                blob.set(at + 8 * slot, value);
            }
            at + 40
        } else {
            for (slot, value) in [key, lamports, data_len, data, owner, info.rent_epoch]
                .into_iter()
                .enumerate()
            {
                blob.set(at + 8 * slot, value);
            }
            at + 48
        };
        blob.bytes[flags_at..flags_at + 3].copy_from_slice(&info.flags);
    }
    infos_at
}

/// Lays out the signer seeds and returns the offset of the outer slice.
pub fn write_signer_seeds(blob: &mut Blob, signers: &[SignerSpec]) -> usize {
    let signers_at = blob.alloc(16 * signers.len());
    for (index, signer) in signers.iter().enumerate() {
        let seeds: Vec<Vec<u8>> = match signer {
            SignerSpec::Pda(user) => {
                let user = usize::from(*user) % MAX_USERS;
                vec![vec![user as u8], vec![pdas()[user].1]]
            }
            SignerSpec::Raw(seeds) => seeds
                .iter()
                .take(20)
                .map(|seed| seed.iter().take(40).copied().collect())
                .collect(),
        };
        let seeds_at = blob.alloc(16 * seeds.len());
        for (slot, seed) in seeds.iter().enumerate() {
            let seed_at = blob.put(seed);
            blob.set(seeds_at + 16 * slot, Blob::addr(seed_at));
            blob.set(seeds_at + 16 * slot + 8, seed.len() as u64);
        }
        blob.set(signers_at + 16 * index, Blob::addr(seeds_at));
        blob.set(signers_at + 16 * index + 8, seeds.len() as u64);
    }
    signers_at
}

/// Applies the fuzzer's raw patches (a byte, or a word if `wide`) to bytes already laid out.
pub fn apply_patches(blob: &mut Blob, patches: &[(u16, u64, bool)]) {
    for &(offset, value, wide) in patches {
        let offset = usize::from(offset);
        if wide {
            if offset + 8 <= blob.bytes.len() {
                blob.set(offset, value);
            }
        } else if offset < blob.bytes.len() {
            blob.bytes[offset] = value as u8;
        }
    }
}
