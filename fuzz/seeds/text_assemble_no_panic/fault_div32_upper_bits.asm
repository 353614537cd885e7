mov64 r1, 1
lsh64 r1, 32
mov32 r9, 0
or64 r1, r9
mov64 r0, 5
div32 r0, r1
exit
