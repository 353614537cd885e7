//! The switch between the two engines: [`Vm::execute_with`], and [`Vm::run_until_marked`] for
//! a debugger.
//!
//! [`Engine`] is vocabulary and stays in vm, where configuration, reports and embedders name an
//! engine without importing one. Running *with* a chosen engine has to call both, so it stands
//! here, above the interpreter and the JIT, rather than in vm below them (where it made vm
//! import both engines) or inside either engine (where one engine would name the other as an
//! equal choice):
//!
//! ```text
//!              engines::execute_with
//!               ╱                  ╲
//!   interpreter::execute      jit::execute_jit
//!               ╲                  ╱
//!              vm (Engine, Vm, Executable)
//! ```

#![deny(clippy::arithmetic_side_effects)]

use crate::vm::{ContextObject, EbpfError, Engine, Pause, StopMarks, Vm};

impl<C: ContextObject> Vm<'_, C> {
    /// Runs to the end with `engine`.
    pub fn execute_with(&mut self, engine: Engine) -> (u64, Result<u64, EbpfError>) {
        match engine {
            Engine::Interpreter => self.execute(),
            Engine::Jit => self.execute_jit(),
        }
    }

    /// Runs with `engine` until a marked instruction is next, `allowance` instructions have
    /// run (compiled code may run up to one straight-line run more), or the run ends:
    /// [`Vm::run_interpreter_until`] or [`Vm::run_jit_until`], which stop at the same
    /// instruction with the same state.
    pub fn run_until_marked(&mut self, engine: Engine, marks: &StopMarks, allowance: u64) -> Pause {
        match engine {
            Engine::Interpreter => self.run_interpreter_until(marks, allowance),
            Engine::Jit => self.run_jit_until(marks, allowance),
        }
    }
}
