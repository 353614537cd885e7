//! The embedder's entry point: load programs once, then process instructions against accounts.
//!
//! ```
//! use sbvm::solana::{Account, AccountMeta, Instruction, ProgramRuntime, Pubkey};
//! # fn elf() -> Vec<u8> { std::fs::read("../shared/solana-oracle/programs/p-token.so").unwrap_or_default() }
//! let mut runtime = ProgramRuntime::new();
//! let token: Pubkey = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA".parse().unwrap();
//! # let bytes = elf(); if bytes.is_empty() { return; }
//! runtime.add_program(token, sbvm::solana::ids::BPF_LOADER, &bytes).unwrap();
//! let instruction = Instruction { program_id: token, accounts: vec![], data: vec![] };
//! let result = runtime.process_instruction(&instruction, &[]).unwrap();
//! // p-token refuses empty instruction data with its own error 12 (mollusk's empty_data fixture).
//! assert_eq!(format!("{:?}", result.result), "Err(Custom(12))");
//! assert_eq!(result.compute_units_consumed, 27);
//! ```

use super::account::{ids, Account, Instruction};
use super::context::{Environment, InvokeContext, ProgramSource, VmDriver};
use super::error::InstructionError;
use super::invoke::process_instruction;
use super::log::LogCollector;
use super::message::{compile, MessageError};
use super::pubkey::Pubkey;
use super::syscalls::register_syscalls;
use super::sysvar::{SysvarCache, SysvarKind, Sysvars};
use super::transaction::{TransactionAccount, TransactionContext};
use crate::isa::SbpfVersion;
use crate::load::ElfLoadError;
use crate::vm::{Config, Engine, Executable, Runtime};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What processing an instruction produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstructionResult {
    /// `Ok(())` or the instruction's error.
    pub result: Result<(), InstructionError>,
    /// Compute units consumed.
    pub compute_units_consumed: u64,
    /// The return data (empty when none was set).
    pub return_data: Vec<u8>,
    /// The log, as Agave records it.
    pub logs: Vec<String>,
    /// Every given account after the instruction, in the order given; unchanged when the
    /// instruction failed.
    pub accounts: Vec<(Pubkey, Account)>,
}

