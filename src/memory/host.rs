//! Host memory access: the one place the memory module uses `unsafe`.
//!
//! A [`HostSpan`] is a region's bytes seen as a base pointer and a length. It is taken once,
//! when the region is built ([`HostBytes::new`]), from memory the region owns (a `Vec<u8>`,
//! whose heap buffer does not move when the region moves) or borrows for `'a` (a slice). Every
//! later access to the region's bytes — guest loads and stores, syscalls' slices, the host's
//! reads — goes through the span, so no other reference to those bytes is made while the region
//! exists: the span's pointer stays the only way in, and stays valid. Copies of a span live only
//! in the [`super::MemoryMapping`] that owns the region (its lookup windows), so the mapping's
//! `&`/`&mut` borrows order every access, and the mapping drops its windows whenever it replaces
//! a region.
//!
//! Each access checks its bounds against the span's length; a read-only span refuses writes.
//!
//! A span of a [`super::CleanBuffer`] also keeps a pointer to the buffer's [`DirtyRange`], boxed
//! beside the bytes and reached the same way: every write through the span widens the range
//! over what it writes before writing, so the buffer stays zero outside it.

use super::clean::{CleanBuffer, DirtyRange};
use std::marker::PhantomData;
use std::ptr::NonNull;

/// Where a region's bytes live.
#[derive(Debug)]
pub enum HostMemory<'a> {
    /// Borrowed, read-only (for example an executable's read-only data).
    ReadOnly(&'a [u8]),
    /// Borrowed, writable (for example account data the host owns).
    Writable(&'a mut [u8]),
    /// Owned by the mapping; read back with [`super::MemoryMapping::region`].
    Owned {
        /// The bytes.
        bytes: Vec<u8>,
        /// Whether the guest may store to them.
        writable: bool,
    },
    /// Owned, writable, and zero outside what was written (the stack and heap of Solana
    /// runs): cleaning it for reuse costs what was written.
    Clean(CleanBuffer),
}

/// Base pointer and length of a region's host bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HostSpan<'a> {
    ptr: NonNull<u8>,
    len: usize,
    writable: bool,
    /// The dirty range of a clean buffer's bytes.
    dirty: Option<NonNull<DirtyRange>>,
    _memory: PhantomData<&'a mut [u8]>,
}

// SAFETY: a span is a pointer into memory that is itself Send and Sync (a `Vec<u8>` or a `&[u8]`
// / `&mut [u8]`); moving it to another thread moves the only access path along with it, exactly
// as moving the owning slice would.
#[allow(unsafe_code)]
unsafe impl Send for HostSpan<'_> {}
// SAFETY: a span is `Copy`, so `&HostSpan` alone does not make access exclusive: a copy taken
// through `&self` could be written through. What makes it sound is where spans live: only in the
// region that owns the memory and in the lookup windows of the `MemoryMapping` that owns the
// region, never handed out (`pub(crate)`, and the JIT reads copies only inside a mapping method
// that holds `&mut`). Every write goes through a `&mut MemoryMapping` (stores, `write_bytes`,
// the JIT's run), which excludes any other access to the mapping, on any thread; `&self` methods
// of the mapping only read. So sharing a mapping between threads shares only reads.
#[allow(unsafe_code)]
unsafe impl Sync for HostSpan<'_> {}

/// A region's memory together with its span: the owner is kept only so that the memory lives
/// (and can be handed back); all access goes through the span.
#[derive(Debug)]
pub(crate) struct HostBytes<'a> {
    memory: Held<'a>,
    span: HostSpan<'a>,
}

/// What a [`HostBytes`] keeps of the memory it took over. A borrowed writable slice is not kept
/// as a reference: every move of a `&mut [u8]` would assert its uniqueness again, over the
/// span's pointer derived from it (which the aliasing model may then reject), so only the span
/// holds it, and [`HostBytes::into_memory`] rebuilds the slice.
#[derive(Debug)]
enum Held<'a> {
    /// Owned bytes (their heap buffer does not move with the value) or a shared slice.
    Memory(HostMemory<'a>),
    /// A `&'a mut [u8]`, reached only through the span.
    WritableBorrow,
}

