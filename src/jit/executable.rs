//! The JIT's side of an executable: compiling it, and keeping the machine code with it.
//!
//! An [`Executable`] keeps what an engine compiled from it in a slot that does not name the
//! type (vm imports no engine); this impl is the only one that fills it, with a
//! [`JitProgram`], and the only one that reads it back:
//!
//! ```text
//! jit_compile ──────────────► compile ─► slot.replace(program)
//! jit_program ─► slot.get::<JitProgram>() ─ empty? ─► compile ─► slot.get_or_set(program)
//!                  (one type check per run)                      (the first to finish stays)
//! ```
//!
//! Runs that stop at marks (a debugger's, `Vm::run_jit_until`) run a second compilation with a
//! stop check per instruction, kept in a slot of its own (`compiled_with_stops`) and compiled
//! on the first such run, so the code of the first slot is never that one.

use super::{JitError, JitProgram};
use crate::vm::Executable;

impl<C> Executable<C> {
    /// Compiles the program for the JIT engine now, rather than on its first JIT run; compiling
    /// again replaces the code (with a fresh blinding key).
    pub fn jit_compile(&mut self) -> Result<(), JitError> {
        let program = self.compile_for_jit()?;
        self.compiled_mut().replace(program);
        Ok(())
    }

    /// The compiled program, compiled now if it was not yet. Threads that ask at once may each
    /// compile; the first to finish is kept, and every caller gets that one.
    pub fn jit_program(&self) -> Result<&JitProgram, JitError> {
        if let Some(program) = self.compiled().get::<JitProgram>() {
            return Ok(program);
        }
        let program = self.compile_for_jit()?;
        self.compiled()
            .get_or_set(program)
            .ok_or(JitError::SlotTaken)
    }

    /// Whether the program has been compiled for the JIT.
    pub fn is_jit_compiled(&self) -> bool {
        self.compiled().get::<JitProgram>().is_some()
    }

    /// The compilation with stop checks, compiled now if it was not yet (as
    /// [`Self::jit_program`] for its own slot).
    pub(crate) fn jit_program_with_stops(&self) -> Result<&JitProgram, JitError> {
        let slot = self.compiled_with_stops();
        if let Some(StopChecked(program)) = slot.get::<StopChecked>() {
            return Ok(program);
        }
        let program = StopChecked(self.compile_for_jit_with(true)?);
        slot.get_or_set(program)
            .map(|StopChecked(program)| program)
            .ok_or(JitError::SlotTaken)
    }

    fn compile_for_jit(&self) -> Result<JitProgram, JitError> {
        self.compile_for_jit_with(false)
    }

    fn compile_for_jit_with(&self, stop_checks: bool) -> Result<JitProgram, JitError> {
        JitProgram::compile(
            self.decoded(),
            self.config(),
            self.version(),
            self.text_vaddr(),
            stop_checks,
        )
    }
}

/// A compilation with stop checks (its own type, so neither slot can be read as the other).
struct StopChecked(JitProgram);
