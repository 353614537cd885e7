# Sums the input bytes: r1 points at the input, whose first 8 bytes give its length n;
# returns the sum of the n bytes that follow.
# Run: printf '\x04\0\0\0\0\0\0\0\x01\x02\x03\x04' > /tmp/in.bin
#      sbvm run examples/sum_input.asm --version v0 --input /tmp/in.bin      # result: 10
entrypoint:
    ldxdw r2, [r1+0]        # n
    add64 r1, 8             # first byte
    mov64 r0, 0
loop:
    jeq r2, 0, done
    ldxb r3, [r1+0]
    add64 r0, r3
    add64 r1, 1
    add64 r2, -1
    ja loop
done:
    exit
