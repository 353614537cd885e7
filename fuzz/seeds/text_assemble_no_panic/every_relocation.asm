# Every relocation kind of the V0 ELF output, and their V3 equivalents (addresses filled in).
entrypoint:
    lddw r1, message            # V0: R_BPF_64_64 against the rodata symbol
    mov64 r2, 5
    syscall sol_log_            # V0: R_BPF_64_32 against an undefined symbol (a syscall)
    call function_add           # V0: R_BPF_64_32 against a defined function
    mov64 r6, r0
    lddw r3, function_double    # V0: R_BPF_64_RELATIVE in .text
    callx r3
    add64 r6, r0
    lddw r4, table
    ldxdw r5, [r4+0]            # a function pointer in rodata: V0 R_BPF_64_RELATIVE outside .text
    callx r5
    add64 r0, r6
    exit
function_add:
    mov64 r0, 40
    add64 r0, 2
    exit
function_double:
    mov64 r0, 21
    lsh64 r0, 1
    exit
.rodata
message: .ascii "hello"
    .byte 0, 0, 0
table: .quad function_double
