mov64 r1, 287454020
lsh64 r1, 32
mov32 r9, 1432778632
or64 r1, r9
stxdw [r10-4], r1
ldxdw r0, [r10-4]
call function_f
exit
function_f:
ldxw r2, [r10-8192]
ldxw r0, [r10-4096]
lsh64 r0, 32
or64 r0, r2
exit
