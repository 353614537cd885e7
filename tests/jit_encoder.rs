//! The JIT's x86-64 encoder against a real disassembler (iced-x86): every instruction form the
//! JIT emits, with every register (and the awkward ones as memory bases: rsp/r12 need a SIB
//! byte, rbp/r13 a displacement), must decode to exactly the instruction meant, using all of
//! its bytes. Expected texts are written from the Intel manual's mnemonics.

use iced_x86::{Decoder, DecoderOptions, Formatter, IntelFormatter};
use sbvm::jit::x86::alu::{AluOp, ShiftOp};
use sbvm::jit::x86::memory::RaxAccess;
use sbvm::jit::x86::{Cond, Emitter, Mem, Reg};

#[path = "jit_encoder/ebpf.rs"]
mod ebpf;

const REGS: [Reg; 16] = [
    Reg::Rax,
    Reg::Rcx,
    Reg::Rdx,
    Reg::Rbx,
    Reg::Rsp,
    Reg::Rbp,
    Reg::Rsi,
    Reg::Rdi,
    Reg::R8,
    Reg::R9,
    Reg::R10,
    Reg::R11,
    Reg::R12,
    Reg::R13,
    Reg::R14,
    Reg::R15,
];

fn name(reg: Reg, bits: u32) -> String {
    let index = reg.number() as usize;
    let legacy64 = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"];
    let legacy32 = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
    let legacy16 = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"];
    let legacy8 = ["al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil"];
    if index < 8 {
        match bits {
            64 => legacy64[index].into(),
            32 => legacy32[index].into(),
            16 => legacy16[index].into(),
            _ => legacy8[index].into(),
        }
    } else {
        match bits {
            64 => format!("r{index}"),
            32 => format!("r{index}d"),
            16 => format!("r{index}w"),
            _ => format!("r{index}b"),
        }
    }
}

fn width(wide: bool) -> u32 {
    if wide {
        64
    } else {
        32
    }
}

/// Decodes `emit`'s bytes as one instruction and returns its Intel text.
fn decode_one(emit: impl FnOnce(&mut Emitter)) -> String {
    let mut asm = Emitter::new();
    emit(&mut asm);
    let mut decoder = Decoder::with_ip(64, asm.code(), 0x1000, DecoderOptions::NONE);
    let instruction = decoder.decode();
    assert!(
        !instruction.is_invalid(),
        "invalid encoding {:02x?}",
        asm.code()
    );
    assert_eq!(
        instruction.len(),
        asm.code().len(),
        "{:02x?} decodes as a shorter instruction",
        asm.code()
    );
    let mut formatter = IntelFormatter::new();
    let options = formatter.options_mut();
    options.set_hex_prefix("0x");
    options.set_hex_suffix("");
    options.set_uppercase_hex(false);
    options.set_space_after_operand_separator(true);
    options.set_branch_leading_zeros(false);
    options.set_leading_zeros(false);
    options.set_small_hex_numbers_in_decimal(false);
    options.set_memory_size_options(iced_x86::MemorySizeOptions::Always);
    let mut text = String::new();
    formatter.format(&instruction, &mut text);
    text
}

fn mem_text(mem: Mem, size: &str) -> String {
    let mut inside = name(mem.base, 64);
    if let Some((index, scale)) = mem.index {
        inside += &format!("+{}", name(index, 64));
        if scale != 1 {
            inside += &format!("*{scale}");
        }
    }
    if mem.disp > 0 {
        inside += &format!("+0x{:x}", mem.disp);
    } else if mem.disp < 0 {
        inside += &format!("-0x{:x}", -(mem.disp as i64));
    }
    format!("{size} ptr [{inside}]")
}

fn memory_operands() -> Vec<Mem> {
    let mut out = Vec::new();
    for base in REGS {
        for disp in [0, 8, -8, 0x58, 0x1234, -0x1234] {
            out.push(Mem::at(base, disp));
        }
        for index in [Reg::Rcx, Reg::R9] {
            out.push(Mem {
                base,
                index: Some((index, 1)),
                disp: 0x80,
            });
        }
    }
    out
}

