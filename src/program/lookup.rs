//! The decoder's lookups: from what the instruction table says (an operation, a width, an
//! extension, an atomic) to the op list's code. Built at compile time from the rows' facts:
//! each entry is the first code (a row, never its twin, which comes after it) with the wanted
//! facts; absent combinations stay `Unsupported`. So a new row is found without touching
//! this file.

use super::ops::{Arith, Code, Extension, Fault, Operation, Width, FACTS};
use crate::isa::table::{AtomicOp, Cond};

impl Code {
    /// The register-operand (or only) code of an arithmetic, logic or byte-order operation;
    /// with `total`, the division that cannot fault (see [`Fault::Never`]).
    pub(super) fn alu(arith: Arith, width: Width, extension: Extension, total: bool) -> Code {
        ALU_CODES[arith as usize][width as usize][extension as usize][total as usize]
    }

    /// The register-operand code of a conditional jump (`width` 32 or 64 bits).
    pub(super) fn branch(cond: Cond, width: Width) -> Code {
        BRANCH_CODES[cond as usize][width as usize]
    }

    /// The zero-extending load, the register store or the sign-extending load of `width`.
    pub(super) fn memory(access: Access, width: Width) -> Code {
        MEMORY_CODES[access as usize][width as usize]
    }

    /// The atomic `op` of `width`, fetching or not.
    pub(super) fn atomic(op: AtomicOp, fetch: bool, width: Width) -> Code {
        ATOMIC_CODES[op as usize][fetch as usize][width as usize]
    }
}

/// Which memory access a load or store code makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
    /// A load, zero-extended.
    Load,
    /// A store.
    Store,
    /// A load, sign-extended.
    LoadSigned,
}

// The decoder's lookups, built at compile time from the facts: the first code (a row, never
// its twin, which comes after it) with the wanted facts. Absent combinations stay `Unsupported`.

const ARITHS: usize = Arith::MovSext32 as usize + 1;
const ATOMICS: usize = AtomicOp::Cmpxchg as usize + 1;
const CONDS: usize = 16;
const WIDTHS: usize = Width::W64 as usize + 1;
const EXTENSIONS: usize = Extension::Sign as usize + 1;

static ALU_CODES: [[[[Code; 2]; EXTENSIONS]; WIDTHS]; ARITHS] = {
    let mut table = [[[[Code::Unsupported; 2]; EXTENSIONS]; WIDTHS]; ARITHS];
    let mut i = 0;
    while i < Code::ALL.len() {
        let f = FACTS[i];
        if let Operation::Alu(arith) = f.operation {
            let (a, w, e) = (arith as usize, f.width as usize, f.extension as usize);
            let divides = matches!(arith, Arith::Div | Arith::Rem | Arith::Sdiv | Arith::Srem);
            // An operation that is not a division is the same op, total or not.
            let total = matches!(f.fault, Fault::Never);
            let mut t = 0;
            while t < 2 {
                let wanted = !divides || total == (t == 1);
                if wanted && matches!(table[a][w][e][t], Code::Unsupported) {
                    table[a][w][e][t] = Code::ALL[i];
                }
                t += 1;
            }
        }
        i += 1;
    }
    table
};

static ATOMIC_CODES: [[[Code; WIDTHS]; 2]; ATOMICS] = {
    let mut table = [[[Code::Unsupported; WIDTHS]; 2]; ATOMICS];
    let mut i = 0;
    while i < Code::ALL.len() {
        let f = FACTS[i];
        let (op, fetch) = match f.operation {
            Operation::Atomic(op) => (op as usize, 0),
            Operation::AtomicFetch(op) => (op as usize, 1),
            _ => (ATOMICS, 0),
        };
        if op < ATOMICS {
            table[op][fetch][f.width as usize] = Code::ALL[i];
        }
        i += 1;
    }
    table
};

static BRANCH_CODES: [[Code; WIDTHS]; CONDS] = {
    let mut table = [[Code::Unsupported; WIDTHS]; CONDS];
    let mut i = 0;
    while i < Code::ALL.len() {
        let f = FACTS[i];
        if let Operation::Branch(cond) = f.operation {
            let (c, w) = (cond as usize, f.width as usize);
            if matches!(table[c][w], Code::Unsupported) {
                table[c][w] = Code::ALL[i];
            }
        }
        i += 1;
    }
    table
};

static MEMORY_CODES: [[Code; WIDTHS]; 3] = {
    let mut table = [[Code::Unsupported; WIDTHS]; 3];
    let mut i = 0;
    while i < Code::ALL.len() {
        let f = FACTS[i];
        let access = match (f.operation, f.extension) {
            (Operation::Load, Extension::Sign) => Access::LoadSigned as usize,
            (Operation::Load, _) => Access::Load as usize,
            (Operation::Store, _) => Access::Store as usize,
            _ => 3,
        };
        if access < 3 && matches!(table[access][f.width as usize], Code::Unsupported) {
            table[access][f.width as usize] = Code::ALL[i];
        }
        i += 1;
    }
    table
};
