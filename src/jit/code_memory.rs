//! Code memory that is never writable and executable at once, as two types.
//!
//! ```text
//!  ExecutableCode::new(bytes)                                       pool (read-write)
//!   mmap PROT_READ|WRITE, or reuse ──► copy ──► mprotect PROT_READ|EXEC ──► drop: mprotect
//!                                                                    PROT_READ|WRITE ──► reuse
//! ```
//!
//! [`ExecutableCode`] is built only by copying finished code into fresh read-write pages and
//! then sealing them read-execute: there is no way to get a writable view of executable pages.
//! Dropped mappings go back, read-write and not executable, to a small process-wide pool so
//! that compiling many programs does not thrash `mmap`: a compilation then costs one
//! `mprotect` to seal and one to give back. A reused mapping is filled with `int3` before the
//! new code is copied in.

pub use crate::vm::CodeMemoryError;
use std::sync::Mutex;

/// A page-aligned anonymous mapping: base address and length, owned by whoever holds it. It
/// sits between two inaccessible guard pages, so the kernel never merges it with neighbouring
/// memory of the same protection (which would make every later `mprotect` split it again).
#[derive(Debug)]
struct Mapping {
    base: usize,
    len: usize,
    page: usize,
}

/// Mappings not in use, all `PROT_READ | PROT_WRITE`.
static POOL: Mutex<Vec<Mapping>> = Mutex::new(Vec::new());
/// Most mappings kept for reuse.
const POOL_LIMIT: usize = 64;

fn page_size() -> usize {
    // SAFETY: contract: sysconf reads a system constant and has no memory effects. Evidence:
    // `_SC_PAGESIZE` is a valid name on every unix.
    #[allow(unsafe_code)]
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(size)
        .ok()
        .filter(|size| *size > 0)
        .unwrap_or(4096)
}

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

impl Mapping {
    /// A mapping of at least `len` bytes, read-write, from the pool or fresh.
    fn writable(len: usize) -> Result<Mapping, CodeMemoryError> {
        let page = page_size();
        let len = len.max(1).div_ceil(page).saturating_mul(page);
        let pooled = {
            let mut pool = POOL.lock().unwrap_or_else(|poison| poison.into_inner());
            let best = pool
                .iter()
                .enumerate()
                .filter(|(_, mapping)| mapping.len >= len)
                .min_by_key(|(_, mapping)| mapping.len)
                .map(|(index, _)| index);
            best.map(|index| pool.swap_remove(index))
        };
        let mapping = match pooled {
            Some(mapping) => mapping,
            None => {
                // The mapping with a guard page on each side. A size past the address space is
                // refused with the error mmap itself gives for it.
                let reserved = page
                    .checked_mul(2)
                    .and_then(|guards| len.checked_add(guards))
                    .ok_or(CodeMemoryError::Map {
                        len,
                        errno: libc::ENOMEM,
                    })?;
                // SAFETY: contract: an anonymous private mapping at an address the kernel picks
                // touches no existing memory. Evidence: addr is null, fd is -1, flags are
                // MAP_PRIVATE|MAP_ANONYMOUS; the result is checked against MAP_FAILED.
                #[allow(unsafe_code)]
                let reservation = unsafe {
                    libc::mmap(
                        std::ptr::null_mut(),
                        reserved,
                        libc::PROT_NONE,
                        libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                        -1,
                        0,
                    )
                };
                if reservation == libc::MAP_FAILED {
                    return Err(CodeMemoryError::Map {
                        len,
                        errno: errno(),
                    });
                }
                let mapping = Mapping {
                    // Inside the reservation the kernel just made: no wrap.
                    base: (reservation as usize).wrapping_add(page),
                    len,
                    page,
                };
                if let Err(error) = mapping.protect(libc::PROT_READ | libc::PROT_WRITE) {
                    mapping.unmap();
                    return Err(error);
                }
                mapping
            }
        };
        Ok(mapping)
    }

