mov64 r1, 0
mov64 r0, 1
mov64 r0, 2
div64 r0, r1
exit
