mov64 r0, 9
mov64 r1, 0
div32 r0, r1
exit
