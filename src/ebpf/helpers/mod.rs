//! Helper functions: what a Linux eBPF program calls with `call <id>`.
//!
//! A helper is a syscall of the VM ([`crate::vm::SyscallRegistry`]) registered under the
//! kernel's id (`enum bpf_func_id`, `include/uapi/linux/bpf.h`) rather than a name's hash.
//! Its context is a [`HelperContext`]: the maps' bookkeeping (while a run borrows their
//! bytes, see [`crate::ebpf::maps`]), the trace log, a clock and a random generator. The
//! embedder adds its own helpers with `register_with_key(id, name, f)`, before or after the
//! built-ins ([`register_builtin_helpers`]):
//!
//! | id | helper                        | here                                                  |
//! |----|-------------------------------|-------------------------------------------------------|
//! | 1  | `map_lookup_elem(map, key)`   | the value's guest address, or 0                       |
//! | 2  | `map_update_elem(map, key, value, flags)` | 0 or a negative errno                     |
//! | 3  | `map_delete_elem(map, key)`   | 0 or a negative errno                                 |
//! | 5  | `ktime_get_ns()`              | monotonic nanoseconds since the context was made      |
//! | 6  | `trace_printk(fmt, size, a1, a2, a3)` | formats into [`HelperContext::logs`]; bytes written |
//! | 7  | `get_prandom_u32()`           | xorshift64, deterministic per seed                    |
//! | 8  | `get_smp_processor_id()`      | 0: a run is one cpu                                   |
//!
//! A negative errno travels in r0 as its two's complement (`-22` is `0xffff_ffff_ffff_ffea`).
//! A key, value or format the mapping cannot read is the syscall's access violation, as a
//! guest load would be; the kernel's verifier rejects such programs before they run.
//!
//! Linux eBPF has no instruction meter; the context's budget is a limit on instructions that
//! the embedder may set ([`HelperContext::set_instruction_limit`]), unlimited by default.

mod map;
mod misc;
mod printk;

pub use printk::{format_trace, MAX_TRACE_MESSAGE, MAX_TRACE_STRING};

use crate::ebpf::layout;
use crate::ebpf::maps::{HoldsMaps, MapIndex};
use crate::vm::{ContextObject, SyscallRegistry};
use std::time::Instant;

/// `BPF_FUNC_map_lookup_elem`.
pub const MAP_LOOKUP_ELEM: u32 = 1;
/// `BPF_FUNC_map_update_elem`.
pub const MAP_UPDATE_ELEM: u32 = 2;
/// `BPF_FUNC_map_delete_elem`.
pub const MAP_DELETE_ELEM: u32 = 3;
/// `BPF_FUNC_ktime_get_ns`.
pub const KTIME_GET_NS: u32 = 5;
/// `BPF_FUNC_trace_printk`.
pub const TRACE_PRINTK: u32 = 6;
/// `BPF_FUNC_get_prandom_u32`.
pub const GET_PRANDOM_U32: u32 = 7;
/// `BPF_FUNC_get_smp_processor_id`.
pub const GET_SMP_PROCESSOR_ID: u32 = 8;

/// Most log bytes a context keeps: each message counts its length plus one, so that a loop
/// printing empty messages is bounded too. Later messages are counted in
/// [`HelperContext::dropped_logs`] and not kept.
pub const LOG_BYTES_CAP: usize = 64 * 1024;
/// The seed of [`HelperContext::new`].
pub const DEFAULT_SEED: u64 = 0x2545_f491_4f6c_dd1d;

/// What the helpers see of the host: the maps' bookkeeping, the logs, time and randomness.
#[derive(Debug, Clone)]
pub struct HelperContext {
    /// The maps' bookkeeping during a run ([`crate::ebpf::maps::Maps::lend`] fills it).
    pub(crate) maps: Vec<MapIndex>,
    /// Each `bpf_trace_printk` message as formatted, one trailing newline removed.
    pub logs: Vec<String>,
    /// Messages not kept because [`LOG_BYTES_CAP`] was reached.
    pub dropped_logs: u64,
    log_bytes: usize,
    started: Instant,
    random: u64,
    /// Instructions the run may still execute.
    remaining: u64,
}

impl Default for HelperContext {
    fn default() -> Self {
        HelperContext::new()
    }
}

impl HelperContext {
    /// A context with no maps and no logs, its clock starting now, seeded with
    /// [`DEFAULT_SEED`].
    pub fn new() -> Self {
        HelperContext::with_seed(DEFAULT_SEED)
    }

