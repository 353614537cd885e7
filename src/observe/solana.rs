//! Observing a Solana instruction: a [`VmDriver`] that runs each program's VM under one
//! [`Observation`], and hands the same one to the programs it invokes, so a callee's frames are
//! stacked under its caller's invoke (`caller;…;<program id>:entrypoint;…`) and its
//! instructions covered under its program id.

use super::names::FunctionNames;
use super::record::Observation;
use crate::solana::{Callee, InvokeContext, VmDriver};
use crate::vm::{EbpfError, Vm};
use std::collections::BTreeMap;

/// Runs programs one instruction at a time under an [`Observation`], each named by its
/// program id.
#[derive(Debug, Clone, Default)]
pub struct ObservingDriver {
    /// What the runs record.
    pub observation: Observation,
}

impl VmDriver for ObservingDriver {
    fn run(&mut self, vm: &mut Vm<'_, InvokeContext>) -> (u64, Result<u64, EbpfError>) {
        let program = vm
            .context
            .transaction
            .current_program_id()
            .map(|id| id.to_string())
            .unwrap_or_default();
        let names = FunctionNames::of_executable(vm.executable(), &BTreeMap::new());
        self.observation.run(vm, &program, names)
    }

    /// The programs this one invokes are observed too, by the same observation.
    fn callee(&self) -> Callee {
        Callee::Driver(Box::new(self.clone()))
    }
}
