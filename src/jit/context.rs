//! What generated code reads and writes besides registers: one `repr(C)` block that `rbp`
//! points at while JIT code runs.
//!
//! ```text
//! rbp ─► regs[0..11]  the guest registers, stored on entry and on every exit
//!        left         budget minus instructions charged (runs are charged up front)
//!        pc           where control left JIT code (the next instruction to execute)
//!        key          this compilation's blinding key
//!        frame_cursor → the VM's next call frame; frames, frames_limit: the array's bounds
//!        runs         → run length per pc; targets → code address per pc (returns, callx)
//!        loads[16]    per 4 GiB slot: a window of guest addresses readable without a lookup
//!        stores[16]   the same for stores (empty for read-only memory)
//!        load_lists[16], store_lists[16]
//!                     per slot: every window of the slot, sorted by address (the second chance)
//!        marks        → one byte per pc, nonzero where a run stops (read only by the code
//!                     compiled with stop checks; last, so no other field moves for it)
//! ```
//!
//! A window is `[vm_start, vm_start + vm_len)` mapped contiguously onto host bytes at `host`.
//! An empty window (`vm_len` 0) sends every access of its slot to the slow path.
//!
//! A slot can hold many regions (the input: a metadata and a data region per account), and a
//! program moves between them all the time (it compares a key in one account's metadata with
//! one in another's data). The slot's window is the fast path; an access it misses gets a
//! second chance in compiled code: a binary search of the slot's list ([`JitList`]), which the
//! host builds from every contiguous region (stores: every writable one) whenever the regions
//! change. A hit becomes the slot's window; only a miss there leaves compiled code.
//!
//! ```text
//! load_lists[slot] ─► windows ─► [ JitWindow, JitWindow, … ]  count of them, sorted, disjoint
//! ```
//!
//! Stores into a clean buffer (the stack and heap of Solana runs, zero outside a dirty prefix
//! and suffix: [`crate::memory::CleanBuffer`]) must widen its dirty range first. Such a region
//! is never a store window of the table as it is: its store-list entry points at the range
//! (`JitWindow::dirty`), and the second chance widens the range over the access and puts the
//! dirty end that holds it in the table.

use crate::vm::CallFrame;
use std::mem::offset_of;

/// Slots with a fast-path window (`vaddr >> 32` below this).
pub const WINDOW_SLOTS: usize = 16;

/// A run of guest addresses with its host address.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[repr(C)]
pub struct JitWindow {
    /// First guest address.
    pub vm_start: u64,
    /// Length in bytes.
    pub vm_len: u64,
    /// Host address of `vm_start`.
    pub host: u64,
    /// In a store list: the address of the region's [`crate::memory::DirtyRange`] when its bytes
    /// are a clean buffer (compiled code widens the range before it stores there), else 0.
    /// Unused in the table.
    pub dirty: u64,
}

impl JitWindow {
    /// A window of `vm_len` bytes at `vm_start`, backed by host memory at `host`.
    pub fn new(vm_start: u64, vm_len: u64, host: u64) -> Self {
        JitWindow {
            vm_start,
            vm_len,
            host,
            dirty: 0,
        }
    }
}

/// Every window of one slot, sorted by `vm_start` and disjoint: `count` of them at address
/// `windows` (owned by the run that built them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[repr(C)]
pub struct JitList {
    /// Address of the first window.
    pub windows: u64,
    /// Number of windows.
    pub count: u64,
}

/// Where the window lists live while compiled code runs: one buffer per kind, each a run of
/// windows per slot (owned by the run loop, reused from run to run).
#[derive(Debug, Default)]
pub struct ListBuffers {
    /// Load windows, slot by slot.
    pub loads: Vec<JitWindow>,
    /// Store windows, slot by slot.
    pub stores: Vec<JitWindow>,
}

/// The state JIT code works on.
#[derive(Debug, Clone)]
#[repr(C)]
pub struct JitContext {
    /// Guest registers r0–r10.
    pub regs: [u64; 11],
    /// Budget minus instructions charged so far.
    pub left: u64,
    /// The next instruction, when JIT code hands control back.
    pub pc: u64,
    /// The blinding key of the running compilation.
    pub key: u64,
    /// Address of the VM's call frame number `depth` (the next one a call fills): the call
    /// depth is `(frame_cursor - frames) / 48`.
    pub frame_cursor: u64,
    /// Address of the VM's first call frame (`CallFrame`s, `max_call_depth` of them).
    pub frames: u64,
    /// Address of frame `max_call_depth - 1`: a call with the cursor there would reach the
    /// call depth.
    pub frames_limit: u64,
    /// Run length of each pc (`u32`s, one per text slot).
    pub runs: u64,
    /// Code address of each pc's label (`u64`s, one per text slot).
    pub targets: u64,
    /// The host stack pointer after the prologue: native call frames lie below it.
    pub entry_sp: u64,
    /// Load windows per slot.
    pub loads: [JitWindow; WINDOW_SLOTS],
    /// Store windows per slot.
    pub stores: [JitWindow; WINDOW_SLOTS],
    /// Every load window of each slot.
    pub load_lists: [JitList; WINDOW_SLOTS],
    /// Every store window of each slot.
    pub store_lists: [JitList; WINDOW_SLOTS],
    /// Address of the stop marks, one byte per pc (only code compiled with stop checks reads
    /// them; see `jit::stops`).
    pub marks: u64,
}

