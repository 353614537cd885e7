mov64 r1, 1
syscall log_64
add64 r0, 1
ja -2
