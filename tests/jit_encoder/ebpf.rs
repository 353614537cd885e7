//! The forms eBPF's ops need: sign extension (register and `[rax - size]` loads) and the locked
//! read-modify-writes of the atomics. Expected texts follow the Intel manual's mnemonics
//! (`movsx`, `movsxd`, `lock xadd`, `xchg`, `lock cmpxchg`).

use super::{decode_one, mem_text, memory_operands, name, width, REGS};
use sbvm::jit::x86::alu::AluOp;
use sbvm::jit::x86::memory::RaxAccess;
use sbvm::jit::x86::{Mem, Reg};

#[test]
fn sign_extending_moves() {
    for wide in [true, false] {
        let bits = width(wide);
        for dst in REGS {
            for src in REGS {
                let d = name(dst, bits);
                assert_eq!(
                    decode_one(|a| a.movsx(wide, 1, dst, src)),
                    format!("movsx {d}, {}", name(src, 8))
                );
                assert_eq!(
                    decode_one(|a| a.movsx(wide, 2, dst, src)),
                    format!("movsx {d}, {}", name(src, 16))
                );
                let expected = if wide {
                    format!("movsxd {d}, {}", name(src, 32))
                } else {
                    format!("mov {d}, {}", name(src, 32))
                };
                assert_eq!(decode_one(|a| a.movsx(wide, 4, dst, src)), expected);
            }
        }
    }
}

/// The sign-extending loads at `[rax - size]`, as `lower::recipe` builds them.
#[test]
fn sign_extending_loads() {
    let forms = [
        (RaxAccess::new(0xbe_0f, 2, true, false, -1), "movsx", "byte"),
        (RaxAccess::new(0xbf_0f, 2, true, false, -2), "movsx", "word"),
        (RaxAccess::new(0x63, 1, true, false, -4), "movsxd", "dword"),
    ];
    for reg in REGS {
        for (index, (form, mnemonic, size)) in forms.iter().enumerate() {
            let at = mem_text(Mem::at(Reg::Rax, -(1 << index)), size);
            assert_eq!(
                decode_one(|a| a.rax_access(*form, reg)),
                format!("{mnemonic} {}, {at}", name(reg, 64))
            );
        }
    }
}

#[test]
fn locked_read_modify_writes() {
    let ops = [
        (AluOp::Add, "add"),
        (AluOp::Or, "or"),
        (AluOp::And, "and"),
        (AluOp::Xor, "xor"),
    ];
    for mem in memory_operands() {
        for wide in [true, false] {
            let (bits, size) = if wide { (64, "qword") } else { (32, "dword") };
            let at = mem_text(mem, size);
            for reg in REGS {
                let r = name(reg, bits);
                for (op, mnemonic) in ops {
                    assert_eq!(
                        decode_one(|a| a.lock_alu_mr(wide, op, mem, reg)),
                        format!("lock {mnemonic} {at}, {r}")
                    );
                }
                assert_eq!(
                    decode_one(|a| a.lock_xadd(wide, mem, reg)),
                    format!("lock xadd {at}, {r}")
                );
                assert_eq!(
                    decode_one(|a| a.xchg_mr(wide, mem, reg)),
                    format!("xchg {at}, {r}")
                );
                assert_eq!(
                    decode_one(|a| a.lock_cmpxchg(wide, mem, reg)),
                    format!("lock cmpxchg {at}, {r}")
                );
            }
        }
    }
    // `cmp` does not write memory: no prefix (a locked one would be an invalid instruction).
    assert_eq!(
        decode_one(|a| a.lock_alu_mr(true, AluOp::Cmp, Mem::at(Reg::Rax, -8), Reg::Rbx)),
        "cmp qword ptr [rax-0x8], rbx"
    );
}