#[test]
fn register_register_forms() {
    let ops = [
        (AluOp::Add, "add"),
        (AluOp::Or, "or"),
        (AluOp::And, "and"),
        (AluOp::Sub, "sub"),
        (AluOp::Xor, "xor"),
        (AluOp::Cmp, "cmp"),
    ];
    for wide in [true, false] {
        let bits = width(wide);
        for dst in REGS {
            for src in REGS {
                let (d, s) = (name(dst, bits), name(src, bits));
                assert_eq!(
                    decode_one(|a| a.mov_rr(wide, dst, src)),
                    format!("mov {d}, {s}")
                );
                for (op, mnemonic) in ops {
                    assert_eq!(
                        decode_one(|a| a.alu_rr(wide, op, dst, src)),
                        format!("{mnemonic} {d}, {s}")
                    );
                }
                assert_eq!(
                    decode_one(|a| a.imul_rr(wide, dst, src)),
                    format!("imul {d}, {s}")
                );
                assert_eq!(
                    decode_one(|a| a.test_rr(wide, dst, src)),
                    format!("test {d}, {s}")
                );
            }
        }
    }
    for dst in REGS {
        for src in REGS {
            assert_eq!(
                decode_one(|a| a.movsxd(dst, src)),
                format!("movsxd {}, {}", name(dst, 64), name(src, 32))
            );
            assert_eq!(
                decode_one(|a| a.movzx16(dst, src)),
                format!("movzx {}, {}", name(dst, 32), name(src, 16))
            );
        }
    }
}

#[test]
fn immediate_and_unary_forms() {
    for reg in REGS {
        for wide in [true, false] {
            let bits = width(wide);
            let r = name(reg, bits);
            for imm in [0i32, 1, -1, 127, -128, 128, 0x1234_5678, i32::MIN] {
                let shown = if wide {
                    format!("0x{:x}", imm as i64 as u64)
                } else {
                    format!("0x{:x}", imm as u32)
                };
                // iced shows small sign-extended imm8 values as 64-bit hex too.
                assert_eq!(
                    decode_one(|a| a.alu_ri(wide, AluOp::Add, reg, imm)),
                    format!("add {r}, {shown}"),
                    "add {r}, {imm}"
                );
            }
            for (op, mnemonic) in [
                (ShiftOp::Shl, "shl"),
                (ShiftOp::Shr, "shr"),
                (ShiftOp::Sar, "sar"),
            ] {
                assert_eq!(
                    decode_one(|a| a.shift_cl(wide, op, reg)),
                    format!("{mnemonic} {r}, cl")
                );
                assert_eq!(
                    decode_one(|a| a.shift_imm(wide, op, reg, 5)),
                    format!("{mnemonic} {r}, 0x5")
                );
            }
            assert_eq!(decode_one(|a| a.neg(wide, reg)), format!("neg {r}"));
            assert_eq!(decode_one(|a| a.div(wide, reg)), format!("div {r}"));
            assert_eq!(decode_one(|a| a.idiv(wide, reg)), format!("idiv {r}"));
            assert_eq!(decode_one(|a| a.bswap(wide, reg)), format!("bswap {r}"));
        }
        let r64 = name(reg, 64);
        assert_eq!(decode_one(|a| a.mul(reg)), format!("mul {r64}"));
        assert_eq!(decode_one(|a| a.imul_wide(reg)), format!("imul {r64}"));
        assert_eq!(
            decode_one(|a| a.rol16_8(reg)),
            format!("rol {}, 0x8", name(reg, 16))
        );
        assert_eq!(decode_one(|a| a.push(reg)), format!("push {r64}"));
        assert_eq!(decode_one(|a| a.pop(reg)), format!("pop {r64}"));
        assert_eq!(decode_one(|a| a.jmp_reg(reg)), format!("jmp {r64}"));
        for value in [
            0u64,
            5,
            0xffff_ffff,
            0xffff_ffff_ffff_fff0,
            0x1234_5678_9abc_def0,
        ] {
            let text = decode_one(|a| a.mov_imm(reg, value));
            let expected_value = format!("0x{value:x}");
            if value <= 0xffff_ffff {
                assert_eq!(text, format!("mov {}, {expected_value}", name(reg, 32)));
            } else {
                assert!(
                    text == format!("mov {r64}, {expected_value}")
                        || text == format!("movabs {r64}, {expected_value}"),
                    "{text}"
                );
            }
        }
    }
    assert_eq!(decode_one(|a| a.sign_extend_rax(true)), "cqo");
    assert_eq!(decode_one(|a| a.sign_extend_rax(false)), "cdq");
    assert_eq!(decode_one(|a| a.ret()), "ret");
}

