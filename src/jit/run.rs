//! The host side of a JIT run: the interpreter's metering loop, with compiled code running
//! every straight-line run the budget covers.
//!
//! ```text
//! loop at pc:
//!   compiled code can start here and the budget covers runs[pc]?
//!       yes: charge the run, enter; compiled code returns at some pc with the meter exact
//!   step one instruction with the interpreter (the one compiled code handed over, or a
//!   single-metered one when the budget is short); stop when the run ends
//! ```

use super::context::{offsets, JitContext, ListBuffers};
use super::windows::{build_windows, CopiedAt};
use super::JitProgram;
use crate::memory::AccessType;
use crate::program::Operation;
use crate::vm::{ContextObject, EbpfError, StopReason, Vm};

/// The entry point at code offset 0: `(context, address to start at)`.
type Entry = unsafe extern "sysv64" fn(*mut JitContext, usize);

impl JitProgram {
    /// Runs compiled code from code offset `entry` until it hands control back.
    fn enter(&self, context: &mut JitContext, entry: u32) {
        let base = self.code.base();
        // SAFETY: contract: offset 0 of the code holds the prologue, which follows the System V
        // ABI (saves rbx, rbp, r12–r15, returns with `ret`) and expects a context pointer and a
        // code address. Evidence: `lower::prologue_and_epilogue` emits it first; the pages are
        // sealed read-execute (`ExecutableCode::new`) and live as long as `self`.
        #[allow(unsafe_code)]
        let function: Entry = unsafe { std::mem::transmute::<usize, Entry>(base) };
        // SAFETY: contract: generated code touches only (a) the context, through rbp, for its
        // size; (b) the window lists the context points at (`load_lists`, `store_lists`), reading
        // `count` windows from each; (c) host memory through windows from the context's table or
        // lists, each of which lies inside one live region's host bytes (stores only writable
        // ones); (d) the `DirtyRange` of a clean buffer whose store-list window names it, which
        // it widens before it puts any part of that buffer in the store table. Evidence for
        // (b)–(d): `windows::build_windows` builds the table and the lists from the regions
        // (a clean buffer's store window only in the list, with the address of the range boxed
        // beside its bytes: `HostSpan::dirty_address`), the lists into buffers
        // `run_compiled_with` owns and leaves untouched until it rebuilds both; the run loops
        // (this file's and `stops`'s, through `windows::CopiedAt::catch_up`) rebuild them after
        // every host step (the only time regions can change) in which the
        // mapping's regions generation moved, which it does on every region replacement
        // (`forget_windows`); after a step that only changed lookup windows (which always lie
        // in live regions; no clean buffer's store window is copied) it copies those in;
        // compiled code itself only copies a list's window, or the dirty part of one, into the
        // table of the same kind. Every access is checked against its window with wrap-around
        // detection before it is made (`lower::memory`). It never calls out and always returns
        // through the epilogue. `entry` is an op label from this compilation's entry table, so
        // the jump lands on an instruction boundary. It also relies on: (e) compiled code writes
        // the VM's call-frame array only at the cursor, and only while the cursor is below
        // `frames_limit` (the last frame of the array, `frames_into`): a call compares the cursor
        // with `frames_limit` and hands over to the host when it is not below, before storing
        // (`lower::call::push_frame`); a return compares it with `frames` before stepping back
        // (`exit`); (f) it reads the runs and label tables (`runs`, `targets`) at a computed pc
        // only after comparing that pc with the number of ops (`dispatch`, `call_register`:
        // unsigned compare, leave or hand over when not below), and at constant pcs the compiler
        // checked; (g) its host stack use is bounded: guest calls become host `call`s only when
        // `max_call_depth` ≤ `NATIVE_CALL_DEPTH_LIMIT` (1,024; `jit::mod`), one 8-byte return
        // address each, and (e) stops the depth at the array's length, so at most 1,024 × 8
        // bytes beyond the entry frame; (h) code compiled with stop checks reads one byte at
        // `marks + pc` for each pc of the text (a constant the compiler wrote, below the number
        // of ops), and nothing else through `marks`: `Vm::run_until_with` (`stops`) points
        // `marks` at a slice of at least that many bytes that outlives every entry it makes;
        // code compiled without them never reads `marks`.
        #[allow(unsafe_code)]
        unsafe {
            function(context, base.wrapping_add(entry as usize))
        };
    }
}

/// Runs `run` with this thread's window-list buffers, reused from run to run; a nested run (a
/// syscall that runs another VM) finds them taken and makes new ones.
pub(super) fn with_list_buffers<R>(run: impl FnOnce(&mut ListBuffers) -> R) -> R {
    thread_local! {
        static LISTS: std::cell::Cell<ListBuffers> = const {
            std::cell::Cell::new(ListBuffers {
                loads: Vec::new(),
                stores: Vec::new(),
            })
        };
    }
    let mut lists = LISTS.take();
    let result = run(&mut lists);
    LISTS.set(lists);
    result
}

/// Window slots the compiled bounds check indexes (addresses beyond go to the interpreter).
const JIT_SLOTS: u64 = crate::jit::context::WINDOW_SLOTS as u64;

/// The call depth compiled code left: the cursor's frame index.
fn frame_index(context: &JitContext) -> usize {
    let bytes = context.frame_cursor.wrapping_sub(context.frames);
    // The divisor is a nonzero constant (48): `checked_div` never answers `None`.
    bytes
        .checked_div(offsets::FRAME_SIZE as u64)
        .and_then(|index| usize::try_from(index).ok())
        .unwrap_or(usize::MAX)
}

