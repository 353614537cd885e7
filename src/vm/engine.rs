//! The two execution engines behind one switch.

use super::context::ContextObject;
use super::error::EbpfError;
use super::machine::Vm;

/// How a VM executes its program. Both give the same result, error, final pc and
/// instruction count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Engine {
    /// The instruction-metered interpreter ([`Vm::execute`]).
    #[default]
    Interpreter,
    /// Native x86-64 code ([`Vm::execute_jit`]); the executable is compiled on its first JIT
    /// run, or ahead of time with [`super::Executable::jit_compile`].
    Jit,
}

impl Engine {
    /// Every engine.
    pub const ALL: [Engine; 2] = [Engine::Interpreter, Engine::Jit];

    /// The engine called `name` ([`Engine::name`]).
    pub fn from_name(name: &str) -> Option<Engine> {
        Engine::ALL.into_iter().find(|engine| engine.name() == name)
    }

    /// The engine's name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Interpreter => "interpreter",
            Engine::Jit => "jit",
        }
    }
}

impl<C: ContextObject> Vm<'_, C> {
    /// Runs to the end with `engine`.
    pub fn execute_with(&mut self, engine: Engine) -> (u64, Result<u64, EbpfError>) {
        match engine {
            Engine::Interpreter => self.execute(),
            Engine::Jit => self.execute_jit(),
        }
    }
}