    fn protect(&self, protection: libc::c_int) -> Result<(), CodeMemoryError> {
        // SAFETY: contract: changes the protection of pages this value owns exclusively.
        // Evidence: `base`/`len` are exactly what mmap returned (page-aligned) and no other value
        // holds them (a mapping is in the pool or in one owner, never both).
        #[allow(unsafe_code)]
        let status =
            unsafe { libc::mprotect(self.base as *mut libc::c_void, self.len, protection) };
        if status != 0 {
            return Err(CodeMemoryError::Protect { errno: errno() });
        }
        Ok(())
    }

    /// Gives the mapping back: writable (never executable) in the pool, or unmapped when the
    /// pool is full.
    fn release(self) {
        if self.protect(libc::PROT_READ | libc::PROT_WRITE).is_ok() {
            let mut pool = POOL.lock().unwrap_or_else(|poison| poison.into_inner());
            if pool.len() < POOL_LIMIT {
                pool.push(self);
                return;
            }
        }
        self.unmap();
    }

    /// Unmaps the mapping with its guard pages.
    fn unmap(self) {
        // SAFETY: contract: unmaps pages nothing refers to any more. Evidence: `self` is consumed
        // and was the only owner of the reservation `[base - page, base + len + page)` that
        // `writable` mapped (and checked: neither bound wraps).
        #[allow(unsafe_code)]
        unsafe {
            libc::munmap(
                self.base.wrapping_sub(self.page) as *mut libc::c_void,
                self.len.wrapping_add(self.page.wrapping_mul(2)),
            );
        }
    }
}

/// Finished machine code in read-execute memory.
#[derive(Debug)]
pub struct ExecutableCode {
    mapping: Option<Mapping>,
    code_len: usize,
}

// SAFETY: the pages are read-execute and never written again while this value lives, so sharing
// or moving the value between threads shares only immutable bytes.
#[allow(unsafe_code)]
unsafe impl Send for ExecutableCode {}
// SAFETY: as above: `&ExecutableCode` gives only reads of immutable code.
#[allow(unsafe_code)]
unsafe impl Sync for ExecutableCode {}

impl ExecutableCode {
    /// Copies `code` into fresh read-write pages (the rest filled with `int3`) and seals them
    /// read-execute.
    pub fn new(code: &[u8]) -> Result<Self, CodeMemoryError> {
        let mapping = Mapping::writable(code.len())?;
        // SAFETY: contract: the mapping is read-write and `mapping.len >= code.len()` bytes long,
        // owned by this function only. Evidence: `Mapping::writable` just set PROT_READ|WRITE on
        // at least that many bytes.
        #[allow(unsafe_code)]
        let pages = unsafe { std::slice::from_raw_parts_mut(mapping.base as *mut u8, mapping.len) };
        let (head, tail) = pages.split_at_mut(code.len());
        head.copy_from_slice(code);
        tail.fill(0xcc);
        if let Err(error) = mapping.protect(libc::PROT_READ | libc::PROT_EXEC) {
            mapping.release();
            return Err(error);
        }
        Ok(ExecutableCode {
            mapping: Some(mapping),
            code_len: code.len(),
        })
    }

    /// Address of the first byte.
    pub fn base(&self) -> usize {
        self.mapping.as_ref().map_or(0, |mapping| mapping.base)
    }

    /// The code, readable (for disassembly in tests).
    pub fn bytes(&self) -> &[u8] {
        match &self.mapping {
            // SAFETY: contract: the pages are readable and immutable while `self` lives.
            // Evidence: sealed PROT_READ|PROT_EXEC in `new`, and only `drop` changes that.
            #[allow(unsafe_code)]
            Some(mapping) => unsafe {
                std::slice::from_raw_parts(mapping.base as *const u8, self.code_len)
            },
            None => &[],
        }
    }
}

impl Drop for ExecutableCode {
    fn drop(&mut self) {
        if let Some(mapping) = self.mapping.take() {
            mapping.release();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_is_copied_into_fresh_or_pooled_pages() {
        let first = ExecutableCode::new(&[0xc3, 0x90]).unwrap();
        assert_eq!(first.bytes(), &[0xc3, 0x90]);
        drop(first);
        // Whichever mapping this gets (fresh or pooled), only the new code is in it.
        let second = ExecutableCode::new(&[0x90; 10]).unwrap();
        assert_eq!(second.bytes(), &[0x90; 10]);
    }
}