impl<'a> HostBytes<'a> {
    /// Takes `memory` over; from now on it is reached only through [`HostBytes::span`]. The
    /// span's pointer is the last thing derived from the memory.
    pub(crate) fn new(memory: HostMemory<'a>) -> Self {
        let (memory, ptr, len, writable, dirty) = match memory {
            HostMemory::Writable(bytes) => {
                let len = bytes.len();
                (Held::WritableBorrow, bytes.as_mut_ptr(), len, true, None)
            }
            HostMemory::ReadOnly(bytes) => {
                let (ptr, len) = (bytes.as_ptr().cast_mut(), bytes.len());
                (
                    Held::Memory(HostMemory::ReadOnly(bytes)),
                    ptr,
                    len,
                    false,
                    None,
                )
            }
            HostMemory::Owned {
                mut bytes,
                writable,
            } => {
                let (ptr, len) = (bytes.as_mut_ptr(), bytes.len());
                (
                    Held::Memory(HostMemory::Owned { bytes, writable }),
                    ptr,
                    len,
                    writable,
                    None,
                )
            }
            HostMemory::Clean(mut buffer) => {
                let (bytes, dirty) = buffer.parts();
                let (ptr, len, dirty) = (bytes.as_mut_ptr(), bytes.len(), NonNull::from(dirty));
                (
                    Held::Memory(HostMemory::Clean(buffer)),
                    ptr,
                    len,
                    true,
                    Some(dirty),
                )
            }
        };
        let span = HostSpan {
            ptr: NonNull::new(ptr).unwrap_or(NonNull::dangling()),
            len,
            writable,
            dirty,
            _memory: PhantomData,
        };
        HostBytes { memory, span }
    }

    /// The span (copies stay inside the mapping that owns this memory).
    #[inline(always)]
    pub(crate) fn span(&self) -> HostSpan<'a> {
        self.span
    }

    /// The span, for slices that borrow the owner.
    #[inline(always)]
    pub(crate) fn span_ref(&self) -> &HostSpan<'a> {
        &self.span
    }

    /// The span, for writing.
    #[inline(always)]
    pub(crate) fn span_mut(&mut self) -> &mut HostSpan<'a> {
        &mut self.span
    }

    /// Gives the memory back; the span goes with `self`.
    pub(crate) fn into_memory(self) -> HostMemory<'a> {
        match self.memory {
            Held::Memory(memory) => memory,
            Held::WritableBorrow => {
                // SAFETY: contract: `span.ptr` and `span.len` are those of a `&'a mut [u8]` that
                // `new` took over and kept no reference to, so nothing else reaches those bytes
                // for `'a`; the span's copies live only in the mapping that owned this region's
                // windows, which forgets them when the region leaves it (`forget_windows`), and
                // `self` is consumed here. Rebuilding the exclusive slice for the rest of `'a`
                // hands back exactly what was lent. A dangling pointer only stands for an empty
                // slice, which is valid for length 0.
                #[allow(unsafe_code)]
                let bytes = unsafe {
                    std::slice::from_raw_parts_mut(self.span.ptr.as_ptr(), self.span.len)
                };
                HostMemory::Writable(bytes)
            }
        }
    }
}

impl HostSpan<'static> {
    /// A span of no bytes.
    pub(crate) const EMPTY: HostSpan<'static> = HostSpan {
        ptr: NonNull::dangling(),
        len: 0,
        writable: false,
        dirty: None,
        _memory: PhantomData,
    };
}

