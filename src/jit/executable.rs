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

    fn compile_for_jit(&self) -> Result<JitProgram, JitError> {
        JitProgram::compile(
            self.decoded(),
            self.config(),
            self.version(),
            self.text_vaddr(),
        )
    }
}
