mov64 r3, 1
lsh64 r3, 32
mov32 r9, 56
or64 r3, r9
callx r3
exit
lddw r0, 5
exit