impl<'a> HostSpan<'a> {
    /// The base address, for compiled code's bounds-checked fast path (reading the address is
    /// safe; the JIT's entry carries the contract for using it).
    pub(crate) fn host_address(&self) -> u64 {
        self.ptr.as_ptr() as u64
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_writable(&self) -> bool {
        self.writable
    }

    /// The address of a clean buffer's dirty range, else 0 (for compiled code, which widens
    /// it before it stores; the JIT's entry carries the contract).
    pub(crate) fn dirty_address(&self) -> u64 {
        self.dirty.map_or(0, |dirty| dirty.as_ptr() as u64)
    }

    /// Widens a clean buffer's dirty range over `[offset, offset + len)` (checked in bounds by
    /// the caller, which then writes there).
    #[inline(always)]
    fn cover(&mut self, offset: usize, len: usize) {
        if let Some(dirty) = self.dirty {
            // SAFETY: contract: `dirty` points at the `DirtyRange` boxed beside the bytes in the
            // clean buffer this span took over, valid as long as the bytes are, and reached only
            // through spans of that memory, whose uses the mapping's borrows order (module
            // docs). Evidence: `HostBytes::new` took it from the buffer it owns; `&mut self`
            // excludes other uses of this span, and nothing else holds a reference to it.
            #[allow(unsafe_code)]
            let dirty = unsafe { &mut *dirty.as_ptr() };
            // The caller checked `offset + len <= self.len`: the sum does not wrap.
            let end = offset.wrapping_add(len);
            dirty.cover(offset as u64, end as u64, self.len as u64);
        }
    }

    /// `N` bytes at `offset`, if they lie inside the span.
    #[inline(always)]
    pub(crate) fn read<const N: usize>(&self, offset: u64) -> Option<[u8; N]> {
        let offset = usize::try_from(offset).ok()?;
        // `offset <= len` is checked first, so the difference does not wrap.
        if offset > self.len || self.len.wrapping_sub(offset) < N {
            return None;
        }
        // SAFETY: contract: `ptr` is valid for reads of `len` bytes for the span's lifetime (module
        // docs). Evidence: `offset + N <= len` was checked just above; `read_unaligned` has no
        // alignment requirement and any bit pattern is a valid `[u8; N]`.
        #[allow(unsafe_code)]
        let bytes = unsafe {
            self.ptr
                .as_ptr()
                .add(offset)
                .cast::<[u8; N]>()
                .read_unaligned()
        };
        Some(bytes)
    }

    /// Writes `bytes` at `offset`; false if the span is read-only or too short.
    #[inline(always)]
    pub(crate) fn write<const N: usize>(&mut self, offset: u64, bytes: [u8; N]) -> bool {
        let Ok(offset) = usize::try_from(offset) else {
            return false;
        };
        if !self.writable || offset > self.len || self.len.wrapping_sub(offset) < N {
            return false;
        }
        self.cover(offset, N);
        // SAFETY: contract: a writable span's `ptr` is valid for writes of `len` bytes and is the
        // only access path to them (module docs). Evidence: the span is writable and
        // `offset + N <= len` was checked just above; `&mut self` excludes other uses of this span.
        #[allow(unsafe_code)]
        unsafe {
            self.ptr
                .as_ptr()
                .add(offset)
                .cast::<[u8; N]>()
                .write_unaligned(bytes)
        };
        true
    }

    /// The bytes `[offset, offset + len)` as a slice borrowed from the span's owner.
    pub(crate) fn slice(&self, offset: usize, len: usize) -> Option<&[u8]> {
        let end = offset.checked_add(len)?;
        if end > self.len {
            return None;
        }
        // SAFETY: contract: `ptr` is valid for reads of `self.len` bytes while the span lives, and
        // nothing writes through the span while this shared borrow of it is alive. Evidence: the
        // range was checked against `self.len`; writes need `&mut self`, which the returned
        // borrow of `self` excludes.
        #[allow(unsafe_code)]
        let slice = unsafe { std::slice::from_raw_parts(self.ptr.as_ptr().add(offset), len) };
        Some(slice)
    }

    /// The bytes `[offset, offset + len)` for writing, if the span is writable.
    pub(crate) fn slice_mut(&mut self, offset: usize, len: usize) -> Option<&mut [u8]> {
        let end = offset.checked_add(len)?;
        if !self.writable || end > self.len {
            return None;
        }
        self.cover(offset, len);
        // SAFETY: contract: a writable span's `ptr` is valid for writes of `self.len` bytes and is
        // the only access path to them. Evidence: writability and the range were checked; the
        // returned borrow holds `&mut self`, so no other access through this span overlaps it.
        #[allow(unsafe_code)]
        let slice = unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr().add(offset), len) };
        Some(slice)
    }
}