    /// A context whose `get_prandom_u32` sequence starts from `seed`.
    pub fn with_seed(seed: u64) -> Self {
        let mut context = HelperContext {
            maps: Vec::new(),
            logs: Vec::new(),
            dropped_logs: 0,
            log_bytes: 0,
            started: Instant::now(),
            random: 0,
            remaining: u64::MAX,
        };
        context.set_seed(seed);
        context
    }

    /// Limits the next run to `limit` instructions (`u64::MAX`: no limit): a run that would
    /// execute more stops with `ExceededMaxInstructions`.
    pub fn set_instruction_limit(&mut self, limit: u64) {
        self.remaining = limit;
    }

    /// Restarts the `get_prandom_u32` sequence from `seed`. Xorshift cannot leave the state
    /// 0, so seed 0 starts from [`DEFAULT_SEED`] instead.
    pub fn set_seed(&mut self, seed: u64) {
        self.random = if seed == 0 { DEFAULT_SEED } else { seed };
    }

    /// The next `get_prandom_u32` value: Marsaglia's xorshift64 (shifts 13, 7, 17; "Xorshift
    /// RNGs", 2003), its low 32 bits.
    pub fn next_random_u32(&mut self) -> u32 {
        let mut x = self.random;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.random = x;
        x as u32
    }

    /// Nanoseconds since the context was made (monotonic; saturates after 584 years).
    pub fn elapsed_ns(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    /// Keeps a log message, unless [`LOG_BYTES_CAP`] is reached (then it is counted in
    /// [`HelperContext::dropped_logs`]).
    pub fn record_log(&mut self, message: String) {
        let cost = message.len().saturating_add(1);
        if self.log_bytes.saturating_add(cost) > LOG_BYTES_CAP {
            self.dropped_logs = self.dropped_logs.saturating_add(1);
            return;
        }
        self.log_bytes = self.log_bytes.saturating_add(cost);
        self.logs.push(message);
    }

    /// Takes the logs kept so far, making room for new ones.
    pub fn take_logs(&mut self) -> Vec<String> {
        self.log_bytes = 0;
        self.dropped_logs = 0;
        std::mem::take(&mut self.logs)
    }

    /// The bookkeeping of the map whose handle is `handle` (its guest address), if the
    /// context holds it.
    pub fn map(&self, handle: u64) -> Option<&MapIndex> {
        let position = layout::map_index(handle)?;
        self.maps
            .get(position)
            .filter(|map| map.address() == handle)
    }

    /// The same, to change.
    pub(crate) fn map_mut(&mut self, handle: u64) -> Option<&mut MapIndex> {
        let position = layout::map_index(handle)?;
        self.maps
            .get_mut(position)
            .filter(|map| map.address() == handle)
    }
}

impl HoldsMaps for HelperContext {
    fn lent_maps(&mut self) -> &mut Vec<MapIndex> {
        &mut self.maps
    }
}

impl ContextObject for HelperContext {
    /// Counts executed instructions against the limit (unlimited unless one was set).
    fn consume(&mut self, amount: u64) {
        self.remaining = self.remaining.saturating_sub(amount);
    }

    fn get_remaining(&self) -> u64 {
        self.remaining
    }
}

/// Registers the built-in helpers 1, 2, 3, 5, 6, 7 and 8 under their kernel ids. An id the
/// registry already has keeps its function, so an embedder overrides a built-in by
/// registering it first.
pub fn register_builtin_helpers(registry: &mut SyscallRegistry<HelperContext>) {
    // The registry refuses a key it has (keeping the first function): nothing else can fail.
    let _ = registry.register_with_key(MAP_LOOKUP_ELEM, "bpf_map_lookup_elem", map::lookup);
    let _ = registry.register_with_key(MAP_UPDATE_ELEM, "bpf_map_update_elem", map::update);
    let _ = registry.register_with_key(MAP_DELETE_ELEM, "bpf_map_delete_elem", map::delete);
    let _ = registry.register_with_key(KTIME_GET_NS, "bpf_ktime_get_ns", misc::ktime_get_ns);
    let _ = registry.register_with_key(TRACE_PRINTK, "bpf_trace_printk", printk::trace_printk);
    let _ = registry.register_with_key(
        GET_PRANDOM_U32,
        "bpf_get_prandom_u32",
        misc::get_prandom_u32,
    );
    let _ = registry.register_with_key(
        GET_SMP_PROCESSOR_ID,
        "bpf_get_smp_processor_id",
        misc::get_smp_processor_id,
    );
}

/// A negative errno as the helper's r0 (two's complement).
fn errno(negative: i64) -> u64 {
    negative as u64
}
