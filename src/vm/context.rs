//! The context object: what the host hands each run, owning the compute budget.

/// Host state for one run. The VM charges executed instructions to it; syscalls receive it.
pub trait ContextObject {
    /// Charges `amount` compute units (saturating at zero).
    fn consume(&mut self, amount: u64);
    /// Compute units left.
    fn get_remaining(&self) -> u64;
}

/// A context that is only a budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Compute units left.
    pub remaining: u64,
}

impl Budget {
    /// A budget of `units`.
    pub fn new(units: u64) -> Self {
        Budget { remaining: units }
    }
}

impl ContextObject for Budget {
    fn consume(&mut self, amount: u64) {
        self.remaining = self.remaining.saturating_sub(amount);
    }
    fn get_remaining(&self) -> u64 {
        self.remaining
    }
}
