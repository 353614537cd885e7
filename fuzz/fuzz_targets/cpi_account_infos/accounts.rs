//! The accounts of a case: the pool the runtime holds, the caller's instruction over some of
//! them, and the invoked instruction's metas and account infos.
//!
//! The pool is the user accounts (at most [`MAX_USERS`], each maybe a program-derived address
//! of the caller), then the callee program, the system program and the caller; a [`Pick`]
//! chooses among all of them. The caller's instruction always ends with the callee (and, if
//! asked, the system program) so the caller can pass it on. The invoked instruction names its
//! accounts by position in the caller's instruction, from the pool, or raw; for each account
//! named by position the harness adds a correct info unless the case says not to; the
//! fuzzer's own infos follow those.

use crate::spec::{AccountSpec, CalleeChoice, Case, InfoSpec, MetaKey, MetaSpec, Owner, Pick};
use crate::{CALLEE, CALLER};
use sbvm::solana::{ids, Account, AccountMeta, Pubkey};
use std::sync::OnceLock;

/// Caller-side users accounts.
pub const MAX_USERS: usize = 8;

/// Program-derived addresses of the caller for seeds `[index]`, with their bumps.
pub fn pdas() -> &'static [(Pubkey, u8); MAX_USERS] {
    static PDAS: OnceLock<[(Pubkey, u8); MAX_USERS]> = OnceLock::new();
    PDAS.get_or_init(|| {
        std::array::from_fn(|index| {
            Pubkey::find_program_address(&[&[index as u8]], &CALLER).unwrap()
        })
    })
}

/// The accounts: users, the callee program, the system program (the caller is created by the
/// runtime as the instruction's program).
pub fn pool(users: &[AccountSpec]) -> Vec<(Pubkey, Account)> {
    let program = |owner: Pubkey, data: &[u8]| Account {
        lamports: 1,
        owner,
        executable: true,
        rent_epoch: 0,
        data: data.to_vec(),
    };
    let mut pool: Vec<(Pubkey, Account)> = users
        .iter()
        .enumerate()
        .map(|(index, spec)| {
            let key = if spec.pda {
                pdas()[index].0
            } else {
                Pubkey([index as u8 + 1; 32])
            };
            let owner = match spec.owner {
                Owner::Caller => CALLER,
                Owner::Callee => CALLEE,
                Owner::System => ids::SYSTEM_PROGRAM,
                Owner::Other => Pubkey([0xee; 32]),
            };
            let account = Account {
                lamports: u64::from(spec.lamports),
                owner,
                executable: spec.executable,
                rent_epoch: 0,
                data: vec![index as u8; usize::from(spec.data_len)],
            };
            (key, account)
        })
        .collect();
    pool.push((CALLEE, program(ids::BPF_LOADER, &[])));
    pool.push((
        ids::SYSTEM_PROGRAM,
        program(ids::NATIVE_LOADER, b"system_program"),
    ));
    pool.push((CALLER, program(ids::BPF_LOADER, &[])));
    pool
}

/// The account of the pool a [`Pick`] chooses.
pub fn pick(pool: &[(Pubkey, Account)], pick: Pick) -> &(Pubkey, Account) {
    &pool[usize::from(pick.0) % pool.len()]
}

/// The length of the data of the pool's account with this key (0 if none).
pub fn data_len_of(pool: &[(Pubkey, Account)], key: &Pubkey) -> u64 {
    pool.iter()
        .find(|(k, _)| k == key)
        .map_or(0, |(_, account)| account.data.len() as u64)
}

/// The caller's instruction: the chosen accounts, then the callee (and the system program).
pub fn caller_metas(case: &Case, pool: &[(Pubkey, Account)]) -> Vec<AccountMeta> {
    let mut caller_metas: Vec<AccountMeta> = case
        .caller_metas
        .iter()
        .map(|meta| AccountMeta {
            pubkey: pick(pool, meta.pick).0,
            is_signer: meta.signer,
            is_writable: meta.writable,
        })
        .collect();
    caller_metas.push(AccountMeta {
        pubkey: CALLEE,
        is_signer: false,
        is_writable: false,
    });
    if case.with_system {
        caller_metas.push(AccountMeta {
            pubkey: ids::SYSTEM_PROGRAM,
            is_signer: false,
            is_writable: false,
        });
    }
    caller_metas
}

/// The program the invoked instruction names.
pub fn callee_id(callee: &CalleeChoice, pool: &[(Pubkey, Account)]) -> Pubkey {
    match callee {
        CalleeChoice::Callee => CALLEE,
        CalleeChoice::System => ids::SYSTEM_PROGRAM,
        CalleeChoice::Caller => CALLER,
        CalleeChoice::Pick(p) => pick(pool, *p).0,
        CalleeChoice::Raw(bytes) => Pubkey(*bytes),
    }
}

/// The invoked instruction's metas: key, signer and writable flags (raw bytes if the case says).
pub fn invoked_metas(
    metas: &[MetaSpec],
    pool: &[(Pubkey, Account)],
    caller_keys: &[(Pubkey, u64)],
) -> Vec<(Pubkey, u8, u8)> {
    metas
        .iter()
        .map(|meta| {
            let (signer, writable) = meta
                .raw_flags
                .unwrap_or((u8::from(meta.signer), u8::from(meta.writable)));
            let key = match meta.key {
                MetaKey::Position(position) => {
                    caller_keys[usize::from(position) % caller_keys.len()].0
                }
                MetaKey::Pool(p) => pick(pool, p).0,
                MetaKey::Raw(byte) => Pubkey([byte; 32]),
            };
            (key, signer, writable)
        })
        .collect()
}

/// Infos: a correct one for each account of the invoked instruction (by its first position in
/// the caller's), then the fuzzer's.
pub fn infos(case: &Case) -> Vec<InfoSpec> {
    let auto_infos = case
        .instruction
        .metas
        .iter()
        .filter_map(|meta| match meta.key {
            MetaKey::Position(position) if !case.no_auto_infos => Some(InfoSpec {
                position,
                key: None,
                lamports: None,
                data: None,
                owner: None,
                data_len: None,
                lamports_rc: None,
                data_rc: None,
                rc_header: None,
                flags: [0; 3],
                rent_epoch: 0,
            }),
            _ => None,
        });
    auto_infos
        .chain(case.infos.iter().map(InfoSpec::clone))
        .collect()
}
