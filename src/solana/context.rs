//! The context of a program run: the compute meter, the transaction, the log and everything a
//! syscall may need (Solana's `InvokeContext`). The VM charges instructions to it and hands it
//! to every syscall.
//!
//! A program that invokes another (cross-program invocation, `cpi/`) does so from inside a
//! syscall, so the context also carries what running a callee takes: the loaded programs
//! ([`ProgramSource`]), the driver for the callee's VM ([`VmDriver::callee`]) and where the
//! running program's accounts lie in its memory. Each program run saves the caller's values of
//! these and puts them back when it ends.

use super::budget::{ComputeBudget, ComputeCosts};
use super::error::InstructionError;
use super::failure::SyscallFailure;
use super::log::LogCollector;
use super::pubkey::Pubkey;
use super::serialize::SerializedAccount;
use super::sysvar::{SysvarCache, Sysvars};
use super::transaction::TransactionContext;
use crate::memory::MM_HEAP_START;
use crate::vm::{ContextObject, EbpfError, Engine, Executable, Vm};
use std::sync::Arc;

/// How a program's VM is run: to the end on an engine, or step by step under a tracer or a
/// debugger. Whatever runs it must leave the VM finished and report its count and outcome.
pub trait VmDriver {
    /// Runs `vm` (prepared: memory mapped, r1 and r2 set) to its end.
    fn run(&mut self, vm: &mut Vm<'_, InvokeContext>) -> (u64, Result<u64, EbpfError>);

    /// What runs the VMs of programs this driver's program invokes: by default the
    /// interpreter; an engine answers itself (nothing allocated for the common case), a tracer
    /// or a debugger a driver of its own.
    fn callee(&self) -> Callee {
        Callee::Engine(Engine::Interpreter)
    }
}

/// What runs a callee's VM: an engine, or a driver of the caller's driver's choosing.
pub enum Callee {
    /// To the end on this engine.
    Engine(Engine),
    /// Under this driver.
    Driver(Box<dyn VmDriver>),
}

impl Callee {
    /// The driver to run a VM with.
    pub fn driver(&mut self) -> &mut dyn VmDriver {
        match self {
            Callee::Engine(engine) => engine,
            Callee::Driver(driver) => &mut **driver,
        }
    }
}

impl std::fmt::Debug for Callee {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Callee::Engine(engine) => write!(f, "Callee::Engine({})", engine.name()),
            Callee::Driver(_) => f.write_str("Callee::Driver(..)"),
        }
    }
}

impl VmDriver for Engine {
    fn run(&mut self, vm: &mut Vm<'_, InvokeContext>) -> (u64, Result<u64, EbpfError>) {
        vm.execute_with(*self)
    }

    fn callee(&self) -> Callee {
        Callee::Engine(*self)
    }
}

/// Where the runtime finds the programs instructions invoke.
pub trait ProgramSource {
    /// The loaded sBPF program with this id.
    fn program(&self, program_id: &Pubkey) -> Option<&Executable<InvokeContext>>;
}

/// No programs (a context made outside a runtime).
struct NoPrograms;

impl ProgramSource for NoPrograms {
    fn program(&self, _program_id: &Pubkey) -> Option<&Executable<InvokeContext>> {
        None
    }
}

/// What the runtime fixes for every instruction: sysvars, costs, limits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment {
    /// The sysvars programs read.
    pub sysvars: Sysvars,
    /// Limits.
    pub budget: ComputeBudget,
    /// Syscall costs.
    pub costs: ComputeCosts,
    /// Active stake delegated to vote accounts this epoch (`sol_get_epoch_stake`).
    pub vote_stakes: Vec<(Pubkey, u64)>,
}

/// A bump allocator over the heap, for `sol_alloc_free_` (frees are ignored).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HeapAllocator {
    len: u64,
    position: u64,
}

impl HeapAllocator {
    /// An allocator over `len` heap bytes.
    pub fn new(len: u64) -> Self {
        HeapAllocator { len, position: 0 }
    }