/// Why a program could not be added.
#[derive(Debug, thiserror::Error)]
pub enum AddProgramError {
    /// The ELF file did not load or verify.
    #[error("{0}")]
    Load(#[from] ElfLoadError),
    /// The JIT could not compile it.
    #[error("JIT: {0}")]
    Jit(#[from] crate::jit::JitError),
    /// The loader is not one sbvm runs programs of.
    #[error("programs of loader {0} are not supported (loader v2 and v3 are)")]
    UnsupportedLoader(Pubkey),
}

/// Why an instruction could not be processed at all (before any program ran).
pub type RuntimeError = MessageError;

/// The hasher of the loaded-programs map: Fx-style folding of the key's words. The map holds
/// only programs the embedder loaded and is looked up a few times per instruction, where
/// SipHash's resistance to chosen keys bought nothing but its cost.
#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type ProgramMap = HashMap<Pubkey, Arc<LoadedProgram>, std::hash::BuildHasherDefault<KeyHasher>>;

/// The loaded programs, shared with every instruction's context (a program invokes others
/// from inside a syscall).
#[derive(Clone, Default)]
struct ProgramTable(ProgramMap);

impl ProgramSource for ProgramTable {
    fn program(&self, program_id: &Pubkey) -> Option<&Executable<InvokeContext>> {
        self.0.get(program_id).map(|program| &program.executable)
    }
}

struct LoadedProgram {
    loader: Pubkey,
    executable: Executable<InvokeContext>,
    /// The id in base58, for the log lines.
    name: Arc<str>,
}

/// A Solana program runtime for single instructions, exact to Agave as mollusk runs it: all
/// features enabled, loaders v2 and v3, the sysvars and costs of [`Environment`].
pub struct ProgramRuntime {
    runtime: Arc<Runtime<InvokeContext>>,
    programs: Arc<ProgramTable>,
    environment: Arc<Environment>,
    sysvar_cache: Arc<SysvarCache>,
    /// The cache built for the latest instruction that gave sysvar accounts of its own, with
    /// those accounts' data: instructions given the same ones share it (building one copies
    /// every sysvar, slot hashes' 20 KB included).
    overridden: Mutex<Option<OverriddenSysvars>>,
    engine: Engine,
}

/// A sysvar cache with the sysvar accounts that replaced the runtime's values in it.
struct OverriddenSysvars {
    accounts: Vec<(SysvarKind, Vec<u8>)>,
    cache: Arc<SysvarCache>,
}

impl Default for ProgramRuntime {
    fn default() -> Self {
        Self::new()
    }
}

impl ProgramRuntime {
    /// A runtime with Agave's defaults, no programs, running on the interpreter.
    pub fn new() -> Self {
        Self::with_environment(Environment::default())
    }

    /// A runtime with `environment`.
    pub fn with_environment(environment: Environment) -> Self {
        let budget = environment.budget;
        let config = Config {
            max_call_depth: budget.max_call_depth,
            stack_frame_size: budget.stack_frame_size,
            enable_stack_frame_gaps: false,
            enable_instruction_meter: true,
            instruction_meter_checkpoint_distance: 10_000,
            aligned_memory_mapping: false,
            enabled_sbpf_versions: SbpfVersion::V0..=SbpfVersion::V3,
            optimize_rodata: false,
        };
        let mut runtime = Runtime::new(config);
        register_syscalls(&mut runtime.syscalls);
        ProgramRuntime {
            runtime: Arc::new(runtime),
            programs: Arc::default(),
            sysvar_cache: Arc::new(SysvarCache::new(&environment.sysvars)),
            overridden: Mutex::new(None),
            environment: Arc::new(environment),
            engine: Engine::Interpreter,
        }
    }

    /// Runs programs on `engine` from now on (programs added later are compiled for it; those
    /// added before are compiled now).
    pub fn set_engine(&mut self, engine: Engine) -> Result<(), crate::jit::JitError> {
        if engine == Engine::Jit {
            // Compiled now (not on their first run) so a failure shows here.
            for program in self.programs.0.values() {
                program.executable.jit_program()?;
            }
        }
        self.engine = engine;
        Ok(())
    }

    /// The engine programs run on.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The sysvars, limits and costs.
    pub fn environment(&self) -> &Environment {
        &self.environment
    }

    /// Sets the compute units each instruction may consume.
    pub fn set_compute_unit_limit(&mut self, units: u64) {
        if self.environment.budget.compute_unit_limit != units {
            Arc::make_mut(&mut self.environment)
                .budget
                .compute_unit_limit = units;
        }
    }

    /// Changes the sysvars (clock, rent, …) for later instructions.
    pub fn set_sysvars(&mut self, sysvars: Sysvars) {
        self.sysvar_cache = Arc::new(SysvarCache::new(&sysvars));
        *self
            .overridden
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
        Arc::make_mut(&mut self.environment).sysvars = sysvars;
    }

    /// Loads the ELF `elf` as the program `program_id` of `loader` (v2 or v3).
    pub fn add_program(
        &mut self,
        program_id: Pubkey,
        loader: Pubkey,
        elf: &[u8],
    ) -> Result<(), AddProgramError> {
        if loader != ids::BPF_LOADER && loader != ids::BPF_LOADER_UPGRADEABLE {
            return Err(AddProgramError::UnsupportedLoader(loader));
        }
        let mut executable = Executable::from_elf(elf, Arc::clone(&self.runtime))?;
        if self.engine == Engine::Jit {
            executable.jit_compile()?;
        }
        Arc::make_mut(&mut self.programs).0.insert(
            program_id,
            Arc::new(LoadedProgram {
                loader,
                executable,
                name: program_id.to_string().into(),
            }),
        );
        Ok(())
    }

    /// The loaded program `program_id`, if any.
    pub fn program(&self, program_id: &Pubkey) -> Option<&Executable<InvokeContext>> {
        self.programs.program(program_id)
    }

    /// Processes `instruction` over `accounts` (every account it names but its program and the
    /// instructions sysvar must be given) as a transaction of its own, on the runtime's engine.
    pub fn process_instruction(
        &self,
        instruction: &Instruction,
        accounts: &[(Pubkey, Account)],
    ) -> Result<InstructionResult, RuntimeError> {
        let mut engine = self.engine;
        self.process_instruction_with(instruction, accounts, &mut engine)
    }

    /// Processes `instruction` with `driver` running the program's VM (a tracer, a debugger).
    pub fn process_instruction_with(
        &self,
        instruction: &Instruction,
        accounts: &[(Pubkey, Account)],
        driver: &mut dyn VmDriver,
    ) -> Result<InstructionResult, RuntimeError> {
        let compiled = compile(instruction, accounts, |id| {
            self.programs
                .0
                .get(id)
                .map(|program| program.loader)
                .or_else(|| is_builtin_id(id).then_some(ids::NATIVE_LOADER))
        })?;
        let budget = self.environment.budget;
        let transaction = TransactionContext::new(
            compiled.accounts,
            self.environment.sysvars.rent,
            budget.max_instruction_stack_depth,
            budget.max_instruction_trace_length,
        );
        let mut context = InvokeContext::new(
            transaction,
            Arc::clone(&self.environment),
            self.sysvar_cache_for(accounts),
            budget.compute_unit_limit,
        )
        .with_programs(Arc::clone(&self.programs) as Arc<dyn ProgramSource + Send + Sync>);
        if let Some(program) = self.programs.0.get(&instruction.program_id) {
            context.log = LogCollector::naming(instruction.program_id, Arc::clone(&program.name));
        }
        let (consumed, result) = process_instruction(&mut context, compiled.frame, driver);
        let return_data = context.transaction.return_data().1.to_vec();
        let logs = std::mem::take(&mut context.log).into_messages();
        let mut after: Vec<Option<TransactionAccount>> = context
            .transaction
            .into_accounts()
            .into_iter()
            .map(Some)
            .collect();
        let accounts = if result.is_ok() {
            let mut out: Vec<(Pubkey, Account)> = Vec::with_capacity(accounts.len());
            for (key, original) in accounts {
                // Each key is one transaction account: move it out the first time, copy the
                // first result for a key given again.
                let moved = after
                    .iter_mut()
                    .find(|entry| entry.as_ref().is_some_and(|entry| entry.key == *key))
                    .and_then(Option::take)
                    .map(|entry| entry.account);
                let account = moved
                    .or_else(|| {
                        out.iter()
                            .find(|(earlier, _)| earlier == key)
                            .map(|(_, account)| account.clone())
                    })
                    .unwrap_or_else(|| original.clone());
                out.push((*key, account));
            }
            out
        } else {
            accounts.to_vec()
        };
        Ok(InstructionResult {
            result,
            compute_units_consumed: consumed,
            return_data,
            logs,
            accounts,
        })
    }

    /// The sysvars a transaction over `accounts` reads: sysvar accounts the caller gives
    /// replace the runtime's values (Solana fills its sysvar cache from them first).
    fn sysvar_cache_for(&self, accounts: &[(Pubkey, Account)]) -> Arc<SysvarCache> {
        let overrides: Vec<(SysvarKind, &Account)> = accounts
            .iter()
            .filter_map(|(key, account)| SysvarKind::at(key).map(|kind| (kind, account)))
            .collect();
        if overrides.is_empty() {
            return Arc::clone(&self.sysvar_cache);
        }
        // A poisoned lock only means a panic elsewhere left it: its contents are whole.
        let mut overridden = self
            .overridden
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let same =
            overridden.as_ref().is_some_and(|earlier| {
                earlier.accounts.len() == overrides.len()
                    && earlier.accounts.iter().zip(&overrides).all(
                        |((kind, data), (given, account))| kind == given && *data == account.data,
                    )
            });
        if let (true, Some(earlier)) = (same, overridden.as_ref()) {
            return Arc::clone(&earlier.cache);
        }
        let mut cache = (*self.sysvar_cache).clone();
        for (kind, account) in &overrides {
            cache.set_from_account(*kind, &account.data);
        }
        let cache = Arc::new(cache);
        *overridden = Some(OverriddenSysvars {
            accounts: overrides
                .iter()
                .map(|(kind, account)| (*kind, account.data.clone()))
                .collect(),
            cache: Arc::clone(&cache),
        });
        cache
    }
}

/// Whether `id` is a builtin program, one the runtime runs without loading anything (the
/// system program and the loaders).
pub(crate) fn is_builtin_id(id: &Pubkey) -> bool {
    *id == ids::SYSTEM_PROGRAM || is_loader_id(id)
}

fn is_loader_id(id: &Pubkey) -> bool {
    *id == ids::BPF_LOADER
        || *id == ids::BPF_LOADER_DEPRECATED
        || *id == ids::BPF_LOADER_UPGRADEABLE
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rent_account(lamports_per_byte: u64) -> (Pubkey, Account) {
        // Rent's bincode layout (Agave's `Rent`): lamports per byte-year (u64), exemption
        // threshold (f64), burn percent (u8).
        let mut data = lamports_per_byte.to_le_bytes().to_vec();
        data.extend_from_slice(&2.0f64.to_le_bytes());
        data.push(50);
        let key = SysvarKind::ALL
            .iter()
            .find(|(kind, _)| *kind == SysvarKind::Rent)
            .map(|(_, key)| *key)
            .unwrap();
        let account = Account {
            lamports: 1,
            owner: ids::SYSVAR_OWNER,
            executable: false,
            rent_epoch: 0,
            data,
        };
        (key, account)
    }

    #[test]
    fn instructions_given_the_same_sysvar_accounts_share_a_cache_and_others_do_not() {
        let runtime = ProgramRuntime::new();
        let rent = |cache: &SysvarCache| cache.buffer(SysvarKind::Rent).unwrap().to_vec();
        let first = runtime.sysvar_cache_for(&[rent_account(7)]);
        let again = runtime.sysvar_cache_for(&[rent_account(7)]);
        assert!(Arc::ptr_eq(&first, &again));
        let other = runtime.sysvar_cache_for(&[rent_account(8)]);
        assert!(!Arc::ptr_eq(&first, &other));
        assert_eq!(rent(&first), rent_account(7).1.data);
        assert_eq!(rent(&other), rent_account(8).1.data);
        // No sysvar account given: the runtime's own values.
        let own = runtime.sysvar_cache_for(&[]);
        assert_eq!(
            rent(&own),
            SysvarCache::new(&Sysvars::default())
                .buffer(SysvarKind::Rent)
                .unwrap()
        );
    }
}
