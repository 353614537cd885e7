//! The switch between the two engines: [`Vm::execute_with`].
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

use crate::vm::{ContextObject, EbpfError, Engine, Vm};

impl<C: ContextObject> Vm<'_, C> {
    /// Runs to the end with `engine`.
    pub fn execute_with(&mut self, engine: Engine) -> (u64, Result<u64, EbpfError>) {
        match engine {
            Engine::Interpreter => self.execute(),
            Engine::Jit => self.execute_jit(),
        }
    }
}
