//! Compute budget and the compute cost of each syscall: Agave's defaults
//! (`SVMTransactionExecutionBudget::new_with_defaults(true)` and
//! `SVMTransactionExecutionCost::default()` in solana-program-runtime 4.2), which mollusk uses.

/// Limits of one transaction's execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComputeBudget {
    /// Compute units an instruction may consume.
    pub compute_unit_limit: u64,
    /// Deepest instruction nesting (the top level is 1).
    pub max_instruction_stack_depth: usize,
    /// Most instructions (top level and invoked) one transaction may record.
    pub max_instruction_trace_length: usize,
    /// Most slices one hashing syscall takes.
    pub sha256_max_slices: u64,
    /// Deepest sBPF call nesting.
    pub max_call_depth: usize,
    /// Bytes per sBPF stack frame.
    pub stack_frame_size: usize,
    /// Heap bytes per program run.
    pub heap_size: u32,
}

impl Default for ComputeBudget {
    fn default() -> Self {
        ComputeBudget {
            compute_unit_limit: 1_400_000,
            max_instruction_stack_depth: 9,
            max_instruction_trace_length: 64,
            sha256_max_slices: 20_000,
            max_call_depth: 64,
            stack_frame_size: 4096,
            heap_size: 32 * 1024,
        }
    }
}

/// What syscalls cost, in compute units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComputeCosts {
    /// `sol_log_64_`.
    pub log_64_units: u64,
    /// Each attempt of `sol_create_program_address` / `sol_try_find_program_address`.
    pub create_program_address_units: u64,
    /// A cross-program invocation.
    pub invoke_units: u64,
    /// Base cost of a hashing syscall.
    pub sha256_base_cost: u64,
    /// Per two bytes hashed.
    pub sha256_byte_cost: u64,
    /// `sol_log_pubkey`.
    pub log_pubkey_units: u64,
    /// Bytes per unit of copied data (memory syscalls, return data, invocations).
    pub cpi_bytes_per_unit: u64,
    /// Base cost of a sysvar read.
    pub sysvar_base_cost: u64,
    /// Base cost of most syscalls.
    pub syscall_base_cost: u64,
    /// Per 32 KiB of heap beyond the first.
    pub heap_cost: u64,
    /// Least a memory syscall costs.
    pub mem_op_base_cost: u64,
}

impl Default for ComputeCosts {
    fn default() -> Self {
        ComputeCosts {
            log_64_units: 100,
            create_program_address_units: 1500,
            invoke_units: 946,
            sha256_base_cost: 85,
            sha256_byte_cost: 1,
            log_pubkey_units: 100,
            cpi_bytes_per_unit: 250,
            sysvar_base_cost: 100,
            syscall_base_cost: 100,
            heap_cost: 8,
            mem_op_base_cost: 10,
        }
    }
}

impl ComputeCosts {
    /// Cost of a heap of `heap_size` bytes: each 32 KiB page after the first.
    pub fn heap_cost(&self, heap_size: u32) -> u64 {
        const PAGE: u64 = 32 * 1024;
        u64::from(heap_size)
            .saturating_add(PAGE - 1)
            .checked_div(PAGE)
            .unwrap_or(0)
            .saturating_sub(1)
            .saturating_mul(self.heap_cost)
    }

    /// Cost of a memory syscall over `len` bytes.
    pub fn mem_op(&self, len: u64) -> u64 {
        self.mem_op_base_cost
            .max(len.checked_div(self.cpi_bytes_per_unit).unwrap_or(u64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heap_cost_per_page() {
        // Agave's calculate_heap_cost: 32 KiB is free, each further page costs heap_cost.
        let costs = ComputeCosts::default();
        assert_eq!(costs.heap_cost(32 * 1024), 0);
        assert_eq!(costs.heap_cost(32 * 1024 + 1), 8);
        assert_eq!(costs.heap_cost(256 * 1024), 56);
    }
}
