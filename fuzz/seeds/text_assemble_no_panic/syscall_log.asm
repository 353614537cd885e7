mov64 r2, 0x6948
stxh [r10-2], r2
mov64 r1, r10
add64 r1, -2
mov64 r2, 2
syscall log
exit