    /// Guest address of `size` fresh bytes aligned to `align`, if they fit.
    pub fn alloc(&mut self, size: u64, align: u64) -> Option<u64> {
        let padding = self.position.wrapping_neg() % align.max(1);
        let start = self.position.saturating_add(padding);
        let end = start.saturating_add(size);
        if end > self.len {
            return None;
        }
        self.position = end;
        Some(MM_HEAP_START.saturating_add(start))
    }
}

/// The state a program run and its syscalls share.
#[derive(Debug)]
pub struct InvokeContext {
    remaining: u64,
    /// The transaction: accounts, instruction trace, return data.
    pub transaction: TransactionContext,
    /// The log.
    pub log: LogCollector,
    /// Sysvars, limits and costs.
    pub environment: Arc<Environment>,
    /// The sysvars as this transaction sees them.
    pub sysvars: Arc<SysvarCache>,
    /// The heap allocator of the current run.
    pub heap: HeapAllocator,
    /// Whether syscalls insist on aligned pointers (all loaders but the deprecated v1).
    pub check_aligned: bool,
    /// Why the last syscall failed, in Solana's terms (the VM sees only a message).
    pub(crate) syscall_failure: Option<SyscallFailure>,
    /// The loaded programs, for cross-program invocation.
    pub(crate) programs: Arc<dyn ProgramSource + Send + Sync>,
    /// What runs the VM of a program the running one invokes (taken while one runs).
    pub(crate) callee: Option<Callee>,
    /// Where the running program's instruction accounts lie in its input (empty between runs).
    pub(crate) input_accounts: Vec<SerializedAccount>,
}

impl std::fmt::Debug for dyn ProgramSource + Send + Sync {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgramSource")
    }
}

impl InvokeContext {
    /// A context with `compute_units` to spend.
    pub fn new(
        transaction: TransactionContext,
        environment: Arc<Environment>,
        sysvars: Arc<SysvarCache>,
        compute_units: u64,
    ) -> Self {
        InvokeContext {
            remaining: compute_units,
            transaction,
            log: LogCollector::default(),
            environment,
            sysvars,
            heap: HeapAllocator::default(),
            check_aligned: true,
            syscall_failure: None,
            programs: Arc::new(NoPrograms),
            callee: None,
            input_accounts: Vec::new(),
        }
    }

    /// The same context with `programs` to invoke.
    pub(crate) fn with_programs(mut self, programs: Arc<dyn ProgramSource + Send + Sync>) -> Self {
        self.programs = programs;
        self
    }

    /// The costs.
    pub fn costs(&self) -> &ComputeCosts {
        &self.environment.costs
    }

    /// Charges `amount`; when the meter cannot cover it, empties the meter and fails with
    /// `ComputationalBudgetExceeded` (Solana's `consume_checked`).
    pub fn consume_checked(&mut self, amount: u64) -> Result<(), InstructionError> {
        let exceeded = self.remaining < amount;
        self.remaining = self.remaining.saturating_sub(amount);
        if exceeded {
            return Err(InstructionError::ComputationalBudgetExceeded);
        }
        Ok(())
    }

    /// Takes the reason the last syscall failed.
    pub(crate) fn take_syscall_failure(&mut self) -> Option<SyscallFailure> {
        self.syscall_failure.take()
    }
}

impl ContextObject for InvokeContext {
    fn consume(&mut self, amount: u64) {
        self.remaining = self.remaining.saturating_sub(amount);
    }

    fn get_remaining(&self) -> u64 {
        self.remaining
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heap_allocator_aligns_and_refuses_overflow() {
        // Agave's BpfAllocator: bump allocation from MM_HEAP_START, aligned, no reuse.
        let mut heap = HeapAllocator::new(64);
        assert_eq!(heap.alloc(3, 8), Some(MM_HEAP_START));
        assert_eq!(heap.alloc(8, 8), Some(MM_HEAP_START + 8));
        assert_eq!(heap.alloc(48, 8), Some(MM_HEAP_START + 16));
        assert_eq!(heap.alloc(1, 1), None);
        assert_eq!(heap.alloc(u64::MAX, 8), None);
    }
}