#[test]
fn memory_forms() {
    for mem in memory_operands() {
        for reg in REGS {
            assert_eq!(
                decode_one(|a| a.load(8, reg, mem)),
                format!("mov {}, {}", name(reg, 64), mem_text(mem, "qword"))
            );
            assert_eq!(
                decode_one(|a| a.load(4, reg, mem)),
                format!("mov {}, {}", name(reg, 32), mem_text(mem, "dword"))
            );
            assert_eq!(
                decode_one(|a| a.load(2, reg, mem)),
                format!("movzx {}, {}", name(reg, 32), mem_text(mem, "word"))
            );
            assert_eq!(
                decode_one(|a| a.load(1, reg, mem)),
                format!("movzx {}, {}", name(reg, 32), mem_text(mem, "byte"))
            );
            for (size, bits, word) in [
                (8, 64, "qword"),
                (4, 32, "dword"),
                (2, 16, "word"),
                (1, 8, "byte"),
            ] {
                assert_eq!(
                    decode_one(|a| a.store(size, mem, reg)),
                    format!("mov {}, {}", mem_text(mem, word), name(reg, bits))
                );
            }
            for (op, mnemonic) in [
                (AluOp::Add, "add"),
                (AluOp::Sub, "sub"),
                (AluOp::Cmp, "cmp"),
                (AluOp::Xor, "xor"),
            ] {
                assert_eq!(
                    decode_one(|a| a.alu_rm(op, reg, mem)),
                    format!("{mnemonic} {}, {}", name(reg, 64), mem_text(mem, "qword"))
                );
            }
            for (op, mnemonic) in [(AluOp::Add, "add"), (AluOp::Sub, "sub")] {
                assert_eq!(
                    decode_one(|a| a.alu_mr(op, mem, reg)),
                    format!("{mnemonic} {}, {}", mem_text(mem, "qword"), name(reg, 64))
                );
            }
        }
        assert_eq!(
            decode_one(|a| a.alu_mi(AluOp::Sub, mem, 0x30)),
            format!("sub {}, 0x30", mem_text(mem, "qword"))
        );
        for (imm, shown) in [(0, "0x0"), (0x7f, "0x7f"), (0xff, "0xff")] {
            assert_eq!(
                decode_one(|a| a.cmp_byte_mi(mem, imm)),
                format!("cmp {}, {shown}", mem_text(mem, "byte"))
            );
        }
        assert_eq!(
            decode_one(|a| a.store_imm64(mem, -2)),
            format!("mov {}, 0xfffffffffffffffe", mem_text(mem, "qword"))
        );
        assert_eq!(
            decode_one(|a| a.jmp_mem(mem)),
            format!("jmp {}", mem_text(mem, "qword"))
        );
    }
}

/// The fixed-length forms the hot lowering paths build as words: REX always present (`40`
/// when no bit is needed), so every register pair gives the same length.
#[test]
fn fixed_length_forms() {
    for rm in REGS {
        for wide in [true, false] {
            let bits = width(wide);
            let dst = name(rm, bits);
            for reg in REGS {
                let text = decode_one(|a| a.fixed_rr(wide, 0x01, reg.number(), rm, 0, 0));
                assert_eq!(text, format!("add {dst}, {}", name(reg, bits)));
                let text = decode_one(|a| a.fixed_rr(wide, 0x89, reg.number(), rm, 0, 0));
                assert_eq!(text, format!("mov {dst}, {}", name(reg, bits)));
            }
            let shown = |imm: i32| {
                if wide {
                    format!("0x{:x}", imm as i64 as u64)
                } else {
                    format!("0x{:x}", imm as u32)
                }
            };
            for imm in [0, 5, -1, 127, -128] {
                let text = decode_one(|a| a.fixed_rr(wide, 0x83, 6, rm, imm, 1));
                assert_eq!(text, format!("xor {dst}, {}", shown(imm)));
            }
            for imm in [128, -129, 0x1234_5678, i32::MIN] {
                let text = decode_one(|a| a.fixed_rr(wide, 0x81, 4, rm, imm, 4));
                assert_eq!(text, format!("and {dst}, {}", shown(imm)));
                let text = decode_one(|a| a.fixed_rr(wide, 0xc7, 0, rm, imm, 4));
                assert_eq!(text, format!("mov {dst}, {}", shown(imm)));
                assert_eq!(
                    decode_one(|a| a.mov_sign_extended(wide, rm, imm)),
                    format!("mov {dst}, {}", shown(imm))
                );
            }
            let text = decode_one(|a| a.fixed_rr(wide, 0xc1, 7, rm, 63, 1));
            assert_eq!(text, format!("sar {dst}, 0x3f"));
        }
        let r64 = name(rm, 64);
        let text = decode_one(|a| a.fixed_rr(true, 0x63, rm.number(), rm, 0, 0));
        assert_eq!(text, format!("movsxd {r64}, {}", name(rm, 32)));
        assert_eq!(
            decode_one(|a| a.mov_imm32(rm, 0x8000_0001)),
            format!("mov {}, 0x80000001", name(rm, 32))
        );
        for base in REGS {
            for disp in [0, -8, 0x7fff, -0x8000] {
                let expected = mem_text(Mem::at(base, disp), "").replace(" ptr ", "");
                assert_eq!(
                    decode_one(|a| a.lea_disp32(rm, base, disp)),
                    format!("lea {r64}, {expected}")
                );
            }
            if rm != Reg::Rsp {
                let indexed = Mem::indexed(base, rm, 1);
                let expected = mem_text(indexed, "").replace(" ptr ", "");
                assert_eq!(
                    decode_one(|a| a.lea_indexed(Reg::Rax, base, rm)),
                    format!("lea rax, {expected}")
                );
            }
        }
    }
}