impl JitContext {
    /// A context with empty windows.
    pub fn new(key: u64) -> Self {
        JitContext {
            regs: [0; 11],
            left: 0,
            pc: 0,
            key,
            frame_cursor: 0,
            frames: 0,
            frames_limit: 0,
            runs: 0,
            targets: 0,
            entry_sp: 0,
            loads: [JitWindow::default(); WINDOW_SLOTS],
            stores: [JitWindow::default(); WINDOW_SLOTS],
            load_lists: [JitList::default(); WINDOW_SLOTS],
            store_lists: [JitList::default(); WINDOW_SLOTS],
            marks: 0,
        }
    }
}

/// Field offsets, as displacements from `rbp`.
pub mod offsets {
    use super::*;
    /// `regs[0]`.
    pub const REGS: i32 = offset_of!(JitContext, regs) as i32;
    /// `left`.
    pub const LEFT: i32 = offset_of!(JitContext, left) as i32;
    /// `pc`.
    pub const PC: i32 = offset_of!(JitContext, pc) as i32;
    /// `key`.
    pub const KEY: i32 = offset_of!(JitContext, key) as i32;
    /// `frame_cursor`.
    pub const FRAME_CURSOR: i32 = offset_of!(JitContext, frame_cursor) as i32;
    /// `frames`.
    pub const FRAMES: i32 = offset_of!(JitContext, frames) as i32;
    /// `frames_limit`.
    pub const FRAMES_LIMIT: i32 = offset_of!(JitContext, frames_limit) as i32;
    /// `runs`.
    pub const RUNS: i32 = offset_of!(JitContext, runs) as i32;
    /// `targets`.
    pub const TARGETS: i32 = offset_of!(JitContext, targets) as i32;
    /// `entry_sp`.
    pub const ENTRY_SP: i32 = offset_of!(JitContext, entry_sp) as i32;
    /// `loads[0]`.
    pub const LOADS: i32 = offset_of!(JitContext, loads) as i32;
    /// `stores[0]`.
    pub const STORES: i32 = offset_of!(JitContext, stores) as i32;
    /// `load_lists[0]`.
    pub const LOAD_LISTS: i32 = offset_of!(JitContext, load_lists) as i32;
    /// `store_lists[0]`.
    pub const STORE_LISTS: i32 = offset_of!(JitContext, store_lists) as i32;
    /// `marks`.
    pub const MARKS: i32 = offset_of!(JitContext, marks) as i32;
    /// Within a list.
    pub const LIST_WINDOWS: i32 = offset_of!(JitList, windows) as i32;
    /// Within a list.
    pub const LIST_COUNT: i32 = offset_of!(JitList, count) as i32;
    // A list is half a window's size: `(slot << WINDOW_SHIFT) >> 1` indexes the lists.
    const _: () = assert!(std::mem::size_of::<JitList>() == 1 << (WINDOW_SHIFT - 1));
    /// Within a window.
    pub const VM_START: i32 = offset_of!(JitWindow, vm_start) as i32;
    /// Within a window.
    pub const VM_LEN: i32 = offset_of!(JitWindow, vm_len) as i32;
    /// Within a window.
    pub const HOST: i32 = offset_of!(JitWindow, host) as i32;
    /// Within a window.
    pub const DIRTY: i32 = offset_of!(JitWindow, dirty) as i32;
    /// Within a dirty range.
    pub const DIRTY_LOW: i32 = offset_of!(crate::memory::DirtyRange, low) as i32;
    /// Within a dirty range.
    pub const DIRTY_HIGH: i32 = offset_of!(crate::memory::DirtyRange, high) as i32;
    /// log2 of a window's size.
    pub const WINDOW_SHIFT: u8 = 5;
    const _: () = assert!(std::mem::size_of::<JitWindow>() == 1 << WINDOW_SHIFT);
    /// Within a call frame: r6–r9, then r10, then the return pc.
    pub const FRAME_SAVED: i32 = offset_of!(CallFrame, saved_registers) as i32;
    /// Within a call frame.
    pub const FRAME_POINTER: i32 = offset_of!(CallFrame, frame_pointer) as i32;
    /// Within a call frame.
    pub const FRAME_RETURN: i32 = offset_of!(CallFrame, return_pc) as i32;
    /// A call frame's size: 48 = 3 * 16, which the frame address computation relies on.
    pub const FRAME_SIZE: usize = std::mem::size_of::<CallFrame>();
    const _: () = assert!(FRAME_SIZE == 48);

    // Every displacement here is an offset inside the context (asserted below 64 KiB) or a
    // 48-byte call frame: the sums below cannot wrap an `i32`.
    const _: () = assert!(std::mem::size_of::<JitContext>() < 1 << 16);

    /// `field` of the record at displacement `record` (a window or list of the tables, or a
    /// window's dirty range).
    #[inline(always)]
    pub const fn field(record: i32, field: i32) -> i32 {
        record.wrapping_add(field)
    }

    /// `regs[index]` (`index` below 11).
    #[inline(always)]
    pub const fn reg(index: usize) -> i32 {
        field(REGS, qword(index))
    }

    /// Within a call frame: `saved_registers[index]` (`index` below 4, for r6–r9).
    #[inline(always)]
    pub const fn frame_saved(index: usize) -> i32 {
        field(FRAME_SAVED, qword(index))
    }

    /// The offset of the `index`th of an array of 8-byte words (a small index).
    const fn qword(index: usize) -> i32 {
        (index as i32).wrapping_mul(8)
    }
}
