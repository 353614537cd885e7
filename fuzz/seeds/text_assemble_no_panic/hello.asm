# Hello world: logs a message from read-only data with sol_log_, returns 0.
# Run: sbvm run examples/hello.asm --version v3
entrypoint:
    lddw r1, message
    mov64 r2, 13
    syscall sol_log_
    mov64 r0, 0
    exit
.rodata
message: .ascii "Hello, world!"
