mov64 r3, 0
lsh64 r3, 32
mov32 r9, -8
or64 r3, r9
callx r3
exit