impl<C: ContextObject> Vm<'_, C> {
    /// Points the context at the VM's call frames.
    fn frames_into(&mut self, context: &mut JitContext) {
        let frame = offsets::FRAME_SIZE as u64;
        let base = self.state.frames.as_mut_ptr() as u64;
        let last = (self.state.frames.len() as u64).saturating_sub(1);
        context.frames = base;
        // Addresses inside the array (the depth never passes its length): no wrap.
        let depth = self.state.depth as u64;
        context.frame_cursor = base.wrapping_add(depth.wrapping_mul(frame));
        context.frames_limit = base.wrapping_add(last.wrapping_mul(frame));
    }

    /// Runs to the end with the JIT (or continues a run started by [`Vm::step`]): the same
    /// instruction count and result as [`Vm::execute`]. The executable is compiled first if it
    /// was not yet ([`crate::vm::Executable::jit_program`]); if that fails, the run ends with
    /// [`EbpfError::JitCompileFailed`] before any instruction.
    pub fn execute_jit(&mut self) -> (u64, Result<u64, EbpfError>) {
        if self.state.outcome.is_none() {
            self.start_if_needed();
            match self.executable.jit_program() {
                Ok(program) => self.run_compiled(program),
                Err(error) => self.finish(Err(EbpfError::JitCompileFailed { error })),
            }
        }
        self.result()
    }

    /// If the op at `pc` is a load, store or atomic the memory mapping can serve without a
    /// fault or a hook, makes its region the slot's lookup window and says so.
    pub(super) fn warm_window(&mut self, pc: usize) -> bool {
        let Some(op) = self.executable.decoded().ops.get(pc) else {
            return false;
        };
        let facts = op.code.facts();
        let (base, access) = match facts.operation {
            Operation::Load => (op.src, AccessType::Load),
            // An atomic is checked as a store (`lower::atomic`).
            Operation::Store | Operation::Atomic(_) | Operation::AtomicFetch(_) => {
                (op.dst, AccessType::Store)
            }
            _ => return false,
        };
        let size = u64::from(facts.width.bytes());
        let address = self.state.regs[usize::from(base)].wrapping_add(op.offset());
        (address >> 32) < JIT_SLOTS && self.memory.warm_window(access, address, size)
    }

    /// Enters compiled code at `entry` with the run that starts there charged (`due` becomes
    /// `start`) and the meter it sees capped at `cap` (`start <= cap <= budget`), then takes
    /// the registers, call depth, pc and meter back from where it handed over. Compiled code
    /// gives back only what it charged, so `left` ends at most at `cap - start`: the meter
    /// ends between `start` and `cap`.
    #[inline(always)]
    pub(super) fn enter_metered(
        &mut self,
        program: &JitProgram,
        context: &mut JitContext,
        entry: u32,
        start: u64,
        cap: u64,
    ) {
        self.state.due = start;
        // The caller keeps `start <= cap`: no wrap.
        context.left = cap.wrapping_sub(start);
        context.regs.copy_from_slice(&self.state.regs[..11]);
        self.frames_into(context);
        program.enter(context, entry);
        self.state.regs[..11].copy_from_slice(&context.regs);
        self.state.depth = frame_index(context);
        self.state.pc = usize::try_from(context.pc).unwrap_or(usize::MAX);
        // `left` ends at most where it started (above): no wrap.
        self.state.due = cap.wrapping_sub(context.left);
    }

    fn run_compiled(&mut self, program: &JitProgram) {
        with_list_buffers(|lists| self.run_compiled_with(program, lists));
    }

    fn run_compiled_with(&mut self, program: &JitProgram, lists: &mut ListBuffers) {
        let runs = &self.executable.decoded().runs;
        let mut context = JitContext::new(program.key);
        context.runs = runs.as_ptr() as u64;
        context.targets = program.targets.as_ptr() as u64;
        build_windows(&self.memory, &mut context, lists);
        let mut copied = CopiedAt::now(&self.memory);
        let mut warmed_at = None;
        loop {
            let pc = self.state.pc;
            let mut ran = false;
            if let (Some(entry), Some(run)) = (program.entry_offset(pc), runs.get(pc)) {
                let run = u64::from(*run);
                let budget = self.state.budget;
                if budget.saturating_sub(self.state.due) >= run {
                    // `due + run <= budget` (runs are never empty), so neither wraps.
                    let start = self.state.due.wrapping_add(run);
                    self.enter_metered(program, &mut context, entry, start, budget);
                    ran = true;
                }
            }
            // Handed over at a load or store whose address lies in no window compiled code
            // has (a frame of a gapped stack): put that region's window in and go on in
            // compiled code, which then makes the access itself. Once per pc in a row, so an
            // access the table cannot take still reaches the interpreter.
            let here = self.state.pc;
            if ran && warmed_at != Some(here) && self.warm_window(here) {
                warmed_at = Some(here);
                copied.refresh_recent(&self.memory, &mut context);
                continue;
            }
            warmed_at = None;
            // Compiled code handed over (or could not start): one interpreted instruction.
            if self.step() != StopReason::Stepped {
                return;
            }
            copied.catch_up(&self.memory, &mut context, lists);
        }
    }
}
