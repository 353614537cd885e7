mov64 r0, 0x7fffffff
add32 r0, 1
exit
