mov64 r0, 0
mov64 r1, 0
lsh64 r1, 32
mov32 r9, 5
or64 r1, r9
mov64 r2, 0
lsh64 r2, 32
mov32 r9, 5
or64 r2, r9
jeq r1, r2, +1
or64 r0, 1
jeq r1, 5, +1
or64 r0, 2
mov64 r1, 0
lsh64 r1, 32
mov32 r9, 5
or64 r1, r9
mov64 r2, 0
lsh64 r2, 32
mov32 r9, 6
or64 r2, r9
jeq r1, r2, +1
or64 r0, 4
jeq r1, 6, +1
or64 r0, 8
mov64 r1, -1
lsh64 r1, 32
mov32 r9, -1
or64 r1, r9
mov64 r2, 0
lsh64 r2, 32
mov32 r9, 1
or64 r2, r9
jeq r1, r2, +1
or64 r0, 16
jeq r1, 1, +1
or64 r0, 32
mov64 r1, -2147483648
lsh64 r1, 32
mov32 r9, 0
or64 r1, r9
mov64 r2, 0
lsh64 r2, 32
mov32 r9, 0
or64 r2, r9
jeq r1, r2, +1
or64 r0, 64
jeq r1, 0, +1
or64 r0, 128
mov64 r1, 1
lsh64 r1, 32
mov32 r9, 2
or64 r1, r9
mov64 r2, 0
lsh64 r2, 32
mov32 r9, 2
or64 r2, r9
jeq r1, r2, +1
or64 r0, 256
jeq r1, 2, +1
or64 r0, 512
mov64 r1, 0
lsh64 r1, 32
mov32 r9, -1
or64 r1, r9
mov64 r2, 0
lsh64 r2, 32
mov32 r9, 2147483647
or64 r2, r9
jeq r1, r2, +1
or64 r0, 1024
jeq r1, 2147483647, +1
or64 r0, 2048
exit
