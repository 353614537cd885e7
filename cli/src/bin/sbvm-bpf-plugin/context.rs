//! The plugin's context and helpers (temporary until the built-in helper set lands).

use sbvm::memory::MemoryMapping;
use sbvm::vm::{Config, ContextObject, Runtime, SyscallError};
use std::sync::Arc;
use std::time::Instant;

pub struct PluginContext {
    remaining: u64,
    start: Instant,
}

impl PluginContext {
    pub fn new(limit: u64) -> Self {
        PluginContext {
            remaining: limit,
            start: Instant::now(),
        }
    }
}

impl ContextObject for PluginContext {
    fn consume(&mut self, amount: u64) {
        self.remaining = self.remaining.saturating_sub(amount);
    }
    fn get_remaining(&self) -> u64 {
        self.remaining
    }
}

fn ktime_get_ns(
    context: &mut PluginContext,
    _: &mut MemoryMapping<'_>,
    _: [u64; 5],
) -> Result<u64, SyscallError> {
    Ok(context.start.elapsed().as_nanos() as u64)
}

pub fn plugin_runtime(config: Config) -> Arc<Runtime<PluginContext>> {
    let mut runtime = Runtime::new(config);
    let _ = runtime
        .syscalls
        .register_with_key(5, "bpf_ktime_get_ns", ktime_get_ns);
    Arc::new(runtime)
}