/// Loads and stores at `[rax - size]` as the per-code constant forms the lowering uses.
#[test]
fn rax_access_forms() {
    let loads = [
        (
            RaxAccess::new(0xb6_0f, 2, false, false, -1),
            "movzx",
            32,
            "byte",
        ),
        (
            RaxAccess::new(0xb7_0f, 2, false, false, -2),
            "movzx",
            32,
            "word",
        ),
        (
            RaxAccess::new(0x8b, 1, false, false, -4),
            "mov",
            32,
            "dword",
        ),
        (RaxAccess::new(0x8b, 1, true, false, -8), "mov", 64, "qword"),
    ];
    let stores = [
        (RaxAccess::new(0x88, 1, false, false, -1), 8, "byte", 1),
        (RaxAccess::new(0x89, 1, false, true, -2), 16, "word", 2),
        (RaxAccess::new(0x89, 1, false, false, -4), 32, "dword", 4),
        (RaxAccess::new(0x89, 1, true, false, -8), 64, "qword", 8),
    ];
    for reg in REGS {
        for (index, (form, mnemonic, bits, size)) in loads.iter().enumerate() {
            let at = mem_text(Mem::at(Reg::Rax, -(1 << index)), size);
            assert_eq!(
                decode_one(|a| a.rax_access(*form, reg)),
                format!("{mnemonic} {}, {at}", name(reg, *bits))
            );
        }
        for (form, bits, size, bytes) in stores {
            let at = mem_text(Mem::at(Reg::Rax, -bytes), size);
            assert_eq!(
                decode_one(|a| a.rax_access(form, reg)),
                format!("mov {at}, {}", name(reg, bits))
            );
        }
    }
}

/// A code window: words, a template, a no-op and a patched jump land where they should.
#[test]
fn windows_write_what_the_emitter_would() {
    let mut direct = Emitter::new();
    direct.nop(3);
    direct.alu_rr(true, AluOp::Add, Reg::Rbx, Reg::R12);
    let jump = direct.jcc(Cond::Below, None);
    direct.patch_rel32(jump, 0);
    let mut windowed = Emitter::new();
    let mut template = [0u8; 64];
    template[..6].copy_from_slice(&[0x0f, 0x82, 0, 0, 0, 0]);
    let label = windowed.window(|code| {
        code.nop_up_to_4(3);
        let label = code.offset();
        code.put(0xe3_01_4c, 3); // add rbx, r12
        let start = code.len();
        code.template(&template, 6);
        code.patch_rel32(start + 6, 0);
        label
    });
    assert_eq!(label, 3);
    assert_eq!(windowed.code(), direct.code());
    // A window opened later appends after it.
    windowed.window(|code| code.put(0xc3, 1));
    assert_eq!(windowed.code().last(), Some(&0xc3));
    assert_eq!(windowed.offset(), direct.offset() + 1);
}

#[test]
fn jumps_reach_their_targets() {
    let conditions = [
        (Cond::Below, "jb"),
        (Cond::AboveEqual, "jae"),
        (Cond::Equal, "je"),
        (Cond::NotEqual, "jne"),
        (Cond::BelowEqual, "jbe"),
        (Cond::Above, "ja"),
        (Cond::Less, "jl"),
        (Cond::GreaterEqual, "jge"),
        (Cond::LessEqual, "jle"),
        (Cond::Greater, "jg"),
    ];
    for (cond, mnemonic) in conditions {
        // The target is relative to the instruction's end; the decoder's ip is 0x1000.
        assert_eq!(
            decode_one(|a| {
                a.jcc(cond, Some(0x40));
            }),
            format!("{mnemonic} 0x1040")
        );
        assert_eq!(cond.negate().negate(), cond);
        assert_ne!(cond.negate(), cond);
    }
    assert_eq!(
        decode_one(|a| {
            a.jmp(Some(0x10));
        }),
        "jmp 0x1010"
    );
    assert_eq!(
        decode_one(|a| {
            a.call(Some(0x10));
        }),
        "call 0x1010"
    );
    for len in 1..=9 {
        let mut asm = Emitter::new();
        asm.nop(len);
        assert_eq!(asm.code().len(), len);
        let text = decode_one(|a| a.nop(len));
        assert!(text.starts_with("nop") || text == "xchg ax, ax", "{text}");
    }
}
